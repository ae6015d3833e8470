"""A batch re-run after a trial's or a subject file's bytes changed (issue 15, item 7): that trial
is computed again and its old rows replaced (no duplicates, new hashes, new values), while the
unchanged trials are skipped (same ledger run id, files not rewritten)."""

from __future__ import annotations

import shutil
from pathlib import Path

import ezc3d
import numpy as np
import pandas as pd
from helpers import C3D_ORG, Procs, copies, kinchain_args, ledger_lines, procs_fixture, read

procs = procs_fixture
#: Every marker coordinate of the changed trial is multiplied by this (a subject 2 % larger,
#: walking the same pattern): distances and speeds scale by it, joint angles do not change.
SCALE = 1.02


def _scale_markers(path: Path, factor: float) -> None:
    """Rewrite the C3D at ``path`` with every marker coordinate multiplied by ``factor`` (ezc3d
    keeps the header, parameters, analogs and events)."""
    c3d = ezc3d.c3d(str(path))
    points = c3d["data"]["points"]
    points[:3] *= factor
    c3d["data"]["points"] = points
    c3d.write(str(path))


def _run(procs: Procs, args: list[str]) -> str:
    proc = procs.run(args, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _by_trial(out: Path) -> pd.DataFrame:
    trials = read(out, "trials")
    assert trials["trial_id"].is_unique, trials["trial_id"].tolist()
    return trials.set_index("trial_id")


def _check_no_duplicates(out: Path, n: int) -> None:
    curves = read(out, "curves")
    assert len(curves) == n * 2 * 101
    assert not curves.duplicated(["trial_id", "side", "pct"]).any()
    assert not list(out.rglob(".*.tmp"))


def _runs(out: Path) -> dict[str, str]:
    return {str(e["trial_id"]): str(e["run_id"]) for e in ledger_lines(out)}


def _mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*.parquet")}


def test_changed_trial_bytes_are_recomputed_and_others_skipped(
    tmp_path: Path, procs: Procs
) -> None:
    src = tmp_path / "cohort"
    paths = copies(src, 3)
    out = tmp_path / "out"
    args = kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report")
    _run(procs, args)
    before = _by_trial(out)
    assert (before["status"] == "ok").all()
    runs_before = _runs(out)
    files_before = _mtimes(out)

    _scale_markers(paths[1], SCALE)
    stdout = _run(procs, args)
    assert "3 trial(s): 1 ok, 0 failed, 2 skipped" in stdout, stdout

    after = _by_trial(out)
    assert len(after) == 3 and (after["status"] == "ok").all()
    _check_no_duplicates(out, 3)
    changed, same = "trial_001.c3d", ["trial_000.c3d", "trial_002.c3d"]
    assert after.loc[changed, "input_sha256"] != before.loc[changed, "input_sha256"]
    # The row is the new computation, not the old one kept: speeds and lengths scale by SCALE.
    for col in ("left_speed_m_s", "right_speed_m_s", "left_stride_length_m"):
        ratio = after.loc[changed, col] / before.loc[changed, col]
        assert abs(ratio - SCALE) < 0.002, (col, ratio)
        pd.testing.assert_series_equal(after.loc[same, col], before.loc[same, col])
    runs_after = _runs(out)
    assert runs_after[changed] != runs_before[changed]
    assert all(runs_after[t] == runs_before[t] for t in same)
    files_after = _mtimes(out)
    assert set(files_after) == set(files_before)  # replaced in place, no second set of files
    rewritten = {f for f in files_before if files_after[f] != files_before[f]}
    assert rewritten and all("trial_001" in f for f in rewritten), rewritten

    # The same bytes again: nothing to do.
    assert "3 trial(s): 0 ok, 0 failed, 3 skipped" in _run(procs, args)


def test_changed_subject_file_recomputes_its_trial(tmp_path: Path, procs: Procs) -> None:
    # Two sessions, each a real raw trial with its subject file (Vicon's one subject per folder).
    src = tmp_path / "cohort"
    for session in ("a", "b"):
        copies(src / session, 1, source=C3D_ORG / "sample_09" / "VER4C3D.c3d")
        shutil.copyfile(C3D_ORG / "sample_09" / "42798.mp", src / session / "42798.mp")
    out = tmp_path / "out"
    args = kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report")
    _run(procs, args)
    before = _by_trial(out)
    assert (before["status"] == "ok").all(), before["status"]
    curves_before = read(out, "curves").set_index(["trial_id", "side", "pct"]).sort_index()
    runs_before = _runs(out)

    mp = src / "b" / "42798.mp"
    text = mp.read_text()
    assert "$Bodymass = 66.2 " in text
    mp.write_text(text.replace("$Bodymass = 66.2 ", "$Bodymass = 79.44 "))  # 1.2 x the mass
    stdout = _run(procs, args)
    assert "2 trial(s): 1 ok, 0 failed, 1 skipped" in stdout, stdout

    after = _by_trial(out)
    assert len(after) == 2 and (after["status"] == "ok").all()
    _check_no_duplicates(out, 2)
    changed, same = "b/trial_000.c3d", "a/trial_000.c3d"
    assert after.loc[changed, "subject_sha256"] != before.loc[changed, "subject_sha256"]
    assert after.loc[changed, "input_sha256"] == before.loc[changed, "input_sha256"]
    runs_after = _runs(out)
    assert runs_after[changed] != runs_before[changed] and runs_after[same] == runs_before[same]
    # Moments per kg: the same plate forces over 1.2 x the mass. The segment masses scale with
    # body mass too, so the swing-phase share of the moment does not divide out exactly: the
    # stance-phase peak moves by close to 1/1.2, the angles not at all.
    curves = read(out, "curves").set_index(["trial_id", "side", "pct"]).sort_index()
    new, old = curves.loc[changed], curves_before.loc[changed]
    angles = [c for c in curves.columns if c.endswith("Angles_X")]
    assert angles
    np.testing.assert_allclose(new[angles].to_numpy(), old[angles].to_numpy(), atol=1e-9)
    moment = next(c for c in curves.columns if c.startswith("AnkleMoment") and c.endswith("_X"))
    peak_ratio = np.nanmax(np.abs(new[moment])) / np.nanmax(np.abs(old[moment]))
    assert abs(peak_ratio - 1 / 1.2) < 0.03, peak_ratio
    pd.testing.assert_frame_equal(curves.loc[same], curves_before.loc[same])
