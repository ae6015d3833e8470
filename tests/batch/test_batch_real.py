"""The batch on every real trial of ../shared/data/c3d-org: the trials with subject measurements
are analysed, every other one ends in the errors table with a clear message, and nothing stops
the batch."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.dataset as ds
from helpers import C3D_ORG, Procs, kinchain_args, procs_fixture, read

from kinchain.batch.schema import SCHEMAS
from kinchain.batch.sources import discover_folder

ALL_C3D = sorted(p for p in C3D_ORG.rglob("*") if p.suffix.lower() == ".c3d")
procs = procs_fixture
EXPECTED_OK = {
    "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d",
    "sample_09/VER4C3D.c3d",
    "sample_32/vicon_zerowire.c3d",
}


def test_folder_discovery_pairs_the_subject_file() -> None:
    specs = {s.trial_id: s for s in discover_folder(C3D_ORG)}
    assert len(specs) == len(ALL_C3D) >= 21
    ver4 = specs["sample_09/VER4C3D.c3d"]
    assert ver4.subject_file is not None and ver4.subject_file.endswith("42798.mp")
    assert ver4.subject_id == "42798"
    assert specs["sample_00/Walk1.c3d"].subject_file is None


def test_all_real_trials(tmp_path: Path, procs: Procs) -> None:
    # A manifest: every real .c3d, VER4C3D paired with its .mp, grouped by the sample folder
    # (Vicon files vs the rest) to exercise the partitions.
    manifest = tmp_path / "cohort.csv"
    with open(manifest, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["trial", "trial_id", "subject_file", "subject_id", "visit", "group"])
        for p in ALL_C3D:
            rel = p.relative_to(C3D_ORG).as_posix()
            subject = str(C3D_ORG / "sample_09/42798.mp") if p.name == "VER4C3D.c3d" else ""
            group = "vicon" if p.parent.name in ("sample_00", "sample_09") else "other"
            w.writerow([str(p), rel, subject, p.parent.name, "v1", group])
    out = tmp_path / "out"
    proc = procs.run(kinchain_args("batch", str(manifest), "--out", str(out), "--workers", "2"))
    assert proc.returncode == 0, proc.stderr[-3000:]

    trials = read(out, "trials")
    assert len(trials) == len(ALL_C3D)
    assert trials["trial_id"].is_unique
    ok = set(trials.loc[trials["status"] == "ok", "trial_id"])
    assert EXPECTED_OK <= ok
    assert set(trials["group"].astype(str)) == {"vicon", "other"}
    assert (trials["kinchain_version"] != "").all()
    assert trials["input_sha256"].str.len().eq(64).all()
    assert trials["params_hash"].nunique() == 1
    good = trials[trials["status"] == "ok"]
    assert good["left_speed_m_s"].between(0.5, 2.5).all()
    assert good["gps_overall_deg"].notna().all()
    assert good["finding_stiff_knee_left_fired"].notna().all()

    errors = read(out, "errors")
    failed = set(trials.loc[trials["status"] == "error", "trial_id"])
    assert set(errors["trial_id"]) == failed
    assert failed | ok == set(trials["trial_id"])
    for row in errors.itertuples():
        assert row.message.startswith(row.path), row.message  # names the file
        assert row.stage in {"subject", "read", "process", "analyze"}, row.stage
        assert row.error_type == "InputError", row.message
    msg = errors.set_index("trial_id")["message"]
    assert "no subject measurements" in msg["sample_00/Walk1.c3d"]
    # evart's plates 1-2 cannot be read (6 channels for type 3): since issue 10 that no longer
    # stops the trial; what does is that the file has no subject measurements.
    assert "no subject measurements" in msg["sample_11/evart.c3d"]

    curves = read(out, "curves")
    assert len(curves) == len(ok) * 2 * 101
    assert not curves.duplicated(["trial_id", "side", "pct"]).any()
    knee = curves[(curves["trial_id"] == "sample_09/VER4C3D.c3d") & (curves["side"] == "left")]
    assert 45 < knee["KneeAngles_X"].max() < 75  # peak swing knee flexion, deg

    # Every file has the table's schema, so pyarrow reads a folder as one table.
    for table, schema in SCHEMAS.items():
        if table == "whatif":  # written only with --whatif (tests/batch/test_batch_whatif.py)
            assert not (out / table).exists()
            continue
        dataset = ds.dataset(out / table, format="parquet", partitioning="hive")
        for frag in dataset.get_fragments():
            assert frag.physical_schema.equals(schema, check_metadata=False), frag.path

    report = (out / "cohort.html").read_text(encoding="utf-8")
    assert report.count("data:image/png;base64,") == 3
    assert "no subject measurements" in report
    assert "Walk1.c3d" in report
