"""The ``kinchain`` command: one Typer app, subcommands registered from their own modules.

Every :class:`kinchain.errors.InputError` becomes a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

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
)

# Each module defines ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES = (
    "kinchain.cli.process",
    "kinchain.cli.assess",
    "kinchain.cli.analyze",
    "kinchain.cli.batch",
    "kinchain.cli.fhir",
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
