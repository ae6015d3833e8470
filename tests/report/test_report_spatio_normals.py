"""The report's spatiotemporal table shows normal values for speed, cadence, stride and step
length (adult reference matched to the measured walking speed) besides the children's cycle
events (issue 10 item 8)."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from kinchain.gait.normative import adult_spatiotemporal, load_schwartz2008
from kinchain.gait.spatiotemporal import PARAMETER_UNITS, SideSpatiotemporal, Spatiotemporal
from kinchain.report.content import _spatio_section
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
