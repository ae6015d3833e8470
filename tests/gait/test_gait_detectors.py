"""Every event detector passes the same checks (gaitmap-style shared test): parameters are
keyword-only and documented, ``__init__`` does no work, ``detect`` returns ``self`` with
``events_``, and the configuration survives a JSON round trip."""

from __future__ import annotations

import inspect
from typing import ClassVar

import pytest

from kinchain.gait import (
    EventDetector,
    FootVelocityDetector,
    ForcePlateDetector,
    GaitEvent,
    ZeniDetector,
    c3d_events,
    match_events,
)
from kinchain.io.c3d import read_c3d
from kinchain.process import TrialResult, process
from shared_paths import shared_data


@pytest.fixture(scope="module")
def result() -> TrialResult:
    path = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
    return process(read_c3d(path))


class DetectorChecks:
    """Mixin: subclasses set ``detector`` (a class) and ``changed`` (non-default parameters)."""

    detector: ClassVar[type[EventDetector]]
    changed: ClassVar[dict[str, object]]
    left_matched: ClassVar[int]  # stored left events matched, at least
    left_max_frames: ClassVar[float]  # largest |stored - ours|, marker frames

    def test_parameters_are_keyword_only_and_documented(self) -> None:
        sig = inspect.signature(self.detector.__init__)
        names = [n for n in sig.parameters if n != "self"]
        assert names, "a detector has parameters"
        doc = inspect.getdoc(self.detector) or ""
        for name in names:
            assert sig.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
            assert name in doc, f"{name} undocumented"

    def test_init_stores_parameters_only(self) -> None:
        d = self.detector(**self.changed)  # type: ignore[arg-type]
        for k, v in self.changed.items():
            assert d.get_params()[k] == v
        assert not hasattr(d, "events_")

    def test_detect_returns_self_with_events(self, result: TrialResult) -> None:
        d = self.detector()
        assert d.detect(result) is d
        assert d.events_ and all(isinstance(e, GaitEvent) for e in d.events_)
        assert all(e.method == d.method for e in d.events_)
        frames = [e.frame for e in d.events_]
        assert frames == sorted(frames)

    def test_json_round_trip(self) -> None:
        d = self.detector(**self.changed)  # type: ignore[arg-type]
        again = type(d).from_json(d.to_json())
        assert again.get_params() == d.get_params()
        assert repr(again) == repr(d)
        with pytest.raises(ValueError):
            ZeniDetector.from_json(ForcePlateDetector().to_json())

    def test_left_events_against_the_stored_ones(self, result: TrialResult) -> None:
        """Against the file's own (Vicon) left-foot events, the side whose stored events the
        plate confirms (issue 15 item 6: this used to compare the detector with detect_events,
        which runs the same code). Bounds: the largest difference measured plus 0.3 frame."""
        d = self.detector().detect(result)
        ours = [e for e in d.events_ if e.side == "left"]
        stored = [e for e in c3d_events(result) if e.side == "left"]
        pairs = match_events(ours, stored, 0.25 * result.trial.point_rate)
        diffs = [b.frame - a.frame for a, b in pairs]
        assert len(pairs) >= self.left_matched, diffs
        assert max(abs(x) for x in diffs) <= self.left_max_frames, diffs


class TestForcePlate(DetectorChecks):
    detector = ForcePlateDetector
    changed: ClassVar[dict[str, object]] = {"threshold_n": 35.0}
    left_matched = 2  # the one plate contact: measured 0.0 and 0.1 frame
    left_max_frames = 0.4


class TestZeni(DetectorChecks):
    detector = ZeniDetector
    changed: ClassVar[dict[str, object]] = {"min_stride_s": 0.6, "min_prominence_m": 0.03}
    left_matched = 8  # measured: strikes 2.6-4.5 frames early (Zeni's bias), offs within 2.3
    left_max_frames = 4.9


class TestFootVelocity(DetectorChecks):
    detector = FootVelocityDetector
    changed: ClassVar[dict[str, object]] = {
        "cutoff_hz": None,
        "strike_window_s": 0.3,
        "off_window_s": 0.35,
        "min_stride_s": 0.6,
    }
    left_matched = 8  # measured: within 2.63 frames
    left_max_frames = 2.9


def test_ankle_strike_midpoints_synthetic() -> None:
    """Left foot (ankle standing in for the heel): foot-velocity strikes at 12 and 52, Zeni's
    at 10, 50 and 90 (foot velocity - Zeni = 2 on both pairs, median 2). The paired strikes move
    to 11 and 51; the Zeni strike at 90 that stood alone, moved by the calibration to 92 (the
    full median), ends at 91 (half of it). The right foot (a heel marker) and the offs keep
    theirs; a foot-velocity strike more than the bound before Zeni's keeps its place."""
    from kinchain.gait.cycles_types import GaitEvent
    from kinchain.gait.events import ankle_strike_midpoints

    def ev(kind: str, side: str, frame: float, method: str) -> GaitEvent:
        return GaitEvent(kind, side, frame, frame / 100.0, method)  # type: ignore[arg-type]

    fv = [
        ev("foot_strike", "left", 12.0, "foot_velocity"),
        ev("foot_strike", "left", 52.0, "foot_velocity"),
    ]
    fv += [
        ev("foot_strike", "right", 31.0, "foot_velocity"),
        ev("foot_strike", "right", 60.0, "foot_velocity"),
    ]
    zeni = [ev("foot_strike", "left", f, "zeni") for f in (10.0, 50.0, 90.0)]
    zeni += [ev("foot_strike", "right", 29.0, "zeni"), ev("foot_strike", "right", 66.0, "zeni")]
    chosen = [
        *fv[:2],
        ev("foot_strike", "left", 92.0, "zeni"),
        ev("foot_off", "left", 30.0, "foot_velocity"),
        *fv[2:],
    ]
    out, notes = ankle_strike_midpoints(chosen, fv, zeni, ["left"], 25.0, 2.0, 100.0)
    got = sorted((e.side, e.kind, e.frame, e.method) for e in out)
    assert got == [
        ("left", "foot_off", 30.0, "foot_velocity"),
        ("left", "foot_strike", 11.0, "kinematic_midpoint"),
        ("left", "foot_strike", 51.0, "kinematic_midpoint"),
        ("left", "foot_strike", 91.0, "zeni"),
        ("right", "foot_strike", 31.0, "foot_velocity"),
        ("right", "foot_strike", 60.0, "foot_velocity"),
    ]
    assert len(notes) == 1 and notes[0].startswith("left foot strikes: 2 midway")
    assert "1 from Zeni's method" in notes[0] and "+1.0 frames" in notes[0]
    # Both feet without heel markers: the right strike at 60 is 6 frames before Zeni's at 66
    # (beyond the bound): it is not averaged; the one at 31 is (30).
    out, _ = ankle_strike_midpoints(chosen, fv, zeni, ["left", "right"], 25.0, 2.0, 100.0)
    right = sorted(e.frame for e in out if e.side == "right")
    assert right == [30.0, 60.0]


def test_a_foot_without_a_plate_follows_the_other_feet_plate_check_synthetic() -> None:
    """Left plate foot off at 100; the left foot-velocity off at 96 (4 frames early), Zeni's at
    100.5: the left foot-velocity offs are set aside. The right foot has no plate: its
    foot-velocity offs lie 4 frames before Zeni's (the same bias), so they are set aside too;
    with them 0.5 frames from Zeni's (a different relation) they are kept."""
    from kinchain.gait.cycles_types import GaitEvent
    from kinchain.gait.events import _plate_cross_check

    def ev(side: str, frame: float, method: str) -> GaitEvent:
        return GaitEvent("foot_off", side, frame, frame / 100.0, method)  # type: ignore[arg-type]

    for right_fv, dropped in ((46.0, True), (49.5, False)):
        candidates = {
            "force_plate": (ev("left", 100.0, "force_plate"),),
            "foot_velocity": (
                ev("left", 96.0, "foot_velocity"),
                ev("right", right_fv, "foot_velocity"),
            ),
            "zeni": (ev("left", 100.5, "zeni"), ev("right", 50.0, "zeni")),
        }
        fv, zeni, notes = _plate_cross_check(candidates, 25.0, 2.0)
        assert [e.side for e in fv] == ([] if dropped else ["right"])
        assert len(zeni) == 2
        assert any(n.startswith("left foot offs: Zeni used throughout") for n in notes)
        assert any(n.startswith("right foot offs: Zeni used") for n in notes) == dropped
