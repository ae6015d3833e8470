"""Marker maps: renaming another marker set's labels, and an OpenSim trial (TRC + GRF .mot)
through the whole pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kinchain.errors import InputError
from kinchain.io.opensim import read_trc_trial
from kinchain.io.subject import subject_from_values
from kinchain.model.marker_map import apply_marker_map, load_marker_map
from kinchain.model.static import calibrate_static
from kinchain.process import process
from shared_paths import shared_data

RAJ = "opensim/rajagopal-walk"


def test_builtin_map_renames_to_plug_in_gait_names() -> None:
    mapping = load_marker_map("opensim-rajagopal")
    trial = apply_marker_map(read_trc_trial(shared_data() / RAJ / "static_walk_1.trc"), mapping)
    for name in ("LASI", "RASI", "LPSI", "RPSI", "LKNE", "RANK", "LHEE", "RTOE", "LMEPI"):
        assert name in trial.markers
    assert "L.ASIS" not in trial.markers


def test_bad_maps_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "map.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match=r"map\.json"):
        load_marker_map(bad)
    bad.write_text(json.dumps({"map": {"a": 1}}))
    with pytest.raises(InputError, match=r"label -> label"):
        load_marker_map(bad)
    trial = read_trc_trial(shared_data() / RAJ / "static_walk_1.trc")
    with pytest.raises(InputError, match="several labels"):
        apply_marker_map(trial, {"R.ASIS": "X", "L.ASIS": "X"})
    with pytest.raises(InputError, match="exists already"):
        apply_marker_map(trial, {"R.ASIS": "L.ASIS"})


def test_opensim_trial_with_grf_runs_end_to_end() -> None:
    """The Rajagopal walking trial: markers from TRC, per-foot forces from an OpenSim GRF file
    (no plate outlines), subject widths measured from the static trial's medial markers. The
    body mass is not in these files; 75 kg is assumed here, so only the plumbing is checked, not
    per-kg values."""
    mapping = load_marker_map("opensim-rajagopal")
    static = apply_marker_map(read_trc_trial(shared_data() / RAJ / "static_walk_1.trc"), mapping)

    def dist(a: str, b: str) -> float:
        return float(np.nanmedian(np.linalg.norm(static.markers[a] - static.markers[b], axis=1)))

    sides = (("left", "L"), ("right", "R"))
    subject = subject_from_values(
        mass_kg=75.0,
        leg_length_m={s: dist(p + "ASI", p + "MED") for s, p in sides},
        knee_width_m={s: dist(p + "KNE", p + "MEPI") - 0.014 for s, p in sides},
        ankle_width_m={s: dist(p + "ANK", p + "MED") - 0.014 for s, p in sides},
    )
    calibrated = calibrate_static(static, subject)
    assert calibrated.thigh_rotation_deg["left"] != 0.0
    trial = apply_marker_map(
        read_trc_trial(
            shared_data() / RAJ / "motion_capture_walk.trc",
            grf_path=shared_data() / RAJ / "grf_walk.mot",
        ),
        mapping,
    )
    result = process(trial, calibrated)
    used = {c.side for c in result.contacts if c.used}
    assert used == {"left", "right"}
    assert result.valid["RKneeMoment"].sum() > 50
