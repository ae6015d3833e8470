"""The ``kinchain`` command: one Typer app, subcommands registered from their own modules.

A command's module is imported only when that command runs or its help is shown, so
``kinchain --version`` and ``kinchain assess`` do not load the movement side (NumPy, SciPy,
pandas, matplotlib) that the trial commands need (issue 13).

Every :class:`kinchain.errors.InputError` becomes a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from kinchain import __version__
from kinchain.errors import KinchainError

if TYPE_CHECKING:
    from typer._click import Command

# Each module defines ``register(app: typer.Typer) -> None``, adding the command of that name.
# In the order ``kinchain --help`` lists them (Typer lists plain commands before groups).
_COMMAND_MODULES: dict[str, str] = {
    "process": "kinchain.cli.process",
    "export": "kinchain.cli.export",
    "assess": "kinchain.cli.assess",
    "analyze": "kinchain.cli.analyze",
    "batch": "kinchain.cli.batch",
    "fhir": "kinchain.cli.fhir",
    "serve": "kinchain.cli.serve",
    "norms": "kinchain.cli.norms",
    "whatif": "kinchain.cli.whatif",
}

# The settings of the root app, also given to the app each command module registers into, so
# that a command is built exactly as if it had been registered on the root app.
_APP_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    # Click's plain help, not Rich panels: it wraps whole sentences at the terminal width, shows
    # flags without a value and never cuts an option name (issue 16).
    "rich_markup_mode": None,
}


class _LazyCommands(MutableMapping[str, "Command"]):
    """The root group's commands: names known up front, each built on first access."""

    def __init__(
        self, built: Mapping[str, Command], loaders: Mapping[str, Callable[[], Command]]
    ) -> None:
        self._built: dict[str, Command] = dict(built)
        self._loaders = dict(loaders)
        self._order = [*self._built, *(n for n in self._loaders if n not in self._built)]

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            loader = self._loaders.get(name)
            if loader is None:
                raise KeyError(name)
            self._built[name] = loader()
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._order:
            self._order.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._order:
            raise KeyError(name)
        self._order.remove(name)
        self._built.pop(name, None)
        self._loaders.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._order


class _LazyGroup(TyperGroup):
    """The root group, importing a command's module only when the command is looked up."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        loaders = {
            name: _loader(name, module)
            for name, module in _COMMAND_MODULES.items()
            if find_spec(module) is not None
        }
        self.commands = _LazyCommands(self.commands, loaders)


def _loader(name: str, module_name: str) -> Callable[[], Command]:
    def load() -> Command:
        module = import_module(module_name)
        register: Callable[[typer.Typer], None] = module.register
        sub = typer.Typer(**_APP_SETTINGS)
        register(sub)
        _set_short_help(sub)
        return typer.main.get_group(sub).commands[name]

    return load


app = typer.Typer(
    name="kinchain",
    help="Lower-limb kinetic chain: gait biomechanics and clinical triage. "
    "Supports, and does not replace, a clinician's judgement.",
    no_args_is_help=True,
    cls=_LazyGroup,
    **_APP_SETTINGS,
)


_VERSION = f"kinchain {__version__}"


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(_VERSION)
        raise typer.Exit(0)


_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?=\s+[A-Z]|$)")


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph of ``text``, on one line."""
    paragraph = inspect.cleandoc(text).split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    match = _FIRST_SENTENCE.match(flat)
    return match.group(1) if match else flat


def _set_short_help(sub: typer.Typer) -> None:
    """Give each command in the command list a whole first sentence.

    Without it Click cuts the help to 45 characters and ends it with "...".
    """
    for info in sub.registered_commands:
        if info.short_help is not None:
            continue
        text = info.help or (info.callback.__doc__ if info.callback else None)
        if text:
            info.short_help = first_sentence(text)


def main() -> None:
    """Console entry point: run the app, turning kinchain errors into exit code 2.

    Usage errors (unknown option, a value of the wrong type) also exit with code 2, through
    Typer's own handling. ``kinchain --version`` alone is answered before Typer parses the
    command line, as the root callback would answer it: Typer's parsing of any option loads
    pydantic, a third of a second that a version check should not wait for.
    """
    if sys.argv[1:] == ["--version"]:
        typer.echo(_VERSION)
        return
    try:
        app()
    except KinchainError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
