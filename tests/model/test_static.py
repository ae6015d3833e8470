"""Static calibration of the foot offsets.

The foot is one rigid segment in the CGM, so the offset between the uncorrected foot and the
heel-toe foot is the same in every frame of any trial; sample_00's dynamic frames therefore give
back the offsets Nexus stored from that subject's static trial, up to the small posture and
marker-reconstruction differences between the two sessions.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import shared_data
from kinchain.errors import InputError
from kinchain.io.c3d import read_c3d
from kinchain.model.static import calibrate_static

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


def test_flat_foot_changes_only_what_it_should() -> None:
    trial = read_c3d(shared_data() / DEMO)
    normal = calibrate_static(trial)
    flat = calibrate_static(trial, flat_foot=True)
    for side in ("left", "right"):
        assert np.isfinite(flat.static_plantar_flexion_deg[side])
        assert flat.static_plantar_flexion_deg[side] != normal.static_plantar_flexion_deg[side]
    assert flat.knee_width_m == normal.knee_width_m


def test_missing_heel_marker_is_an_input_error() -> None:
    trial = read_c3d(shared_data() / DEMO)
    markers = {k: v for k, v in trial.markers.items() if k != "LHEE"}
    with pytest.raises(InputError, match="LHEE"):
        calibrate_static(replace(trial, markers=markers))
