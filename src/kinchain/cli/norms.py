"""``kinchain norms build``: a lab's own normative reference from its healthy trials.

Each TRIALS argument is a trial file (``.c3d``, or ``.trc`` with ``--grf``), read with the trial
options exactly as ``kinchain analyze`` reads it, or a batch source (a folder tree, or a CSV/YAML
manifest with per-trial subject files, measurements and subject ids, as ``kinchain batch``
reads it). Every trial is processed and analysed as ``kinchain analyze`` would, then
:func:`kinchain.gait.norms_build.build_norms` pools the strides per speed class.

A trial that cannot be read, processed or analysed, or that has no usable stride, is listed on
stderr (``skipped FILE: reason``) and left out; with ``--strict`` the first one ends the command
with exit code 2 and one line naming the file. No usable strides at all is exit code 2. The file
is written atomically (a temporary file beside it, then renamed), so a failed build leaves any
earlier file in place.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import typer

from kinchain.cli import trial_options as to
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.errors import InputError, KinchainError
from kinchain.gait.norms_build import BuiltNorms, ReferenceTrial, build_norms, norms_to_json

_TRIAL_SUFFIXES = (".c3d", ".trc")
_MANIFEST_SUFFIXES = (".csv", ".yaml", ".yml")
_EVENT_METHODS = ("auto", "force_plate", "zeni", "foot_velocity", "c3d")


@dataclass(frozen=True)
class _Input:
    """One trial to read: a file given on the command line or a batch source's row."""

    trial_id: str
    path: Path
    subject: Path | None
    grf: Path | None
    static: Path | None
    marker_diameter_mm: float | None
    measurements: dict[str, float]
    subject_id: str | None


def _expand(
    trials: list[Path],
    *,
    subject: Path | None,
    grf: Path | None,
    static: Path | None,
    marker_diameter_mm: float | None,
    measurements: dict[str, float],
) -> tuple[list[_Input], list[tuple[str, str]]]:
    """The trials of the arguments (files as given; folders and manifests through the batch
    sources), and the static trials of folder sources, skipped with their reason."""
    from kinchain.batch.sources import load_source, static_reason
    from kinchain.cli.batch import with_defaults

    out: list[_Input] = []
    skipped: list[tuple[str, str]] = []
    for arg in trials:
        suffix = arg.suffix.lower()
        if arg.is_file() and suffix in _TRIAL_SUFFIXES:
            out.append(
                _Input(str(arg), arg, subject, grf, static, marker_diameter_mm, measurements, None)
            )
            continue
        if not arg.exists():
            raise InputError(str(arg), "no such file or folder")
        if not (arg.is_dir() or suffix in _MANIFEST_SUFFIXES):
            raise InputError(
                str(arg), "not a trial (.c3d, .trc), a folder or a manifest (.csv, .yaml)"
            )
        for spec in load_source(arg):
            spec = with_defaults(spec, subject=subject, measurements=measurements)
            trial_id = f"{arg}:{spec.trial_id}" if len(trials) > 1 else spec.trial_id
            if arg.is_dir():
                reason = static_reason(spec.path)
                if reason is not None:
                    skipped.append((trial_id, f"static trial ({reason})"))
                    continue
            out.append(
                _Input(
                    trial_id,
                    Path(spec.path),
                    Path(spec.subject_file) if spec.subject_file else None,
                    Path(spec.grf) if spec.grf else grf,
                    Path(spec.static_file) if spec.static_file else static,
                    spec.marker_diameter_mm or marker_diameter_mm,
                    dict(spec.measurements or {}),
                    spec.subject_id or None,
                )
            )
    return out, skipped


def _reference(
    item: _Input,
    *,
    marker_map: str | None,
    flat_foot: bool,
    max_gap_s: float,
    marker_cutoff_hz: float | None,
    kinematics_only: bool,
    require_kinetics: bool,
    events: str,
    event_fallback: str,
) -> ReferenceTrial:
    """Read, process and analyse one trial as ``kinchain analyze`` does."""
    from kinchain.analysis import analyze
    from kinchain.batch.sources import file_sha256
    from kinchain.gait.norms_build import reference_trial
    from kinchain.process import process

    loaded, subj = to.load_inputs(
        item.path,
        subject=item.subject,
        grf=item.grf,
        marker_map=marker_map,
        static=item.static,
        flat_foot=flat_foot,
        marker_diameter_mm=item.marker_diameter_mm,
        measurements=item.measurements,
    )
    result = process(
        loaded,
        subj,
        to.process_options(max_gap_s, marker_cutoff_hz),
        kinetics=not kinematics_only,
        require_kinetics=require_kinetics,
    )
    gait = analyze(
        result,
        event_method=events,  # type: ignore[arg-type]
        event_fallback=event_fallback,  # type: ignore[arg-type]
    )
    n_usable = sum(int(np.count_nonzero(c.usable())) for c in gait.cycles.values())
    if n_usable == 0:
        raise InputError(str(item.path), "no usable strides")
    st = gait.spatiotemporal
    files = {str(p): file_sha256(p) for p in (item.subject, item.grf, item.static) if p is not None}
    return reference_trial(
        item.trial_id,
        gait.cycles,
        st.strides,
        speeds_m_s=[st.left.speed_m_s, st.right.speed_m_s],
        leg_lengths_m=[st.left.leg_length_m, st.right.leg_length_m],
        subject_id=item.subject_id,
        input_sha256=result.trial.sha256,
        files=files,
        measurements=asdict(result.model.subject),
    )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    if path.is_dir():
        raise InputError(str(path), "is a folder; give a file name such as norms.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kinchain-norms-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _summary(built: BuiltNorms) -> list[str]:
    lines = []
    for i, (name, c) in enumerate(built.classes.items()):
        where = "top level, used by analyze --normative" if i == 0 else "other_speed_classes"
        subjects = ""
        if c.n_subjects is not None:
            subjects = f"{c.n_subjects} subject{'' if c.n_subjects == 1 else 's'}, "
        g = c.gps_reference
        lines.append(
            f"class {name} ({where}): {subjects}{c.n_trials} trial(s), {c.n_strides} strides; "
            f"{len(c.normative.mean)} curves; reference strides' GPS {g.mean:.2f} ± "
            f"{g.sd:.2f} deg"
        )
    return lines


def register(app: typer.Typer) -> None:
    """Add the ``norms`` command group (``norms build``) to the app."""
    norms = typer.Typer(
        help="A lab's own normative reference, built from its healthy trials.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(norms, name="norms")

    @norms.command(
        "build", short_help="Build a normative reference from a lab's own healthy trials."
    )
    @with_trial_options()
    def build_cmd(
        trials: list[Path] = typer.Argument(
            ..., help="Healthy trials: .c3d/.trc files, folders or batch manifests."
        ),
        out: Path = typer.Option(..., "--out", "-o", help="The normative JSON file to write."),
        name: str = typer.Option("Lab reference", "--name", help="Name of the reference."),
        population: str | None = typer.Option(
            None, "--population", help="Who was measured (default: the counts)."
        ),
        classes: str = typer.Option(
            "schwartz",
            "--classes",
            help="schwartz (Schwartz 2008 dimensionless-speed classes) or single (one class).",
        ),
        speed_class: str | None = typer.Option(
            None, "--speed-class", help="Build only this class (e.g. Free)."
        ),
        min_strides: int = typer.Option(
            5, "--min-strides", help="Fewest strides a class or a curve needs."
        ),
        strict: bool = typer.Option(
            False, "--strict", help="Stop at the first trial that fails instead of skipping it."
        ),
        kinematics_only: bool = typer.Option(
            False, "--kinematics-only", help="Skip kinetics (no plates or no body mass)."
        ),
        require_kinetics: bool = to.REQUIRE_KINETICS,
        events: str = typer.Option(
            "auto",
            "--events",
            help="Event method: auto, force_plate, zeni, foot_velocity or c3d.",
        ),
        event_fallback: str = typer.Option(
            "checked", "--event-fallback", help="As for kinchain analyze."
        ),
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Build a normative reference (mean and SD curves per speed class, spatiotemporal
        means, the reference strides' GPS) from a lab's own healthy trials, with kinchain's own
        model; use it with kinchain analyze --normative FILE."""
        subject, grf, static = trial_args.subject, trial_args.grf, trial_args.static
        marker_map, flat_foot = trial_args.marker_map, trial_args.flat_foot
        marker_diameter_mm = trial_args.marker_diameter_mm
        max_gap_s, marker_cutoff_hz = trial_args.max_gap_s, trial_args.marker_cutoff_hz
        from kinchain.gait.events import FALLBACKS

        if classes not in ("schwartz", "single"):
            raise InputError("--classes", f"unknown rule {classes!r}; schwartz or single")
        from kinchain.gait.normative import SPEED_CLASSES
        from kinchain.gait.norms_build import SINGLE_CLASS

        known = SPEED_CLASSES if classes == "schwartz" else (SINGLE_CLASS,)
        if speed_class is not None and speed_class not in known:
            raise InputError(
                "--speed-class", f"unknown class {speed_class!r}; one of {', '.join(known)}"
            )
        if events not in _EVENT_METHODS:
            raise InputError("--events", f"unknown event method {events!r}")
        if event_fallback not in FALLBACKS:
            raise InputError("--event-fallback", f"unknown method {event_fallback!r}")
        if min_strides < 2:
            raise InputError("--min-strides", f"{min_strides} is below 2 (an SD needs two)")
        for p in (subject, grf, static):
            if p is not None and not p.is_file():
                raise InputError(str(p), "no such file")
        if flat_foot and static is None:
            raise InputError("--flat-foot", "needs --static FILE")
        if out.is_dir():
            raise InputError(str(out), "is a folder; give a file name such as norms.json")
        to.process_options(max_gap_s, marker_cutoff_hz)
        to.check_marker_diameter(marker_diameter_mm)
        measurements = trial_args.measurements()
        items, skipped = _expand(
            trials,
            subject=subject,
            grf=grf,
            static=static,
            marker_diameter_mm=marker_diameter_mm,
            measurements=measurements,
        )
        refs: list[ReferenceTrial] = []
        for item in items:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    refs.append(
                        _reference(
                            item,
                            marker_map=marker_map,
                            flat_foot=flat_foot,
                            max_gap_s=max_gap_s,
                            marker_cutoff_hz=marker_cutoff_hz,
                            kinematics_only=kinematics_only,
                            require_kinetics=require_kinetics,
                            events=events,
                            event_fallback=event_fallback,
                        )
                    )
            except Exception as exc:  # a lab's trial set: list the bad one, go on
                reason = exc.problem if isinstance(exc, InputError) else str(exc)
                if not isinstance(exc, KinchainError):
                    reason = f"{type(exc).__name__}: {exc}"
                reason = " ".join(reason.split())
                if strict:
                    raise InputError(item.trial_id, reason) from exc
                skipped.append((item.trial_id, reason))
        for trial_id, reason in skipped:
            typer.echo(f"skipped {trial_id}: {reason}", err=True)
        if not refs:
            raise InputError(
                "trials", f"no usable strides: all {len(items)} trials failed or were skipped"
            )
        parameters = {
            "events": events,
            "event_fallback": event_fallback,
            "kinetics": not kinematics_only,
            "require_kinetics": require_kinetics,
            "max_gap_s": max_gap_s,
            "marker_cutoff_hz": marker_cutoff_hz,
            "marker_map": marker_map,
            "marker_diameter_mm": marker_diameter_mm,
            "typed_measurements": measurements,
            "skipped_trials": [{"trial": t, "reason": r} for t, r in skipped],
        }
        built = build_norms(
            refs,
            name=name,
            population=population,
            classes=classes,  # type: ignore[arg-type]
            min_strides=min_strides,
            speed_class=speed_class,
            parameters=parameters,
        )
        text = json.dumps(norms_to_json(built), indent=1, allow_nan=False)
        write_atomic(out, text + "\n")
        for note in built.notes:
            typer.echo(f"note: {note}", err=True)
        for line in _summary(built):
            typer.echo(line)
        typer.echo(f"norms     {out}")
