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
from kinchain.validation import agreement, reference_values
from shared_paths import shared_data

SAGITTAL_ANGLE_DEG = 2.0
OTHER_ANGLE_DEG = 4.0
# Ankle (sagittal, frontal, transverse) RMS bounds, deg: measured 0.07, 2.68, 0.73 at most.
ANKLE_ANGLE_DEG = (0.3, 3.0, 1.0)


def _check(agree: dict, joints: tuple[str, ...] = ("Hip", "Knee", "Ankle")) -> None:
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
                if a.rms[k] > bounds[k]:
                    failures.append(f"{a.label} {'XYZ'[k]} {a.rms[k]:.2f} deg")
    assert not failures, failures


# Every component of every moment (N·m/kg) and power (W/kg; Plug-in Gait stores the total in Z
# and zeros in X and Y) the reference stores, over the stance on a plate, against bounds set
# from the agreement measured (`.venv/bin/python benchmarks/agreement_table.py`-style, see the
# report of issue 15): measured values in the comments, bounds about 1.5 times them. The
# knee adduction moment (knee Y) is a named measure of the gait-trust issue; a sign flip of it
# is 0.3-0.6 N·m/kg RMS off. Forces: tests/validation/test_joint_forces.py.
ZERO = 0.001  # power X and Y: both sides store 0
#: sample_00, left foot on the plate. Measured moments ankle 0.007/0.004/0.015, knee
#: 0.021/0.018/0.003, hip 0.028/0.020/0.004; powers ankle 0.119, knee 0.077, hip 0.035.
SAMPLE00_KINETICS = {
    "LAnkleMoment": (0.015, 0.010, 0.025),
    "LKneeMoment": (0.035, 0.030, 0.010),
    "LHipMoment": (0.045, 0.035, 0.010),
    "LAnklePower": (ZERO, ZERO, 0.18),
    "LKneePower": (ZERO, ZERO, 0.12),
    "LHipPower": (ZERO, ZERO, 0.06),
}
#: sample_09 (VER4C3D + .mp against PlugInC3D). Right stance, measured: moments ankle
#: 0.006/0.001/0.019, knee 0.037/0.038/0.004, hip 0.067/0.114/0.030; powers ankle 0.116,
#: knee 0.128, hip 0.126. Left stance, measured: moments ankle 0.008/0.001/0.026, knee
#: 0.113/0.058/0.004, hip 0.287/0.140/0.013; powers ankle 0.073, knee 0.183, hip 0.157. The
#: left hip and knee differ by the reference's own frame-to-frame alternation (its left hip X
#: second-difference SD is 2.5 times ours, test_sample09_left_stance_reference_is_rougher), not
#: by ours: the right side, where the reference is smooth, agrees within 0.12.
SAMPLE09_KINETICS = {
    "RAnkleMoment": (0.015, 0.005, 0.030),
    "RKneeMoment": (0.060, 0.060, 0.010),
    "RHipMoment": (0.100, 0.160, 0.045),
    "RAnklePower": (ZERO, ZERO, 0.17),
    "RKneePower": (ZERO, ZERO, 0.19),
    "RHipPower": (ZERO, ZERO, 0.19),
    "LAnkleMoment": (0.015, 0.005, 0.040),
    "LKneeMoment": (0.16, 0.09, 0.010),
    "LHipMoment": (0.40, 0.20, 0.020),
    "LAnklePower": (ZERO, ZERO, 0.11),
    "LKneePower": (ZERO, ZERO, 0.26),
    "LHipPower": (ZERO, ZERO, 0.23),
}


def _check_kinetics(agree: dict, bounds: dict, min_frames: int = 30) -> None:
    failures = []
    for label, bound in bounds.items():
        assert label in agree, f"{label}: not compared (no common valid frame)"
        a = agree[label]
        assert a.n_frames > min_frames, (label, a.n_frames)
        for k in range(3):
            if not a.rms[k] <= bound[k]:
                failures.append(f"{label} {'XYZ'[k]} {a.rms[k]:.3f} > {bound[k]}")
    assert not failures, failures


def test_every_stored_kinetic_output_is_bounded() -> None:
    """The bound tables name every moment and power the references store on their plate sides."""
    s00 = read_c3d(shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    ref09 = read_c3d(shared_data() / "c3d-org/sample_09/PlugInC3D.c3d")
    stored00 = {k for k in s00.other_points if k[0] == "L" and k.endswith(("Moment", "Power"))}
    stored09 = {k for k in ref09.other_points if k.endswith(("Moment", "Power"))}
    stored00 -= {"LGroundReactionMoment"}
    stored09 -= {"LGroundReactionMoment", "RGroundReactionMoment"}
    assert stored00 == set(SAMPLE00_KINETICS)
    assert stored09 == set(SAMPLE09_KINETICS)
    # sample_09's PolygonC3D.c3d stores the same kinetics, value for value: one comparison
    # covers both files.
    polygon = read_c3d(shared_data() / "c3d-org/sample_09/PolygonC3D.c3d")
    for label in stored09:
        np.testing.assert_array_equal(polygon.other_points[label], ref09.other_points[label])


def test_sample00_cgm24_file_against_its_plugin_gait_outputs() -> None:
    path = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
    trial = read_c3d(path)
    result = process(trial)
    agree = agreement(result, trial)
    _check(agree)
    _check_kinetics(agreement(result, trial, list(SAMPLE00_KINETICS)), SAMPLE00_KINETICS, 50)
    # Kinetics were compared on the one plate contact (left foot) only.
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
    result = process(trial)
    _check(agreement(result, reference))
    _check_kinetics(agreement(result, reference, list(SAMPLE09_KINETICS)), SAMPLE09_KINETICS)


def _second_difference_sd(values: np.ndarray) -> float:
    return float(np.nanstd(np.diff(values, 2)))


def test_sample09_left_stance_reference_is_rougher() -> None:
    """Why sample_09's left hip and knee moments are bounded wider than the right (issue 15
    item 3). On the right stance the reference is smooth and ours now is too (second-difference
    SD of the hip X moment, N·m/kg: ours 0.28, Plug-in Gait 0.26; it was 0.95 before the
    acceleration fix, kinetics.derivatives.linear_acceleration). On the left stance Plug-in
    Gait's own hip moment alternates frame to frame (SD 1.10 against our 0.43) with the same
    markers, so the difference there is the reference's."""
    folder = shared_data() / "c3d-org/sample_09"
    subject = replace(read_mp(folder / "42798.mp"), marker_diameter_m=0.025)
    result = process(read_c3d(folder / "VER4C3D.c3d", subject=subject))
    reference = read_c3d(folder / "PlugInC3D.c3d")
    rough = {}
    for side in ("left", "right"):
        (c,) = [c for c in result.contacts if c.used and c.side == side]
        label = f"{side[0].upper()}HipMoment"
        ours = result.outputs[label][c.start : c.end + 1, 0]
        ref = reference_values(reference, label)
        assert ref is not None
        rough[side] = (
            _second_difference_sd(ours),
            _second_difference_sd(ref[c.start : c.end + 1, 0]),
        )
    assert rough["right"][0] < 1.3 * rough["right"][1], rough  # as smooth as Plug-in Gait
    assert rough["left"][1] > 2.0 * rough["left"][0], rough  # the reference alternates


def _mean_rms(agree: dict, suffix: str, component: int) -> float:
    return float(
        np.mean([a.rms[component] for label, a in agree.items() if label.endswith(suffix)])
    )


def test_no_marker_filter_by_default_agrees_best_with_plugin_gait() -> None:
    """The default (no marker filter) is the data's choice (issue 10, benchmarks/filter_study.py):
    the files store the markers Plug-in Gait used, and filtering them again, even at 12 Hz, the
    mildest cut-off studied, moves kinchain away from Plug-in Gait: sample_00 sagittal angles
    0.02 -> 0.22 deg mean RMS, sample_09 sagittal moments 0.086 -> 0.126 N·m/kg and powers
    0.13 -> 0.31 W/kg (measured with the two-step segment accelerations of issue 15 item 3)."""
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
