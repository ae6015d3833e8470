"""Manifests, resume keys, partitions and failure rows, on a LocalCluster shared by the module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from distributed import Client, LocalCluster
from helpers import C3D_ORG, copies, read

from kinchain.batch import BatchSettings, load_source, run_batch
from kinchain.batch.runner import _collect
from kinchain.batch.sources import TrialSpec, discover_folder, read_manifest, with_hashes
from kinchain.errors import InputError
from kinchain.io.subject import read_subject_file


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_yaml_manifest_with_measurements(tmp_path: Path, scheduler: str) -> None:
    mp = read_subject_file(C3D_ORG / "sample_09/42798.mp")
    manifest = tmp_path / "cohort.yaml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "trials": [
                    {
                        "trial": str(C3D_ORG / "sample_09/VER4C3D.c3d"),
                        "subject_id": "S1",
                        "visit": "baseline",
                        "group": "knee OA",
                        "measurements": {
                            "mass_kg": mp.mass_kg,
                            "leg_length_m": mp.leg_length_m,
                            "knee_width_m": mp.knee_width_m,
                            "ankle_width_m": mp.ankle_width_m,
                        },
                    },
                    {
                        "trial": str(C3D_ORG / "sample_00/Walk1.c3d"),
                        "subject_id": "S2",
                        "group": "control",
                        "mass_kg": 70,
                        "leg_length_left_m": 0.9,
                    },
                ]
            }
        )
    )
    specs = read_manifest(manifest)
    assert specs[0].measurements and specs[0].measurements["knee_width_left_m"] > 0
    out = tmp_path / "out"
    summary = run_batch(specs, out, scheduler=scheduler)
    assert (summary.ok, summary.failed) == (1, 1)
    trials = read(out, "trials").set_index("subject_id")
    assert trials.loc["S1", "status"] == "ok" and trials.loc["S1", "group"] == "knee OA"
    assert trials.loc["S1", "visit"] == "baseline"
    err = read(out, "errors")
    assert err["stage"].tolist() == ["subject"]
    assert "missing leg_length_right_m" in err["message"].iloc[0]
    assert (out / "trials" / "group=knee OA").is_dir()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("trial,colour\nx.c3d,red\n", "unknown column"),
        ("trial,trial_id\na.c3d,A\nb.c3d,A\n", "appears twice"),
        ("trial,group\na.c3d,../up\n", "group"),
        ("trial,mass_kg\na.c3d,heavy\n", "not a number"),
        ("subject_id\nS1\n", "'trial' path is missing"),
    ],
)
def test_bad_manifest_rows_are_input_errors(tmp_path: Path, text: str, problem: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(InputError, match=problem):
        read_manifest(manifest)


def test_changed_group_and_parameters(tmp_path: Path, scheduler: str) -> None:
    trials = copies(tmp_path / "c", 2)
    manifest = tmp_path / "m.csv"

    def write(groups: list[str]) -> list[TrialSpec]:
        rows = ["trial,group"] + [f"{p},{g}" for p, g in zip(trials, groups, strict=True)]
        manifest.write_text("\n".join(rows) + "\n")
        return load_source(manifest)

    out = tmp_path / "out"
    assert run_batch(write(["A", "A"]), out, scheduler=scheduler).ok == 2
    second = run_batch(write(["A", "B"]), out, scheduler=scheduler)
    assert (second.ok, second.skipped) == (1, 1)
    table = read(out, "trials")
    assert sorted(table["group"].astype(str)) == ["A", "B"]
    assert len(read(out, "curves")) == 2 * 2 * 101
    third = run_batch(
        write(["A", "B"]), out, scheduler=scheduler, settings=BatchSettings(marker_cutoff_hz=6.0)
    )
    assert (third.ok, third.skipped) == (2, 0)
    assert read(out, "trials")["params_hash"].nunique() == 1


def test_task_failure_becomes_an_errors_row(tmp_path: Path, scheduler: str) -> None:
    spec = with_hashes(TrialSpec(trial_id="t1", path=str(tmp_path / "t1.c3d")))
    with Client(scheduler) as client:
        fut = client.submit(lambda: 1 / 0, retries=0, pure=False)
        result = _collect(fut, tmp_path, spec, "p")
    assert result["status"] == "error" and result["stage"] == "worker"
    err = pd.read_parquet(tmp_path / "errors")
    assert err["error_type"].tolist() == ["ZeroDivisionError"]
    assert read(tmp_path, "trials")["status"].tolist() == ["error"]


def test_folder_of_trc_trials_pairs_the_grf() -> None:
    specs = {s.trial_id: s for s in discover_folder(C3D_ORG.parent / "opensim" / "gait2354")}
    walk = specs["subject01_walk1.trc"]
    assert walk.grf is not None and walk.grf.endswith("subject01_walk1_grf.mot")
    assert specs["subject01_static.trc"].grf is None


def test_unreachable_scheduler_is_an_input_error(tmp_path: Path) -> None:
    spec = TrialSpec(trial_id="t", path=str(tmp_path / "t.c3d"))
    with pytest.raises(InputError, match="cannot connect"):
        run_batch([spec], tmp_path / "out", scheduler="tcp://127.0.0.1:1", connect_timeout_s=1.0)


def test_a_trial_or_binary_file_given_as_manifest_is_one_line(tmp_path: Path) -> None:
    trial = tmp_path / "walk.c3d"
    trial.write_bytes(b"\x02\x50\xff\xfe" * 64)
    with pytest.raises(InputError, match="a trial, not a manifest"):
        load_source(trial)
    binary = tmp_path / "cohort.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 64)
    with pytest.raises(InputError, match="not UTF-8"):
        load_source(binary)
    other = tmp_path / "cohort.txt"
    other.write_text("trial\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown manifest type"):
        load_source(other)
