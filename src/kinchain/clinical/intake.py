"""The clinical intake: what a person with knee and/or ankle pain (or their clinician) answers.

Conventions
-----------
* Every yes/no question is an :data:`Answer`: ``"yes"``, ``"no"`` or ``"unknown"``. ``"unknown"``
  (the default) is a first-class answer and means *not asked, not known or not examined*; it is
  never read as ``"no"``. Rules treat it with three-valued (Kleene) logic and name it as something
  to ask or test next when it could change their result.
* Every number is optional; ``None`` means unknown. Units are in the field name (``_days``,
  ``_c`` for degrees Celsius, ``_mg_l``, ``_cm``). Serum urate takes an explicit unit
  (:attr:`Labs.urate_unit`); without one the unit is detected from the value and the assumption is
  stated in the assessment (see :meth:`Labs.urate_mg_dl`).
* Types are strict: a number must be a JSON number (``40``, not ``"40"``, not ``true``; an
  integer is accepted for a decimal field, a decimal is refused for a count), an answer must be
  one of its strings (``1`` or ``true`` is refused). NaN and infinities are refused.
* Out-of-range values, unknown fields and contradictory answers raise
  :class:`kinchain.errors.InputError`, from :func:`parse_intake` and from validating an
  :class:`Intake` directly alike: the source is the first field with a problem and the message
  lists every problem found, each as ``field: problem`` joined with ``"; "`` (at most
  :data:`MAX_LISTED_PROBLEMS`), a submitted value echoed only cut to :data:`ECHO_CHARS`
  characters. The cross-field contradictions (answers that cannot all be true; each message
  names both fields) are listed in ``docs/clinical.md``, section "The intake".
* :func:`parse_intake` also bounds the input before reading it: JSON text of at most
  :data:`MAX_INTAKE_BYTES` bytes, nesting of at most :data:`MAX_INTAKE_DEPTH` levels (the intake
  itself needs 3) and at most :data:`MAX_INTAKE_VALUES` values, for text and for mappings alike.
  Validating an :class:`Intake` directly does not check these: untrusted input goes through
  :func:`parse_intake`.

The only required field is :attr:`Pain.sites` (``pain.sites``): at least one painful site.
The JSON Schema is :func:`intake_json_schema`, published as ``docs/intake.schema.json`` with the
field table of ``docs/clinical.md`` by ``python tools/gen_intake_docs.py``.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)

from kinchain.errors import InputError

Answer = Literal["yes", "no", "unknown"]
"""A yes/no question's answer; ``"unknown"`` is distinct from ``"no"``."""

Site = Literal["knee", "ankle", "foot", "toes", "hip", "thigh", "calf", "back"]
"""Painful sites. ``calf`` is the calf, shin or lower leg between knee and ankle; ``thigh`` is the
thigh between hip and knee; ``toes`` are the toes (the big-toe joint is also ``pain.first_mtp``)."""
Side = Literal["left", "right", "both", "unknown"]

SCHEMA_VERSION = "2"

DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 30.4375}
"""Days in each unit of :attr:`Pain.duration_unit` (a month is 365.25 / 12 days)."""


MAX_INTAKE_BYTES = 256 * 1024
"""Largest intake JSON text :func:`parse_intake` reads, in bytes (UTF-8)."""
MAX_INTAKE_DEPTH = 8
"""Deepest nesting of objects and lists :func:`parse_intake` reads (the top-level object is level
1; the intake itself needs 3, e.g. ``gait_findings[0]``)."""
MAX_INTAKE_VALUES = 10_000
"""Most values (of objects and lists, all levels together) :func:`parse_intake` reads."""
MAX_SITES = len(get_args(Site))
"""Most entries in :attr:`Pain.sites` (there are 8 sites)."""
MAX_GAIT_FINDINGS = 32
"""Most entries in :attr:`Intake.gait_findings` (8 finding names on up to 3 sides is 24)."""
MAX_LISTED_PROBLEMS = 20
"""Most problems one :class:`~kinchain.errors.InputError` lists (the rest are counted)."""
ECHO_CHARS = 40
"""A submitted value echoed in an error message is cut to this many characters."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False
    )


class _Refused(ValueError):
    """Problems a validator found, as ``(field, problem)`` pairs with full field paths.

    A ``ValueError`` so that pydantic collects it with every other problem of the intake;
    :class:`Intake` turns the lot into one :class:`~kinchain.errors.InputError`.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {p}" for f, p in problems))


_echo_repr = reprlib.Repr()
_echo_repr.maxstring = ECHO_CHARS
_echo_repr.maxother = ECHO_CHARS
_echo_repr.maxlevel = 2
_echo_repr.maxlist = _echo_repr.maxtuple = _echo_repr.maxdict = 4


def _clip(text: str, limit: int = ECHO_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    """Every problem of a pydantic ``ValidationError`` as ``(field, problem)``."""
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        refused = err.get("ctx", {}).get("error")
        if isinstance(refused, _Refused):
            out.extend(refused.problems)
            continue
        field = ".".join(_clip(str(p)) for p in err["loc"]) or "intake"
        if err["type"] == "missing":
            problem = "required field is missing"
        elif err["type"] == "extra_forbidden":
            problem = "unknown field (not in the intake schema)"
        else:
            problem = err["msg"]
            if "input" in err:
                problem += f" (got {_clip(_echo_repr.repr(err['input']))})"
        out.append((field, problem))
    return out


def _input_error(problems: list[tuple[str, str]]) -> InputError:
    """One :class:`InputError` listing ``problems``: the source is the first problem's field."""
    (source, first), rest = problems[0], problems[1:MAX_LISTED_PROBLEMS]
    text = first + "".join(f"; {field}: {problem}" for field, problem in rest)
    more = len(problems) - MAX_LISTED_PROBLEMS
    if more > 0:
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return InputError(source, text)


def _ans(description: str) -> Any:
    return Field(default="unknown", description=description)


# --------------------------------------------------------------------------------------------
# Gait evidence (filled by kinchain's own gait analysis)
# --------------------------------------------------------------------------------------------

GaitFindingName = Literal[
    "antalgic_gait",
    "stiff_knee",
    "leg_rotation",
    "overpronation",
    "supination",
    "ankle_overload",
    "knee_to_ankle_propagation",
    "altered_foot_strike_timing",
]


class GaitFindingEvidence(_Model):
    """One named finding of kinchain's gait analysis, used as evidence for the mechanical
    (kinetic-chain) explanation of the pain."""

    name: GaitFindingName = Field(
        description="Finding name, e.g. 'antalgic_gait', 'stiff_knee', 'leg_rotation', "
        "'overpronation', 'supination', 'ankle_overload', 'knee_to_ankle_propagation', "
        "'altered_foot_strike_timing'."
    )
    side: Literal["left", "right", "both"] = Field(description="Side the finding is on.")
    fired: bool = Field(description="Whether the finding's criterion was met in this trial.")
    severity: Literal["mild", "moderate", "severe"] = Field(
        default="mild", description="Severity as graded by the gait analysis."
    )
    summary: str = Field(
        default="", max_length=1000, description="One-line human summary of the finding."
    )

    @field_validator("fired", mode="before")
    @classmethod
    def _numpy_bool(cls, value: Any) -> Any:
        # the gait analysis may compute ``fired`` as a NumPy bool; strict mode takes only bool
        if type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_"):
            return bool(value)
        return value


# --------------------------------------------------------------------------------------------
# Groups of questions
# --------------------------------------------------------------------------------------------


class Demographics(_Model):
    """Who the person is."""

    age_years: float | None = Field(
        default=None, ge=0, le=120, description="Age in years; null if unknown."
    )
    sex: Literal["female", "male", "other", "unknown"] = Field(
        default="unknown", description="Sex (the Netherlands gout rule scores male sex)."
    )
    pregnant: Answer = _ans("Currently pregnant (an exclusion of the Ottawa ankle rules).")
    gave_birth_6_weeks: Answer = _ans("Gave birth in the last 6 weeks (a clot risk factor).")


class Character(_Model):
    """How the pain feels (DN4 interview question 1 and the seed article's descriptors)."""

    sharp: Answer = _ans("Sharp pain.")
    burning: Answer = _ans("Burning pain (DN4 item 1).")
    aching: Answer = _ans("Aching, dull pain.")
    painful_cold: Answer = _ans("Painful cold (DN4 item 2).")
    electric_shocks: Answer = _ans("Electric shocks (DN4 item 3).")


class Pain(_Model):
    """The pain: where, since when, how it behaves and what it feels like."""

    sites: list[Site] = Field(
        min_length=1,
        max_length=MAX_SITES,
        description="Painful sites (required, at least one): knee, ankle, foot, toes, hip, "
        "thigh, calf (calf, shin or lower leg), back.",
    )
    side: Side = Field(default="unknown", description="Side of the leg symptoms.")
    first_mtp: Answer = _ans("The base of the big toe (1st metatarsophalangeal joint) is involved.")
    onset: Literal["sudden", "gradual", "unknown"] = Field(
        default="unknown", description="Sudden (hours) or gradual (days to months) onset."
    )
    duration_days: float | None = Field(
        default=None,
        ge=0,
        le=36500,
        description="Days since the pain began; null if unknown. Give this or duration_value "
        "with duration_unit.",
    )
    duration_value: float | None = Field(
        default=None,
        ge=0,
        le=36500,
        description="How long the pain has lasted, in duration_unit (days, weeks or months); "
        "converted to duration_days (a week is 7 days, a month 30.4 days).",
    )
    duration_unit: Literal["days", "weeks", "months"] | None = Field(
        default=None, description="Unit of duration_value."
    )
    pattern: Literal["constant", "intermittent", "episodic", "unknown"] = Field(
        default="unknown", description="Constant, intermittent or in distinct episodes (attacks)."
    )
    severity_0_10: float | None = Field(
        default=None, ge=0, le=10, description="Numeric pain rating, 0 (none) to 10 (worst)."
    )
    character: Character = Field(default_factory=Character, description="Pain character.")
    tingling: Answer = _ans("Tingling in the painful area (DN4 item 4).")
    pins_and_needles: Answer = _ans("Pins and needles in the painful area (DN4 item 5).")
    numbness: Answer = _ans("Numbness in the painful area (DN4 item 6).")
    itching: Answer = _ans("Itching in the painful area (DN4 item 7).")
    radiation_from_back: Answer = _ans("The leg pain radiates from the lower back.")
    radiates_below_knee: Answer = _ans("The radiating pain goes below the knee.")
    distribution: Literal["local", "dermatomal", "stocking", "unknown"] = Field(
        default="unknown",
        description="Distribution of the pain or sensory symptoms: local to the joint, "
        "dermatomal (a strip down one leg), or stocking (both feet, symmetric).",
    )
    worse_with_activity: Answer = _ans("Worse with walking, stairs or sport (mechanical).")
    night_pain: Answer = _ans("Constant or night pain (pain at rest at night).")
    out_of_proportion: Answer = _ans(
        "Pain out of proportion to the injury (compartment syndrome's earliest sign)."
    )

    @model_validator(mode="before")
    @classmethod
    def _duration(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        value, unit = data.get("duration_value"), data.get("duration_unit")
        if value is None and unit is None:
            return data
        if value is None or unit is None:
            missing = "pain.duration_unit" if unit is None else "pain.duration_value"
            raise _Refused([(missing, "give pain.duration_value and pain.duration_unit together")])
        if not isinstance(value, int | float) or isinstance(value, bool):
            return data  # the field's own type check names the problem
        if unit not in DAYS_PER_UNIT:
            return data
        days = float(value) * DAYS_PER_UNIT[unit]
        given = data.get("duration_days")
        if isinstance(given, int | float) and not isinstance(given, bool):
            if abs(given - days) > max(1.0, 0.1 * days):
                raise _Refused(
                    [
                        (
                            "pain.duration_days",
                            f"{given:g} days contradicts pain.duration_value = {value:g} "
                            f"{unit} ({days:.4g} days): give one of them, or make them agree",
                        )
                    ]
                )
            return data
        return {**data, "duration_days": round(days, 2)}


class Episode(_Model):
    """Characteristics of the attack(s) of joint pain, for the gout criteria."""

    max_pain_within_24h: Answer = _ans("Time to maximal pain under 24 hours.")
    resolved_within_14_days: Answer = _ans("Episode(s) resolved within 14 days.")
    complete_resolution_between: Answer = _ans("Complete resolution between episodes.")
    recurrent: Answer = _ans("More than one such (typical) episode.")
    cannot_bear_touch: Answer = _ans("Cannot bear touch or pressure on the affected joint.")
    great_difficulty_walking: Answer = _ans(
        "Great difficulty walking or inability to use the joint during an episode."
    )
    previous_arthritis_attack: Answer = _ans("A previous patient-reported arthritis attack.")


class Trauma(_Model):
    """Injury and mechanism; the Ottawa/Pittsburgh applicability questions."""

    injury: Answer = _ans("The pain started with an injury.")
    mechanism: Literal[
        "twisting", "blunt_or_fall", "direct_blow", "crush", "high_energy", "exertion", "unknown"
    ] = Field(default="unknown", description="Mechanism of the injury.")
    days_since_injury: float | None = Field(
        default=None, ge=0, le=36500, description="Days since the injury; null if unknown."
    )
    bore_weight_immediately: Answer = _ans(
        "Could take 4 steps (weight twice onto each foot, limping allowed) right after the injury."
    )
    open_wound_over_injury: Answer = _ans("Open wound over the injured bone (open fracture).")
    dislocation_suspected: Answer = _ans("Joint looks or feels dislocated (incl. patella).")
    isolated_skin_injury: Answer = _ans("Isolated skin injury only (rule exclusion).")
    reassessment_visit: Answer = _ans("Returning for reassessment of the same injury.")
    intoxicated: Answer = _ans("Intoxicated at assessment (Ottawa exclusion).")
    head_injury: Answer = _ans("Head injury (Ottawa exclusion).")
    multiple_trauma: Answer = _ans("Multiple trauma (Ottawa exclusion).")
    previous_knee_surgery: Answer = _ans("Previous surgery on the injured knee (Pittsburgh).")
    in_cast_or_tight_dressing: Answer = _ans("The leg is in a cast or a tight dressing.")
    pop_or_snap: Answer = _ans(
        "A pop or snap was heard or felt at the moment of injury, or it felt like being kicked "
        "(a tendon or ligament rupture)."
    )


class Function(_Model):
    """What the person can do, and how the pain affects daily life."""

    bears_weight_4_steps: Answer = _ans(
        "Can take 4 steps now (weight twice onto each foot, limping allowed)."
    )
    walked_today_km: float | None = Field(
        default=None, ge=0, le=100, description="Distance walked today, km (consistency check)."
    )
    can_flex_knee_90: Answer = _ans("Can bend the knee to 90 degrees (Ottawa knee).")
    can_straight_leg_raise: Answer = _ans(
        "Can lift the straightened leg (extensor mechanism intact)."
    )
    can_stand_on_tiptoe: Answer = _ans(
        "Can stand on tiptoe on the painful leg alone (Achilles tendon intact)."
    )
    knee_locked: Answer = _ans("Knee locked (cannot fully straighten, mechanical block).")
    restricted_movement: Answer = _ans("Movement of the painful joint is restricted by pain.")
    interferes_daily_activities: Answer = _ans("The pain interferes with daily activities.")
    interferes_sleep: Answer = _ans("The pain disturbs sleep.")
    rest_and_otc: Literal["not_tried", "improved", "not_improved", "unknown"] = Field(
        default="unknown",
        description="Response to a few days of rest and over-the-counter painkillers.",
    )


class Signs(_Model):
    """Swelling, inflammation and other signs, reported or observed."""

    swelling: Answer = _ans(
        "The painful joint is swollen (for swelling of the calf or lower leg itself, see "
        "signs.leg_swelling)."
    )
    swelling_sudden_severe: Answer = _ans("Sudden, severe swelling (within hours).")
    warmth: Answer = _ans("The joint is warm or hot.")
    redness: Answer = _ans("The skin over the joint is red (erythema).")
    fever: Answer = _ans("Fever or rigors (feverish, shivering).")
    temperature_c: float | None = Field(
        default=None, ge=30, le=45, description="Measured body temperature, degrees Celsius."
    )
    deformity: Answer = _ans("Visible deformity of the leg or joint.")
    instability: Answer = _ans("The knee or ankle gives way (instability).")
    morning_stiffness_minutes: float | None = Field(
        default=None, ge=0, le=1440, description="Duration of morning joint stiffness, minutes."
    )
    small_joints_involved: int | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Number of swollen or tender small joints (MCPs, PIPs, MTPs 2-5, thumb IP, "
        "wrists; not DIPs, 1st CMC or 1st MTP) (2010 ACR/EULAR RA domain A).",
    )
    large_joints_involved: int | None = Field(
        default=None,
        ge=0,
        le=20,
        description="Number of swollen or tender large joints (shoulders, elbows, hips, knees, "
        "ankles) (2010 ACR/EULAR RA domain A).",
    )
    symmetric_joints: Answer = _ans("Joint involvement is symmetric (both sides).")
    tophus: Answer = _ans("Tophus (chalk-like subcutaneous nodule).")
    unexplained_weight_loss: Answer = _ans("Unexplained weight loss.")
    hard_mass: Answer = _ans("A hard mass near the joint or bone.")
    leg_swelling: Literal["no", "one_leg", "both_legs", "unknown"] = Field(
        default="unknown",
        description="Swelling of the calf or lower leg itself (not only of a joint): in one leg "
        "only, in both legs, or none.",
    )
    calf_pain: Answer = _ans(
        "Pain, tenderness, tightness or warmth in the calf of one leg (a possible clot)."
    )
    shoulder_hip_girdle_stiffness: Answer = _ans(
        "Aching and stiffness in both shoulders and/or both hips, worst in the morning."
    )


class Neuro(_Model):
    """Neurological red-flag questions (ask about perineal numbness explicitly)."""

    bladder_or_bowel_dysfunction: Answer = _ans(
        "New bladder or bowel dysfunction (retention, incontinence)."
    )
    saddle_numbness: Answer = _ans("New numbness or altered sensation around the anus/genitals.")
    sexual_dysfunction: Answer = _ans("New sexual dysfunction.")
    bilateral_leg_symptoms: Answer = _ans(
        "Sciatica or weakness in both legs (or alternating, or spreading to both)."
    )
    new_leg_weakness: Answer = _ans("New weakness of the leg or foot.")
    foot_drop: Answer = _ans("New foot drop (toes catch, foot slaps).")
    worsening_deficit: Answer = _ans("The weakness or numbness is getting worse.")
    sudden_one_side_weakness: Answer = _ans(
        "Sudden weakness or numbness of one side of the body (face, arm and/or leg)."
    )
    face_drooping: Answer = _ans("Face drooping on one side (cannot smile evenly).")
    speech_difficulty: Answer = _ans(
        "Sudden slurred speech, or difficulty finding or understanding words."
    )
    sudden_vision_or_balance_loss: Answer = _ans(
        "Sudden loss of vision, double vision, or sudden loss of balance or coordination."
    )
    symptoms_resolved: Answer = _ans(
        "Those sudden symptoms (one-sided weakness or numbness, face, speech, vision, balance) "
        "have completely gone again."
    )


class Vascular(_Model):
    """Circulation and compartment questions."""

    foot_cold_or_pale: Answer = _ans("The foot is cold, pale or blue.")
    foot_pulses_absent: Answer = _ans("Foot pulses absent on examination.")
    pain_on_passive_stretch: Answer = _ans("Pain on passive stretch of the compartment's muscles.")
    compartment_tense: Answer = _ans("Tense, 'woody' muscle compartment.")
    claudication: Answer = _ans(
        "Calf, thigh or buttock pain when walking that goes away within minutes of resting."
    )
    rest_pain_foot: Answer = _ans(
        "Pain in the foot or toes at rest, often at night, eased by hanging the leg down."
    )


class History(_Model):
    """Past medical history and risk factors."""

    diabetes: Answer = _ans("Diabetes.")
    previous_gout: Answer = _ans("Gout diagnosed before.")
    rheumatoid_arthritis: Answer = _ans("Rheumatoid arthritis diagnosed before.")
    osteoarthritis: Answer = _ans("Osteoarthritis of the painful joint.")
    immunosuppression: Answer = _ans("Immunosuppressed (drugs, HIV, chemotherapy).")
    long_term_steroids: Answer = _ans("Long-term oral steroids.")
    iv_drug_use: Answer = _ans("Intravenous drug use.")
    prosthetic_joint: Answer = _ans("A prosthetic (replaced) joint at the painful site.")
    recent_joint_injection: Answer = _ans("Injection into the painful joint in the last weeks.")
    skin_ulcer: Answer = _ans("Skin ulcers or a skin infection on the leg.")
    recent_surgery_12_weeks: Answer = _ans(
        "Major surgery (general or regional anaesthesia) in the last 12 weeks."
    )
    bedridden_3_days: Answer = _ans("Bedridden for 3 days or more recently.")
    leg_immobilised: Answer = _ans(
        "Paralysis, paresis or recent plaster immobilisation of the leg (Wells item)."
    )
    cancer_active: Answer = _ans(
        "Active cancer (treatment ongoing, within 6 months, or palliative)."
    )
    cancer_history: Answer = _ans("Any history of cancer.")
    previous_dvt: Answer = _ans("Previously documented deep-vein thrombosis.")
    hypertension_or_cvd: Answer = _ans("Hypertension or at least one cardiovascular disease.")
    alcohol_excess: Answer = _ans("Drinks alcohol in excess.")
    surgery_on_this_leg_6_weeks: Answer = _ans(
        "An operation on the painful leg (e.g. knee or hip replacement, arthroscopy) in the "
        "last 6 weeks."
    )
    long_travel_4_weeks: Answer = _ans(
        "A journey of 4 hours or more (plane, car, train, bus) in the last 4 weeks."
    )
    hormones: Answer = _ans(
        "Takes the combined contraceptive pill or hormone replacement therapy (HRT)."
    )
    sickle_cell_disease: Answer = _ans("Sickle cell disease.")
    heart_valve_disease: Answer = _ans(
        "Heart valve disease, an artificial heart valve, or endocarditis before."
    )
    atrial_fibrillation: Answer = _ans("Atrial fibrillation (an irregular heartbeat).")
    smoker: Answer = _ans("Smokes, or stopped smoking in the last year.")
    peripheral_arterial_disease: Answer = _ans(
        "Known narrowing of the leg arteries (peripheral arterial disease)."
    )
    statin: Answer = _ans("Takes a statin (a cholesterol medicine).")
    strenuous_exercise: Answer = _ans(
        "Unaccustomed, very strenuous exercise or exertion in the last few days."
    )
    long_lie: Answer = _ans("Lay on the floor for hours after a fall (could not get up).")
    symptom_onset_to_advice_days: float | None = Field(
        default=None,
        ge=0,
        le=36500,
        description="Delay between symptom onset and seeking advice, days (NICE NG100).",
    )


class Skin(_Model):
    """The skin of the leg and foot (infection, ulcers, wounds)."""

    redness_spreading: Answer = _ans(
        "A red (or darker on brown or black skin), hot, painful area of skin on the leg or foot "
        "that is spreading."
    )
    spreading_fast: Answer = _ans("The red area of skin is spreading quickly (within hours).")
    broken_skin: Answer = _ans(
        "A cut, graze, bite, blister, cracked skin between the toes or an ulcer on the leg or foot."
    )
    ulcer_not_healing: Answer = _ans("A wound or ulcer on the foot or leg that is not healing.")
    skin_turning_black: Answer = _ans("Skin of the toes or foot turning black (gangrene).")
    wound_problem: Answer = _ans(
        "A surgical wound on the leg that is red, hot, leaking fluid or pus, or opening."
    )


class General(_Model):
    """Whole-body symptoms that point away from the knee and ankle (clot in the lung, sepsis,
    muscle breakdown, giant-cell arteritis)."""

    breathless: Answer = _ans("New or sudden shortness of breath.")
    chest_pain: Answer = _ans("Chest pain, especially when breathing in.")
    coughing_blood: Answer = _ans("Coughing up blood.")
    fainting: Answer = _ans("Fainted, collapsed or nearly fainted.")
    very_unwell: Answer = _ans(
        "Feels very unwell: confused or drowsy, very cold and shivery, mottled or blue skin, or "
        "hardly passing urine."
    )
    dark_urine: Answer = _ans("Dark brown, tea- or cola-coloured urine.")
    muscle_pain_weakness: Answer = _ans(
        "Pain, tenderness or weakness in the muscles (not only around a joint)."
    )
    new_headache: Answer = _ans("A new headache, often at the temples, or a tender scalp.")
    jaw_pain_chewing: Answer = _ans("Pain in the jaw or tongue when chewing.")


class Exam(_Model):
    """Examination findings (clinician)."""

    malleolar_zone_pain: Answer = _ans("Pain in the malleolar zone (Ottawa ankle gate).")
    midfoot_zone_pain: Answer = _ans("Pain in the midfoot zone (Ottawa foot gate).")
    tender_lateral_malleolus: Answer = _ans(
        "Bone tenderness, posterior edge or tip of the lateral malleolus (distal 6 cm)."
    )
    tender_medial_malleolus: Answer = _ans(
        "Bone tenderness, posterior edge or tip of the medial malleolus (distal 6 cm)."
    )
    tender_fifth_metatarsal_base: Answer = _ans(
        "Bone tenderness at the base of the 5th metatarsal."
    )
    tender_navicular: Answer = _ans("Bone tenderness at the navicular.")
    tender_patella_isolated: Answer = _ans(
        "Isolated tenderness of the patella (no other knee bone tenderness)."
    )
    tender_fibular_head: Answer = _ans("Tenderness at the head of the fibula.")
    straight_leg_raise_positive: Answer = _ans("Straight-leg raise reproduces leg pain.")
    crossed_slr_positive: Answer = _ans("Crossed straight-leg raise positive.")
    hypoaesthesia_touch: Answer = _ans("Hypoaesthesia to touch in the painful area (DN4 item 8).")
    hypoaesthesia_pinprick: Answer = _ans(
        "Hypoaesthesia to pinprick in the painful area (DN4 item 9)."
    )
    brushing_increases_pain: Answer = _ans("Brushing causes or increases the pain (DN4 item 10).")
    calf_difference_cm: float | None = Field(
        default=None,
        ge=-20,
        le=20,
        description="Calf circumference, symptomatic minus other leg, cm, 10 cm below the tibial "
        "tuberosity (Wells: >= 3 cm).",
    )
    entire_leg_swollen: Answer = _ans("Entire leg swollen (Wells).")
    pitting_oedema_symptomatic_leg: Answer = _ans(
        "Pitting oedema confined to the symptomatic leg (Wells)."
    )
    collateral_superficial_veins: Answer = _ans("Collateral superficial (non-varicose) veins.")
    tender_deep_veins: Answer = _ans("Localised tenderness along the deep venous system (Wells).")
    alternative_diagnosis_as_likely: Answer = _ans(
        "An alternative diagnosis is at least as likely as DVT (Wells: minus 2)."
    )
    large_effusion: Answer = _ans("Acute large knee effusion or haemarthrosis.")
    tendon_rupture_suspected: Answer = _ans("Suspected quadriceps or patellar tendon rupture.")
    synovitis_better_explained: Answer = _ans(
        "The synovitis is better explained by another disease (SLE, psoriatic arthritis, "
        "gout...) (2010 ACR/EULAR RA exclusion)."
    )


class Labs(_Model):
    """Optional laboratory and imaging results. Numbers are None when not done."""

    crp_mg_l: float | None = Field(default=None, ge=0, le=1000, description="CRP, mg/L.")
    crp_uln_mg_l: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Laboratory's CRP upper limit of normal, mg/L (when not given: > 10 mg/L "
        "raised, <= 5 normal, in between unknown).",
    )
    esr_mm_h: float | None = Field(default=None, ge=0, le=200, description="ESR, mm/h.")
    esr_uln_mm_h: float | None = Field(
        default=None,
        gt=0,
        le=200,
        description="ESR upper limit of normal, mm/h (assumed "
        "age/2 for men and (age+10)/2 for women, at least 20 mm/h, when not given).",
    )
    rf_iu_ml: float | None = Field(default=None, ge=0, le=10000, description="RF, IU/mL.")
    rf_uln_iu_ml: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="RF upper limit of normal, IU/mL (required with rf_iu_ml).",
    )
    acpa_u_ml: float | None = Field(
        default=None, ge=0, le=10000, description="Anti-CCP (ACPA), U/mL."
    )
    acpa_uln_u_ml: float | None = Field(
        default=None,
        gt=0,
        le=1000,
        description="ACPA upper limit of normal, U/mL (required with acpa_u_ml).",
    )
    urate: float | None = Field(
        default=None, gt=0, le=3000, description="Serum urate (uricase method), in urate_unit."
    )
    urate_unit: Literal["mg/dL", "umol/L", "mmol/L"] | None = Field(
        default=None,
        description="Unit of 'urate'. When omitted it is detected from the value (< 1.5: mmol/L; "
        "1.5-25: mg/dL; > 60: umol/L) and the assumption is stated; 25-60 is ambiguous "
        "and rejected.",
    )
    wbc_per_mm3: float | None = Field(
        default=None, ge=0, le=500_000, description="Blood white cell count per mm^3 (Kocher)."
    )
    synovial_msu: Literal["positive", "negative", "not_done"] = Field(
        default="not_done",
        description="Monosodium urate crystals in synovial fluid or a tophus (trained observer).",
    )
    synovial_wbc_per_mm3: float | None = Field(
        default=None, ge=0, le=1_000_000, description="Synovial fluid white cells per mm^3."
    )
    synovial_gram_stain: Literal["positive", "negative", "not_done"] = Field(
        default="not_done", description="Gram stain of synovial fluid."
    )
    urate_deposition_imaging: Answer = _ans(
        "Ultrasound double-contour sign or DECT urate deposition in a symptomatic joint."
    )
    gout_erosion_xray: Answer = _ans("Gout-related erosion on X-ray of hands or feet.")
    ra_erosions_xray: Answer = _ans("Erosive disease typical of RA on X-ray.")

    def urate_mg_dl(self) -> tuple[float | None, str | None]:
        """Serum urate in mg/dL and the unit assumption made, if any.

        Returns
        -------
        (value_mg_dl, assumption)
            ``(None, None)`` when no urate was given. 1 mg/dL = 59.48 umol/L = 0.05948 mmol/L.
        """
        if self.urate is None:
            return None, None
        value = self.urate
        unit = self.urate_unit
        assumption: str | None = None
        if unit is None:
            if value < 1.5:
                unit = "mmol/L"
            elif value <= 25:
                unit = "mg/dL"
            elif value > 60:
                unit = "umol/L"
            else:  # pragma: no cover - rejected by the validator
                raise InputError("labs.urate", "ambiguous unit")
            assumption = (
                f"labs.urate = {value:g} given without a unit: read as {unit} from its magnitude."
            )
        if unit == "mg/dL":
            mg = value
        elif unit == "umol/L":
            mg = value / 59.48
        else:
            mg = value / 0.05948
        return mg, assumption

    @model_validator(mode="after")
    def _check(self) -> Labs:
        problems: list[tuple[str, str]] = []
        if self.urate is not None:
            v, unit = self.urate, self.urate_unit
            if unit is None and 25 < v <= 60:
                problems.append(
                    (
                        "labs.urate",
                        f"{v:g} is ambiguous without a unit (too high for mg/dL, too low for "
                        "umol/L): give labs.urate_unit",
                    )
                )
            else:
                mg, _ = self.urate_mg_dl()
                if mg is not None and not 0.3 <= mg <= 30:
                    problems.append(
                        (
                            "labs.urate",
                            f"{v:g} {unit or ''} is {mg:.2f} mg/dL, outside 0.3-30 mg/dL: "
                            "check the value and labs.urate_unit",
                        )
                    )
        if self.rf_iu_ml is not None and self.rf_uln_iu_ml is None:
            problems.append(("labs.rf_uln_iu_ml", "needed with labs.rf_iu_ml (the lab's ULN)"))
        if self.acpa_u_ml is not None and self.acpa_uln_u_ml is None:
            problems.append(("labs.acpa_uln_u_ml", "needed with labs.acpa_u_ml (the lab's ULN)"))
        if problems:
            raise _Refused(problems)
        return self


class Intake(_Model):
    """A complete clinical intake. Only ``pain.sites`` is required; everything else defaults to
    unknown."""

    schema_version: Literal["1", "2"] = Field(
        default="2",
        description="Intake schema version (1 is read as well: every field it has kept its "
        "meaning).",
    )
    answered_by: Literal["patient", "clinician", "unknown"] = Field(
        default="unknown", description="Who answered (examination items need a clinician)."
    )
    demographics: Demographics = Field(
        default_factory=Demographics, description="Who the person is."
    )
    pain: Pain = Field(description="The pain (required: pain.sites).")
    episode: Episode = Field(
        default_factory=Episode,
        description="Characteristics of the joint attack(s) (gout criteria).",
    )
    trauma: Trauma = Field(
        default_factory=Trauma,
        description="Injury, mechanism and the imaging rules' applicability questions.",
    )
    function: Function = Field(
        default_factory=Function,
        description="What the person can do; effect on daily life and sleep; response to rest "
        "and OTC painkillers.",
    )
    signs: Signs = Field(
        default_factory=Signs,
        description="Swelling, inflammation, deformity, instability, stiffness and joint counts.",
    )
    neuro: Neuro = Field(default_factory=Neuro, description="Neurological red-flag questions.")
    vascular: Vascular = Field(
        default_factory=Vascular, description="Circulation and compartment questions."
    )
    history: History = Field(default_factory=History, description="Past history and risk factors.")
    skin: Skin = Field(
        default_factory=Skin, description="Skin of the leg and foot: infection, ulcers, wounds."
    )
    general: General = Field(
        default_factory=General,
        description="Whole-body symptoms (breathing, chest, fainting, urine, headache).",
    )
    exam: Exam = Field(default_factory=Exam, description="Examination findings (clinician).")
    labs: Labs = Field(default_factory=Labs, description="Optional laboratory and imaging results.")
    gait_findings: list[GaitFindingEvidence] | None = Field(
        default=None,
        max_length=MAX_GAIT_FINDINGS,
        description="Findings of kinchain's gait analysis; null when no gait analysis was done.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Intake:
        """Refuse answers that cannot all be true (each message names both fields)."""
        problems: list[tuple[str, str]] = []

        def refuse(field: str, problem: str) -> None:
            problems.append((field, problem))

        d, p, t, f, s = self.demographics, self.pain, self.trauma, self.function, self.signs
        # --- who the person is
        for name, what in (("pregnant", "pregnant"), ("gave_birth_6_weeks", "a recent birth")):
            if getattr(d, name) != "yes":
                continue
            if d.sex == "male":
                refuse(
                    f"demographics.{name}",
                    f"'yes' contradicts demographics.sex = 'male' ({what} with male sex)",
                )
            if d.age_years is not None and d.age_years < 10:
                refuse(
                    f"demographics.{name}",
                    f"'yes' contradicts demographics.age_years = {d.age_years:g} (under 10)",
                )
        # --- the pain
        if p.first_mtp == "yes" and not {"foot", "toes"} & set(p.sites):
            # the big toe is part of the foot: accept, but it must be listed as a site
            refuse("pain.sites", "pain.first_mtp is 'yes': add 'foot' or 'toes' to pain.sites")
        sensory = (p.tingling, p.pins_and_needles, p.character.burning, p.character.painful_cold)
        if p.distribution == "stocking" and p.numbness == "no" and "yes" not in sensory:
            refuse(
                "pain.distribution",
                "'stocking' contradicts pain.numbness = 'no' (a stocking distribution is read "
                "as a neuropathy's symptoms, and no other sensory symptom is 'yes'): correct "
                "one of them, or leave one 'unknown'",
            )
        # --- the injury
        if t.injury == "no":
            if t.days_since_injury is not None:
                refuse("trauma.days_since_injury", "given although trauma.injury is 'no'")
            if t.mechanism not in ("unknown", "exertion"):
                refuse(
                    "trauma.mechanism",
                    "given although trauma.injury is 'no' (only 'exertion' may go without an "
                    "injury)",
                )
            for name in ("dislocation_suspected", "open_wound_over_injury"):
                if getattr(t, name) == "yes":
                    refuse(f"trauma.{name}", "'yes' although trauma.injury is 'no'")
            if t.bore_weight_immediately != "unknown":
                refuse(
                    "trauma.bore_weight_immediately",
                    f"'{t.bore_weight_immediately}' although trauma.injury is 'no' (there is "
                    "no 'right after the injury'): leave it 'unknown'",
                )
        # --- function
        if f.bears_weight_4_steps == "no" and (f.walked_today_km or 0) >= 0.1:
            refuse(
                "function.bears_weight_4_steps",
                f"contradicts function.walked_today_km = {f.walked_today_km:g}: cannot take 4 "
                "steps yet walked today",
            )
        # --- signs
        if s.fever == "no" and s.temperature_c is not None and s.temperature_c >= 38.0:
            refuse(
                "signs.fever",
                f"'no' contradicts signs.temperature_c = {s.temperature_c:g} C (>= 38.0 is a "
                "fever): correct one of them, or leave signs.fever 'unknown'",
            )
        if s.small_joints_involved is not None and s.large_joints_involved is not None:
            total = s.small_joints_involved + s.large_joints_involved
            if total > 68:
                refuse(
                    "signs.small_joints_involved",
                    f"with signs.large_joints_involved makes {total} joints, more than the 68 "
                    "joints counted",
                )
        if s.swelling == "no" and s.swelling_sudden_severe == "yes":
            refuse("signs.swelling_sudden_severe", "'yes' contradicts signs.swelling = 'no'")
        if s.leg_swelling == "no":
            for name in ("entire_leg_swollen", "pitting_oedema_symptomatic_leg"):
                if getattr(self.exam, name) == "yes":
                    refuse(f"exam.{name}", "'yes' contradicts signs.leg_swelling = 'no'")
        # --- sudden stroke symptoms that have gone again (a TIA) need such a symptom
        n = self.neuro
        stroke = (
            "sudden_one_side_weakness",
            "face_drooping",
            "speech_difficulty",
            "sudden_vision_or_balance_loss",
        )
        if n.symptoms_resolved == "yes" and all(getattr(n, x) != "yes" for x in stroke):
            refuse(
                "neuro.symptoms_resolved",
                "'yes' although none of "
                + ", ".join(f"neuro.{x}" for x in stroke)
                + " is 'yes' (which symptoms have gone?)",
            )
        # --- skin, history, episodes
        if self.skin.spreading_fast == "yes" and self.skin.redness_spreading == "no":
            refuse("skin.spreading_fast", "'yes' contradicts skin.redness_spreading = 'no'")
        if self.history.cancer_active == "yes" and self.history.cancer_history == "no":
            refuse(
                "history.cancer_history",
                "'no' contradicts history.cancer_active = 'yes' (an active cancer is a "
                "history of cancer)",
            )
        e = self.episode
        if e.complete_resolution_between == "yes" and e.recurrent == "no":
            refuse(
                "episode.complete_resolution_between",
                "'yes' contradicts episode.recurrent = 'no' (resolution between episodes needs "
                "more than one episode)",
            )
        if problems:
            raise _Refused(problems)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _as_input_error(cls, data: Any, handler: ModelWrapValidatorHandler[Intake]) -> Intake:
        # every problem of the intake (types, ranges, units, contradictions) in one InputError;
        # defined after _consistent so that it wraps it too
        try:
            return handler(data)
        except ValidationError as exc:
            raise _input_error(_problems_of(exc)) from exc

    def assumptions(self) -> list[str]:
        """Assumptions made in reading this intake (stated in the assessment)."""
        out: list[str] = []
        _, a = self.labs.urate_mg_dl()
        if a:
            out.append(a)
        if (
            self.signs.temperature_c is not None
            and self.signs.temperature_c >= 38.0
            and self.signs.fever == "unknown"
        ):
            out.append(
                f"signs.temperature_c = {self.signs.temperature_c:g} C (>= 38.0): taken as fever "
                "(signs.fever was not answered)."
            )
        if self.labs.crp_mg_l is not None and self.labs.crp_uln_mg_l is None:
            out.append(
                "labs.crp_uln_mg_l not given: CRP above 10 mg/L counts as raised, 5 mg/L or "
                "less as normal, and in between as unknown."
            )
        if self.labs.esr_mm_h is not None and self.labs.esr_uln_mm_h is None:
            out.append(
                "labs.esr_uln_mm_h not given: ESR upper limit of normal assumed age/2 (men) or "
                "(age+10)/2 (women), at least 20 mm/h; with the age or sex unknown the ESR "
                "counts as abnormal only if it is abnormal for every possible age and sex."
            )
        return out


_JSON_TOKENS = re.compile(r'[\[\]{}"\\]')


def _too_deep() -> InputError:
    return InputError(
        "intake",
        f"nested deeper than {MAX_INTAKE_DEPTH} levels of objects and lists (the limit; the "
        "intake itself needs 3)",
    )


def _check_text(text: str) -> None:
    """Refuse JSON text nested deeper than :data:`MAX_INTAKE_DEPTH`, without recursing.

    Counts brackets outside strings in one pass (the text need not be valid JSON: ``json.loads``
    reports that afterwards).
    """
    depth, in_string, skip = 0, False, -1
    for m in _JSON_TOKENS.finditer(text):
        i = m.start()
        if i == skip:  # the character after a backslash in a string
            continue
        c = text[i]
        if in_string:
            if c == "\\":
                skip = i + 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > MAX_INTAKE_DEPTH:
                raise _too_deep()
        elif c in "]}":
            depth -= 1


def _check_data(data: Any) -> None:
    """Refuse data nested deeper than :data:`MAX_INTAKE_DEPTH` or with more than
    :data:`MAX_INTAKE_VALUES` values (iteratively: no recursion, cycles are refused as too
    deep)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children = list(value.values())
        elif isinstance(value, list | tuple):
            children = list(value)
        else:
            continue
        if depth > MAX_INTAKE_DEPTH:
            raise _too_deep()
        count += len(children)
        if count > MAX_INTAKE_VALUES:
            raise InputError("intake", f"more than {MAX_INTAKE_VALUES} values in all (the limit)")
        stack.extend((child, depth + 1) for child in children)


def _too_big(size: int) -> InputError:
    return InputError(
        "intake",
        f"the JSON text is larger than the {MAX_INTAKE_BYTES // 1024} KiB limit (at least "
        f"{size} bytes)",
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_intake(data: Mapping[str, Any] | str | bytes) -> Intake:
    """Validate raw intake data (a mapping or JSON text) into an :class:`Intake`.

    The input is bounded before it is read: JSON text of at most :data:`MAX_INTAKE_BYTES` bytes,
    at most :data:`MAX_INTAKE_DEPTH` levels of nesting and :data:`MAX_INTAKE_VALUES` values (for
    text and mappings alike; nothing recurses on the raw input).

    Parameters
    ----------
    data
        A mapping (e.g. from ``json.loads``) or JSON text (``str``, or ``bytes`` in UTF-8, -16
        or -32).

    Returns
    -------
    Intake
        The validated intake.

    Raises
    ------
    InputError
        For input over the limits (source ``intake``), invalid JSON, and every problem of the
        intake at once: the source is the first field with a problem (e.g.
        ``pain.duration_days``), the message lists each problem as ``field: problem`` (missing
        required fields, wrong types, out-of-range values, wrong units and contradictions).
    """
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_INTAKE_BYTES:
            raise _too_big(len(data))
        try:
            data = bytes(data).decode(json.detect_encoding(data))
        except UnicodeDecodeError as exc:
            raise InputError("intake", f"not valid JSON text ({exc.reason})") from exc
    if isinstance(data, str):
        # a character is at least one byte: measure the bytes only when it could matter
        size = len(data) if len(data) > MAX_INTAKE_BYTES else len(data.encode("utf-8", "replace"))
        if size > MAX_INTAKE_BYTES:
            raise _too_big(size)
        _check_text(data)
        try:
            data = json.loads(data, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise InputError("intake", f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
        except ValueError as exc:  # NaN/Infinity, integers of more than 4300 digits
            raise InputError("intake", f"not valid JSON ({_clip(str(exc), 80)})") from exc
    if not isinstance(data, Mapping):
        raise InputError("intake", "must be a JSON object")
    _check_data(data)
    return Intake.model_validate(dict(data))


def intake_json_schema() -> dict[str, Any]:
    """The intake's JSON Schema (draft 2020-12), as published in ``docs/intake.schema.json``."""
    schema = Intake.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kinchain clinical intake"
    return schema


def answer(value: Answer) -> bool | None:
    """Three-valued reading of an :data:`Answer`: True, False or None (unknown)."""
    return True if value == "yes" else False if value == "no" else None
