"""The shared trial options added to a command once, by a decorator.

Every command that reads a trial (``process``, ``analyze``, ``fhir``, ``export``, ``norms
build``, ``batch``) takes the same options, declared in :mod:`kinchain.cli.trial_options`.
Rather than list the sixteen parameters in each command's signature, a command is decorated
with :func:`with_trial_options`: its signature gains the options (typer reads the signature) and
the command receives them as one :class:`TrialArgs` in its ``trial_args`` parameter::

    @app.command("process")
    @with_trial_options()
    def process_cmd(trial: Path, out: Path, trial_args: TrialArgs) -> None:
        loaded, subj = trial_args.load(trial)
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from kinchain.cli import trial_options as to
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.process import ProcessOptions

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class TrialArgs:
    """The values of the shared trial options, as the command line gave them (mm, kg, Hz, s)."""

    subject: Path | None = None
    grf: Path | None = None
    marker_map: str | None = None
    marker_diameter_mm: float | None = None
    marker_cutoff_hz: float | None = None
    max_gap_s: float = 0.1
    static: Path | None = None
    flat_foot: bool = False
    mass_kg: float | None = None
    height_m: float | None = None
    leg_length_left_mm: float | None = None
    leg_length_right_mm: float | None = None
    knee_width_left_mm: float | None = None
    knee_width_right_mm: float | None = None
    ankle_width_left_mm: float | None = None
    ankle_width_right_mm: float | None = None

    def measurements(self) -> dict[str, float]:
        """The typed measurements given, checked, as SI keys (``mass_kg``, ``leg_length_left_m``
        ...)."""
        return to.measurements_si(
            mass_kg=self.mass_kg,
            height_m=self.height_m,
            leg_length_left_mm=self.leg_length_left_mm,
            leg_length_right_mm=self.leg_length_right_mm,
            knee_width_left_mm=self.knee_width_left_mm,
            knee_width_right_mm=self.knee_width_right_mm,
            ankle_width_left_mm=self.ankle_width_left_mm,
            ankle_width_right_mm=self.ankle_width_right_mm,
        )

    def process_options(self) -> ProcessOptions:
        """``--max-gap`` and ``--marker-cutoff`` as :class:`ProcessOptions`, checked."""
        return to.process_options(self.max_gap_s, self.marker_cutoff_hz)

    def load(self, trial: Path) -> tuple[Trial, SubjectMeasurements | None]:
        """Read ``trial`` as the options describe
        (:func:`kinchain.cli.trial_options.load_inputs`)."""
        return to.load_inputs(
            trial,
            subject=self.subject,
            grf=self.grf,
            marker_map=self.marker_map,
            static=self.static,
            flat_foot=self.flat_foot,
            marker_diameter_mm=self.marker_diameter_mm,
            measurements=self.measurements(),
        )


#: Parameter name -> (annotation, typer option), in the order ``--help`` lists them.
_OPTIONS: dict[str, tuple[Any, Any]] = {
    "subject": (Path | None, to.SUBJECT),
    "grf": (Path | None, to.GRF),
    "marker_map": (str | None, to.MARKER_MAP),
    "marker_diameter_mm": (float | None, to.MARKER_DIAMETER),
    "marker_cutoff_hz": (float | None, to.MARKER_CUTOFF),
    "max_gap_s": (float, to.MAX_GAP),
    "static": (Path | None, to.STATIC),
    "flat_foot": (bool, to.FLAT_FOOT),
    "mass_kg": (float | None, to.MASS_KG),
    "height_m": (float | None, to.HEIGHT_M),
    "leg_length_left_mm": (float | None, to.LEG_LENGTH_LEFT),
    "leg_length_right_mm": (float | None, to.LEG_LENGTH_RIGHT),
    "knee_width_left_mm": (float | None, to.KNEE_WIDTH_LEFT),
    "knee_width_right_mm": (float | None, to.KNEE_WIDTH_RIGHT),
    "ankle_width_left_mm": (float | None, to.ANKLE_WIDTH_LEFT),
    "ankle_width_right_mm": (float | None, to.ANKLE_WIDTH_RIGHT),
}
assert list(_OPTIONS) == [f.name for f in fields(TrialArgs)]


def with_trial_options(
    *, exclude: frozenset[str] = frozenset(), help: dict[str, str] | None = None
) -> Callable[[F], F]:
    """Add the shared trial options to a typer command.

    Parameters
    ----------
    exclude
        Options the command does not take (e.g. ``{"grf"}`` for a batch); their
        :class:`TrialArgs` field keeps its default.
    help
        Option name -> help text where the command means something more specific.

    The decorated function must have a ``trial_args`` parameter; it is removed from the signature
    typer sees, and the options are added (keyword-only, after the command's own).
    """
    unknown = set(exclude) | set(help or {})
    unknown -= set(_OPTIONS)
    if unknown:
        raise ValueError(f"unknown trial option(s) {sorted(unknown)}")

    def decorate(func: F) -> F:
        sig = inspect.signature(func)
        if "trial_args" not in sig.parameters:
            raise TypeError(f"{func.__name__} needs a trial_args parameter")
        own = [p for p in sig.parameters.values() if p.name != "trial_args"]
        added = []
        for name, (annotation, option) in _OPTIONS.items():
            if name in exclude:
                continue
            if help and name in help:
                option = copy.copy(option)
                option.help = help[name]
            added.append(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation
                )
            )
        kinds = inspect.Parameter
        own = [
            p.replace(kind=kinds.KEYWORD_ONLY) if p.kind is kinds.POSITIONAL_OR_KEYWORD else p
            for p in own
        ]
        names = [p.name for p in added]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            values = {n: kwargs.pop(n) for n in names}
            return func(trial_args=TrialArgs(**values), **kwargs)

        wrapper.__signature__ = sig.replace(parameters=own + added)  # type: ignore[attr-defined]
        # typer reads the annotations through typing.get_type_hints: give it real types.
        hints = {p.name: p.annotation for p in own + added}
        wrapper.__annotations__ = hints
        return wrapper  # type: ignore[return-value]

    return decorate
