"""The docs say what the code does (issue 16).

- Every ``kinchain`` command line shown in README.md and docs/*.md names a command that exists
  and only options that command takes.
- The blocks marked as run by this file are run as written (from the checkout, with ``--out``
  moved into a temporary folder) and must succeed; on the healthy trials the README names, no
  kinetic-chain finding may fire, as the README says.
- The worked clinical example's input, run with the command shown, prints the output shown.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer

from cli_run import run
from kinchain.cli.main import app
from shared_paths import shared_data

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN_MARK = "<!-- The commands of this block are run by tests/docs/test_doc_commands.py. -->"
_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)


def _blocks(text: str) -> list[tuple[int, str, str]]:
    """(offset, language, body) of every fenced block."""
    return [(m.start(), m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def _commands(body: str) -> list[str]:
    """The ``kinchain ...`` command lines of a shell block, continuation lines joined and
    trailing comments removed."""
    joined = re.sub(r"\\\n\s*", " ", body)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line.startswith("kinchain "):
            continue
        out.append(re.sub(r"\s+#.*$", "", line))
    return out


def _documented() -> list[tuple[str, str]]:
    """(file name, command line) of every command shown in a shell block of the docs."""
    found = []
    for doc in DOCS:
        for _, lang, body in _blocks(doc.read_text(encoding="utf-8")):
            if lang in ("sh", "bash", "console", ""):
                found += [(doc.name, c) for c in _commands(body)]
    return found


def _marked() -> list[str]:
    """The commands of the blocks marked as run by this file (README.md)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    out = []
    for start, _, body in _blocks(text):
        if text[:start].rstrip().endswith(RUN_MARK):
            out += _commands(body)
    return out


def _click_command(name: str) -> Any:
    group: Any = typer.main.get_command(app)
    ctx = group.context_class(group)
    cmd = group.get_command(ctx, name)
    assert cmd is not None, f"no command {name!r}"
    return cmd


def test_the_docs_show_commands() -> None:
    shown = {c.split()[1] for _, c in _documented()}
    assert {"process", "analyze", "assess", "batch", "fhir", "serve"} <= shown
    assert len(_marked()) >= 4


@pytest.mark.parametrize(("doc", "line"), _documented(), ids=lambda v: str(v)[:60])
def test_documented_options_exist(doc: str, line: str) -> None:
    # Optional parts in brackets and alternatives (A|B) are the docs' notation, not shell.
    tokens = shlex.split(line.replace("[", " ").replace("]", " "))
    cmd = _click_command(tokens[1])
    names = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    used = {t.split("=", 1)[0] for t in tokens[2:] if t.startswith("-")}
    unknown = sorted(used - names)
    assert not unknown, f"{doc}: `{line}` uses {unknown}, which `kinchain {tokens[1]}` lacks"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    return run(*args, cwd=cwd, env=env, timeout=600)


def test_readme_commands_on_the_shared_trials_run(tmp_path: Path) -> None:
    assert shared_data().is_dir()
    commands = _marked()
    for line in commands:
        args = shlex.split(line)[1:]
        at = args.index("--out")
        target = tmp_path / Path(args[at + 1]).name
        args[at + 1] = str(target)
        proc = _run(args, REPO)
        assert proc.returncode == 0, f"`{line}` failed:\n{proc.stdout}\n{proc.stderr}"
        if args[0] == "analyze":
            analysis = json.loads((target / "analysis.json").read_text(encoding="utf-8"))
            assert "report.html" in proc.stdout
            fired = [f["name"] for f in analysis["findings"] if f.get("fired")]
            # The README: no finding fires on the healthy trials sample_00 and sample_03.
            if "sample_00" in line or "sample_03" in line:
                assert fired == [], (line, fired)
        if args[0] == "batch":
            assert re.search(r"3 trial\(s\): 3 ok, 0 failed", proc.stdout), proc.stdout


def test_worked_clinical_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Worked example, end to end") :]
    blocks = _blocks(section)
    intake = next(body for _, lang, body in blocks if lang == "json")
    shown = next(body for _, lang, body in blocks if lang == "")
    command = re.search(r"`(kinchain assess intake\.json[^`]*)`:", section)
    assert command is not None
    (tmp_path / "intake.json").write_text(intake, encoding="utf-8")
    proc = _run(shlex.split(command.group(1))[1:], tmp_path)
    assert proc.returncode == 0, proc.stderr

    def norm(s: str) -> list[str]:
        return [" ".join(line.split()) for line in s.splitlines() if line.strip()]

    got = norm(proc.stdout)
    want = norm(shown)
    # What the README shows is the start of the real output, line for line.
    assert got[: len(want)] == want
