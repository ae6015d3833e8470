"""Static calibration of the foot offsets.

The foot is one rigid segment in the CGM, so the offset between the uncorrected foot and the
heel-toe foot is the same in every frame of any trial; sample_00's dynamic frames therefore give
back the offsets Nexus stored from that subject's static trial, up to the small posture and
marker-reconstruction differences between the two sessions.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kinchain.errors import InputError
from kinchain.io.c3d import read_c3d
from kinchain.model.static import calibrate_static
from shared_paths import shared_data

DEMO = "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"


def test_foot_offsets_match_the_stored_static_offsets() -> None:
    trial = read_c3d(shared_data() / DEMO)
    stored = trial.subject
    assert stored is not None
    calibrated = calibrate_static(trial)
    for side in ("left", "right"):
        assert calibrated.static_plantar_flexion_deg[side] == pytest.approx(
            stored.static_plantar_flexion_deg[side], abs=1.0
        )
        assert calibrated.static_rotation_offset_deg[side] == pytest.approx(
            stored.static_rotation_offset_deg[side], abs=1.0
        )
    assert "static trial" in calibrated.source


def test_missing_heel_marker_is_an_input_error() -> None:
    trial = read_c3d(shared_data() / DEMO)
    markers = {k: v for k, v in trial.markers.items() if k != "LHEE"}
    with pytest.raises(InputError, match="LHEE"):
        calibrate_static(replace(trial, markers=markers))


def test_medial_markers_give_back_the_rotation_offsets() -> None:
    """Medial markers placed where the stored offsets put the joint centres give those offsets
    back: the chord function and its calibration are inverse to each other."""
    trial = read_c3d(shared_data() / DEMO)
    stored = trial.subject
    assert stored is not None
    zero = {"left": 0.0, "right": 0.0}
    subject = replace(stored, ankle_abadd_deg=zero)
    from kinchain.model.cgm1 import build_model

    model = build_model(trial, subject)
    markers = dict(trial.markers)
    for side, p in (("left", "L"), ("right", "R")):
        markers[p + "MEPI"] = 2 * model.joints[f"{side}_knee"] - trial.markers[p + "KNE"]
        markers[p + "MED"] = 2 * model.joints[f"{side}_ankle"] - trial.markers[p + "ANK"]
    calibrated = calibrate_static(replace(trial, markers=markers), subject)
    for side in ("left", "right"):
        assert calibrated.thigh_rotation_deg[side] == pytest.approx(
            stored.thigh_rotation_deg[side], abs=1e-3
        )
        assert calibrated.shank_rotation_deg[side] == pytest.approx(
            stored.shank_rotation_deg[side], abs=1e-3
        )
    # Tibial torsion is measured from this walking trial's knee axis, which turns with the knee, so
    # it is not comparable with the stored static value here; test_static_geometry.py checks it
    # (and the flat-foot option) against malleoli placed at a known torsion.
