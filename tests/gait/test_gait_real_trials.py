"""Gait events, strides and spatiotemporal parameters on real c3d.org trials, against what
Plug-in Gait (Vicon) stored in the same or the processed file.

What each file holds (checked here, not assumed):

- ``sample_00/pyCGM2 lower limb CGM24 Walking01.c3d``: 17 Foot Strike / Foot Off events (both
  sides, 100 Hz) and one force plate, loaded cleanly by the left foot (frames 211-275). Its
  ANALYSIS group is empty (``USED = 0``): no stored speed or cadence.
- ``sample_03/gait-raw.c3d`` has no events; ``gait-pig.c3d`` (same trial after Plug-in Gait) holds
  9 events and ANALYSIS values for one stride per side. Neither plate contact is clean (both feet
  near each plate), so the trial runs without kinetics and its events come from kinematics. It
  has no heel markers: the ankle joint centre stands in for the heel.
- ``sample_09/VER4C3D.c3d`` and ``PlugInC3D.c3d`` hold the same 8 events (60 Hz), two clean plate
  contacts (right then left); no ANALYSIS group.

Measured (frames at each file's rate; run ``pytest tests/gait -q``), default events ("auto":
force plates where a clean contact exists, else the foot-velocity events checked against Zeni's
bound, calibrated on the trial's plate and matched to the foot's own plate pattern, see
``kinchain.gait.events``) against the stored ones:

==============  ===========================================================================
trial           stored events more than 2 frames from the default events
==============  ===========================================================================
sample_00       8 of 17, all on the right side, whose stored events are shown wrong below
                (left side: max 1.0 frame; Zeni's strikes were 2.6-4.5 frames early)
sample_03 pig   none (max 0.5 frames; Zeni 1.6)
sample_03 nz    1 of 7 (2.9 frames at 120 Hz): the stored strike is late (below)
sample_04       none (max 2.0 frames at 60 Hz; no plate, no heel marker: strikes midway
                between the two methods). The left strike stored at 62.5, 2.0 frames
                before ours, is early by the markers (below); 2 of 8 with the foot-velocity
                strikes (2.1 and 2.4 frames)
sample_09       none (max 1.9 frames; Zeni 3.2)
sample_11       none (max 1.2 frames; 2.2 before the plate-pattern matching)
sample_32       3 of 10 (2.8-4.4 frames at 100 Hz): three stored foot offs, each early by the
                toe's speed at this walker's plate foot off (below)
==============  ===========================================================================
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import ezc3d
import numpy as np
import pytest

from kinchain.gait import (
    CycleSet,
    GaitEvents,
    c3d_events,
    detect_events,
    match_events,
    segment_cycles,
    spatiotemporal,
)
from kinchain.gait.cycles_types import GaitEvent
from kinchain.gait.events import _foot, _point_speed, plate_offs_on_a_still_foot
from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp, subject_from_values
from kinchain.process import TrialResult, process
from shared_paths import shared_data

C3D = shared_data() / "c3d-org"
TOLERANCE_FRAMES = 2.0


@pytest.fixture(scope="module")
def sample00() -> TrialResult:
    return process(read_c3d(C3D / "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"))


@pytest.fixture(scope="module")
def sample03() -> tuple[TrialResult, TrialResult]:
    """gait-raw processed under stated assumptions, with gait-pig's events attached for
    comparison (gait-raw stores none)."""
    raw = read_c3d(C3D / "sample_03/gait-raw.c3d")
    assert raw.subject is None and not raw.events
    m = raw.markers
    legs = {
        s: float(np.nanmedian(np.linalg.norm(m[p + "ASI"] - m[p + "ANK"], axis=1)))
        for s, p in (("left", "L"), ("right", "R"))
    }
    subject = subject_from_values(
        mass_kg=70.0, leg_length_m=legs, knee_width_m=0.10, ankle_width_m=0.07
    )
    result = process(raw, subject, kinetics=False)
    pig = read_c3d(C3D / "sample_03/gait-pig.c3d")
    with_events = replace(result, trial=replace(result.trial, events=pig.events))
    return result, with_events


@pytest.fixture(scope="module")
def sample09() -> TrialResult:
    folder = C3D / "sample_09"
    subject = replace(read_mp(folder / "42798.mp"), marker_diameter_m=0.025)
    result = process(read_c3d(folder / "VER4C3D.c3d", subject=subject))
    pig = read_c3d(folder / "PlugInC3D.c3d")
    assert [(e.label, e.context, e.frame) for e in pig.events] == [
        (e.label, e.context, e.frame) for e in result.trial.events
    ]
    return result


def _diffs(ev: GaitEvents, method: str | None = None) -> np.ndarray:
    chosen = ev.events if method is None else ev.candidates[method]
    pairs = match_events(chosen, ev.candidates["c3d"], 0.25 * ev.point_rate)
    return np.array([b.frame - a.frame for a, b in pairs])


# ------------------------------------------------------------------------------------- events


def test_sample00_plate_events_match_the_stored_ones(sample00: TrialResult) -> None:
    ev = detect_events(sample00)
    assert len(c3d_events(sample00)) == 17
    plate = ev.candidates["force_plate"]
    assert [(e.side, e.kind) for e in plate] == [("left", "foot_strike"), ("left", "foot_off")]
    agree = ev.agreement("force_plate", "c3d")
    assert agree is not None and agree.n_matched == 2
    assert agree.max_abs_frames <= 0.10 + MAX_MARGIN  # measured 0.10
    # The chosen events use the plate where it exists.
    chosen = [e for e in ev.events if e.method == "force_plate"]
    assert len(chosen) == 2


def test_sample00_kinematic_events_and_why_the_stored_right_side_is_not_a_reference(
    sample00: TrialResult,
) -> None:
    """Zeni's strikes come 2.6-4.5 frames (26-45 ms at 100 Hz) before the stored left strikes,
    which the plate confirms (the plate strike and the stored one differ by 0.1 frame); that is
    Zeni's own bias on this subject and we report it rather than correct it. On the right side
    the stored events are off by more (up to 10.9 frames), but they are not a reference there:
    they give a right stance of 52.5 % of the stride against 59.9 % on the left, while each of
    our methods gives the two sides within about one point of each other (Zeni 65.5 / 64.4 %,
    foot velocity 59.2 / 59.3 %). The file's non-plate events were placed by some other rule, and
    a healthy walker does not have a 7-point stance asymmetry."""
    ev = detect_events(sample00)
    zeni_vs_plate = ev.agreement("force_plate", "zeni")
    assert zeni_vs_plate is not None and zeni_vs_plate.max_abs_frames < 5.0  # measured 4.2
    stored = c3d_events(sample00)

    def stance(events, side):  # mean stance % over the strides the events allow
        cyc = [c for c in segment_cycles(sample00, events)[side].cycles if np.isfinite(c.foot_off)]
        return float(np.mean([(c.foot_off - c.start) / (c.end - c.start) * 100 for c in cyc]))

    assert stance(stored, "right") < 53 and stance(stored, "left") > 59
    for method in ("zeni", "foot_velocity"):
        ours = ev.candidates[method]
        assert abs(stance(ours, "right") - stance(ours, "left")) < 3
    left_zeni = _diffs(ev, "zeni")
    assert np.abs(left_zeni).mean() < 6  # measured 4.7 (over both sides)


def test_sample03_kinematic_events_match_gait_pig(
    sample03: tuple[TrialResult, TrialResult],
) -> None:
    _, with_events = sample03
    ev = detect_events(with_events)
    assert "force_plate" not in ev.candidates  # no clean plate contact in this trial
    assert ev.parameters["foot_points"] == {"left": "ankle", "right": "ankle"}
    assert len(ev.candidates["c3d"]) == 9
    d = _diffs(ev)
    assert d.size >= 7
    assert np.abs(d).max() <= TOLERANCE_FRAMES  # measured 1.8
    fv = _diffs(ev, "foot_velocity")
    assert fv.size >= 6 and np.abs(fv).max() <= TOLERANCE_FRAMES  # measured 1.0


def test_sample09_plate_and_chosen_events_against_plugin_c3d(sample09: TrialResult) -> None:
    ev = detect_events(sample09)
    agree = ev.agreement("force_plate", "c3d")
    assert agree is not None and agree.n_matched == 4
    assert agree.max_abs_frames <= TOLERANCE_FRAMES  # measured 1.35
    # Away from the plates the default fallback (Zeni) misses the 2-frame target once: a left
    # strike 3.2 frames (53 ms at 60 Hz) before the stored one. Reported, not hidden.
    auto = _diffs(ev)
    assert auto.size == 8
    assert np.abs(auto).max() <= 3.5
    assert (np.abs(auto) <= TOLERANCE_FRAMES).sum() >= 7
    # With the foot-velocity method as fallback every event is within 2 frames.
    fv = detect_events(sample09, fallback="foot_velocity")
    d = _diffs(fv)
    assert d.size == 8 and np.abs(d).max() <= TOLERANCE_FRAMES


def test_every_method_pair_is_summarised(sample09: TrialResult) -> None:
    ev = detect_events(sample09)
    pairs = {(s.method_a, s.method_b) for s in ev.summary}
    assert len(pairs) == 6  # 4 methods
    assert all(d.difference_frames == d.frame_b - d.frame_a for d in ev.disagreements)
    frames = [e.frame for e in ev.events]
    assert frames == sorted(frames)
    table = ev.to_frame()
    given = table[~table["adjusted"]]
    assert len(given) == sum(len(c) for c in ev.candidates.values())
    assert int(table["chosen"].sum()) == len(ev.events)
    st = spatiotemporal(sample09, ev)
    strides = st.to_frame()
    assert len(strides) == len(st.strides) and "speed_m_s" in strides.columns


#: (trial, fallback, method) -> (events matched, mean signed difference stored - ours, largest
#: |difference|), marker frames, measured against the stored events (issue 15 item 5; method
#: None = the chosen events). Held to the measured mean within MEAN_MARGIN and the measured
#: largest difference plus MAX_MARGIN: an event moved by a whole frame moves the mean of its
#: method by 1/n and its own difference by 1, a systematic one-frame shift every mean by 1.
#: Lists are the stored events that are a reference (sample_00's right side is not, see
#: test_sample00_stored_right_events_are_wrong_by_the_plate_and_the_markers: only its plate
#: events are pinned here).
EVENT_AGREEMENT: dict[tuple[str, str, str | None], tuple[int, float, float]] = {
    ("sample00", "zeni", "force_plate"): (2, 0.05, 0.10),
    ("sample03", "zeni", None): (7, 0.72, 1.82),
    ("sample03", "zeni", "foot_velocity"): (6, -0.62, 0.99),
    ("sample03", "foot_velocity_then_zeni", None): (7, -0.55, 0.99),
    ("sample09", "zeni", "force_plate"): (4, 0.78, 1.35),
    ("sample09", "zeni", None): (8, 0.85, 3.18),
    ("sample09", "zeni", "zeni"): (8, 0.72, 3.18),
    ("sample09", "zeni", "foot_velocity"): (8, 0.20, 2.60),
    ("sample09", "foot_velocity", None): (8, 0.67, 1.52),
    ("sample09", "foot_velocity_then_zeni", None): (8, 0.67, 1.52),
}
MEAN_MARGIN = 0.25
MAX_MARGIN = 0.3


@pytest.mark.parametrize("key", list(EVENT_AGREEMENT), ids=lambda k: "-".join(map(str, k)))
def test_event_agreement_per_method_is_pinned(
    key: tuple[str, str, str | None],
    sample00: TrialResult,
    sample03: tuple[TrialResult, TrialResult],
    sample09: TrialResult,
) -> None:
    trial, fallback, method = key
    result = {"sample00": sample00, "sample03": sample03[1], "sample09": sample09}[trial]
    n, mean, largest = EVENT_AGREEMENT[key]
    d = _diffs(detect_events(result, fallback=fallback), method)
    assert d.size == n
    assert abs(float(d.mean()) - mean) <= MEAN_MARGIN, (key, d)
    assert np.abs(d).max() <= largest + MAX_MARGIN, (key, d)


# ------------------------------------------------------------------------------------- cycles


def test_sample00_cycles(sample00: TrialResult) -> None:
    sets = segment_cycles(sample00, detect_events(sample00))
    left, right = sets["left"], sets["right"]
    assert isinstance(left, CycleSet)
    assert len(left.cycles) == 3 and len(right.cycles) == 4
    assert all(c.valid for c in left.cycles + right.cycles)
    # A healthy trial: no stride is an outlier.
    assert not any(c.outlier for c in left.cycles + right.cycles)
    # Kinetics are whole only on the plate stride (left, starting at the plate strike).
    assert [c.kinetics_valid for c in left.cycles] == [False, True, False]
    assert not any(c.kinetics_valid for c in right.cycles)
    knee = left.mean("LKneeAngles")[:, 0]
    assert knee.shape == (101,)
    # Healthy sagittal knee: near extension at strike, swing peak 55-70 deg at 60-80 %.
    assert knee[0] < 10 and 55 < knee[60:80].max() < 70
    moment = left.curves["LKneeMoment"]
    assert np.isfinite(moment[1, 5:55]).all()
    assert np.isnan(moment[0]).any()


# ------------------------------------------------------------------------------ spatiotemporal


def _analysis(path) -> dict[tuple[str, str], tuple[float, str]]:
    group = ezc3d.c3d(str(path))["parameters"]["ANALYSIS"]
    names = group["NAMES"]["value"]
    return {
        (ctx, name): (float(v), unit)
        for name, ctx, v, unit in zip(
            names,
            group["CONTEXTS"]["value"],
            group["VALUES"]["value"],
            group["UNITS"]["value"],
            strict=True,
        )
    }


def test_sample03_speed_and_cadence_against_the_stored_analysis(
    sample03: tuple[TrialResult, TrialResult],
) -> None:
    """gait-pig's ANALYSIS stores, per side, one stride's values. Their units need reading:

    - "Cadence" in "1/s" is 1.053 (left) with "Stride Time" 0.950 s: 1 / 0.950 = 1.053, so it is
      *strides* per second, not steps; steps/min = 120 x the stored value (126.3 left).
    - "Walking Speed" in mm/s equals "Stride Length" / "Stride Time" (1305.4 / 0.95 = 1374).
    - "Step Time" is in % of the stride (100 - "Opposite Foot Contact"), not in seconds.
    - The left "Opposite Foot Off" of 109.6 % and "Double Support" of 121.8 % are not physical:
      the file has no right foot off inside the left stride, so PiG used the next one (after the
      stride ended). We report NaN there instead.
    """
    result, _ = sample03
    stored = _analysis(C3D / "sample_03/gait-pig.c3d")
    assert stored[("Left", "Cadence")][1] == "1/s"
    assert stored[("Left", "Cadence")][0] == pytest.approx(
        1 / stored[("Left", "Stride Time")][0], rel=1e-3
    )
    ev = detect_events(result)
    st = spatiotemporal(result, ev, segment_cycles(result, ev))
    for side, ctx in (("left", "Left"), ("right", "Right")):
        ours = st.side(side)  # type: ignore[arg-type]
        assert ours.n_strides == 1  # the same single stride per side PiG analysed
        speed = stored[(ctx, "Walking Speed")][0] / 1000.0
        cadence = 120.0 * stored[(ctx, "Cadence")][0]
        assert ours.speed_m_s == pytest.approx(speed, rel=0.05)  # measured 1.2 % / 0.8 %
        assert ours.cadence_steps_min == pytest.approx(cadence, rel=0.05)  # 0.7 % / 0.5 %
        stride = stored[(ctx, "Stride Length")][0] / 1000.0
        assert ours.stride_length_m == pytest.approx(stride, rel=0.05)  # 1.1 % / 0.2 %
        assert 0.3 < ours.dimensionless_speed < 0.6


def _pelvis_centre(result: TrialResult) -> np.ndarray:
    m = result.trial.markers
    names = [k for k in ("LASI", "RASI", "LPSI", "RPSI", "SACR") if k in m]
    with warnings.catch_warnings():  # frames where every pelvis marker is missing stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.stack([m[k] for k in names]), axis=0)


def test_sample00_and_09_speed_and_cadence_against_the_stored_strikes_and_the_pelvis(
    sample00: TrialResult, sample09: TrialResult
) -> None:
    """Neither file stores speed or cadence (sample_00's ANALYSIS group is empty, sample_09 has
    none). The expectation is computed here without kinchain's gait code (issue 15 item 6: it
    used to be spatiotemporal() on the stored events, the function checked against itself):
    cadence = 120 / mean interval between the file's consecutive strikes of one foot; speed =
    horizontal distance the pelvis-marker centre travels between the first and last of those
    strikes over that time. Only sides whose stored strikes are a reference (sample_00's right
    ones are not, see test_sample00_stored_right_events_are_wrong_by_the_plate_and_the_markers).
    Measured: cadence within 1.6 %, speed within 0.6 %."""
    empty = ezc3d.c3d(str(C3D / "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"))
    assert int(empty["parameters"]["ANALYSIS"]["USED"]["value"][0]) == 0
    checked = 0
    for result, sides in ((sample00, ("left",)), (sample09, ("left", "right"))):
        ev = detect_events(result)
        ours = spatiotemporal(result, ev, segment_cycles(result, ev))
        pelvis = _pelvis_centre(result)
        for side in sides:
            strikes = sorted(
                e.time_s
                for e in result.trial.events
                if e.label == "Foot Strike" and e.context.lower() == side
            )
            assert len(strikes) >= 2, (side, strikes)
            t0, t1 = strikes[0], strikes[-1]
            cadence = 120.0 / float(np.mean(np.diff(strikes)))
            first = result.trial.events[0]
            offset = first.frame - first.time_s * result.trial.point_rate  # frame of t = 0
            i0, i1 = (round(t * result.trial.point_rate + offset) for t in (t0, t1))
            speed = float(np.linalg.norm((pelvis[i1] - pelvis[i0])[:2])) / (t1 - t0)
            a = ours.side(side)  # type: ignore[arg-type]
            assert a.cadence_steps_min == pytest.approx(cadence, rel=0.025), (side, cadence)
            assert a.speed_m_s == pytest.approx(speed, rel=0.015), (side, speed)
            checked += 1
    assert checked == 3


def test_sample00_symmetry_of_a_healthy_walker(sample00: TrialResult) -> None:
    ev = detect_events(sample00)
    st = spatiotemporal(sample00, ev, segment_cycles(sample00, ev))
    for name in ("stride_time_s", "cadence_steps_min", "speed_m_s", "stance_pct"):
        assert abs(st.symmetry_pct[name]) < 5.0, (name, st.symmetry_pct[name])
    assert 1.2 < st.left.speed_m_s < 1.7
    assert 100 < st.left.cadence_steps_min < 125


def test_combined_fallback_keeps_every_event_within_two_frames(
    sample03: tuple[TrialResult, TrialResult], sample09: TrialResult
) -> None:
    """foot_velocity_then_zeni: the foot-velocity events, with Zeni's only where the
    foot-velocity method found none; against the stored Plug-in Gait events."""
    _, with_events = sample03
    for result, at_least in ((with_events, 7), (sample09, 8)):
        ev = detect_events(result, fallback="foot_velocity_then_zeni")
        d = _diffs(ev)
        assert d.size >= at_least
        assert np.abs(d).max() <= TOLERANCE_FRAMES  # measured 0.99 and 1.52


# ------------------------------------------------- default events vs stored (issue 10, item 4)


def _assumed(trial):  # the stated assumptions of the sample_03 fixture, for files with no subject
    m = trial.markers
    legs = {
        s: float(np.nanmedian(np.linalg.norm(m[p + "ASI"] - m[p + "ANK"], axis=1)))
        for s, p in (("left", "L"), ("right", "R"))
    }
    return subject_from_values(
        mass_kg=70.0, leg_length_m=legs, knee_width_m=0.10, ankle_width_m=0.07
    )


#: Every c3d.org file with stored foot strikes and offs that the pipeline can model (Walk1.c3d's
#: events are unlabelled and it lacks PSIS, tibia and toe markers): the stored events that are
#: more than 2 frames from the default events, measured. Each is named in the warnings.
STORED_MISSES = {
    "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d": 8,  # all right-side: shown wrong below
    "sample_03/gait-pig.c3d": 0,
    "sample_03/gait-pig-nz.c3d": 1,  # 2.9 frames at 120 Hz, a right strike: stored late
    "sample_04/sub_labels.c3d": 0,  # max 2.0 frames at 60 Hz (was 2 with foot-velocity strikes)
    "sample_09/VER4C3D.c3d": 0,
    "sample_11/2198928.c3d": 0,  # was 1 (2.2 frames) before the plate-template refinement
    "sample_32/vicon_zerowire.c3d": 3,  # 2.8-4.4 frames, all stored offs early (test below)
}


@pytest.mark.parametrize("name", sorted(STORED_MISSES))
def test_default_events_against_every_stored_set(name: str) -> None:
    """Before: Zeni's events (the old default away from plates) missed the stored events by up
    to 10.9 frames and their strikes led the plate by 26-45 ms on sample_00."""
    if name.startswith("sample_09"):
        subject = replace(read_mp(C3D / "sample_09/42798.mp"), marker_diameter_m=0.025)
        result = process(read_c3d(C3D / name, subject=subject))
    else:
        trial = read_c3d(C3D / name)
        result = (
            process(trial)
            if trial.subject is not None
            else process(trial, _assumed(trial), kinetics=False)
        )
    ev = detect_events(result)
    stored = ev.candidates["c3d"]
    d = _diffs(ev)
    assert d.size >= len(stored) - 2  # nearly every stored event has a counterpart
    misses = int((np.abs(d) > TOLERANCE_FRAMES).sum())
    assert misses == STORED_MISSES[name]
    assert np.abs(d).max() <= 7.5
    assert len(ev.warnings) >= misses
    if name.startswith("sample_00"):
        assert all(" right " in f" {w}" for w in ev.warnings if "is " in w and "frames" in w)


def test_stance_and_double_support_no_longer_biased(
    sample00: TrialResult, sample03: tuple[TrialResult, TrialResult]
) -> None:
    """Stance and double support from the default events against the same computation on the
    stored events, stride by stride, where those are trustworthy (sample_00 left: its plate
    strike and off agree with the stored ones within 0.1 frame; sample_03: Plug-in Gait's).
    Zeni's early strikes (the old default) lengthened both. Measured, default minus stored
    (Zeni minus stored), points of the stride: stance sample_00 left +0.4, +0.4 (+2.8, +2.6; its
    plate stride keeps the plate strike either way), sample_03 left +0.9 (+3.7), right +3.1
    (+5.9); double support sample_03 right +4.0 (+9.6). Means over the trial, default (Zeni):
    stance 60.8 / 60.2 % (63.8 / 64.4) on sample_00, 62.2 / 62.8 % (65.0 / 65.6) on sample_03;
    double support 20.4 / 21.2 % (27.6 / 28.6) and 25.0 / 25.5 % (30.3 / 31.2). Double support
    is not compared on sample_00: it needs the stored right events, which are wrong (next
    test).

    sample_03 (gait-raw, 50 Hz) has no heel markers, and no clean plate contact under the
    assumed subject: its strikes lie midway between the foot-velocity and Zeni strikes
    (:func:`kinchain.gait.events.ankle_strike_midpoints`), 0.3 frames before gait-pig's plate
    strikes (the foot-velocity strikes were 1.5-1.7 frames after them). Its right foot off
    comes 1.0 frame (20 ms) after the stored one; the late foot-velocity strikes used to cancel
    that (stance right +0.8, double support -0.9 points). One frame is 2.1 points of its
    47-frame stride. Across the plate contacts of six trials the midpoint's stance times are
    the closer ones (``test_stance_time_without_a_heel_marker_or_plate``)."""
    _, s03 = sample03

    def strides(result: TrialResult, events) -> dict[tuple[str, float], object]:
        st = spatiotemporal(result, events)
        return {(x.side, x.start): x for x in st.strides}

    for result, side in ((sample00, "left"), (s03, "left"), (s03, "right")):
        stored = strides(result, c3d_events(result))
        ours = strides(result, detect_events(result).events)
        zeni = strides(result, detect_events(result, fallback="zeni").events)
        d_ours, d_zeni, ds_ours, ds_zeni = [], [], [], []
        for (sd, start), ref in stored.items():
            # the same stride found by each method: starts within 4 frames
            mine = [v for (s2, t), v in ours.items() if s2 == side and abs(t - start) <= 4]
            z = [v for (s2, t), v in zeni.items() if s2 == side and abs(t - start) <= 4]
            if sd != side or not (mine and z) or not np.isfinite(ref.stance_pct):  # type: ignore[attr-defined]
                continue
            d_ours.append(mine[0].stance_pct - ref.stance_pct)  # type: ignore[attr-defined]
            d_zeni.append(z[0].stance_pct - ref.stance_pct)  # type: ignore[attr-defined]
            ds_ours.append(mine[0].double_support_pct - ref.double_support_pct)  # type: ignore[attr-defined]
            ds_zeni.append(z[0].double_support_pct - ref.double_support_pct)  # type: ignore[attr-defined]
        assert d_ours
        # One frame of a 47-frame stride at sample_03's 50 Hz is 2.1 % of it.
        assert np.abs(d_ours).max() < 3.5
        assert np.mean(d_zeni) > 2.5  # the bias the default no longer has
        ds = np.isfinite(ds_ours) & np.isfinite(ds_zeni)  # needs the other foot's events
        if result is s03 and ds.any():  # sample_00's other foot: its wrong stored right events
            assert np.abs(np.asarray(ds_ours)[ds]).max() < 4.5
            assert np.mean(np.asarray(ds_zeni)[ds]) > 6.0


def test_sample00_stored_right_events_are_wrong_by_the_plate_and_the_markers(
    sample00: TrialResult,
) -> None:
    """The plate confirms the stored left strike and off (within 0.1 frame). At that strike the
    heel still moves at 0.83 m/s, at that foot off the toe at 0.82 m/s. The stored right strikes
    after the first come when the heel has all but stopped (0.19-0.38 m/s, already rising) and
    the stored right offs when the toe has barely started (0.41-0.63 m/s): the stored right
    strikes are late and the offs early, which is also why they give a right stance of 52.5 %
    against 59.9 % on the left."""
    rate = sample00.trial.point_rate
    ev = detect_events(sample00)
    joints = sample00.model.joints

    def speed(point: str, frame: float) -> float:
        v = np.linalg.norm(np.gradient(joints[point], axis=0) * rate, axis=1)
        return float(v[round(frame)])

    plate_fs = ev.of("left", "foot_strike", "force_plate")[0]
    plate_fo = ev.of("left", "foot_off", "force_plate")[0]
    heel_at_strike = speed("left_heel", plate_fs.frame)
    toe_at_off = speed("left_toe", plate_fo.frame)
    assert heel_at_strike > 0.7 and toe_at_off > 0.7
    stored_fs = ev.of("right", "foot_strike", "c3d")[1:]
    stored_fo = ev.of("right", "foot_off", "c3d")
    assert len(stored_fs) == 4 and len(stored_fo) == 4
    assert max(speed("right_heel", e.frame) for e in stored_fs) < 0.5 * heel_at_strike
    assert max(speed("right_toe", e.frame) for e in stored_fo) < 0.8 * toe_at_off
    # Our right events sit where the left (plate-confirmed) ones do on the same signals.
    ours_fs = ev.of("right", "foot_strike")[1:]
    assert min(speed("right_heel", e.frame) for e in ours_fs) > 0.35


def test_events_c3d_warns_when_the_stored_events_disagree_with_the_data(
    sample00: TrialResult, sample09: TrialResult
) -> None:
    ev = detect_events(sample00, method="c3d")
    assert all(e.method == "c3d" for e in ev.events)
    wrong = [w for w in ev.warnings if w.startswith("stored right")]
    assert len(wrong) >= 7  # 3 late strikes and 4 early offs, each 2.2-7.3 frames
    assert any("later than" in w and "foot strike" in w for w in wrong)
    assert any("earlier than" in w and "foot off" in w for w in wrong)
    assert detect_events(sample09, method="c3d").warnings == ()


def test_where_methods_disagree_the_notes_say_which_was_used_and_why(
    sample00: TrialResult,
) -> None:
    ev = detect_events(sample00)
    assert any("force plate used" in n for n in ev.notes)
    assert any("foot velocity used; Zeni's event is" in n for n in ev.notes)
    assert any(n.startswith("Cross-check against the force plate") for n in ev.notes)
    methods = {e.method for e in ev.events}
    assert methods <= {"force_plate", "foot_velocity", "zeni"}


def test_plate_foot_off_while_the_toe_stands_still_is_not_used() -> None:
    """sample_03/gait-pig-nz.c3d: the left foot lands on a plate at frame 136.3 (the stored
    strike is 137) but the plate's force ends at 152.9, 0.14 s later, while the toe stands
    still (0.12 m/s; at the plate foot offs of the c3d.org trials it moves at 0.63-1.22 m/s):
    the foot rolled off the plate's edge mid-stance. The stored left foot off is at 222. Before,
    that plate "foot off" was chosen and the left stride from 136.3 had a stance of 13 % of
    the stride; now the plate strike is kept, the foot off comes from the markers (within 2
    frames of the stored 222: 0.6 from the foot-velocity method, 1.3 since the right foot's
    plate moves both feet's offs to Zeni's) and the stance is that of a walker (about 66 %)."""
    trial = read_c3d(C3D / "sample_03/gait-pig-nz.c3d")
    result = process(trial, _assumed(trial), kinetics=False)
    ev = detect_events(result)
    plate = ev.candidates["force_plate"]
    assert ("left", "foot_strike") in {(e.side, e.kind) for e in plate}
    assert not [e for e in plate if e.side == "left" and e.kind == "foot_off"]
    assert any("not used: the toe stands still" in n and "152.9" in n for n in ev.notes)
    offs = [e.frame for e in ev.of("left", "foot_off")]
    assert not any(140 < f < 200 for f in offs)
    assert min(abs(f - 222.0) for f in offs) <= TOLERANCE_FRAMES
    st = spatiotemporal(result, ev)
    stride = next(s for s in st.strides if s.side == "left" and abs(s.start - 136.3) < 1)
    assert 60.0 < stride.stance_pct < 70.0
    # The right plate contact of the same trial is whole: its foot off is kept.
    assert ("right", "foot_off") in {(e.side, e.kind) for e in plate}


def test_plate_offs_on_a_still_foot_synthetic() -> None:
    """A toe at rest until frame 50 and then moving at 1 m/s: a plate foot off at frame 30 is
    dropped, one at 60 kept, strikes always kept; NaN speed keeps the event (no evidence)."""
    rate = 100.0
    speed = np.where(np.arange(100) < 50, 0.0, 1.0)
    plates = (
        GaitEvent("foot_strike", "left", 10.0, 0.1, "force_plate"),
        GaitEvent("foot_off", "left", 30.0, 0.3, "force_plate"),
        GaitEvent("foot_off", "left", 60.0, 0.6, "force_plate"),
        GaitEvent("foot_off", "right", 30.0, 0.3, "force_plate"),
    )
    kept, notes = plate_offs_on_a_still_foot(
        plates, {"left": speed, "right": np.full(100, np.nan)}, rate
    )
    assert [(e.side, e.kind, e.frame) for e in kept] == [
        ("left", "foot_strike", 10.0),
        ("left", "foot_off", 60.0),
        ("right", "foot_off", 30.0),
    ]
    assert len(notes) == 1 and "frame 30.0" in notes[0]


def _load_default(name: str) -> TrialResult:
    trial = read_c3d(C3D / name)
    return (
        process(trial)
        if trial.subject is not None
        else process(trial, _assumed(trial), kinetics=False)
    )


def test_what_the_markers_say_about_each_remaining_miss() -> None:
    """The stored events still more than 2 frames from the default ones, judged by the speed
    (m/s, 3-D, from the heel or, without heel markers, the ankle centre for strikes; the toe
    for offs) at the plate events of the same trial, which the default events reproduce:

    - sample_03 nz, right strike stored at 208 (ours 205.1): the ankle moves at 0.22 m/s there,
      against 0.38 at this foot's plate strike (and 0.34 at its stored strike next to it), and
      sits 4 mm lower: the stored strike is late. Ours: 0.33 m/s.
    - sample_04 (no plate, no heel marker), left strike stored at 62.5 (ours 64.45, 2.0 frames
      later, within the tolerance since the strikes without a heel marker lie midway between
      the two methods; it was 64.5 with the foot-velocity strike): the ankle still moves at
      1.47 m/s, against 0.32 at the file's other left strike: that stored strike is early,
      inconsistent with the file's own. Its right strike stored at 113 was 2.4 frames before
      the foot-velocity strike (115.4), a miss of that method; the default is now 114.0.
    - sample_32, right foot off stored at 283 (ours 285.8, Zeni's, 20 frames before the trial
      ends): toe 0.64 m/s against 1.03 at the plate foot off (left foot; the right has no
      plate): stored early. Ours: 1.07.
    - sample_32, left foot off stored at 106 (ours 110.4): toe 0.50 m/s against 1.03 at the
      same foot's plate foot off: stored early; ours (1.28 m/s) is about a frame late. The
      truth lies between: both are off.
    - sample_32, right foot off stored at 164 (ours 167.9): toe 0.44 m/s, stored early; ours
      1.03, the plate's. The stored left foot off at the plate itself is 1.3 frames before the
      plate's. Of the file's right foot offs only the first (45, toe 0.98 m/s) moves as the
      plate foot did; ours is 0.5 frames from it (toe 0.91). Before, the right foot kept the
      foot-velocity offs (41.6 and 164.5, toe 0.55 and 0.51 m/s), which this trial's plate
      shows 4.3 frames early on the left foot (``_plate_cross_check``).
    """

    def at(x: np.ndarray, frame: float) -> float:
        return float(np.interp(frame, np.arange(x.size), x))

    def speeds(name: str):
        result = _load_default(name)
        ev = detect_events(result)
        rate = result.trial.point_rate
        sp = {}
        for side in ("left", "right"):
            heel, toe, _ = _foot(result, side)  # type: ignore[arg-type]
            sp[(side, "foot_strike")] = (_point_speed(heel, rate), heel[:, 2])
            sp[(side, "foot_off")] = (_point_speed(toe, rate), toe[:, 2])
        return ev, sp

    def pair(ev, side, kind, stored_frame):
        stored = next(e for e in ev.of(side, kind, "c3d") if abs(e.frame - stored_frame) < 0.1)
        ours = min(ev.of(side, kind), key=lambda e: abs(e.frame - stored.frame))
        assert abs(ours.frame - stored.frame) > TOLERANCE_FRAMES
        return stored.frame, ours.frame

    ev, sp = speeds("sample_03/gait-pig-nz.c3d")
    v, z = sp[("right", "foot_strike")]
    plate = ev.of("right", "foot_strike", "force_plate")[0].frame
    stored, ours = pair(ev, "right", "foot_strike", 208.0)
    assert at(v, stored) < 0.65 * at(v, plate) and at(z, stored) < at(z, plate) - 0.003
    assert abs(at(v, ours) - at(v, plate)) < abs(at(v, stored) - at(v, plate))

    ev, sp = speeds("sample_04/sub_labels.c3d")
    assert "force_plate" not in ev.candidates
    v, _ = sp[("left", "foot_strike")]
    ours = min(ev.of("left", "foot_strike"), key=lambda e: abs(e.frame - 62.5)).frame
    assert 1.9 < ours - 62.5 <= TOLERANCE_FRAMES
    assert at(v, 62.5) > 3.0 * at(v, 148.0) and at(v, ours) < at(v, 62.5)  # measured 4.6x
    fv = min(ev.of("right", "foot_strike", "foot_velocity"), key=lambda e: abs(e.frame - 113))
    ours = min(ev.of("right", "foot_strike"), key=lambda e: abs(e.frame - 113.0))
    assert fv.frame - 113.0 > TOLERANCE_FRAMES and abs(ours.frame - 113.0) < 1.5
    assert ours.method == "kinematic_midpoint"

    ev, sp = speeds("sample_32/vicon_zerowire.c3d")
    v_off = sp[("left", "foot_off")][0]
    plate_off = at(v_off, ev.of("left", "foot_off", "force_plate")[0].frame)
    v, _ = sp[("right", "foot_off")]
    stored, ours = pair(ev, "right", "foot_off", 283.0)
    assert at(v, stored) < 0.7 * plate_off and abs(at(v, ours) / plate_off - 1) < 0.15
    stored, ours = pair(ev, "left", "foot_off", 106.0)
    assert at(v_off, stored) < 0.6 * plate_off < 0.6 * at(v_off, ours)
    stored, ours = pair(ev, "right", "foot_off", 164.0)
    assert at(v, stored) < 0.5 * plate_off and abs(at(v, ours) / plate_off - 1) < 0.1
    first = min(ev.of("right", "foot_off"), key=lambda e: abs(e.frame - 45.0))
    assert abs(first.frame - 45.0) < 1.0 and abs(at(v, first.frame) / plate_off - 1) < 0.15
    fv = [
        e.frame
        for e in ev.candidates["foot_velocity"]
        if e.side == "right" and e.kind == "foot_off"
    ]
    assert max(at(v, f) for f in fv) < 0.6 * plate_off  # the foot-velocity offs: early
    assert any(
        n.startswith("right foot offs: Zeni used throughout, as on the left") for n in ev.notes
    )


#: The c3d.org trials with clean force-plate strikes.
PLATE_TRIALS = (
    "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d",
    "sample_03/gait-pig.c3d",
    "sample_03/gait-pig-nz.c3d",
    "sample_09/VER4C3D.c3d",
    "sample_11/2198928.c3d",
    "sample_32/vicon_zerowire.c3d",
)


def _without_heel_or_plate() -> list[tuple[float, tuple[GaitEvent, ...], GaitEvents]]:
    """Per trial of :data:`PLATE_TRIALS`: its marker rate, its force-plate events, and the
    events found from its markers with the heel markers and force plates set aside (so the
    ankle joint centre stands in for the heel and no plate calibrates the methods)."""
    out = []
    for name in PLATE_TRIALS:
        if name.startswith("sample_09"):
            subject = replace(read_mp(C3D / "sample_09/42798.mp"), marker_diameter_m=0.025)
            trial = read_c3d(C3D / name, subject=subject)
        else:
            trial = read_c3d(C3D / name)
        subject = trial.subject if trial.subject is not None else _assumed(trial)
        plates = detect_events(process(trial, subject, kinetics=False)).candidates["force_plate"]
        bare = replace(
            trial,
            markers={k: v for k, v in trial.markers.items() if k not in ("LHEE", "RHEE")},
            plates=(),
        )
        ev = detect_events(process(bare, subject, kinetics=False))
        assert ev.parameters["foot_points"] == {"left": "ankle", "right": "ankle"}
        assert "force_plate" not in ev.candidates
        out.append((trial.point_rate, plates, ev))
    return out


@pytest.fixture(scope="module")
def without_heel_or_plate() -> list[tuple[float, tuple[GaitEvent, ...], GaitEvents]]:
    return _without_heel_or_plate()


def _pools(ev: GaitEvents) -> tuple[tuple[str, tuple[GaitEvent, ...]], ...]:
    """The chosen events and each kinematic method's candidates, by name."""
    return (
        ("chosen", ev.events),
        ("foot_velocity", ev.candidates["foot_velocity"]),
        ("zeni", ev.candidates["zeni"]),
    )


def _nearest(pool: tuple[GaitEvent, ...], ref: GaitEvent, ms: float) -> float | None:
    """The frame of the event of ``ref``'s side and kind nearest to it, if within 100 ms."""
    mine = [e for e in pool if e.side == ref.side and e.kind == ref.kind]
    near = min(mine, key=lambda e: abs(e.frame - ref.frame))
    return near.frame if abs(near.frame - ref.frame) * ms < 100.0 else None


def _strike_errors(
    trials: list[tuple[float, tuple[GaitEvent, ...], GaitEvents]],
) -> dict[str, list[float]]:
    """Each plate strike against the nearest strike of each method, ms (within 100 ms)."""
    errors: dict[str, list[float]] = {"chosen": [], "foot_velocity": [], "zeni": []}
    for rate, all_plates, ev in trials:
        plates = [e for e in all_plates if e.kind == "foot_strike"]
        ms = 1000.0 / rate
        for key, pool in _pools(ev):
            for p in plates:
                frame = _nearest(pool, p, ms)
                if frame is not None:  # sample_11's first: none near
                    errors[key].append((frame - p.frame) * ms)
    return errors


def test_strikes_without_a_heel_marker_lie_midway_between_the_two_methods(
    without_heel_or_plate: list[tuple[float, tuple[GaitEvent, ...], GaitEvents]],
) -> None:
    """Without a heel marker (the ankle joint centre stands in) and without a plate to
    calibrate them, the foot-velocity strikes come late and Zeni's early; their midpoint, the
    default there, is closer to the plate than either. Measured over the 11 plate strikes of 6
    trials (ms, method minus plate): foot velocity mean +17, mean |error| 28 (10 strikes: none
    found near sample_11's first); Zeni mean -22, mean |error| 24; chosen mean -5, mean |error|
    16, max |error| 41 (sample_09 right, where the foot-velocity strike is 74 ms late).
    sample_04 (no plate, no heel marker) was not used to set this; its 4 stored strikes are
    within 2 frames of the default events (``test_default_events_against_every_stored_set``)."""
    err = {k: np.abs(v) for k, v in _strike_errors(without_heel_or_plate).items()}
    assert err["chosen"].size == err["zeni"].size == 11 and err["foot_velocity"].size == 10
    assert err["chosen"].mean() < 0.7 * min(err["foot_velocity"].mean(), err["zeni"].mean())
    assert err["chosen"].max() < 45.0


def test_strikes_with_a_heel_marker_keep_the_foot_velocity_method(sample00: TrialResult) -> None:
    bare = replace(sample00, trial=replace(sample00.trial, plates=()), contacts=())
    ev = detect_events(bare)
    assert "force_plate" not in ev.candidates
    assert ev.parameters["foot_points"] == {"left": "heel", "right": "heel"}
    assert {e.method for e in ev.of("left", "foot_strike")} == {"foot_velocity"}


def test_stance_time_without_a_heel_marker_or_plate(
    without_heel_or_plate: list[tuple[float, tuple[GaitEvent, ...], GaitEvents]],
) -> None:
    """Stance time (foot off minus foot strike) of each plate contact of the six trials, found
    from the markers alone without the heel markers, against the plate's, ms. Measured, mean
    (mean |error|): default +14 (26), 10 contacts; foot velocity alone -1 (35), 8 contacts
    (sample_32 +106, sample_09 right -83); Zeni alone +36 (40), 10 contacts."""
    err: dict[str, list[float]] = {"chosen": [], "foot_velocity": [], "zeni": []}
    for rate, plates, ev in without_heel_or_plate:
        ms = 1000.0 / rate
        for strike in (e for e in plates if e.kind == "foot_strike"):
            off = [
                e
                for e in plates
                if e.kind == "foot_off" and e.side == strike.side and e.frame > strike.frame
            ]
            if not off:
                continue
            truth = (off[0].frame - strike.frame) * ms
            for key, pool in _pools(ev):
                on, up = _nearest(pool, strike, ms), _nearest(pool, off[0], ms)
                if on is not None and up is not None:
                    err[key].append((up - on) * ms - truth)
    a = {k: np.asarray(v) for k, v in err.items()}
    assert a["chosen"].size == a["zeni"].size == 10 and a["foot_velocity"].size == 8
    mae = {k: float(np.abs(v).mean()) for k, v in a.items()}
    assert mae["chosen"] < 0.8 * min(mae["foot_velocity"], mae["zeni"])
    assert abs(a["chosen"].mean()) < 0.5 * a["zeni"].mean()
