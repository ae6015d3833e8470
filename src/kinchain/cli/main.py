"""The ``kinchain`` command: one Typer app, subcommands registered from their own modules.

Every :class:`kinchain.errors.InputError` becomes a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from importlib import import_module

import typer

from kinchain import __version__
from kinchain.errors import KinchainError

app = typer.Typer(
    name="kinchain",
    help="Lower-limb kinetic chain: gait biomechanics and clinical triage. "
    "Supports, and does not replace, a clinician's judgement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help, not Rich panels: it wraps whole sentences at the terminal width, shows
    # flags without a value and never cuts an option name (issue 16).
    rich_markup_mode=None,
)

# Each module defines ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES = (
    "kinchain.cli.process",
    "kinchain.cli.export",
    "kinchain.cli.assess",
    "kinchain.cli.analyze",
    "kinchain.cli.batch",
    "kinchain.cli.fhir",
    "kinchain.cli.norms",
    "kinchain.cli.serve",
)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(f"kinchain {__version__}")
        raise typer.Exit(0)


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        register: Callable[[typer.Typer], None] = module.register
        register(app)
    _set_short_help()


_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[A-Z]|$)")


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph of ``text``, on one line."""
    paragraph = inspect.cleandoc(text).split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    match = _FIRST_SENTENCE.match(flat)
    return match.group(1) if match else flat


def _set_short_help() -> None:
    """Give each command in the command list a whole first sentence.

    Without it Click cuts the help to 45 characters and ends it with "...".
    """
    for info in app.registered_commands:
        if info.short_help is not None:
            continue
        text = info.help or (info.callback.__doc__ if info.callback else None)
        if text:
            info.short_help = first_sentence(text)


_register_all()


def main() -> None:
    """Console entry point: run the app, turning kinchain errors into exit code 2.

    Usage errors (unknown option, a value of the wrong type) also exit with code 2, through
    Typer's own handling.
    """
    try:
        app()
    except KinchainError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
