"""The trial options shared by ``kinchain process``, ``analyze``, ``fhir`` and ``batch``.

Each option is declared once here (a typer ``Option``) and used as a parameter default by every
command, and :func:`load_inputs` turns their values into the trial and subject measurements the
processing takes, so the four commands read a trial in exactly the same way:

- ``--subject FILE`` (Vicon ``.mp``/``.vsk``), ``--grf FILE`` (OpenSim ``.mot`` for a ``.trc``),
  ``--marker-map``, ``--marker-diameter`` (mm), ``--static FILE`` and ``--flat-foot``;
- typed measurements ``--mass-kg``, ``--height-m``, ``--leg-length-left-mm``/``-right-mm``,
  ``--knee-width-left-mm``/``-right-mm``, ``--ankle-width-left-mm``/``-right-mm``: each wins over
  the subject file and the C3D's PROCESSING group; without either, all six lengths are needed;
- ``--marker-cutoff`` (Hz) and ``--max-gap`` (s), as :class:`kinchain.process.ProcessOptions`;
- ``--require-kinetics``: refuse (exit 2) a trial whose force plates cannot give kinetics, instead
  of writing its kinematics with the kinetics marked invalid and saying why in one line
  (:func:`kinetics_note`); passed as ``process(..., require_kinetics=...)``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import typer

from kinchain.errors import InputError
from kinchain.io.load import load_trial
from kinchain.io.subject import subject_from_values
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.marker_map import apply_marker_map, load_marker_map
from kinchain.model.static import calibrate_static
from kinchain.process import ProcessOptions, TrialResult

SUBJECT = typer.Option(
    None, "--subject", help="Subject measurements: Vicon .mp or .vsk file.", show_default=False
)
GRF = typer.Option(None, "--grf", help="OpenSim GRF .mot for a .trc trial.", show_default=False)
MARKER_MAP = typer.Option(
    None,
    "--marker-map",
    help="Rename markers to Plug-in Gait names: a JSON file, 'opensim-rajagopal' or "
    "'opensim-gait2354'.",
)
MARKER_DIAMETER = typer.Option(
    None, "--marker-diameter", help="Marker diameter, mm (default: subject file or 14)."
)
MARKER_CUTOFF = typer.Option(
    None,
    "--marker-cutoff",
    help=(
        "Low-pass markers at this cut-off, Hz (default: none: a file processed in Nexus "
        "stores the markers Plug-in Gait used; set it for unfiltered raw markers)."
    ),
)
MAX_GAP = typer.Option(0.1, "--max-gap", help="Longest gap interpolated, s.")
STATIC = typer.Option(
    None, "--static", help="Static trial: calibrate the foot offsets from it.", show_default=False
)
FLAT_FOOT = typer.Option(
    False, "--flat-foot", help="With --static: the sole was flat on a level floor."
)
REQUIRE_KINETICS = typer.Option(
    False,
    "--require-kinetics",
    help="Refuse the trial (exit 2) when its force plates or a missing body mass leave no "
    "kinetics; by default its kinematics are written and the kinetics marked invalid, with the "
    "reason.",
)
NORMATIVE = typer.Option(
    None,
    "--normative",
    help="Normative set (kinchain JSON); default Schwartz 2008 matched to the speed.",
)
MASS_KG = typer.Option(None, "--mass-kg", help="Body mass, kg (wins over the subject file).")
HEIGHT_M = typer.Option(None, "--height-m", help="Standing height, m.")
LEG_LENGTH_LEFT = typer.Option(
    None, "--leg-length-left-mm", help="Left leg length (ASIS to medial malleolus), mm."
)
LEG_LENGTH_RIGHT = typer.Option(
    None, "--leg-length-right-mm", help="Right leg length (ASIS to medial malleolus), mm."
)
KNEE_WIDTH_LEFT = typer.Option(None, "--knee-width-left-mm", help="Left knee width, mm.")
KNEE_WIDTH_RIGHT = typer.Option(None, "--knee-width-right-mm", help="Right knee width, mm.")
ANKLE_WIDTH_LEFT = typer.Option(None, "--ankle-width-left-mm", help="Left ankle width, mm.")
ANKLE_WIDTH_RIGHT = typer.Option(None, "--ankle-width-right-mm", help="Right ankle width, mm.")

#: SI measurement key (as in a batch manifest) -> (option name, factor from the option's unit).
MEASUREMENT_OPTIONS: dict[str, tuple[str, float]] = {
    "mass_kg": ("--mass-kg", 1.0),
    "height_m": ("--height-m", 1.0),
    "leg_length_left_m": ("--leg-length-left-mm", 1e-3),
    "leg_length_right_m": ("--leg-length-right-mm", 1e-3),
    "knee_width_left_m": ("--knee-width-left-mm", 1e-3),
    "knee_width_right_m": ("--knee-width-right-mm", 1e-3),
    "ankle_width_left_m": ("--ankle-width-left-mm", 1e-3),
    "ankle_width_right_m": ("--ankle-width-right-mm", 1e-3),
}
_LENGTHS = ("leg_length", "knee_width", "ankle_width")


def measurements_si(
    *,
    mass_kg: float | None = None,
    height_m: float | None = None,
    leg_length_left_mm: float | None = None,
    leg_length_right_mm: float | None = None,
    knee_width_left_mm: float | None = None,
    knee_width_right_mm: float | None = None,
    ankle_width_left_mm: float | None = None,
    ankle_width_right_mm: float | None = None,
) -> dict[str, float]:
    """The typed measurements given, as SI keys (``mass_kg``, ``leg_length_left_m`` ...)."""
    given = {
        "mass_kg": mass_kg,
        "height_m": height_m,
        "leg_length_left_m": leg_length_left_mm,
        "leg_length_right_m": leg_length_right_mm,
        "knee_width_left_m": knee_width_left_mm,
        "knee_width_right_m": knee_width_right_mm,
        "ankle_width_left_m": ankle_width_left_mm,
        "ankle_width_right_m": ankle_width_right_mm,
    }
    out: dict[str, float] = {}
    for key, value in given.items():
        if value is None:
            continue
        option, factor = MEASUREMENT_OPTIONS[key]
        if not math.isfinite(value) or value <= 0:
            raise InputError(option, f"{value:g} must be a positive number")
        out[key] = value * factor
    return out


def apply_measurements(
    subject: SubjectMeasurements | None, values: dict[str, float], where: str
) -> SubjectMeasurements | None:
    """``subject`` with the typed ``values`` (SI keys) put in, validated; a new subject when
    there is none (then the six lengths are needed; mass defaults to unknown, so kinematics
    only)."""
    if not values:
        return subject
    if subject is None:
        missing = [
            MEASUREMENT_OPTIONS[f"{n}_{s}_m"][0]
            for n in _LENGTHS
            for s in ("left", "right")
            if f"{n}_{s}_m" not in values
        ]
        if missing:
            raise InputError(
                where,
                "no subject measurements in the file: give --subject FILE or " + ", ".join(missing),
            )
    sided: dict[str, dict[str, float]] = {}
    for name in _LENGTHS:
        base = dict(getattr(subject, f"{name}_m")) if subject is not None else {}
        for side in ("left", "right"):
            if f"{name}_{side}_m" in values:
                base[side] = values[f"{name}_{side}_m"]
        sided[name] = base
    mass = values.get("mass_kg", subject.mass_kg if subject is not None else math.nan)
    height = values.get("height_m", subject.height_m if subject is not None else None)
    source = "command-line measurements"
    if subject is not None:
        source = f"{subject.source} + {source}"
    # Validate with the same plausibility rules as every other source (a NaN mass is allowed:
    # kinematics need no mass).
    subject_from_values(
        mass_kg=mass if math.isfinite(mass) else 70.0,
        leg_length_m=sided["leg_length"],
        knee_width_m=sided["knee_width"],
        ankle_width_m=sided["ankle_width"],
        height_m=height,
        source=source,
    )
    if subject is None:
        return SubjectMeasurements(
            mass_kg=mass,
            leg_length_m=sided["leg_length"],
            knee_width_m=sided["knee_width"],
            ankle_width_m=sided["ankle_width"],
            height_m=height,
            source=source,
        )
    return replace(
        subject,
        mass_kg=mass,
        leg_length_m=sided["leg_length"],
        knee_width_m=sided["knee_width"],
        ankle_width_m=sided["ankle_width"],
        height_m=height,
        source=source,
    )


def check_marker_diameter(marker_diameter_mm: float | None) -> None:
    if marker_diameter_mm is not None and not 1.0 <= marker_diameter_mm <= 50.0:
        raise InputError("--marker-diameter", f"{marker_diameter_mm} mm is not plausible")


def process_options(max_gap_s: float, marker_cutoff_hz: float | None) -> ProcessOptions:
    """:class:`ProcessOptions` of ``--max-gap`` and ``--marker-cutoff``, checked."""
    if not math.isfinite(max_gap_s) or max_gap_s < 0:
        raise InputError("--max-gap", f"{max_gap_s} s must be 0 or more")
    if marker_cutoff_hz is not None and not (
        math.isfinite(marker_cutoff_hz) and marker_cutoff_hz > 0
    ):
        raise InputError("--marker-cutoff", f"{marker_cutoff_hz} Hz must be positive")
    return ProcessOptions(max_gap_s=max_gap_s, marker_cutoff_hz=marker_cutoff_hz)


def kinetics_note(result: TrialResult) -> str | None:
    """The one line telling a person that kinetics were not computed, and why, plate by plate
    (``"kinetics not computed: plate 1: not usable: ..."``), or that some plates could not be
    read although kinetics were computed from the others; None when there is nothing to say."""
    if result.kinetics_problem is not None:
        return f"kinetics not computed: {result.kinetics_problem}"
    kinetics = result.provenance.get("kinetics")
    if result.plate_problems and isinstance(kinetics, dict) and kinetics.get("computed"):
        plates = "; ".join(f"plate {k}: {v}" for k, v in result.plate_problems.items())
        return f"kinetics computed without {plates}"
    return None


def load_inputs(
    trial: Path,
    *,
    subject: Path | None = None,
    grf: Path | None = None,
    marker_map: str | None = None,
    static: Path | None = None,
    flat_foot: bool = False,
    marker_diameter_mm: float | None = None,
    measurements: dict[str, float] | None = None,
) -> tuple[Trial, SubjectMeasurements | None]:
    """Read a trial as the trial options describe it: subject file, typed measurements, GRF
    file, marker map, marker diameter, static calibration.

    Returns the trial and the subject measurements to process it with.
    """
    for p in (trial, subject, grf, static):
        if p is not None and not p.is_file():
            raise InputError(str(p), "no such file")
    check_marker_diameter(marker_diameter_mm)
    if flat_foot and static is None:
        raise InputError("--flat-foot", "needs --static FILE")
    loaded = load_trial(trial, subject_file=subject, grf_path=grf)
    if marker_map is not None:
        loaded = apply_marker_map(loaded, load_marker_map(marker_map))
    subj = apply_measurements(loaded.subject, measurements or {}, str(trial))
    if marker_diameter_mm is not None:
        if subj is None:
            raise InputError(
                str(trial), "no subject measurements: give --subject FILE or the measurements"
            )
        subj = replace(subj, marker_diameter_m=marker_diameter_mm / 1000.0)
    if static is not None:
        static_trial = load_trial(static, subject=subj)
        if marker_map is not None:
            static_trial = apply_marker_map(static_trial, load_marker_map(marker_map))
        subj = calibrate_static(static_trial, subj, flat_foot=flat_foot)
    return loaded, subj
