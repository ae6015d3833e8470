"""OpenSim TRC / MOT / STO / GRF: the tutorial files and round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kinchain.errors import InputError
from kinchain.io import (
    grf_table,
    plates_from_grf,
    read_grf_mot,
    read_mot,
    read_trc,
    to_kinchain,
    to_opensim,
    write_mot,
    write_trc,
)
from kinchain.io.opensim import OPENSIM_TO_KINCHAIN
from shared_paths import shared_data

OS_DIR = shared_data() / "opensim"
G2354 = OS_DIR / "gait2354"

pytestmark = pytest.mark.skipif(not G2354.exists(), reason="shared data not available")


def test_rotation_is_proper_and_maps_y_up_to_z_up() -> None:
    assert np.linalg.det(OPENSIM_TO_KINCHAIN) == pytest.approx(1.0)
    np.testing.assert_allclose(to_kinchain(np.array([0.0, 1.0, 0.0])), [0.0, 0.0, 1.0])  # up
    np.testing.assert_allclose(to_kinchain(np.array([1.0, 0.0, 0.0])), [1.0, 0.0, 0.0])  # fwd
    np.testing.assert_allclose(to_kinchain(np.array([0.0, 0.0, 1.0])), [0.0, -1.0, 0.0])  # right
    p = np.random.default_rng(1).normal(size=(10, 3))
    np.testing.assert_allclose(to_opensim(to_kinchain(p)), p)


def test_read_tutorial_trc() -> None:
    markers, rate, first, time = read_trc(G2354 / "subject01_walk1.trc")
    assert (rate, first, len(markers)) == (60.0, 1, 41)  # header: 60.00 Hz, 41 markers, mm
    assert markers["R.ASIS"].shape == (151, 3)
    # first row: R.ASIS 617.247620 1055.275020 170.781980 (mm, Y up) -> m, Z up
    np.testing.assert_allclose(markers["R.ASIS"][0], [0.61724762, -0.17078198, 1.05527502])
    assert time[1] == pytest.approx(0.017)
    heights = np.nanmedian(np.stack([m[:, 2] for m in markers.values()]), axis=1)
    assert np.all(heights > -0.01)  # every marker above the floor: Z is up


def test_read_rajagopal_trc() -> None:
    markers, rate, _, _ = read_trc(OS_DIR / "rajagopal-walk" / "motion_capture_walk.trc")
    assert rate == 100.0 and len(markers) == 41
    assert all(m.shape == (238, 3) for m in markers.values())


def test_trc_round_trip(tmp_path: Path) -> None:
    markers, rate, _, _ = read_trc(G2354 / "subject01_walk1.trc")
    markers = {k: v.copy() for k, v in list(markers.items())[:5]}
    markers["R.ASIS"][3] = np.nan  # a gap is an empty field
    for units in ("mm", "m"):
        out = tmp_path / f"rt_{units}.trc"
        write_trc(out, markers, rate, units=units)  # type: ignore[arg-type]
        back, rate2, first, time = read_trc(out)
        assert rate2 == rate and first == 1 and list(back) == list(markers)
        for k in markers:
            np.testing.assert_allclose(back[k], markers[k], atol=1e-6, equal_nan=True)
        assert time[2] == pytest.approx(2 / rate, abs=1e-6)


def test_read_ik_mot_and_id_sto() -> None:
    ik, head = read_mot(G2354 / "subject01_walk1_ik.mot")
    assert ik.shape == (73, 24) and head["inDegrees"] == "yes"
    assert ik.columns[0] == "time" and "knee_angle_r" in ik.columns
    assert ik["time"].iloc[0] == pytest.approx(0.4)
    assert ik["knee_angle_r"].iloc[0] == pytest.approx(-55.24623342)
    ida, head = read_mot(G2354 / "inverse_dynamics.sto")
    assert ida.shape == (73, 24) and head["inDegrees"] == "no"
    assert "knee_angle_r_moment" in ida.columns
    simm, head = read_mot(G2354 / "Gait2392__subject01_walk1_ik.mot")  # SIMM-style header
    assert simm.shape == (211, 165)


def test_mot_round_trip(tmp_path: Path) -> None:
    ik, _ = read_mot(G2354 / "subject01_walk1_ik.mot")
    out = tmp_path / "ik.mot"
    write_mot(out, ik, name="Coordinates", in_degrees=True)
    back, head = read_mot(out)
    assert head["name"] == "Coordinates" and head["nRows"] == "73"
    pd.testing.assert_frame_equal(back, ik, rtol=1e-9)


def test_read_tutorial_grf() -> None:
    plates, rate = read_grf_mot(G2354 / "subject01_walk1_grf.mot")
    assert len(plates) == 2
    assert rate == pytest.approx(600.0, rel=1e-3)  # 1501 rows over 2.5 s
    first = plates[0]
    # row 0: force (101.5119767, 745.4661142, -47.44870554) N, point (0.37898285, -0.0075,
    # 0.12774652) m, torque (0, 13.53783445, 0) N·m, all Y up
    np.testing.assert_allclose(first.force[0], [101.5119767, 47.44870554, 745.4661142])
    np.testing.assert_allclose(first.cop[0], [0.37898285, -0.12774652, -0.0075])
    np.testing.assert_allclose(first.free_moment[0], [0.0, 0.0, 13.53783445])
    expected_m = np.cross(first.cop[0], first.force[0]) + first.free_moment[0]
    np.testing.assert_allclose(first.moment_at_origin[0], expected_m)
    assert np.all(np.isnan(first.corners)) and first.plate_type == 0
    for plate in plates:
        assert plate.force[:, 2].max() > 700.0  # body-weight peaks, upward
        unloaded = plate.force[:, 2] < plate.cop_threshold_n
        assert unloaded.any() and np.all(np.isnan(plate.cop[unloaded]))


def test_grf_points_in_metres_detected_rajagopal() -> None:
    plates, rate = read_grf_mot(OS_DIR / "rajagopal-walk" / "grf_walk.mot")
    assert rate == pytest.approx(2000.0)
    for plate in plates:
        loaded = plate.force[:, 2] > 100.0
        assert np.nanmax(np.abs(plate.cop[loaded])) < 3.0  # metres, a walkway


def test_grf_round_trip(tmp_path: Path) -> None:
    table, _ = read_mot(G2354 / "subject01_walk1_grf.mot")
    plates = plates_from_grf(table, "grf")
    out = tmp_path / "grf.mot"
    write_mot(out, grf_table(plates, table["time"].to_numpy()), in_degrees=False)
    back, _ = read_grf_mot(out)
    for a, b in zip(plates, back, strict=True):
        np.testing.assert_allclose(b.force[np.isfinite(a.cop[:, 0])],
                                   a.force[np.isfinite(a.cop[:, 0])])
        np.testing.assert_allclose(b.cop, a.cop, equal_nan=True)
        np.testing.assert_allclose(b.free_moment, a.free_moment, equal_nan=True)


@pytest.mark.parametrize(
    "text,match",
    [
        ("", "empty"),
        ("name\nversion=1\ntime\tx\n0\t1\n", "endheader"),
        ("name\nendheader\nframe\tx\n0\t1\n", "time"),
        ("name\nendheader\ntime\tx\n0\t1\t2\n", "row 1"),
        ("name\nendheader\ntime\tx\n0\tabc\n", "not a number"),
        ("name\nnRows=3\nendheader\ntime\tx\n0\t1\n", "nRows"),
    ],
)
def test_bad_mot(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.mot"
    p.write_text(text)
    with pytest.raises(InputError, match=match) as info:
        read_mot(p)
    assert info.value.source == str(p)


def test_bad_trc(tmp_path: Path) -> None:
    lines = (G2354 / "subject01_walk1.trc").read_text().splitlines()
    cut = tmp_path / "cut.trc"
    cut.write_text("\n".join(lines[:50]) + "\n")
    with pytest.raises(InputError, match="NumFrames"):
        read_trc(cut)
    wrong_units = tmp_path / "units.trc"
    wrong_units.write_text("\n".join([lines[0], lines[1], lines[2].replace("mm", "in"),
                                      *lines[3:]]))
    with pytest.raises(InputError, match="Units"):
        read_trc(wrong_units)
    not_trc = tmp_path / "x.trc"
    not_trc.write_bytes(b"\x00\x01binary" * 100)
    with pytest.raises(InputError, match="binary"):
        read_trc(not_trc)
    grf_less = tmp_path / "nogrf.mot"
    grf_less.write_text("n\nendheader\ntime\tx\n0\t1\n0.1\t2\n")
    with pytest.raises(InputError, match="GRF"):
        read_grf_mot(grf_less)


def test_write_into_missing_folder_is_input_error(tmp_path: Path) -> None:
    table = pd.DataFrame({"time": [0.0, 0.01], "x": [1.0, 2.0]})
    with pytest.raises(InputError, match="cannot write"):
        write_mot(tmp_path / "missing" / "t.mot", table)
    with pytest.raises(InputError, match="no 'time'"):
        write_mot(tmp_path / "t.mot", table.drop(columns="time"))


def test_external_loads_name_the_foot_of_each_grf() -> None:
    from kinchain.io import grf_identifiers, read_external_loads

    bodies = read_external_loads(G2354 / "subject01_walk1_grf.xml")
    assert bodies == {"ground_force_v": "calcn_r", "1_ground_force_v": "calcn_l"}
    table, _ = read_mot(G2354 / "subject01_walk1_grf.mot")
    assert grf_identifiers(table) == ["ground_force_v", "1_ground_force_v"]
