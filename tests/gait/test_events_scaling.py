"""Event detection on long trials (issue 13): the same events as the direct reading of the
definitions, without their quadratic cost (a 100,000-frame tiled trial did not finish in 50
minutes; it now takes seconds, measured by ``make bench``).

The references below are the straightforward implementations the module used before; the
module's versions must agree with them on seeded random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.gait import events as ev
from kinchain.gait.cycles_types import GaitEvent

SIDES = ("left", "right")
KINDS = ("foot_strike", "foot_off")


def _random_events(rng: np.random.Generator, n: int, method: str) -> list[GaitEvent]:
    frames = np.round(rng.uniform(0, 5000, n), 1)
    return [
        GaitEvent(str(rng.choice(KINDS)), str(rng.choice(SIDES)), float(f), float(f) / 100, method)  # type: ignore[arg-type]
        for f in frames
    ]


def _reference_merge(
    primary: list[GaitEvent], fallback: list[GaitEvent], window: float
) -> tuple[GaitEvent, ...]:
    out = list(primary)
    for e in fallback:
        if not any(
            p.side == e.side and p.kind == e.kind and abs(p.frame - e.frame) <= window
            for p in primary
        ):
            out.append(e)
    return tuple(sorted(out, key=lambda e: e.frame))


@pytest.mark.parametrize("seed", range(6))
def test_merge_equals_its_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    primary = _random_events(rng, int(rng.integers(0, 60)), "force_plate")
    fallback = _random_events(rng, int(rng.integers(0, 200)), "zeni")
    # exact ties with the window's edge
    if primary and fallback:
        p = primary[0]
        fallback.append(GaitEvent(p.kind, p.side, p.frame + 25.0, (p.frame + 25.0) / 100, "zeni"))
    assert ev._merge(primary, fallback, 25.0) == _reference_merge(primary, fallback, 25.0)


@pytest.mark.parametrize("seed", range(4))
def test_interp_rows_reads_only_what_it_needs_and_equals_np_interp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(500, 2))
    x[rng.integers(0, 500, 20), 1] = np.nan
    frames = np.concatenate([rng.uniform(-5, 505, 300), [0.0, 499.0, -0.001, 499.001, np.nan]])
    grid = np.arange(500, dtype=float)
    want = np.column_stack(
        [np.interp(frames, grid, x[:, j], left=np.nan, right=np.nan) for j in range(2)]
    )
    np.testing.assert_array_equal(ev._interp_rows(x, frames), want)
    assert ev._interp_rows(x, np.array([np.nan])).shape == (1, 2)


def test_the_event_text_pattern_finds_every_event_a_note_names() -> None:
    rng = np.random.default_rng(7)
    for e in _random_events(rng, 200, "zeni"):
        text = ev._fmt_event(e)
        assert ev._EVENT_TEXT.findall(f"{text}: foot velocity used; see {text}.") == [text] * 2


def test_a_template_match_uses_the_nearest_plate_events_only() -> None:
    """A treadmill-like trial with a plate event every stride: an event's template match over all
    20 plate strikes equals the match over its 8 nearest, and a change to a far plate's window
    does not move it (it did, and cost time in proportion to the number of plates)."""
    rate = 100.0
    n = 2100
    t = np.arange(n) / rate
    heel = np.column_stack(
        [np.sin(2 * np.pi * t) * 0.3, np.zeros(n), 0.05 + 0.05 * np.cos(2 * np.pi * t)]
    )
    toe = heel + np.array([0.2, 0.0, 0.0])
    plates = [
        GaitEvent("foot_strike", "left", 100.0 * k + 2.0, k + 0.02, "force_plate")
        for k in range(20)
    ]
    e = GaitEvent("foot_strike", "left", 1001.0, 10.01, "foot_velocity")
    forward = np.array([1.0, 0.0, 0.0])

    def moved(ps: list[GaitEvent], h: np.ndarray, k: int = 8) -> float:
        out, _ = ev.plate_template_events(
            [e], ps, {"left": h}, {"left": toe}, forward, rate, max_templates=k
        )
        return out[0].frame

    near = sorted(plates, key=lambda p: abs(p.frame - e.frame))[:8]
    assert moved(plates, heel) == moved(sorted(near, key=lambda p: p.frame), heel)
    far = heel.copy()
    far[196:209, 0] += np.linspace(0.0, 0.06, 13)  # the window of the plate strike at frame 202
    assert moved(plates, far) == moved(plates, heel)
    assert moved(plates, far, k=20) != moved(plates, heel, k=20)  # with every plate it moves
