"""``kinchain batch --whatif``: each trial's simulation runs on the Dask workers and its
comparison lands in the ``whatif`` table; a simulation that fails is an ``errors`` row (stage
``whatif``) while the trial's analysis stands; the restrictions are part of the resume key.

The workers here are threads of this process (``processes=False``), so a simulation with known
curves (tests/whatif_fake.py) stands in for the solver, which takes minutes (tests/sim solves
for real)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from distributed import LocalCluster
from helpers import copies, read

import kinchain.sim
from kinchain.batch import BatchSettings, load_source, run_batch
from kinchain.batch.schema import SCHEMAS
from kinchain.errors import ProcessingError
from whatif_fake import stiff_knee_whatif

SPEC = ("knee_flexion_max=20@left",)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_the_comparison_of_each_trial_is_a_table(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []

    def fake(source: object, scenarios: object, **kw: object) -> object:
        calls.append({"scenarios": scenarios, **kw})
        return stiff_knee_whatif()

    monkeypatch.setattr(kinchain.sim, "whatif", fake)
    copies(tmp_path / "in", 2)
    out = tmp_path / "out"
    settings = BatchSettings(
        whatif=SPEC, whatif_coarse=True, whatif_time_limit_s=60.0, whatif_compensation=0.1
    )
    summary = run_batch(load_source(tmp_path / "in"), out, settings=settings, scheduler=scheduler)
    assert (summary.ok, summary.failed) == (2, 0)
    assert len(calls) == 2 and all(c["side"] == "left" for c in calls)
    assert all(c["settings"].time_limit_s == 60.0 for c in calls)  # type: ignore[attr-defined]
    assert all(c["settings"].compensation_weight == 0.1 for c in calls)  # type: ignore[attr-defined]
    table = read(out, "whatif")
    assert sorted(set(table["trial_id"])) == ["trial_000.c3d", "trial_001.c3d"]
    ankle = table[(table["side"] == "left") & (table["measure"] == "ankle reaction")]
    # the fake's left ankle reaction peaks at 5.0 and 6.0 body weights
    assert ankle["baseline_peak"].tolist() == pytest.approx([5.0, 5.0])
    assert ankle["peak_change_pct"].tolist() == pytest.approx([20.0, 20.0])
    assert set(table["scenario"]) == {"knee_flexion_max=20@left"}
    assert set(table["baseline_iterations"]) == {412}
    assert read(out, "trials")["status"].tolist() == ["ok", "ok"]
    for frag in ds.dataset(out / "whatif", format="parquet", partitioning="hive").get_fragments():
        assert frag.physical_schema.equals(SCHEMAS["whatif"], check_metadata=False), frag.path


def test_a_failed_simulation_leaves_the_analysis_and_is_an_error_row(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_: object, **__: object) -> object:
        raise ProcessingError("simulation 'baseline' did not converge (Maximum_Iterations)")

    monkeypatch.setattr(kinchain.sim, "whatif", fails)
    copies(tmp_path / "in", 1)
    out = tmp_path / "out"
    summary = run_batch(
        load_source(tmp_path / "in"), out, settings=BatchSettings(whatif=SPEC), scheduler=scheduler
    )
    assert (summary.ok, summary.failed) == (0, 1)
    assert read(out, "trials")["status"].tolist() == ["ok"]
    assert len(read(out, "curves")) > 0
    errors = pd.read_parquet(out / "errors")
    assert errors["stage"].tolist() == ["whatif"]
    assert "did not converge" in errors["message"][0]
    assert not (out / "whatif").exists() or read(out, "whatif").empty


def test_the_restrictions_are_part_of_the_resume_key() -> None:
    plain = BatchSettings()
    assert "whatif" not in plain.as_dict()  # earlier runs without it still resume
    a = BatchSettings(whatif=SPEC).params_hash()
    b = BatchSettings(whatif=("knee_flexion_max=30@left",)).params_hash()
    c = BatchSettings(whatif=SPEC, whatif_compensation=0.1).params_hash()
    assert len({plain.params_hash(), a, b, c}) == 4
    # the default compensation is not listed: runs from before the option still resume
    assert "compensation" not in BatchSettings(whatif=SPEC).as_dict()["whatif"]
