"""Subject measurements: Vicon ``.mp`` / ``.vsk`` files, the C3D PROCESSING group, arguments.

All readers end in :func:`subject_from_values`, which validates and returns a
:class:`~kinchain.io.trial.SubjectMeasurements` in SI units.

Units
-----
Vicon files and the PROCESSING group store mass in kg and lengths in mm. Lengths are converted
with one factor per source, decided from the leg length (required): 300-1500 means mm,
0.3-1.5 means m; anything else cannot be told apart and raises :class:`InputError`.

Static-calibration offsets (TibialTorsion, ThighRotation, ShankRotation, StaticPlantFlex,
StaticRotOff, AnkleAbAdd) are degrees in ``.mp`` files and in the older ``.vsk`` form
(c3d.org ``sample_09/42798.mp``: LTibialTorsion = -19).

A ``.vsk`` comes in two forms, told apart by the element, never guessed from the values:

- older (Vicon Workstation / BodyBuilder era): ``<Parameter NAME="LLegLength" VALUE=...>`` with the
  short names of the ``.mp`` file; lengths mm, mass kg, angles **degrees**;
- Vicon Nexus: ``<StaticParameter NAME="LeftLegLength" VALUE=... QUANTITY="length">`` with long
  names (``LeftLegLength``, ``RightKneeWidth``, ``LeftAsisTrocanterDistance``,
  ``InterAsisDistance``, ``Bodymass``, ``LeftTibialTorsion``, ``LeftStaticPlantFlex``, ...);
  lengths mm, mass kg, angles (``QUANTITY="angle"`` or an offset name) **radians**. The
  ``<Parameter>`` entries of a Nexus file are fitted marker positions, not measurements, and a
  ``<StaticParameter>`` without a ``VALUE`` counts as absent.

The result is always SI plus degrees (:data:`SUBJECT_UNITS`, which the processing sidecar
records beside the measurements). Vicon Nexus writes the same short names to the C3D PROCESSING
group in
**radians** (c3d.org ``sample_00`` CGM2.4 trial: LTibialTorsion = -0.22, i.e. -12.6 deg). The
PROCESSING reader therefore takes radians, unless a value exceeds pi/2 in magnitude (no static
offset reaches 90 deg, so such a group must be in degrees); ``angle_unit="deg"`` or ``"rad"``
forces the choice.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from kinchain.errors import InputError
from kinchain.io.trial import SubjectMeasurements

SideValue = float | Mapping[str, float]
AngleUnit = Literal["auto", "deg", "rad"]

MASS_RANGE_KG = (0.0, 400.0)
"""Open interval of accepted body masses, kg."""

PLAUSIBLE_M: dict[str, tuple[float, float]] = {
    "leg_length_m": (0.3, 1.5),
    "knee_width_m": (0.03, 0.3),
    "ankle_width_m": (0.02, 0.2),
    "height_m": (0.5, 2.6),
    "asis_trochanter_m": (0.01, 0.3),
    "inter_asis_m": (0.05, 0.6),
    "marker_diameter_m": (0.003, 0.05),
}
"""Accepted ranges of each length, m (closed intervals; a child of 13 kg still fits)."""

_ANGLE_FIELDS = {
    "TibialTorsion": "tibial_torsion_deg",
    "ThighRotation": "thigh_rotation_deg",
    "ShankRotation": "shank_rotation_deg",
    "StaticPlantFlex": "static_plantar_flexion_deg",
    "StaticRotOff": "static_rotation_offset_deg",
    "AnkleAbAdd": "ankle_abadd_deg",
}

_REQUIRED = ("Bodymass", "LLegLength", "RLegLength", "LKneeWidth", "RKneeWidth", "LAnkleWidth",
             "RAnkleWidth")

_UNIT_SUFFIX = {"_kg": "kg", "_m": "m", "_deg": "deg"}

SUBJECT_UNITS: dict[str, str] = {
    f.name: next((u for suffix, u in _UNIT_SUFFIX.items() if f.name.endswith(suffix)), "text")
    for f in fields(SubjectMeasurements)
}
"""Unit of every :class:`~kinchain.io.trial.SubjectMeasurements` field (``"text"`` for the
source): kg, m and degrees, whatever the file stored (mm; radians in a Nexus ``.vsk`` or a C3D
PROCESSING group)."""


def _sides(value: SideValue, field: str, source: str) -> dict[str, float]:
    if isinstance(value, Mapping):
        try:
            out = {"left": float(value["left"]), "right": float(value["right"])}
        except KeyError:
            raise InputError(source, f"{field} needs both 'left' and 'right'") from None
        except (TypeError, ValueError):
            raise InputError(source, f"{field} is not a number") from None
        return out
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(source, f"{field} is not a number: {value!r}") from None
    return {"left": v, "right": v}


def _check_length(value: float, field: str, source: str) -> None:
    lo, hi = PLAUSIBLE_M[field]
    if not math.isfinite(value) or value <= 0:
        raise InputError(source, f"{field} must be a positive length in m, got {value}")
    if not lo <= value <= hi:
        raise InputError(
            source, f"{field} = {value:g} m is outside the plausible range {lo:g}-{hi:g} m"
        )


def subject_from_values(
    *,
    mass_kg: float,
    leg_length_m: SideValue,
    knee_width_m: SideValue,
    ankle_width_m: SideValue,
    height_m: float | None = None,
    asis_trochanter_m: SideValue | None = None,
    inter_asis_m: float | None = None,
    marker_diameter_m: float = 0.014,
    tibial_torsion_deg: SideValue = 0.0,
    thigh_rotation_deg: SideValue = 0.0,
    shank_rotation_deg: SideValue = 0.0,
    static_plantar_flexion_deg: SideValue = 0.0,
    static_rotation_offset_deg: SideValue = 0.0,
    ankle_abadd_deg: SideValue = 0.0,
    source: str = "arguments",
) -> SubjectMeasurements:
    """Validated measurements from explicit values in SI units.

    Parameters
    ----------
    mass_kg
        Body mass, kg, in (0, 400).
    leg_length_m, knee_width_m, ankle_width_m
        Per side, m: one number for both sides or ``{"left": ..., "right": ...}``.
    height_m, inter_asis_m
        m, optional.
    asis_trochanter_m
        Per side, m, optional (None: Davis regression downstream).
    marker_diameter_m
        m (Plug-in Gait default 0.014).
    tibial_torsion_deg, thigh_rotation_deg, shank_rotation_deg, static_plantar_flexion_deg, \
static_rotation_offset_deg, ankle_abadd_deg
        Static-calibration offsets per side, degrees, within ±90.
    source
        Where the values come from; named in errors as ``"<source>: <field> ..."``.

    Returns
    -------
    SubjectMeasurements

    Raises
    ------
    InputError
        A missing, non-numeric, non-positive or implausible value, naming source and field.
    """
    try:
        mass = float(mass_kg)
    except (TypeError, ValueError):
        raise InputError(source, f"mass_kg is not a number: {mass_kg!r}") from None
    if not math.isfinite(mass) or not MASS_RANGE_KG[0] < mass < MASS_RANGE_KG[1]:
        raise InputError(source, f"mass_kg = {mass:g} kg; body mass must be > 0 and < 400 kg")
    sided: dict[str, dict[str, float]] = {}
    for field, value in (
        ("leg_length_m", leg_length_m),
        ("knee_width_m", knee_width_m),
        ("ankle_width_m", ankle_width_m),
    ):
        sided[field] = _sides(value, field, source)
        for v in sided[field].values():
            _check_length(v, field, source)
    asis_troch = None
    if asis_trochanter_m is not None:
        asis_troch = _sides(asis_trochanter_m, "asis_trochanter_m", source)
        for v in asis_troch.values():
            _check_length(v, "asis_trochanter_m", source)
    for field, scalar in (
        ("height_m", height_m),
        ("inter_asis_m", inter_asis_m),
        ("marker_diameter_m", marker_diameter_m),
    ):
        if scalar is not None:
            _check_length(float(scalar), field, source)
    angles: dict[str, dict[str, float]] = {}
    for field, value in (
        ("tibial_torsion_deg", tibial_torsion_deg),
        ("thigh_rotation_deg", thigh_rotation_deg),
        ("shank_rotation_deg", shank_rotation_deg),
        ("static_plantar_flexion_deg", static_plantar_flexion_deg),
        ("static_rotation_offset_deg", static_rotation_offset_deg),
        ("ankle_abadd_deg", ankle_abadd_deg),
    ):
        angles[field] = _sides(value, field, source)
        for v in angles[field].values():
            if not math.isfinite(v) or abs(v) > 90.0:
                raise InputError(source, f"{field} = {v:g} deg is outside ±90 deg")
    return SubjectMeasurements(
        mass_kg=mass,
        leg_length_m=sided["leg_length_m"],
        knee_width_m=sided["knee_width_m"],
        ankle_width_m=sided["ankle_width_m"],
        height_m=None if height_m is None else float(height_m),
        asis_trochanter_m=asis_troch,
        inter_asis_m=None if inter_asis_m is None else float(inter_asis_m),
        marker_diameter_m=float(marker_diameter_m),
        tibial_torsion_deg=angles["tibial_torsion_deg"],
        thigh_rotation_deg=angles["thigh_rotation_deg"],
        shank_rotation_deg=angles["shank_rotation_deg"],
        static_plantar_flexion_deg=angles["static_plantar_flexion_deg"],
        static_rotation_offset_deg=angles["static_rotation_offset_deg"],
        ankle_abadd_deg=angles["ankle_abadd_deg"],
        source=source,
    )


def _length_factor(values: Mapping[str, float], source: str) -> float:
    """mm -> m (0.001) or m -> m (1.0), decided from the leg lengths."""
    legs = [values[k] for k in ("LLegLength", "RLegLength") if values.get(k)]
    if not legs:
        raise InputError(source, "LLegLength/RLegLength missing: cannot tell the length unit")
    if all(300.0 <= v <= 1500.0 for v in legs):
        return 1e-3
    if all(0.3 <= v <= 1.5 for v in legs):
        return 1.0
    raise InputError(
        source,
        f"leg lengths {legs} are neither mm (300-1500) nor m (0.3-1.5): cannot tell the unit",
    )


def subject_from_named(
    values: Mapping[str, float], source: str, *, angle_factor_deg: float = 1.0
) -> SubjectMeasurements:
    """Measurements from Vicon parameter names (Bodymass, LLegLength, ...), mm and kg.

    Parameters
    ----------
    values
        Name -> number as Vicon writes them (``Bodymass`` kg, ``Height`` mm, ``LLegLength`` mm,
        ``LKneeWidth``, ``LAnkleWidth``, ``LAsisTrocanterDistance``, ``InterAsisDistance``,
        ``MarkerDiameter`` mm; ``LTibialTorsion``... in degrees times ``1/angle_factor_deg``).
    source
        File name for errors.
    angle_factor_deg
        Degrees per stored angle unit (1 for degrees, 180/pi for radians).

    Raises
    ------
    InputError
        A required value is missing or a value is implausible.
    """
    missing = [k for k in _REQUIRED if not values.get(k)]
    if missing:
        raise InputError(source, f"required measurement(s) missing or zero: {', '.join(missing)}")
    f = _length_factor(values, source)

    def pair(name: str) -> dict[str, float]:
        return {"left": values[f"L{name}"] * f, "right": values[f"R{name}"] * f}

    asis = None
    if values.get("LAsisTrocanterDistance") and values.get("RAsisTrocanterDistance"):
        asis = pair("AsisTrocanterDistance")
    angles: dict[str, dict[str, float]] = {}
    for name, field in _ANGLE_FIELDS.items():
        angles[field] = {
            "left": float(values.get(f"L{name}", 0.0)) * angle_factor_deg,
            "right": float(values.get(f"R{name}", 0.0)) * angle_factor_deg,
        }
    height = values.get("Height")
    inter = values.get("InterAsisDistance")
    diameter = values.get("MarkerDiameter")
    return subject_from_values(
        mass_kg=values["Bodymass"],
        leg_length_m=pair("LegLength"),
        knee_width_m=pair("KneeWidth"),
        ankle_width_m=pair("AnkleWidth"),
        height_m=height * f if height else None,
        asis_trochanter_m=asis,
        inter_asis_m=inter * f if inter else None,
        marker_diameter_m=diameter * f if diameter else 0.014,
        source=source,
        **angles,
    )


def read_mp(path: str | Path) -> SubjectMeasurements:
    """Read a Vicon ``.mp`` subject file (lines ``$Name = value``; mm, kg, degrees).

    Raises
    ------
    InputError
        Unreadable file, no parameters, a non-numeric value or an implausible measurement.
    """
    source = str(path)
    text = _read_text(path)
    values: dict[str, float] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("{")[0].strip()
        if not line.startswith("$"):
            continue
        m = re.match(r"\$(\w+)\s*=\s*(\S+)", line)
        if not m:
            raise InputError(source, f"line {lineno} is not '$Name = value': {line!r}")
        try:
            values[m.group(1)] = float(m.group(2))
        except ValueError:
            raise InputError(source, f"{m.group(1)} (line {lineno}) is not a number: "
                                     f"{m.group(2)!r}") from None
    if not values:
        raise InputError(source, "no '$Name = value' lines: not a Vicon .mp subject file")
    return subject_from_named(values, source)


def _short_name(nexus_name: str) -> str:
    """Nexus long name -> the short name of ``.mp`` files: ``LeftLegLength`` -> ``LLegLength``."""
    for long, short in (("Left", "L"), ("Right", "R")):
        if nexus_name.startswith(long) and nexus_name[len(long) : len(long) + 1].isupper():
            return short + nexus_name[len(long) :]
    return nexus_name


def _long_name(short_name: str) -> str:
    """Short name -> Nexus long name: ``LLegLength`` -> ``LeftLegLength``."""
    if short_name[:1] in "LR" and short_name[1:2].isupper():
        return ("Left" if short_name[0] == "L" else "Right") + short_name[1:]
    return short_name


def read_vsk(path: str | Path) -> SubjectMeasurements:
    """Read a Vicon ``.vsk`` subject file, older or Nexus form (see the module notes).

    The form is told by the element: ``<Parameter NAME="LLegLength" VALUE=..>`` (older: short
    names, mm, kg, angles in degrees) or ``<StaticParameter NAME="LeftLegLength" VALUE=..>``
    (Vicon Nexus: long names, mm, kg, angles in radians, converted to degrees). A Nexus file's
    ``<Parameter>`` entries (fitted marker positions) are ignored. The returned ``source`` names the
    file and the form read.

    Raises
    ------
    InputError
        Unreadable or malformed XML; neither form's entries; a required measurement (body mass,
        leg lengths, knee and ankle widths) missing or zero, naming it in both forms; a
        non-numeric or implausible value.
    """
    source = str(path)
    text = _read_text(path)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(source, f"not well-formed XML: {exc}") from None
    older: dict[str, float] = {}
    nexus: dict[str, float] = {}
    is_nexus = False
    for el in root.iter():
        tag = el.tag.split("}")[-1]
        if tag not in ("Parameter", "StaticParameter"):
            continue
        is_nexus = is_nexus or tag == "StaticParameter"
        name = el.get("NAME")
        value = el.get("VALUE")
        if not name or value is None or not value.strip():
            continue
        name = name.split(":")[-1]
        try:
            number = float(value)
        except ValueError:
            raise InputError(source, f"{name} is not a number: {value!r}") from None
        if tag == "Parameter":
            older[name] = number
            continue
        short = _short_name(name)
        is_angle = el.get("QUANTITY") == "angle" or short[1:] in _ANGLE_FIELDS
        nexus[short] = math.degrees(number) if is_angle else number
    values = nexus if is_nexus else older
    if not values and not is_nexus:
        raise InputError(
            source,
            "no <StaticParameter NAME=.. VALUE=..> (Nexus) or <Parameter NAME=.. VALUE=..> "
            "entries: not a Vicon .vsk subject file",
        )
    missing = [k for k in _REQUIRED if not values.get(k)]
    if missing:
        names = ", ".join(_long_name(k) if is_nexus else k for k in missing)
        form = "Nexus <StaticParameter>" if is_nexus else "<Parameter>"
        raise InputError(source, f"required measurement(s) missing or zero ({form}): {names}")
    subject = subject_from_named(values, source)
    form = (
        "Vicon Nexus <StaticParameter> form: mm, kg, angles rad -> deg"
        if is_nexus
        else "older <Parameter> form: mm, kg, angles deg"
    )
    return replace(subject, source=f"{source} ({form})")


def read_subject_file(path: str | Path) -> SubjectMeasurements:
    """Read a ``.mp`` or ``.vsk`` subject file, chosen by extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".mp":
        return read_mp(path)
    if suffix == ".vsk":
        return read_vsk(path)
    raise InputError(str(path), f"unknown subject file type {suffix!r}; expected .mp or .vsk")


def _read_text(path: str | Path) -> str:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(source, "file not found") from None
    except OSError as exc:
        raise InputError(source, f"cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(source, "the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def subject_from_processing(
    params: Mapping[str, Any], source: str, *, angle_unit: AngleUnit = "auto"
) -> SubjectMeasurements | None:
    """Measurements from a C3D PROCESSING group (as Nexus writes it), or None when absent.

    Parameters
    ----------
    params
        ezc3d's ``c["parameters"]``.
    source
        The C3D file, for errors.
    angle_unit
        ``"auto"`` (radians unless some offset exceeds pi/2, see the module notes), ``"rad"`` or
        ``"deg"``.

    Returns
    -------
    SubjectMeasurements or None
        None when the group is missing or lacks a required value (mass, leg lengths, knee and
        ankle widths; a zero counts as missing): kinetics will say so later.

    Raises
    ------
    InputError
        The values are present but implausible (naming ``PROCESSING:<name>``).
    """
    group = params.get("PROCESSING")
    if not group:
        return None
    values: dict[str, float] = {}
    for name, entry in group.items():
        if name.startswith("__") or not isinstance(entry, Mapping):
            continue
        arr = np.asarray(entry.get("value"))
        if arr.size == 0 or arr.dtype.kind not in "iuf":
            continue
        values[name] = float(arr.ravel()[0])
    if not all(values.get(k) for k in _REQUIRED):
        return None
    angle_values = [
        abs(values[f"{side}{name}"])
        for name in _ANGLE_FIELDS
        for side in "LR"
        if f"{side}{name}" in values
    ]
    if angle_unit == "auto":
        angle_unit = "deg" if any(v > math.pi / 2 for v in angle_values) else "rad"
    factor = 180.0 / math.pi if angle_unit == "rad" else 1.0
    try:
        return subject_from_named(values, f"{source} PROCESSING group", angle_factor_deg=factor)
    except InputError as exc:
        raise InputError(source, f"PROCESSING group: {exc.problem}") from None
