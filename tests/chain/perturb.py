"""Documented, physically consistent alterations of a real trial, for the findings' tests.

Each function returns a new Trial (or new events) changed in a known way, so that the expected
direction and size of the change in the outputs can be derived and checked:

- :func:`stiffen_knee_in_swing`: the shank and foot markers of one leg are turned about the knee
  flexion axis (the thigh's y axis through the knee joint centre) by
  ``-fraction * flexion(t) * sin²(π s^0.75)`` during swing (``s`` from 0 at foot off to 1 at the
  next foot strike). The foot is in the air then, so no contact is violated, and the knee
  flexion angle drops by exactly that amount (a turn about the proximal segment's y axis changes
  only the first Cardan angle).
- :func:`turn_foot_out`: the heel and toe markers of one foot are turned about the vertical
  through the ankle joint centre: the foot points further out (out-toeing) with the same forces.
- :func:`shift_cop`: the centre of pressure of one plate is moved by a fixed horizontal vector
  while the force and free moment stay: the same load applied further medially, laterally or
  forward under the foot; inverse dynamics sees the new lever arms.
- :func:`scale_plate`: a plate's force, moment and free moment are multiplied by a factor: the
  foot pushes harder (the load a heavier or more forceful step would give).
- :func:`shift_events`: gait events of one side moved by a number of frames: a known change of
  timing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kinchain.gait.cycles_types import GaitEvent
from kinchain.gait.events import GaitEvents
from kinchain.io.trial import Trial
from kinchain.model.cgm1 import build_model
from kinchain.model.vectors import rotation_about_axis

_P = {"left": "L", "right": "R"}


def _rotate(
    points: np.ndarray, centre: np.ndarray, axis: np.ndarray, angle: np.ndarray
) -> np.ndarray:
    R = rotation_about_axis(axis, angle)
    return np.einsum("nij,nj->ni", R, points - centre) + centre


def swing_windows(events: GaitEvents, side: str) -> list[tuple[float, float]]:
    """(foot off, next foot strike) frame pairs of one side."""
    offs = [e.frame for e in events.events if e.side == side and e.kind == "foot_off"]
    strikes = [e.frame for e in events.events if e.side == side and e.kind == "foot_strike"]
    out = []
    for fo in offs:
        later = [s for s in strikes if s > fo]
        if later:
            out.append((fo, min(later)))
    return out


def stiffen_knee_in_swing(
    trial: Trial, events: GaitEvents, side: str, knee_flexion_deg: np.ndarray, fraction: float
) -> tuple[Trial, np.ndarray]:
    """Returns the altered trial and the expected knee flexion curve (degrees, per frame)."""
    model = build_model(trial)
    kjc = model.joints[f"{side}_knee"]
    axis = model.segments[f"{side}_thigh"].R[:, :, 1]
    n = trial.n_frames
    frames = np.arange(n, dtype=float)
    turn = np.zeros(n)
    for fo, hs in swing_windows(events, side):
        inside = (frames > fo) & (frames < hs)
        s = (frames[inside] - fo) / (hs - fo)
        turn[inside] = fraction * knee_flexion_deg[inside] * np.sin(np.pi * s**0.75) ** 2
    angle = -np.deg2rad(turn)
    markers = dict(trial.markers)
    for m in ("TIB", "ANK", "HEE", "TOE"):
        label = _P[side] + m
        moved = _rotate(trial.markers[label], kjc, axis, angle)
        markers[label] = np.where(turn[:, None] != 0, moved, trial.markers[label])
    return replace(trial, markers=markers), knee_flexion_deg - turn


def turn_foot_out(trial: Trial, side: str, degrees: float, frames: slice = slice(None)) -> Trial:
    """Heel and toe turned about the vertical through the ankle joint centre (out = external)."""
    model = build_model(trial)
    ajc = model.joints[f"{side}_ankle"]
    # External rotation is anticlockwise seen from above on the left foot, clockwise on the right
    # (z up, walking along +x: the left toe turns towards +y, the subject's left).
    sign = 1.0 if side == "left" else -1.0
    n = trial.n_frames
    angle = np.zeros(n)
    angle[frames] = sign * np.deg2rad(degrees)
    up = np.tile([0.0, 0.0, 1.0], (n, 1))
    markers = dict(trial.markers)
    for m in ("HEE", "TOE"):
        label = _P[side] + m
        markers[label] = _rotate(trial.markers[label], ajc, up, angle)
    return replace(trial, markers=markers)


def shift_cop(trial: Trial, plate: int, shift_m: np.ndarray) -> Trial:
    plates = list(trial.plates)
    p = plates[plate]
    plates[plate] = replace(p, cop=p.cop + np.asarray(shift_m, dtype=float))
    return replace(trial, plates=tuple(plates))


def scale_plate(trial: Trial, plate: int, factor: float) -> Trial:
    plates = list(trial.plates)
    p = plates[plate]
    plates[plate] = replace(
        p,
        force=p.force * factor,
        moment_at_origin=p.moment_at_origin * factor,
        free_moment=p.free_moment * factor,
    )
    return replace(trial, plates=tuple(plates))


def shift_events(
    events: GaitEvents, side: str, kind: str, frames: float, rate_hz: float
) -> GaitEvents:
    moved = tuple(
        replace(e, frame=e.frame + frames, time_s=e.time_s + frames / rate_hz)
        if (e.side == side and e.kind == kind)
        else e
        for e in events.events
    )
    ordered: tuple[GaitEvent, ...] = tuple(sorted(moved, key=lambda e: e.frame))
    return replace(events, events=ordered)
