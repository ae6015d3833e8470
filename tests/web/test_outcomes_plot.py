"""The inline SVG of a subscale over the visits and the grouping of the patient's link."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from kinchain.web.intake_form import (
    PATIENT_GROUPS,
    patient_group,
    patient_groups,
    question_list,
)
from kinchain.web.outcomes_plot import series_svg


def _series(scores: list[float | None], classes: list[str | None]) -> dict[str, object]:
    return {
        "label": "Pain intensity",
        "range": [0.0, 10.0],
        "direction": "higher_is_worse",
        "mcid": 2.0,
        "points": [
            {
                "date": f"2026-1{k}-01",
                "score": s,
                "reason": None if s is not None else "0 of 1 items answered",
                "classification": c,
                "classification_text": c,
                "delta_text": "+0.0",
            }
            for k, (s, c) in enumerate(zip(scores, classes, strict=True))
        ],
    }


def test_svg_is_well_formed_with_a_band_per_step_between_valid_scores() -> None:
    svg = series_svg(_series([8, 5, None, 4], [None, "improved", None, "no_important_change"]))
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    # Bands between consecutive *valid* scores: 8->5 and 5->4 (the invalid visit is skipped).
    assert svg.count('class="mcid-band"') == 2
    assert svg.count('class="not-valid"') == 1
    # The first band spans 8 +/- 2 on a 0-10 axis of 200 - 14 - 34 = 152 px: 4/10 of it.
    band = re.search(
        r'class="mcid-band" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', svg
    )
    assert band is not None
    assert float(band.group(2)) == round(152 * 4 / 10, 1)
    assert float(band.group(1)) == round(14 + 152 * (10 - 10) / 10, 1)  # 8 + 2 = 10: the top
    assert "#2e7d32" in svg  # improved is green


def test_svg_escapes_text() -> None:
    s = _series([3], [None])
    s["label"] = '<script>"x"</script>'
    svg = series_svg(s)
    assert "<script>" not in svg
    ElementTree.fromstring(svg)


def test_every_question_of_the_link_is_in_one_group_in_the_terminals_order() -> None:
    questions = question_list(for_patient=True)
    groups = patient_groups(questions)
    flat = [q["path"] for g in groups for q in g["questions"]]
    assert sorted(flat) == sorted(q["path"] for q in questions)
    order = [q["path"] for q in questions]
    for g in groups:
        paths = [q["path"] for q in g["questions"]]
        assert paths == sorted(paths, key=order.index)
    assert [g["id"] for g in groups] == [
        gid for gid, _, _ in PATIENT_GROUPS if any(patient_group(p) == gid for p in order)
    ]
    assert patient_group("general.breathless") == "breathing"
    assert patient_group("general.fainting") == "general"
