"""Static calibration against expectations derived from the geometry (issue 15, item 6).

One real frame of sample_00 (all markers present) is repeated to make a still "static" trial;
the markers the calibration reads are then moved to places whose answer follows analytically:

- plantar flexion / rotation offset: Plug-in Gait's offsets are the ``YXZ`` angles of the
  heel-toe foot in the uncorrected foot (z from the toe marker to the ankle centre, x up). A heel
  placed at direction ``(cos b sin a, -sin b, cos b cos a)`` from the toe in that frame therefore
  gives ``StaticPlantFlex = -a`` and ``StaticRotOff = ±b`` (mirrored on the left), for any distance;
- flat foot: the heel is taken at the toe's height, so the anatomical foot's long axis is
  horizontal. With the body turned so that the uncorrected foot's y axis is horizontal, the offset
  is exactly the elevation of the toe-to-ankle-centre line above the floor (positive when the
  ankle centre is above the toe marker, the usual case), whatever the heel marker's height;
- tibial torsion: with lateral and medial malleoli placed on the knee flexion axis direction
  (torsion 0) and then turned about the tibia by a known angle, the torsion is that angle; an
  external turn (lateral malleolus moved posteriorly) is negative on both sides, as Nexus stores it
  (``.mp`` files hold e.g. -19 and -26 degrees for typical external torsion).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from kinchain.io.c3d import read_c3d
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.cgm1 import build_model
from kinchain.model.static import calibrate_static
from shared_paths import shared_data

DEMO = "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
SIDES = (("left", "L", -1.0), ("right", "R", 1.0))
ZERO = {"left": 0.0, "right": 0.0}
# Everything below is exact geometry on float64 data; 1e-6 degrees leaves room for rounding only.
TOL_DEG = 1e-6


@pytest.fixture(scope="module")
def still() -> Trial:
    """The first frame with every marker present, repeated: a still trial, offsets zeroed.

    A walking frame rather than a standing one: the expectations below hold for any posture.
    """
    trial = read_c3d(shared_data() / DEMO)
    assert trial.subject is not None
    stacked = np.stack(list(trial.markers.values()), axis=1)
    frame = int(np.flatnonzero(np.isfinite(stacked).all(axis=(1, 2)))[0])
    markers = {k: np.repeat(v[frame : frame + 1], 4, axis=0) for k, v in trial.markers.items()}
    subject = replace(
        trial.subject,
        static_plantar_flexion_deg=ZERO,
        static_rotation_offset_deg=ZERO,
        thigh_rotation_deg=ZERO,
        shank_rotation_deg=ZERO,
        tibial_torsion_deg=ZERO,
        ankle_abadd_deg=ZERO,
    )
    return replace(trial, markers=markers, subject=subject)


def _rest(m: SubjectMeasurements) -> SubjectMeasurements:
    """The measurements with the foot offsets and the provenance note blanked."""
    return replace(m, static_plantar_flexion_deg=ZERO, static_rotation_offset_deg=ZERO, source="")


def _rotated(trial: Trial, rot: Rotation) -> Trial:
    """The whole trial turned rigidly about the lab origin."""
    return replace(trial, markers={k: rot.apply(v) for k, v in trial.markers.items()})


@pytest.mark.parametrize(("a_deg", "b_deg"), [(12.0, 0.0), (-7.0, 4.0), (20.0, -9.0)])
def test_heel_direction_gives_the_foot_offsets(still: Trial, a_deg: float, b_deg: float) -> None:
    model = build_model(still, still.subject)
    a, b = np.deg2rad(a_deg), np.deg2rad(b_deg)
    local = np.array([np.cos(b) * np.sin(a), -np.sin(b), np.cos(b) * np.cos(a)])
    markers = dict(still.markers)
    for side, p, _ in SIDES:
        tech = model.segments[f"{side}_foot"].R  # zero offsets: the uncorrected foot
        markers[p + "HEE"] = still.markers[p + "TOE"] + 0.17 * np.einsum("nij,j->ni", tech, local)
    calibrated = calibrate_static(replace(still, markers=markers))
    for side, _, sgn in SIDES:
        assert calibrated.static_plantar_flexion_deg[side] == pytest.approx(-a_deg, abs=TOL_DEG)
        assert calibrated.static_rotation_offset_deg[side] == pytest.approx(
            sgn * b_deg, abs=TOL_DEG
        )


@pytest.mark.parametrize("heel_lift_m", [-0.02, 0.0, 0.03])
def test_flat_foot_offset_is_the_toe_to_ankle_line_above_the_floor(
    still: Trial, heel_lift_m: float
) -> None:
    for side, p, _ in SIDES:
        # Turn the body so this foot's (uncorrected) y axis lies in the floor plane.
        y = build_model(still, still.subject).segments[f"{side}_foot"].R[0, :, 1]
        y_floor = np.array([y[0], y[1], 0.0]) / np.hypot(y[0], y[1])
        axis = np.cross(y, y_floor)
        level = Rotation.from_rotvec(axis / np.linalg.norm(axis) * np.arcsin(np.linalg.norm(axis)))
        trial = _rotated(still, level)
        model = build_model(trial, trial.subject)
        assert abs(model.segments[f"{side}_foot"].R[0, 2, 1]) < 1e-12
        line = model.joints[f"{side}_ankle"][0] - trial.markers[p + "TOE"][0]
        elevation = np.rad2deg(np.arctan2(line[2], np.hypot(line[0], line[1])))
        markers = dict(trial.markers)
        markers[p + "HEE"] = trial.markers[p + "HEE"] + [0.0, 0.0, heel_lift_m]
        flat = calibrate_static(replace(trial, markers=markers), flat_foot=True)
        assert flat.static_plantar_flexion_deg[side] == pytest.approx(elevation, abs=TOL_DEG)
        # Nothing but the foot offsets and the provenance note depends on the option.
        plain = calibrate_static(replace(trial, markers=markers))
        assert _rest(flat) == _rest(plain)
        assert "flat foot" in flat.source and "flat foot" not in plain.source
        # Heel placed level with the toe: the plain calibration gives the same offset.
        markers[p + "HEE"] = (
            trial.markers[p + "HEE"] * [1, 1, 0] + [0, 0, 1] * trial.markers[p + "TOE"]
        )
        normal = calibrate_static(replace(trial, markers=markers))
        assert normal.static_plantar_flexion_deg[side] == pytest.approx(elevation, abs=TOL_DEG)


@pytest.mark.parametrize("external_deg", [0.0, 15.0, -10.0])
def test_tibial_torsion_is_the_turn_of_the_ankle_axis(still: Trial, external_deg: float) -> None:
    model = build_model(still, still.subject)
    markers = dict(still.markers)
    for side, p, sgn in SIDES:
        hjc = model.joints[f"{side}_hip"]
        kjc = model.joints[f"{side}_knee"]
        ajc = model.joints[f"{side}_ankle"]
        markers[p + "MEPI"] = 2 * kjc - still.markers[p + "KNE"]
        # Knee flexion axis (lateral), perpendicular to the thigh in the hip-knee-KNE plane ...
        thigh = (hjc - kjc) / np.linalg.norm(hjc - kjc, axis=1, keepdims=True)
        lateral = still.markers[p + "KNE"] - kjc
        lateral -= np.sum(lateral * thigh, axis=1, keepdims=True) * thigh
        # ... projected across the tibia, then turned about the tibia (pointing up) by the
        # external angle: clockwise seen from above on the right, anticlockwise on the left.
        tibia = (kjc - ajc) / np.linalg.norm(kjc - ajc, axis=1, keepdims=True)
        lateral -= np.sum(lateral * tibia, axis=1, keepdims=True) * tibia
        lateral /= np.linalg.norm(lateral, axis=1, keepdims=True)
        turn = Rotation.from_rotvec(-sgn * np.deg2rad(external_deg) * tibia)
        malleolus = 0.035 * turn.apply(lateral)
        markers[p + "ANK"] = ajc + malleolus
        markers[p + "MED"] = ajc - malleolus
    calibrated = calibrate_static(replace(still, markers=markers))
    for side, _, _ in SIDES:
        assert calibrated.tibial_torsion_deg[side] == pytest.approx(-external_deg, abs=TOL_DEG)
