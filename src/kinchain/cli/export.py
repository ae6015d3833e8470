"""``kinchain export``: one trial to the files OpenSim's scaling, IK and ID tools read.

Writes, all or nothing, into ``--out``:

- ``TRIAL.trc``: every marker, mm, OpenSim's Y-up frame, gaps up to ``--max-gap`` filled and
  the optional ``--marker-cutoff`` low-pass applied (as ``kinchain process`` treats markers);
- ``TRIAL_grf.mot``: the ground reaction per foot at the force plates' rate (force N, centre of
  pressure m, free torque N·m, ground frame, columns ``l_ground_force_vx`` ...
  ``r_ground_torque_z``), each plate given to the foot kinchain's own plate-to-foot assignment
  (:func:`kinchain.kinetics.plates.assign_plates`, the one ``kinchain process`` uses) found on
  it in a clean single-foot contact; 0 where a foot is on no plate (OpenSim's "no load");
- ``TRIAL_ExternalLoads.xml``: the two forces applied to ``--left-body``/``--right-body``
  (``calcn_l``/``calcn_r``), expressed in ground, data file named relative (beside it).

Without force plates, or without a clean contact, only the ``.trc`` is written and one line says
why (``--require-kinetics`` makes that an error, exit 2). The lab frame is kept (Z up turned to
Y up only); ``--walk-along-x`` also turns markers and forces about the vertical, by a multiple of
90 degrees, so the walk goes along +X as OpenSim's models face.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from kinchain._scratch import publish, staged_outputs
from kinchain.cli.trial_params import TrialArgs, with_trial_options
from kinchain.errors import InputError
from kinchain.io.opensim import (
    DEFAULT_FOOT_BODIES,
    FOOT_SIDES,
    contact_samples,
    grf_per_foot_table,
    to_opensim,
    write_external_loads_xml,
    write_mot,
    write_trc,
)
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.kinetics.filtering import lowpass
from kinchain.kinetics.plates import Contact, assign_plates
from kinchain.model.cgm1 import build_model
from kinchain.model.gaps import fill_gaps
from kinchain.process import ProcessOptions

__all__ = [
    "OpenSimExport",
    "prepare_export",
    "register",
    "turn_about_vertical",
    "walking_axis",
    "write_export",
]

_FOOT_MARKERS = {"heel": "HEE", "toe": "TOE", "ankle": "ANK"}
_SIDE_PREFIX = {"left": "L", "right": "R"}


@dataclass(frozen=True)
class OpenSimExport:
    """What :func:`prepare_export` made of a trial, ready to write.

    Attributes
    ----------
    markers
        Label -> ``(n_frames, 3)`` positions, m, kinchain lab frame (Z up), after gap filling
        and the optional low-pass.
    point_rate
        Marker rate, Hz.
    first_frame
        Number of the first marker frame.
    grf
        The per-foot GRF table (:func:`kinchain.io.opensim.grf_per_foot_table`), or None when
        there is none to write.
    grf_rate
        Rate of ``grf``, Hz (the plates' analog rate); 0 without ``grf``.
    contacts
        Every plate contact found and what was decided about it.
    foot_points
        Where the feet came from for the assignment: ``"CGM1 model"`` (heel, toe, ankle joint
        centre, as ``kinchain process``) or ``"markers"`` (heel, toe, lateral malleolus).
    no_grf_reason
        Why there is no ``grf`` (empty when there is one).
    walk_direction
        The lab axis the subject walked along, in OpenSim's frame, after any turn (``"+X"``,
        ``"-X"``, ``"+Z"``, ``"-Z"``; ``""`` when the subject hardly moved).
    turned_deg
        The turn about the vertical applied to markers and forces, degrees, positive
        counter-clockwise seen from above (0 unless ``walk_along_x``).
    """

    markers: dict[str, np.ndarray]
    point_rate: float
    first_frame: int
    grf: pd.DataFrame | None
    grf_rate: float
    contacts: list[Contact]
    foot_points: str
    no_grf_reason: str
    walk_direction: str = ""
    turned_deg: float = 0.0


def walking_axis(markers: dict[str, np.ndarray]) -> np.ndarray | None:
    """The lab horizontal axis (unit ±X or ±Y, kinchain frame) the subject walked along.

    As Plug-in Gait chooses its progression axis: the axis along which the subject (the centroid
    of the markers present in every frame where any is) moved most from the first to the last
    such frame. None when that displacement is under 0.3 m (treadmill, standing).
    """
    stacked = np.stack(list(markers.values()))  # (n_markers, n_frames, 3)
    present = np.isfinite(stacked).all(axis=2)
    always = present[:, present.any(axis=0)].all(axis=1)
    if not always.any():
        always = present.any(axis=1)
    with np.errstate(invalid="ignore"):
        centroid = np.nanmean(np.where(present[..., None], stacked, np.nan)[always], axis=0)
    ok = np.isfinite(centroid).all(axis=1)
    if ok.sum() < 2:
        return None
    d = centroid[ok][-1] - centroid[ok][0]
    if np.hypot(d[0], d[1]) < 0.3:
        return None
    axis = int(np.argmax(np.abs(d[:2])))
    out = np.zeros(3)
    out[axis] = 1.0 if d[axis] > 0 else -1.0
    return out


def turn_about_vertical(trial: Trial, angle_deg: float) -> Trial:
    """The trial turned by ``angle_deg`` about the lab vertical (Z), counter-clockwise seen from
    above: markers, and each plate's force, moments, centre of pressure and corners. A rigid
    turn of everything, so inverse dynamics gives the same joint loads."""
    a = np.deg2rad(angle_deg)
    c, s = round(float(np.cos(a)), 12), round(float(np.sin(a)), 12)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])

    def turn(x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ rot.T, dtype=np.float64)

    plates = tuple(
        replace(
            p,
            force=turn(p.force),
            moment_at_origin=turn(p.moment_at_origin),
            cop=turn(p.cop),
            free_moment=turn(p.free_moment),
            corners=turn(p.corners),
        )
        for p in trial.plates
    )
    return replace(trial, markers={k: turn(v) for k, v in trial.markers.items()}, plates=plates)


def _treated_markers(trial: Trial, options: ProcessOptions) -> dict[str, np.ndarray]:
    """Markers low-passed (when asked) and then gap-filled, as :func:`kinchain.process.process`
    and :func:`kinchain.model.cgm1.build_model` treat them."""
    cutoff = options.marker_cutoff_hz
    if cutoff is not None and not cutoff < trial.point_rate / 2:
        raise InputError(
            "--marker-cutoff",
            f"{cutoff:g} Hz must be below half the marker rate ({trial.point_rate / 2:g} Hz)",
        )
    max_gap = max(round(options.max_gap_s * trial.point_rate), 0)
    out = {}
    for name, xyz in trial.markers.items():
        values = lowpass(xyz, trial.point_rate, cutoff) if cutoff is not None else xyz
        out[name] = fill_gaps(values, max_gap)[0]
    return out


def _foot_points(
    trial: Trial,
    markers: dict[str, np.ndarray],
    subject: SubjectMeasurements | None,
    options: ProcessOptions,
) -> tuple[dict[str, dict[str, np.ndarray]] | None, str]:
    """Heel, toe and ankle of each foot: from the CGM1 model when the subject measurements
    allow it (exactly what ``kinchain process`` assigns plates with), else from the HEE, TOE
    and ANK markers. Returns (None, reason) when neither is possible."""
    if subject is not None:
        try:
            filtered = replace(trial, markers=markers)
            model = build_model(filtered, subject, max_gap_s=options.max_gap_s)
            return model.foot_points(), "CGM1 model"
        except InputError:
            pass
    missing = [
        _SIDE_PREFIX[s] + m
        for s in FOOT_SIDES
        for m in _FOOT_MARKERS.values()
        if _SIDE_PREFIX[s] + m not in markers
    ]
    if missing:
        return None, (
            "no subject measurements for the CGM1 model and no foot marker(s) "
            + ", ".join(missing)
            + " to tell which foot is on a plate"
        )
    return {
        s: {k: markers[_SIDE_PREFIX[s] + m] for k, m in _FOOT_MARKERS.items()} for s in FOOT_SIDES
    }, "markers"


def prepare_export(
    trial: Trial,
    subject: SubjectMeasurements | None = None,
    options: ProcessOptions | None = None,
    *,
    walk_along_x: bool = False,
) -> OpenSimExport:
    """Markers and per-foot ground reactions of a trial, as OpenSim wants them.

    Parameters
    ----------
    trial
        A read trial (markers m, lab frame Z up; plates at the analog rate).
    subject
        Measurements for the CGM1 model (default ``trial.subject``); without them, or when the
        model cannot be built, the feet are the HEE/TOE/ANK markers.
    options
        ``max_gap_s``, ``marker_cutoff_hz`` and ``force_threshold_n`` are used.
    walk_along_x
        Turn markers and forces about the vertical by a multiple of 90 degrees so the subject
        walks along OpenSim's +X, the way OpenSim's models face (see :func:`walking_axis`).

    Returns
    -------
    OpenSimExport
        ``grf`` is None (with ``no_grf_reason``) when the trial has no plates, the feet cannot
        be located or no plate contact is a clean single-foot contact.

    Raises
    ------
    InputError
        A cut-off at or above half the marker rate, plates at a rate that is not an integer
        multiple of the marker rate.
    """
    options = options or ProcessOptions()
    subject = subject if subject is not None else trial.subject
    axis = walking_axis(trial.markers)
    turned = 0.0
    if walk_along_x:
        if axis is None:
            raise InputError(
                "--walk-along-x", "the subject moves less than 0.3 m: no walking direction"
            )
        turned = -float(np.degrees(np.arctan2(axis[1], axis[0])))
        trial = turn_about_vertical(trial, turned)
        axis = np.array([1.0, 0.0, 0.0])
    direction = ""
    if axis is not None:
        a_os = to_opensim(axis)
        k = int(np.argmax(np.abs(a_os)))
        direction = ("+" if a_os[k] > 0 else "-") + "XYZ"[k]
    markers = _treated_markers(trial, options)
    base = OpenSimExport(
        markers,
        trial.point_rate,
        trial.first_frame,
        None,
        0.0,
        [],
        "",
        "",
        direction,
        turned + 0.0,
    )
    if not trial.plates:
        return replace(base, no_grf_reason="no force plates in the trial")
    feet, source = _foot_points(trial, markers, subject, options)
    if feet is None:
        return replace(base, no_grf_reason=source)
    n_analog = trial.plates[0].force.shape[0]
    rate = trial.analog_rate or n_analog / trial.n_frames * trial.point_rate
    try:
        assignment = assign_plates(
            trial.plates,
            trial.point_rate,
            trial.n_frames,
            feet,
            threshold_n=options.force_threshold_n,
            analog_rate=rate,
        )
        windows: dict[str, list[tuple[int, int, int]]] = {s: [] for s in FOOT_SIDES}
        for c in assignment.contacts:
            if c.used and c.side is not None:
                lo, hi = contact_samples(c.start, c.end, rate, trial.point_rate, n_analog)
                windows[c.side].append((c.plate, lo, hi))
        table = grf_per_foot_table(trial.plates, windows, rate)
    except ValueError as exc:
        raise InputError(trial.path, f"force plates: {exc}") from None
    base = replace(base, contacts=assignment.contacts, foot_points=source)
    if not any(windows.values()):
        reasons = [f"plate {c.plate + 1}: {c.reason}" for c in assignment.contacts]
        # plates the file describes but whose forces could not be read say why
        reasons += [
            f"plate {p.index + 1}: {getattr(p, 'problem', '')}"
            for p in trial.plates
            if getattr(p, "problem", "")
        ]
        why = "; ".join(reasons)
        return replace(
            base,
            no_grf_reason="no clean single-foot plate contact ("
            + (why or "no plate loaded above the force threshold")
            + ")",
        )
    return replace(base, grf=table, grf_rate=rate)


def write_export(
    export: OpenSimExport,
    stem: str,
    out_dir: Path,
    bodies: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Write ``{stem}.trc`` and, with a GRF, ``{stem}_grf.mot`` and
    ``{stem}_ExternalLoads.xml`` into ``out_dir``, all or nothing.

    The files are written into a temporary folder inside ``out_dir`` and moved into place only
    once every one is complete (as ``kinchain process`` does). Returns kind -> final path
    (``"trc"``, ``"grf"``, ``"loads"``).
    """
    bodies = bodies or dict(DEFAULT_FOOT_BODIES)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(out_dir), f"cannot create the folder: {exc.strerror or exc}") from None
    with staged_outputs(out_dir) as t:
        files = {"trc": t / f"{stem}.trc"}
        write_trc(
            files["trc"],
            export.markers,
            export.point_rate,
            units="mm",
            first_frame=export.first_frame,
        )
        if export.grf is not None:
            files["grf"] = t / f"{stem}_grf.mot"
            files["loads"] = t / f"{stem}_ExternalLoads.xml"
            write_mot(files["grf"], export.grf, in_degrees=False)
            write_external_loads_xml(files["loads"], files["grf"].name, bodies)
        return publish(files, out_dir)


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to the app."""

    @app.command("export")
    @with_trial_options()
    def export_cmd(
        trial: Path = typer.Argument(..., help="Trial file: .c3d, or .trc (with --grf)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
        left_body: str = typer.Option(
            DEFAULT_FOOT_BODIES["left"], "--left-body", help="OpenSim body of the left foot."
        ),
        right_body: str = typer.Option(
            DEFAULT_FOOT_BODIES["right"], "--right-body", help="OpenSim body of the right foot."
        ),
        walk_along_x: bool = typer.Option(
            False,
            "--walk-along-x",
            help="Turn markers and forces about the vertical (by a multiple of 90 degrees) so "
            "the walk goes along OpenSim's +X, as its models face.",
        ),
        require_kinetics: bool = typer.Option(
            False,
            "--require-kinetics",
            help="Fail (exit 2) when no ground reaction can be written, instead of writing "
            "the markers alone.",
        ),
        *,
        trial_args: TrialArgs,
    ) -> None:
        """Export a trial for OpenSim: markers as TRC, ground reactions per foot as MOT and an
        ExternalLoads XML.

        Plates are given to the feet as kinchain process does (clean single-foot contacts
        only); a foot on no plate has zero force. Without a clean contact only the TRC is
        written, unless --require-kinetics.
        """
        options = trial_args.process_options()
        bodies = {"left": left_body, "right": right_body}
        for side, body in bodies.items():
            if not body or any(c.isspace() for c in body):
                raise InputError(f"--{side}-body", f"{body!r} is not an OpenSim body name")
        loaded, subj = trial_args.load(trial)
        export = prepare_export(loaded, subj, options, walk_along_x=walk_along_x)
        if export.grf is None and require_kinetics:
            raise InputError(str(trial), f"no ground reaction to export: {export.no_grf_reason}")
        files = write_export(export, trial.stem, out, bodies)
        n_markers = len(export.markers)
        n_frames = loaded.n_frames
        typer.echo(f"exported {trial.name}: {n_markers} markers, {n_frames} frames")
        typer.echo(f"trc      {files['trc']}  (mm, Y up, {export.point_rate:g} Hz)")
        if export.turned_deg:
            typer.echo(f"turned {export.turned_deg:+g} deg about the vertical: walking along +X")
        elif export.walk_direction not in ("", "+X"):
            typer.echo(
                f"walking along OpenSim {export.walk_direction}; OpenSim's models face +X "
                "(--walk-along-x turns the data)"
            )
        if "grf" in files:
            used = [c for c in export.contacts if c.used]
            per_side = ", ".join(f"{s} {sum(c.side == s for c in used)}" for s in FOOT_SIDES)
            typer.echo(
                f"grf      {files['grf']}  ({export.grf_rate:g} Hz; contacts used: {per_side}; "
                f"feet from the {export.foot_points})"
            )
            typer.echo(f"loads    {files['loads']}  (left -> {left_body}, right -> {right_body})")
            for c in export.contacts:
                if not c.used:
                    typer.echo(
                        f"  plate {c.plate + 1}, frames {c.start}-{c.end}: not exported "
                        f"({c.reason}; zero force there)"
                    )
            typer.echo(
                "next in OpenSim: Scale the model with a static trial's .trc, run Inverse "
                "Kinematics on this .trc, then Inverse Dynamics with the IK .mot as coordinates "
                f"and {files['loads'].name} as external loads (keep the .mot beside it)."
            )
        else:
            typer.echo(f"no GRF written: {export.no_grf_reason}")
            typer.echo(
                "next in OpenSim: Scale the model and run Inverse Kinematics on this .trc "
                "(inverse dynamics needs ground reactions)."
            )
