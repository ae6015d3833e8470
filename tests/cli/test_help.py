"""``kinchain --help`` and every subcommand's ``--help`` fit 80 columns, whole (issue 16)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kinchain.cli.main import app, first_sentence

WIDTH = 80
# Typer ships its own Click, so the commands and options are read by attribute, not by class.
ROOT: Any = typer.main.get_command(app)
COMMANDS = sorted(ROOT.commands)


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.output


def _option_names(command: Any) -> list[str]:
    return [
        name
        for param in command.params
        if param.param_type_name == "option"
        for name in (*param.opts, *param.secondary_opts)
    ]


@pytest.mark.parametrize("args", [(), *[(name,) for name in COMMANDS]], ids=lambda a: " ".join(a))
def test_help_fits_80_columns_with_whole_option_names(args: tuple[str, ...]) -> None:
    out = _help(*args)
    for line in out.splitlines():
        assert len(line) <= WIDTH, f"{len(line)} columns: {line!r}"
    assert "…" not in out
    assert "<bool>" not in out
    command = ROOT.commands[args[0]] if args else ROOT
    for name in [*_option_names(command), "--help"]:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", out), f"{name} cut or absent"


def test_plain_flags_show_no_value() -> None:
    for name in COMMANDS:
        command = ROOT.commands[name]
        out = _help(name)
        for param in command.params:
            if param.param_type_name == "option" and param.is_flag:
                for opt in param.opts:
                    line = next(line for line in out.splitlines() if opt in line)
                    after = line.split(opt, 1)[1]
                    assert not after.lstrip().startswith("<"), line


def test_command_list_shows_whole_sentences() -> None:
    out = _help()
    listing = out.split("Commands:", 1)[1]
    assert "..." not in listing
    flat = " ".join(listing.split())
    for name in COMMANDS:
        summary = first_sentence(ROOT.commands[name].help or "")
        assert f"{name} {summary}" in flat.replace("- ", "-")


def test_first_sentence() -> None:
    assert first_sentence("One line. Two, e.g. this.\n\nMore.") == "One line."
    assert first_sentence("Use e.g. tcp://HOST:8786 here.") == "Use e.g. tcp://HOST:8786 here."
    assert first_sentence("  Wrapped\n  over lines.  ") == "Wrapped over lines."
