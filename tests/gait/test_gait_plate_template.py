"""plate_template_events: a kinematic event moves to where the foot repeats the velocity pattern
it had at this foot's plate event (synthetic input whose answer is known by construction)."""

from __future__ import annotations

import numpy as np

from kinchain.gait.cycles_types import GaitEvent
from kinchain.gait.events import plate_template_events

RATE = 100.0


def _heel(strikes: list[float], n: int = 400) -> np.ndarray:
    """A heel whose forward and vertical positions hold the same smooth landing (a logistic
    step in x, a Gaussian dip in z) around each strike frame, so its velocity pattern repeats
    exactly, shifted, at every strike."""
    t = np.arange(n, dtype=np.float64)
    pos = np.zeros((n, 3))
    for s in strikes:
        pos[:, 0] += 0.5 / (1.0 + np.exp(-(t - s) / 2.0))
        pos[:, 2] -= 0.03 * np.exp(-(((t - s) / 3.0) ** 2))
    return pos


def test_event_moves_to_the_plate_pattern_within_the_search() -> None:
    """Plate strike at frame 100.0, the same landing at 230.3: a foot-velocity strike placed
    at 232.0 moves to 230.3 (on the 0.1-frame grid); one placed at 240.0, more than 4 frames
    away, moves by at most 4 frames; a strike of the other foot (no plate event) and the plate
    event itself stay."""
    heel = _heel([100.0, 230.3])
    toe = heel.copy()
    fwd = np.array([1.0, 0.0, 0.0])
    events = (
        GaitEvent("foot_strike", "left", 100.0, 1.0, "force_plate"),
        GaitEvent("foot_strike", "left", 232.0, 2.32, "foot_velocity"),
        GaitEvent("foot_strike", "right", 150.0, 1.5, "foot_velocity"),
    )
    plates = events[:1]
    out, notes = plate_template_events(
        events, plates, {"left": heel, "right": heel}, {"left": toe, "right": toe}, fwd, RATE
    )
    frames = {(e.side, e.method): e.frame for e in out}
    assert frames[("left", "force_plate")] == 100.0
    assert abs(frames[("left", "foot_velocity")] - 230.3) < 0.051
    assert frames[("right", "foot_velocity")] == 150.0
    assert len(notes) == 1 and notes[0].startswith("left foot strikes matched")
    far = (events[0], GaitEvent("foot_strike", "left", 240.0, 2.4, "foot_velocity"))
    out2, _ = plate_template_events(far, plates, {"left": heel}, {"left": toe}, fwd, RATE)
    assert abs(out2[1].frame - 240.0) <= 4.0 + 1e-9


def test_missing_samples_leave_the_event_where_it_was() -> None:
    heel = _heel([100.0, 230.3])
    heel[220:240] = np.nan
    events = (
        GaitEvent("foot_strike", "left", 100.0, 1.0, "force_plate"),
        GaitEvent("foot_strike", "left", 232.0, 2.32, "foot_velocity"),
    )
    out, notes = plate_template_events(
        events, events[:1], {"left": heel}, {"left": heel}, np.array([1.0, 0.0, 0.0]), RATE
    )
    assert out[1].frame == 232.0 and notes == ()
