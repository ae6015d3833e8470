"""load_trial dispatch."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinchain.errors import InputError
from kinchain.io import load_trial, read_mp
from shared_paths import shared_data

DATA = shared_data()
VER4 = DATA / "c3d-org" / "sample_09" / "VER4C3D.c3d"
MP = DATA / "c3d-org" / "sample_09" / "42798.mp"
TRC = DATA / "opensim" / "gait2354" / "subject01_walk1.trc"
GRF = DATA / "opensim" / "gait2354" / "subject01_walk1_grf.mot"

pytestmark = pytest.mark.skipif(not VER4.exists(), reason="shared data not available")


def test_c3d_with_subject_file() -> None:
    trial = load_trial(VER4, subject_file=MP)
    assert trial.subject == read_mp(MP)
    assert len(trial.plates) == 2 and trial.n_frames == 281


def test_c3d_without_subject() -> None:
    assert load_trial(VER4).subject is None


def test_trc_with_grf() -> None:
    trial = load_trial(TRC, grf_path=GRF)
    assert len(trial.markers) == 41 and len(trial.plates) == 2
    assert trial.analog_rate == pytest.approx(600.0, rel=1e-3)
    assert trial.sha256 and trial.events == ()
    assert load_trial(TRC).plates == ()


def test_explicit_subject_wins_over_file() -> None:
    s = read_mp(MP)
    assert load_trial(TRC, subject=s).subject is s


def test_bad_dispatch(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown trial type"):
        load_trial(tmp_path / "trial.csv")
    with pytest.raises(InputError, match=r"only read with a \.trc"):
        load_trial(VER4, grf_path=GRF)
    upper = tmp_path / "TRIAL.C3D"
    upper.write_bytes(VER4.read_bytes())
    assert load_trial(upper).n_frames == 281
