"""Export to OpenSim: per-foot GRF table, ExternalLoads XML, and OpenSim's own inverse dynamics
run on what ``kinchain export`` writes for c3d.org sample_00 (issue 16, item 8)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kinchain.cli.export import prepare_export, write_export
from kinchain.errors import InputError
from kinchain.io.load import load_trial
from kinchain.io.opensim import (
    contact_samples,
    grf_per_foot_table,
    plates_from_grf,
    read_external_loads,
    read_mot,
    to_opensim,
    write_external_loads_xml,
    write_mot,
)
from kinchain.io.trial import ForcePlate, Trial
from shared_paths import shared_data

SAMPLE_00 = shared_data() / "c3d-org" / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
GAIT2354 = shared_data() / "opensim" / "gait2354"
RAJAGOPAL = shared_data() / "opensim" / "rajagopal-walk"
G = 9.80665


def _opensim() -> Any:
    """The opensim module (skip without it), logging errors only and to no ``opensim.log``
    file in the working directory."""
    osim = pytest.importorskip("opensim")
    osim.Logger.removeFileSink()
    osim.Logger.setLevelString("error")
    return osim


def _plate(n: int, index: int, force: np.ndarray, cop: np.ndarray, free: np.ndarray) -> ForcePlate:
    return ForcePlate(
        force=force,
        moment_at_origin=np.zeros((n, 3)),
        cop=cop,
        free_moment=free,
        corners=np.full((4, 3), np.nan),
        plate_type=2,
        index=index,
    )


# ------------------------------------------------------------------------- synthetic, exact


def test_contact_samples_are_the_centred_windows_resample_to_points_averages() -> None:
    # r = 10: frame i averages samples [10 i - 5, 10 i + 5); frames 2..4 -> [15, 45).
    assert contact_samples(2, 4, 1000.0, 100.0, 1000) == (15, 45)
    assert contact_samples(0, 0, 1000.0, 100.0, 1000) == (0, 5)  # clipped at the start
    assert contact_samples(98, 99, 1000.0, 100.0, 990) == (975, 990)  # and at the end
    assert contact_samples(3, 3, 100.0, 100.0, 10) == (3, 4)  # r = 1: the frame itself
    with pytest.raises(ValueError, match="integer multiple"):
        contact_samples(0, 1, 1000.0, 60.0, 100)
    with pytest.raises(ValueError, match="reversed"):
        contact_samples(5, 4, 1000.0, 100.0, 100)


def test_grf_per_foot_table_puts_each_window_on_its_foot_in_opensim_frame() -> None:
    n = 12
    f0 = np.tile([10.0, 20.0, 700.0], (n, 1))  # lab Z up
    c0 = np.tile([0.5, 0.25, 0.0], (n, 1))
    t0 = np.tile([0.0, 0.0, 3.0], (n, 1))
    c0[4] = np.nan  # COP undefined (below its threshold) at sample 4
    f1 = np.tile([-5.0, 1.0, 600.0], (n, 1))
    c1 = np.tile([1.5, -0.25, 0.01], (n, 1))
    t1 = np.tile([0.0, 0.0, -2.0], (n, 1))
    plates = [_plate(n, 0, f0, c0, t0), _plate(n, 1, f1, c1, t1)]
    table = grf_per_foot_table(
        plates, {"left": [(0, 2, 6)], "right": [(1, 0, 3), (1, 8, 12)]}, 100.0
    )
    assert list(table.columns[:4]) == [
        "time",
        "l_ground_force_vx",
        "l_ground_force_vy",
        "l_ground_force_vz",
    ]
    assert table.shape == (n, 1 + 2 * 9)
    np.testing.assert_allclose(table["time"], np.arange(n) / 100.0)
    left = table[["l_ground_force_vx", "l_ground_force_vy", "l_ground_force_vz"]].to_numpy()
    # OpenSim (x, y, z) = (x_k, z_k, -y_k): lab (10, 20, 700) -> (10, 700, -20).
    for k in (2, 3, 5):
        np.testing.assert_allclose(left[k], [10.0, 700.0, -20.0])
    for k in (0, 1, 4, 6, 7, 11):  # outside the window, or COP undefined: no load at all
        np.testing.assert_array_equal(left[k], 0.0)
    lp = table[["l_ground_force_px", "l_ground_force_py", "l_ground_force_pz"]].to_numpy()
    np.testing.assert_allclose(lp[3], [0.5, 0.0, -0.25])
    np.testing.assert_array_equal(lp[4], 0.0)
    lt = table[["l_ground_torque_x", "l_ground_torque_y", "l_ground_torque_z"]].to_numpy()
    np.testing.assert_allclose(lt[3], [0.0, 3.0, 0.0])  # a vertical free moment stays vertical
    right = table[["r_ground_force_vx", "r_ground_force_vy", "r_ground_force_vz"]].to_numpy()
    assert np.all(right[[0, 1, 2, 8, 9, 10, 11], 1] == 600.0)
    assert np.all(right[3:8] == 0.0)


def test_grf_per_foot_table_reads_back_as_two_feet(tmp_path: Path) -> None:
    n = 6
    f = np.tile([1.0, 2.0, 500.0], (n, 1))
    c = np.tile([0.1, 0.2, 0.0], (n, 1))
    z = np.zeros((n, 3))
    table = grf_per_foot_table([_plate(n, 0, f, c, z)], {"right": [(0, 1, 5)]}, 50.0)
    write_mot(tmp_path / "grf.mot", table, in_degrees=False)
    back, _ = read_mot(tmp_path / "grf.mot")
    plates = plates_from_grf(back, "grf.mot", length_unit="m")
    assert len(plates) == 2  # l_ then r_, in column order
    np.testing.assert_allclose(plates[1].force[1:5], f[1:5])
    np.testing.assert_allclose(plates[1].cop[1:5], c[1:5])
    np.testing.assert_array_equal(plates[0].force, 0.0)


def test_grf_per_foot_table_refuses_one_foot_on_two_plates_at_once() -> None:
    n = 6
    p = [_plate(n, i, np.ones((n, 3)), np.zeros((n, 3)), np.zeros((n, 3))) for i in (0, 1)]
    with pytest.raises(ValueError, match="overlaps"):
        grf_per_foot_table(p, {"left": [(0, 0, 3), (1, 2, 5)]}, 100.0)
    with pytest.raises(ValueError, match="no plate with index 7"):
        grf_per_foot_table(p, {"left": [(7, 0, 3)]}, 100.0)
    with pytest.raises(ValueError, match="outside the record"):
        grf_per_foot_table(p, {"right": [(0, 4, 9)]}, 100.0)


def test_external_loads_xml_names_the_bodies_and_the_relative_data_file(tmp_path: Path) -> None:
    path = tmp_path / "loads.xml"
    write_external_loads_xml(path, "trial_grf.mot", {"left": "foot_l", "right": "foot_r"})
    assert read_external_loads(path) == {"l_ground_force_v": "foot_l", "r_ground_force_v": "foot_r"}
    text = path.read_text()
    assert "<datafile>trial_grf.mot</datafile>" in text
    assert text.count("<force_expressed_in_body>ground</force_expressed_in_body>") == 2
    assert text.count("<point_expressed_in_body>ground</point_expressed_in_body>") == 2
    with pytest.raises(InputError, match="left body"):
        write_external_loads_xml(tmp_path / "bad.xml", "x.mot", {"left": "calcn l"})
    assert not (tmp_path / "bad.xml").exists()


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    """A defect fixed: the files were created by mkstemp with mode 0600."""
    old = os.umask(0o022)
    try:
        write_external_loads_xml(tmp_path / "loads.xml", "x.mot")
        write_mot(tmp_path / "x.mot", pd.DataFrame({"time": [0.0, 0.01]}))
    finally:
        os.umask(old)
    for name in ("loads.xml", "x.mot"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loads.xml", "x.mot"]


# ------------------------------------------------------------------------ real data, OpenSim

needs_sample = pytest.mark.skipif(
    not SAMPLE_00.is_file() or not GAIT2354.is_dir(), reason="shared data not available"
)


@pytest.fixture(scope="module")
def sample00_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], object]:
    trial = load_trial(SAMPLE_00)
    export = prepare_export(trial)
    out = tmp_path_factory.mktemp("export")
    # the file name has spaces, as many C3D names do; OpenSim must cope with them
    return write_export(export, SAMPLE_00.stem, out), (trial, export)


@needs_sample
def test_sample00_grf_per_foot_sums_to_the_plate_force(sample00_export: tuple) -> None:
    files, (trial, export) = sample00_export
    table, _ = read_mot(files["grf"])
    plate = trial.plates[0]
    assert len(trial.plates) == 1 and table.shape[0] == plate.force.shape[0]
    assert export.foot_points == "CGM1 model"  # the PROCESSING group has the measurements
    used = [c for c in export.contacts if c.used]
    # The same single contact kinchain process uses: plate 1, left foot.
    assert [(c.plate, c.side) for c in used] == [(0, "left")]
    total = np.sum(
        [table[[f"{s}_ground_force_v{a}" for a in "xyz"]].to_numpy() for s in "lr"], axis=0
    )
    expected = to_opensim(plate.force)
    loaded = np.any(total != 0.0, axis=1)
    np.testing.assert_allclose(total[loaded], expected[loaded], atol=1e-6)  # N, every sample
    # Where nothing is exported the plate is below the 20 N contact threshold on the frame
    # average; single samples at the edges reach 28.5 N.
    assert np.nanmax(np.abs(expected[~loaded, 1])) < 40.0
    np.testing.assert_array_equal(table[[f"r_ground_force_v{a}" for a in "xyz"]], 0.0)
    # The COP is where the plate measured it, in m, Y up (the floor at y = 0).
    cop = table[[f"l_ground_force_p{a}" for a in "xyz"]].to_numpy()[loaded]
    np.testing.assert_allclose(cop, to_opensim(plate.cop)[loaded], atol=1e-9)
    assert np.all(np.abs(cop[:, 1]) < 0.01)
    # Vertical GRF over body weight: plausible for walking (measured: peak 1.36, mean 0.86).
    bw = trial.subject.mass_kg * G
    peak = float(total[:, 1].max()) / bw
    assert 1.0 < peak < 1.6, peak
    assert 0.6 < float(total[loaded, 1].mean()) / bw < 1.0
    assert float(total[:, 1].min()) >= 0.0


@needs_sample
def test_sample00_trc_loads_in_opensim_with_markers_rate_and_units(sample00_export: tuple) -> None:
    osim = _opensim()
    files, (trial, _) = sample00_export
    table = osim.TimeSeriesTableVec3(str(files["trc"]))
    assert table.getNumColumns() == len(trial.markers) == 64
    assert table.getNumRows() == trial.n_frames == 493
    assert float(table.getTableMetaDataAsString("DataRate")) == 100.0
    assert table.getTableMetaDataAsString("Units") == "mm"
    labels = list(table.getColumnLabels())
    assert labels[:4] == list(trial.markers)[:4]
    col = table.getDependentColumn("LASI")
    k = 100
    v = col[k]
    lasi = trial.markers["LASI"][k] * 1000.0  # mm, lab Z up
    np.testing.assert_allclose([v[0], v[1], v[2]], [lasi[0], lasi[2], -lasi[1]], atol=1e-3)
    assert abs(table.getIndependentColumn()[k] - k / 100.0) < 1e-9


def _zero_coordinates(osim: object, model_path: Path, path: Path, times: np.ndarray) -> None:
    model = osim.Model(str(model_path))  # type: ignore[attr-defined]
    coords = model.getCoordinateSet()
    names = [coords.get(i).getName() for i in range(coords.getSize())]
    table = pd.DataFrame({"time": times} | {n: np.zeros(times.size) for n in names})
    write_mot(path, table, name="Coordinates", in_degrees=True)


@needs_sample
def test_opensim_inverse_dynamics_applies_the_exported_loads(
    sample00_export: tuple, tmp_path: Path
) -> None:
    """OpenSim 4.6 reads the ExternalLoads XML and its relative data file, and its inverse
    dynamics of the gait2354 model (all coordinates 0, so the pelvis joint sits at the ground
    origin with its axes along ground's) changes by exactly the exported loads: pelvis
    translation forces by -sum(F), pelvis rotation moments by -sum(p x F + T) about the origin.
    """
    osim = _opensim()
    files, (trial, export) = sample00_export
    loads = osim.ExternalLoads(str(files["loads"]), True)
    assert loads.getSize() == 2
    assert sorted(loads.get(i).get_applied_to_body() for i in range(2)) == ["calcn_l", "calcn_r"]
    model_path = GAIT2354 / "subject01_simbody.osim"
    contact = next(c for c in export.contacts if c.used)
    times = np.arange(contact.start - 10, contact.end + 11) / trial.point_rate
    coords = tmp_path / "zeros.mot"
    _zero_coordinates(osim, model_path, coords, times)

    def run(with_loads: bool) -> pd.DataFrame:
        tool = osim.InverseDynamicsTool()
        tool.setModelFileName(str(model_path))
        tool.setCoordinatesFileName(str(coords))
        if with_loads:
            tool.setExternalLoadsFileName(str(files["loads"]))
        tool.setLowpassCutoffFrequency(-1.0)
        tool.setStartTime(float(times[0]))
        tool.setEndTime(float(times[-1]))
        excluded = osim.ArrayStr()
        excluded.append("Muscles")
        tool.setExcludedForces(excluded)
        out = tmp_path / ("with" if with_loads else "without")
        tool.setResultsDir(str(out))
        tool.setOutputGenForceFileName("id.sto")
        assert tool.run()
        return read_mot(out / "id.sto")[0]

    diff = run(True).set_index("time") - run(False).set_index("time")
    grf, _ = read_mot(files["grf"])
    at = np.rint(diff.index.to_numpy() * export.grf_rate).astype(int)
    force = np.zeros((at.size, 3))
    moment = np.zeros((at.size, 3))
    for s in ("l", "r"):
        f = grf[[f"{s}_ground_force_v{a}" for a in "xyz"]].to_numpy()[at]
        p = grf[[f"{s}_ground_force_p{a}" for a in "xyz"]].to_numpy()[at]
        t = grf[[f"{s}_ground_torque_{a}" for a in "xyz"]].to_numpy()[at]
        force += f
        moment += np.cross(p, f) + t
    assert np.abs(force[:, 1]).max() > 500.0  # the window holds the stance
    got_f = diff[["pelvis_tx_force", "pelvis_ty_force", "pelvis_tz_force"]].to_numpy()
    np.testing.assert_allclose(got_f, -force, atol=1e-3)
    # pelvis tilt about Z, list about X, rotation about Y (gait2354's pelvis joint)
    got_m = diff[["pelvis_list_moment", "pelvis_rotation_moment", "pelvis_tilt_moment"]]
    np.testing.assert_allclose(got_m.to_numpy(), -moment, atol=1e-3)


@pytest.mark.skipif(not RAJAGOPAL.is_dir(), reason="shared data not available")
def test_trc_and_grf_input_gives_each_foot_its_own_force(tmp_path: Path) -> None:
    """The Rajagopal GRF file is already per foot (ground_force_r_*, ground_force_l_*): reading it
    as plates and assigning them from the markers must give every exported sample back to the
    foot the file says, at the file's value."""
    from kinchain.model.marker_map import apply_marker_map, load_marker_map

    trial = load_trial(RAJAGOPAL / "motion_capture_walk.trc", grf_path=RAJAGOPAL / "grf_walk.mot")
    trial = apply_marker_map(trial, load_marker_map("opensim-rajagopal"))
    export = prepare_export(trial)
    assert export.grf is not None and export.foot_points == "markers"
    original, _ = read_mot(RAJAGOPAL / "grf_walk.mot")
    sides = read_external_loads(RAJAGOPAL / "grf_walk.xml")
    exported_any = False
    for ident, body in sides.items():
        s = "l" if body.endswith("_l") else "r"
        mine = export.grf[[f"{s}_ground_force_v{a}" for a in "xyz"]].to_numpy()
        theirs = original[[f"{ident}{a}" for a in "xyz"]].to_numpy()
        on = np.any(mine != 0.0, axis=1)
        exported_any |= bool(on.any())
        np.testing.assert_allclose(mine[on], theirs[on], rtol=1e-9, atol=1e-6)
    assert exported_any
    # every contact the file has is found; those not exported say why
    assert {c.side for c in export.contacts if c.used} == {"left", "right"}


# ------------------------------------------------------------------------ --walk-along-x


def test_turn_about_vertical_is_a_rigid_turn_of_markers_and_plates() -> None:
    from kinchain.cli.export import turn_about_vertical, walking_axis

    n = 50
    walk = np.column_stack([np.zeros(n), -np.linspace(0.0, 2.0, n), np.full(n, 0.9)])  # along -Y
    plate = _plate(
        n,
        0,
        np.tile([3.0, 4.0, 700.0], (n, 1)),
        np.tile([1.0, 2.0, 0.0], (n, 1)),
        np.tile([0.0, 0.0, 5.0], (n, 1)),
    )
    trial = Trial(
        path="t.c3d",
        markers={"A": walk, "B": walk + np.array([0.1, 0.0, 0.0])},
        point_rate=100.0,
        first_frame=1,
        plates=(plate,),
    )
    np.testing.assert_array_equal(walking_axis(trial.markers), [0.0, -1.0, 0.0])
    turned = turn_about_vertical(trial, 90.0)  # counter-clockwise: -Y -> +X, +X -> +Y
    np.testing.assert_allclose(turned.markers["A"][-1], [2.0, 0.0, 0.9], atol=1e-12)
    np.testing.assert_allclose(turned.markers["B"][0], [0.0, 0.1, 0.9], atol=1e-12)
    np.testing.assert_allclose(turned.plates[0].force[0], [-4.0, 3.0, 700.0], atol=1e-12)
    np.testing.assert_allclose(turned.plates[0].cop[0], [-2.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(turned.plates[0].free_moment[0], [0.0, 0.0, 5.0], atol=1e-12)
    np.testing.assert_array_equal(walking_axis(turned.markers), [1.0, 0.0, 0.0])
    still = {"A": np.tile([0.0, 0.0, 1.0], (n, 1))}
    assert walking_axis(still) is None  # standing: no walking direction


@needs_sample
def test_sample00_walk_along_x_turns_the_walk_and_keeps_the_loads(sample00_export: tuple) -> None:
    _, (trial, plain) = sample00_export
    assert plain.walk_direction == "+Z" and plain.turned_deg == 0.0  # lab -Y is OpenSim +Z
    turned = prepare_export(trial, walk_along_x=True)
    assert turned.turned_deg == 90.0 and turned.walk_direction == "+X"
    assert [(c.plate, c.side, c.start, c.end, c.used) for c in turned.contacts] == [
        (c.plate, c.side, c.start, c.end, c.used) for c in plain.contacts
    ]
    assert plain.grf is not None and turned.grf is not None
    f0 = plain.grf[[f"l_ground_force_v{a}" for a in "xyz"]].to_numpy()
    f1 = turned.grf[[f"l_ground_force_v{a}" for a in "xyz"]].to_numpy()
    # OpenSim frame: the turn about Y takes +Z (the old walking direction) to +X.
    np.testing.assert_allclose(f1[:, 0], f0[:, 2], atol=1e-9)
    np.testing.assert_allclose(f1[:, 1], f0[:, 1], atol=1e-9)
    np.testing.assert_allclose(f1[:, 2], -f0[:, 0], atol=1e-9)
    lasi = to_opensim(turned.markers["LASI"])
    ok = np.isfinite(lasi).all(axis=1)
    assert lasi[ok][-1, 0] - lasi[ok][0, 0] > 5.0  # m, walked along +X


def _standing_trial(first_loaded_frame: int) -> Trial:
    """Left foot standing on a 0.6 x 0.4 m plate, right foot 2 m away; 100 frames at 100 Hz,
    plate at 1000 Hz loaded with 700 N from ``first_loaded_frame`` to frame 60."""
    n, r = 100, 10
    still = {
        "LHEE": [0.2, 0.2, 0.05],
        "LTOE": [0.4, 0.2, 0.05],
        "LANK": [0.25, 0.25, 0.1],
        "RHEE": [2.2, 0.2, 0.05],
        "RTOE": [2.4, 0.2, 0.05],
        "RANK": [2.25, 0.25, 0.1],
    }
    markers = {k: np.tile(v, (n, 1)).astype(float) for k, v in still.items()}
    loaded = np.zeros(n * r, dtype=bool)
    loaded[max(first_loaded_frame * r - r // 2, 0) : 61 * r - r // 2] = True
    force = np.where(loaded[:, None], [5.0, -3.0, 700.0], 0.0)
    cop = np.where(loaded[:, None], [0.3, 0.2, 0.0], np.nan)
    free = np.where(loaded[:, None], [0.0, 0.0, 1.5], np.nan)
    corners = np.array([[0.6, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.4, 0.0], [0.6, 0.4, 0.0]])
    plate = ForcePlate(force, np.zeros((n * r, 3)), cop, free, corners, 2, 0)
    return Trial(
        path="standing.c3d",
        markers=markers,
        point_rate=100.0,
        first_frame=1,
        plates=(plate,),
        analog_rate=1000.0,
    )


def test_feet_from_markers_when_there_are_no_measurements() -> None:
    export = prepare_export(_standing_trial(20))
    assert export.foot_points == "markers" and export.grf is not None
    assert [(c.side, c.start, c.end, c.used) for c in export.contacts] == [("left", 20, 60, True)]
    fy = export.grf["l_ground_force_vy"].to_numpy()
    lo, hi = contact_samples(20, 60, 1000.0, 100.0, 1000)
    assert (lo, hi) == (195, 605)
    np.testing.assert_array_equal(fy[lo:hi], 700.0)  # every loaded sample, exactly
    assert not fy[:lo].any() and not fy[hi:].any()
    np.testing.assert_array_equal(export.grf["l_ground_torque_y"].to_numpy()[lo:hi], 1.5)
    assert not export.grf[[c for c in export.grf.columns if c.startswith("r_")]].to_numpy().any()


def test_no_clean_contact_means_no_grf_with_the_reason() -> None:
    export = prepare_export(_standing_trial(0))
    assert export.grf is None
    assert export.no_grf_reason == (
        "no clean single-foot plate contact (plate 1: cut at trial start)"
    )


def test_no_grf_reason_names_plates_whose_forces_could_not_be_read() -> None:
    from dataclasses import dataclass, replace

    @dataclass(frozen=True)
    class Unreadable(ForcePlate):  # as io.forceplates describes a plate it cannot read
        problem: str = ""

    trial = _standing_trial(0)
    n = trial.plates[0].force.shape[0]
    nan = np.full((n, 3), np.nan)
    broken = Unreadable(nan, nan, nan, nan, trial.plates[0].corners, 2, 1, problem="no channels")
    export = prepare_export(replace(trial, plates=(trial.plates[0], broken)))
    assert export.grf is None
    assert export.no_grf_reason == (
        "no clean single-foot plate contact (plate 1: cut at trial start; plate 2: no channels)"
    )
