"""Strides and the outlier rule on long trials (issue 13): same output as the direct reading of
their definitions, without its quadratic cost.

``_reference_strides`` and ``_reference_flag_outliers`` below are the straightforward
implementations (for every stride: scan every event; the median over all other strides),
written here as the definitions read; the module's versions must give identical cycles, notes
and numbers on seeded random inputs with NaNs, ties and invalid strides.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import pairwise
from typing import Any

import numpy as np
import pytest

from kinchain.gait import cycles as cy
from kinchain.gait.cycles_types import N_POINTS, Cycle, GaitEvent, Side

# ---------------------------------------------------------------------------------------------
# References: the definitions, read directly


def _reference_strides(events: list[GaitEvent], side: Side) -> tuple[Cycle, ...]:
    ev = sorted(events, key=lambda e: e.frame)
    other: Side = "right" if side == "left" else "left"
    strikes = [e.frame for e in ev if e.side == side and e.kind == "foot_strike"]
    out = []
    for a, b in pairwise(strikes):
        inside = [e for e in ev if a < e.frame < b]
        offs = [e.frame for e in inside if e.side == side and e.kind == "foot_off"]
        opp_strike = next(
            (e.frame for e in inside if e.side == other and e.kind == "foot_strike"), np.nan
        )
        limit = opp_strike if np.isfinite(opp_strike) else b
        opp_off = next(
            (
                e.frame
                for e in inside
                if e.side == other and e.kind == "foot_off" and e.frame < limit
            ),
            np.nan,
        )
        c = Cycle(
            side=side,
            start=float(a),
            end=float(b),
            foot_off=float(offs[0]) if offs else float("nan"),
            opposite_foot_off=float(opp_off),
            opposite_foot_strike=float(opp_strike),
        )
        if len(offs) > 1:
            c = replace(c, valid=False, note="two foot offs inside: a foot strike was missed")
        out.append(c)
    return tuple(out)


def _reference_flag_outliers(
    cycles: list[Cycle], curves: dict[str, Any], side: Side, k: float, floor: float, tol: float
) -> list[Cycle]:
    idx = [i for i, c in enumerate(cycles) if c.valid]
    flags: dict[int, list[str]] = {i: [] for i in idx}
    if len(idx) >= 3:
        dur = np.array([cycles[i].end - cycles[i].start for i in idx])
        for n, i in enumerate(idx):
            med = float(np.median(np.delete(dur, n)))
            rel = abs(dur[n] - med) / med
            if rel > tol:
                flags[i].append(
                    f"duration {100 * rel:.0f} % from the other strides' median "
                    f"(> {100 * tol:.0f} %)"
                )
    p = "L" if side == "left" else "R"
    names = [f"{p}HipAngles", f"{p}KneeAngles"]
    if len(idx) >= 4 and all(n in curves for n in names):
        sag = np.stack([curves[n][idx, :, 0] for n in names], axis=-1)
        dist = np.full(len(idx), np.nan)
        for n in range(len(idx)):
            med_curve = np.nanmedian(np.delete(sag, n, axis=0), axis=0)
            dist[n] = float(np.sqrt(np.nanmean((sag[n] - med_curve) ** 2)))
        scale = float(np.nanmedian(dist))
        for n, i in enumerate(idx):
            if dist[n] > k * scale and dist[n] > floor:
                flags[i].append(
                    f"hip/knee sagittal curves {dist[n]:.1f} deg RMS from the others' median "
                    f"(> {k:g} x {scale:.1f} deg)"
                )
    out = list(cycles)
    for i, why in flags.items():
        if why:
            note = "; ".join(x for x in (out[i].note, "outlier: " + "; ".join(why)) if x)
            out[i] = replace(out[i], outlier=True, note=note)
    return out


@contextmanager
def _quiet() -> Iterator[None]:
    """numpy's "All-NaN slice" and "Mean of empty slice" warnings of the references."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN fields included (a dataclass's ``==`` compares two NaNs as different)."""
    return repr(a) == repr(b)


# ---------------------------------------------------------------------------------------------
# Random inputs


def _random_events(rng: np.random.Generator, n: int) -> list[GaitEvent]:
    """Events at random (integer or fractional, sometimes equal) frames, any side and kind."""
    frames = rng.integers(0, 4 * n, size=n).astype(float)
    frames[rng.random(n) < 0.3] += 0.5
    kinds = rng.choice(["foot_strike", "foot_off"], size=n)
    sides = rng.choice(["left", "right"], size=n)
    return [
        GaitEvent(kind=str(k), side=str(s), frame=float(f), time_s=f / 100.0, method="test")  # type: ignore[arg-type]
        for k, s, f in zip(kinds, sides, frames, strict=True)
    ]


def _random_strides(
    rng: np.random.Generator, side: Side, m: int
) -> tuple[list[Cycle], dict[str, Any]]:
    """``m`` strides with random durations, a few invalid, and sagittal curves with NaNs, ties
    and planted outliers."""
    p = "L" if side == "left" else "R"
    start = 0.0
    cycles = []
    for _ in range(m):
        dur = float(rng.choice([100.0, 101.0, 98.5, 140.0, 60.0, 100.0 + rng.normal(0, 5)]))
        cycles.append(Cycle(side=side, start=start, end=start + dur, valid=rng.random() > 0.15))
        start += dur
    t = np.linspace(0, 2 * np.pi, N_POINTS)
    curves = {}
    for name, amp in (("HipAngles", 20.0), ("KneeAngles", 30.0)):
        c = amp * np.sin(t)[None, :, None] + rng.normal(0, 1.5, size=(m, N_POINTS, 3))
        c[rng.random(m) < 0.1] += rng.normal(0, 25)  # planted outliers
        c[rng.random(c.shape) < rng.random() * 0.3] = np.nan
        c[rng.random(m) < 0.05] = np.nan  # whole strides missing
        if rng.random() < 0.5:
            c = np.round(c)  # ties
        curves[p + name] = c
    return cycles, curves


# ---------------------------------------------------------------------------------------------
# Same output as the references


def test_leave_one_out_median_equals_nanmedian_of_the_others() -> None:
    rng = np.random.default_rng(13)
    for _ in range(400):
        m = int(rng.integers(2, 15))
        x = rng.normal(size=(m, int(rng.integers(1, 6)), 2))
        if rng.random() < 0.5:
            x = np.round(x, 1)
        x[rng.random(x.shape) < rng.random() * 0.8] = np.nan
        with _quiet():
            expected = np.stack([np.nanmedian(np.delete(x, n, axis=0), axis=0) for n in range(m)])
        np.testing.assert_array_equal(cy._leave_one_out_nanmedian(x), expected)


@pytest.mark.parametrize("seed", range(12))
def test_flag_outliers_equals_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    side: Side = "left" if seed % 2 else "right"
    m = int(rng.integers(3, 60))
    cycles, curves = _random_strides(rng, side, m)
    args = {"outlier_k": 3.0, "outlier_floor_deg": 5.0, "duration_tolerance": 0.2}
    with _quiet():
        expected = _reference_flag_outliers(cycles, curves, side, 3.0, 5.0, 0.2)
    got = cy._flag_outliers(cycles, curves, side, **args)
    assert _same(got, expected)


def test_flag_outliers_reference_comparison_sees_flags() -> None:
    """The random inputs do exercise both rules (else the comparison would prove little)."""
    notes = []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        side: Side = "left" if seed % 2 else "right"
        cycles, curves = _random_strides(rng, side, int(rng.integers(3, 60)))
        got = cy._flag_outliers(
            cycles, curves, side, outlier_k=3.0, outlier_floor_deg=5.0, duration_tolerance=0.2
        )
        notes += [c.note for c in got if c.outlier]
    assert any("duration" in n for n in notes)
    assert any("sagittal" in n for n in notes)


@pytest.mark.parametrize("seed", range(20))
def test_strides_equal_the_reference(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    events = _random_events(rng, int(rng.integers(0, 120)))
    for side in ("left", "right"):
        assert _same(cy.strides(events, side), _reference_strides(events, side))


# ---------------------------------------------------------------------------------------------
# Long trials


class _CountingEvent(GaitEvent):
    """A gait event that counts how often its fields are read."""

    reads = 0

    def __getattribute__(self, name: str) -> Any:
        if name in ("frame", "side", "kind"):
            type(self).reads += 1
        return object.__getattribute__(self, name)


def _walk(n_strides: int, event_type: type[GaitEvent] = GaitEvent) -> list[GaitEvent]:
    """Alternating gait at 100 frames per stride: left strike at 0, right off at 10, right
    strike at 50, left off at 60, ... (shuffled, as a detector may return them)."""
    out = []
    for i in range(n_strides + 1):
        s = 100.0 * i
        for kind, side, f in (
            ("foot_strike", "left", s),
            ("foot_off", "right", s + 10),
            ("foot_strike", "right", s + 50),
            ("foot_off", "left", s + 60),
        ):
            out.append(event_type(kind=kind, side=side, frame=f, time_s=f / 100, method="t"))  # type: ignore[arg-type]
    order = np.random.default_rng(0).permutation(len(out))
    return [out[i] for i in order]


def test_strides_of_a_long_trial_read_each_event_a_bounded_number_of_times() -> None:
    n = 20_000
    events = _walk(n, _CountingEvent)
    _CountingEvent.reads = 0
    left = cy.strides(events, "left")
    # Sorting, picking the strikes and the events of each stride: a few reads per event. Reading
    # every event for every stride (the direct definition) would be ~ 3 * 4 * n * n.
    assert _CountingEvent.reads < 30 * len(events)
    assert len(left) == n
    assert all(c.end - c.start == 100.0 for c in left)
    assert all(c.foot_off - c.start == 60.0 for c in left)
    assert all(c.opposite_foot_off - c.start == 10.0 for c in left)
    assert all(c.opposite_foot_strike - c.start == 50.0 for c in left)
    assert all(c.valid for c in left)


def test_outliers_of_20000_strides() -> None:
    """20,000 identical strides but two: one twice as long, one whose knee is 30 degrees more
    flexed all along. Only these two are flagged: the others are 0 deg RMS and 0 % from the
    median of the others."""
    m = 20_000
    side: Side = "left"
    cycles = [Cycle(side=side, start=100.0 * i, end=100.0 * (i + 1)) for i in range(m)]
    cycles[7] = replace(cycles[7], end=cycles[7].start + 200.0)
    t = np.linspace(0, 2 * np.pi, N_POINTS)
    hip = np.broadcast_to(20 * np.sin(t)[None, :, None], (m, N_POINTS, 3)).copy()
    knee = np.broadcast_to(30 * np.sin(t)[None, :, None], (m, N_POINTS, 3)).copy()
    knee[12345] += 30.0
    knee[5, :50] = np.nan  # NaNs do not make a stride an outlier
    out = cy._flag_outliers(
        cycles,
        {"LHipAngles": hip, "LKneeAngles": knee},
        side,
        outlier_k=3.0,
        outlier_floor_deg=5.0,
        duration_tolerance=0.2,
    )
    flagged = {i: c.note for i, c in enumerate(out) if c.outlier}
    assert sorted(flagged) == [7, 12345]
    assert "duration 100 % from the other strides' median" in flagged[7]
    # RMS over the hip and knee samples: sqrt((0 + 30**2) / 2) = 21.2 deg.
    assert "curves 21.2 deg RMS" in flagged[12345]
