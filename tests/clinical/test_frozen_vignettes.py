"""The frozen evaluation set (tests/clinical/vignettes_frozen): written from published clinical
descriptions by a hand that did not see the engine, committed before the engine was changed for
it, and never edited. This checks that it is unchanged, that no vignette is under-triaged, that
exact triage is at least 90 %, and that every leg-pain mimic class is covered."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from kinchain.clinical import CauseId, Specialist, Urgency, assess, parse_intake
from kinchain.clinical.result import NOT_MUSCULOSKELETAL

DIR = Path(__file__).parent / "vignettes_frozen"


def _load() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(DIR.glob("*.json")):
        out.extend(json.loads(path.read_text(encoding="utf-8")))
    return out


VIGNETTES = _load()


def test_the_set_is_frozen() -> None:
    manifest = (DIR / "FROZEN.sha256").read_text(encoding="utf-8").split("\n")
    expected = dict(reversed(line.split()) for line in manifest if line.strip())
    found = {p.name for p in DIR.glob("*.json")}
    assert found == set(expected), "a vignette file was added or removed"
    for name, digest in expected.items():
        actual = hashlib.sha256((DIR / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} was edited: the frozen set must not change"


def test_size_coverage_and_labels() -> None:
    assert len(VIGNETTES) >= 120
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)
    mimics = [v for v in VIGNETTES if v["mimic"]]
    assert len(mimics) * 3 >= len(VIGNETTES), "at least a third must be mimics"
    classes = {v["class"] for v in mimics}
    assert classes >= {c.value for c in NOT_MUSCULOSKELETAL}, "every mimic class has vignettes"
    for v in VIGNETTES:
        exp = v["expected"]
        Urgency(exp["urgency"])
        CauseId(exp["cause"])
        Specialist(exp["specialist"])
        assert v["source"] and v["presentation"]
        assert set(v["label_sources"]) >= {"urgency", "cause", "specialist"}


@pytest.mark.parametrize("v", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_never_under_triaged(v: dict[str, Any]) -> None:
    a = assess(parse_intake(v["intake"]))
    assert a.urgency.rank >= Urgency(v["expected"]["urgency"]).rank, (
        f"{v['id']} under-triaged: {a.urgency.value} < {v['expected']['urgency']}"
    )


def test_mimics_reach_their_urgency_from_patient_answers_alone() -> None:
    patient = [v for v in VIGNETTES if v["mimic"] and v["intake"].get("answered_by") == "patient"]
    classes = {v["class"] for v in patient}
    assert classes >= {c.value for c in NOT_MUSCULOSKELETAL} - {"acute_limb_ischaemia"} or (
        len(classes) >= 10
    )
    for v in patient:
        assert not any(k in v["intake"] for k in ("exam", "labs")), v["id"]
        a = assess(parse_intake(v["intake"]))
        assert a.urgency.rank >= Urgency(v["expected"]["urgency"]).rank, v["id"]


def test_exact_triage_and_destination_rates() -> None:
    rows = []
    for v in VIGNETTES:
        a = assess(parse_intake(v["intake"]))
        exp = v["expected"]
        rows.append(
            (
                a.urgency.value == exp["urgency"],
                a.referral.specialist.value == exp["specialist"],
                exp["cause"] in [c.cause.value for c in a.causes[:3]],
            )
        )
    n = len(rows)
    triage, dest, top3 = (sum(r[k] for r in rows) / n for k in range(3))
    assert triage >= 0.90, f"exact triage {triage:.1%}"
    assert dest >= 0.85, f"destination {dest:.1%}"
    assert top3 >= 0.90, f"cause in the top 3 {top3:.1%}"
