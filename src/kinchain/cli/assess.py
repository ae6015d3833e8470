"""``kinchain assess``: triage knee/ankle pain from a clinical intake.

``kinchain assess INTAKE.json`` prints a readable summary; ``--json`` prints the assessment as JSON;
``kinchain assess --interactive [--save FILE]`` asks the questions in the terminal (skipping those
that no longer matter) and can save the intake. Bad input raises
:class:`kinchain.errors.InputError` (exit code 2 through :func:`kinchain.cli.main.main`).
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from kinchain.clinical import (
    ClinicalAssessment,
    Intake,
    Urgency,
    WhatWouldChange,
    assess,
    parse_intake,
)
from kinchain.clinical.result import SPECIALIST_LABELS
from kinchain.clinical.wording import TEST_WHEN
from kinchain.errors import InputError

_COLOURS = {
    Urgency.emergency: "bold white on red",
    Urgency.same_day: "bold red",
    Urgency.soon: "bold yellow",
    Urgency.routine: "bold cyan",
    Urgency.self_care: "bold green",
}

URGENCY_WORDS = {
    "emergency": "EMERGENCY",
    "same_day": "SAME DAY",
    "soon": "SOON (within days)",
    "routine": "ROUTINE",
    "self_care": "SELF-CARE",
}
"""How an urgency level reads in a sentence about what an answer would change."""


def register(app: typer.Typer) -> None:
    """Add the ``assess`` command to ``app``."""
    app.command(name="assess")(assess_command)


def assess_command(
    intake_file: Path | None = typer.Argument(
        None, help="Intake JSON file (see docs/intake.schema.json).", show_default=False
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment as JSON."),
    interactive: bool = typer.Option(
        False, "--interactive", "-i", help="Answer the intake questions in the terminal."
    ),
    save: Path | None = typer.Option(
        None, "--save", help="With --interactive: save the intake to this JSON file."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Assessment date YYYY-MM-DD for the review date (default: today)."
    ),
) -> None:
    """Triage knee/ankle pain: urgency, red flags, likely causes, specialist and tests, with
    reasons. Supports, and does not replace, a clinician's judgement."""
    day = _parse_day(today)
    if interactive:
        if intake_file is not None:
            raise InputError("INTAKE", "give either an intake file or --interactive, not both")
        data = ask_intake(typer.prompt, typer.echo)
        intake = parse_intake(data)
        if save is not None:
            try:
                save.write_text(intake.model_dump_json(indent=2, exclude_defaults=True) + "\n")
            except OSError as exc:
                raise InputError(str(save), f"cannot write the intake ({exc.strerror})") from exc
            typer.echo(f"intake saved to {save}")
    else:
        if intake_file is None:
            raise InputError("INTAKE", "give an intake JSON file or --interactive")
        if not intake_file.is_file():
            raise InputError(str(intake_file), "file not found")
        try:
            text = intake_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(intake_file), f"cannot read ({exc})") from exc
        try:
            intake = parse_intake(text)
        except InputError as exc:
            raise InputError(f"{intake_file}: {exc.source}", exc.problem) from exc
    result = assess(intake, today=day)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_summary(result, Console())


def _parse_day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError("--today", f"not a date YYYY-MM-DD: {text!r}") from exc


def sentence(text: str) -> str:
    """A sentence with a capital letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def change_meaning(w: WhatWouldChange) -> str:
    """What one answer of :attr:`ClinicalAssessment.what_would_change` would mean, in plain
    words: ``If yes: EMERGENCY, emergency department now, for septic arthritis.`` (an answer
    other than yes or no is told by its condition: ``If it was a crush injury: ...``)."""
    condition = w.answer.replace("_", " ")
    if w.answer not in ("yes", "no"):  # a value or a choice: the plain condition says it better
        condition = str(getattr(w, "condition", "") or "").strip() or condition
    where = SPECIALIST_LABELS.get(w.destination, w.destination.value.replace("_", " "))
    level = URGENCY_WORDS.get(w.urgency.value, w.urgency.value)
    because = w.because.strip().rstrip(".")
    text = f"If {condition}: {level}, {where[:1].lower()}{where[1:]}"
    return f"{text}, for {because}." if because else f"{text}."


def print_summary(a: ClinicalAssessment, console: Console) -> None:
    """Readable summary of an assessment: the decision first (urgency, the statement, where to
    go), then the unanswered questions that could make it more urgent, then the red flags,
    causes, tests and reasons. No field paths: those are in ``--json``."""
    style = _COLOURS[a.urgency]
    lines = [
        f"[{style}] {a.urgency.value.replace('_', ' ').upper()} [/] {escape(a.urgency_meaning)}"
    ]
    if a.urgency_statement:  # says where to go, for what, and when it would be more urgent
        lines.append(f"[bold]{escape(a.urgency_statement)}[/]")
    else:
        lines.append(f"[bold]See:[/] {escape(a.referral.label)}. {escape(a.referral.reason)}")
    console.print(Panel("\n".join(lines), title="kinchain clinical assessment", expand=False))
    if a.what_would_change:
        console.print(
            "[bold]What would change this answer[/] (not answered yet; answer these first)"
        )
        for w in a.what_would_change:
            console.print(f"  - {escape(sentence(w.question))}")
            console.print(f"    {escape(change_meaning(w))}")
    if a.red_flags:
        t = Table(title="Red flags", show_lines=False)
        t.add_column("flag")
        t.add_column("urgency")
        t.add_column("features")
        for f in a.red_flags:
            t.add_row(f.name, URGENCY_WORDS[f.urgency.value].lower(), "; ".join(f.features))
        console.print(t)
    t = Table(title="Likely causes (ranked; unlikely ones omitted, see --json)")
    for col in ("#", "cause", "likelihood", "confidence", "for", "against"):
        t.add_column(col)
    shown = [c for c in a.causes[:5] if c.rank == 1 or c.likelihood != "unlikely"]
    for c in shown:
        t.add_row(
            str(c.rank),
            c.label,
            c.likelihood,
            c.confidence,
            "; ".join(e.text for e in c.evidence_for[:3]),
            "; ".join(e.text for e in c.evidence_against[:2]),
        )
    console.print(t)
    if a.tests:
        t = Table(title="Tests that help")
        t.add_column("test")
        t.add_column("when")
        t.add_column("why")
        for x in a.tests:
            t.add_row(x.name, TEST_WHEN.get(x.priority, x.priority), x.reason)
        console.print(t)
    console.print("[bold]Reasons[/]")
    for r in a.reasons:
        if r.kind in ("red_flag", "rule", "urgency", "referral", "assumption"):
            kind = r.kind.replace("_", " ")
            console.print(f"  - {escape('[' + kind + ']')} {escape(r.text)}")
    if a.ask_next:
        console.print("[bold]Ask or test next[/]")
        for q in a.ask_next[:8]:
            console.print(f"  - {escape(sentence(q.question))} [dim]({escape(q.why)})[/]")
    console.print(f"[dim]Confidence: {a.confidence}. {a.disclaimer}[/]")


# ------------------------------------------------------------------------------ interactive

Data = dict[str, Any]

SITES = ("knee", "ankle", "foot", "toes", "hip", "thigh", "calf", "back")
"""The painful sites a person can name (:data:`kinchain.clinical.intake.Site`)."""

DURATION_UNITS = ("days", "weeks", "months")
_DURATION_PATHS = ("pain.duration_value", "pain.duration_unit", "pain.duration_days")
_UNIT_WORDS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "mo": "months",
    "mon": "months",
    "month": "months",
    "months": "months",
}


@dataclass(frozen=True)
class Q:
    """One interactive question: intake path, prompt, kind, and when it matters.

    ``kind`` is ``answer`` (yes/no/blank), ``choice``, ``number``, ``int``, ``sites`` or
    ``duration`` (a number with days, weeks or months: sets ``pain.duration_value`` and
    ``pain.duration_unit``).
    """

    path: str
    text: str
    kind: str = "answer"  # answer | number | choice | sites | int | duration
    choices: tuple[str, ...] = ()
    when: Callable[[Data], bool] = lambda d: True

    @property
    def paths(self) -> tuple[str, ...]:
        """The intake fields this question sets (or leaves unknown)."""
        return _DURATION_PATHS if self.kind == "duration" else (self.path,)


def _get(d: Data, path: str) -> Any:
    cur: Any = d
    for p in path.split("."):
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def _set(d: Data, path: str, value: Any) -> None:
    *head, last = path.split(".")
    cur = d
    for p in head:
        cur = cur.setdefault(p, {})
    cur[last] = value


def _assign(d: Data, q: Q, value: Any) -> None:
    """Put a converted answer into the intake data (a duration sets its value and unit)."""
    if q.kind == "duration":
        number, unit = value
        _set(d, "pain.duration_value", number)
        _set(d, "pain.duration_unit", unit)
    else:
        _set(d, q.path, value)


def _sites(d: Data) -> list[str]:
    return list(_get(d, "pain.sites") or [])


def _yes(d: Data, path: str) -> bool:
    return _get(d, path) == "yes"


def _not_no(d: Data, path: str) -> bool:
    return _get(d, path) != "no"


def _any_yes(d: Data, *paths: str) -> bool:
    return any(_yes(d, p) for p in paths)


def _injured(d: Data) -> bool:
    return _yes(d, "trauma.injury")


def _clin(d: Data) -> bool:
    return _get(d, "answered_by") == "clinician"


def _age(d: Data) -> float | None:
    age = _get(d, "demographics.age_years")
    return float(age) if isinstance(age, int | float) else None


def _age_at_least(d: Data, years: float) -> bool:
    """Age at least ``years``, or unknown (an unknown age is not assumed to be young)."""
    age = _age(d)
    return age is None or age >= years


def _at(d: Data, *sites: str) -> bool:
    return bool(set(sites) & set(_sites(d)))


def _may_be_pregnant(d: Data) -> bool:
    age = _age(d)
    return _get(d, "demographics.sex") != "male" and (age is None or 12 <= age < 56)


def _clot_context(d: Data) -> bool:
    """A clot in the leg or the lung is in question: calf pain, a swollen leg, breathlessness or
    chest pain, or pain in the calf or thigh."""
    return (
        _any_yes(d, "signs.calf_pain", "general.breathless", "general.chest_pain")
        or _get(d, "signs.leg_swelling") in ("one_leg", "both_legs")
        or _at(d, "calf", "thigh")
    )


def _stroke_context(d: Data) -> bool:
    """New weakness or numbness, or a sudden start without an injury."""
    return _any_yes(d, "neuro.new_leg_weakness", "neuro.foot_drop", "pain.numbness") or (
        _get(d, "pain.onset") == "sudden" and not _injured(d)
    )


def _muscle_context(d: Data) -> bool:
    return _any_yes(d, "general.dark_urine", "general.muscle_pain_weakness")


def _stroke_signs(d: Data) -> bool:
    return _any_yes(
        d,
        "neuro.sudden_one_side_weakness",
        "neuro.face_drooping",
        "neuro.speech_difficulty",
        "neuro.sudden_vision_or_balance_loss",
    )


QUESTIONS: tuple[Q, ...] = (
    Q("answered_by", "Who is answering", "choice", ("patient", "clinician", "unknown")),
    Q(
        "pain.sites",
        "Where is the pain (knee, ankle, foot, toes, hip, thigh, calf, back; comma-separated)",
        "sites",
    ),
    Q("demographics.age_years", "Age in years", "number"),
    Q("demographics.sex", "Sex", "choice", ("female", "male", "other", "unknown")),
    Q("pain.side", "Which side", "choice", ("left", "right", "both", "unknown")),
    Q("pain.onset", "Onset", "choice", ("sudden", "gradual", "unknown")),
    Q(
        "pain.duration_value",
        "How long has the pain lasted (a number and days, weeks or months, e.g. 3 weeks)",
        "duration",
        DURATION_UNITS,
    ),
    Q("trauma.injury", "Did it start with an injury"),
    Q(
        "trauma.mechanism",
        "How did the injury happen",
        "choice",
        ("twisting", "blunt_or_fall", "direct_blow", "crush", "high_energy", "exertion", "unknown"),
        _injured,
    ),
    Q("trauma.days_since_injury", "Days since the injury", "number", when=_injured),
    Q(
        "trauma.bore_weight_immediately",
        "Could you take 4 steps right after the injury",
        when=_injured,
    ),
    Q("function.bears_weight_4_steps", "Can you take 4 steps now (limping allowed)"),
    Q("trauma.dislocation_suspected", "Does the joint look dislocated", when=_injured),
    Q("signs.deformity", "Is there a visible deformity"),
    Q("trauma.open_wound_over_injury", "Is there an open wound over the injury", when=_injured),
    Q("vascular.foot_cold_or_pale", "Is the foot cold, pale or blue"),
    Q("signs.swelling", "Is the painful joint swollen"),
    Q("signs.warmth", "Is the joint warm or hot", when=lambda d: _yes(d, "signs.swelling")),
    Q("signs.redness", "Is the skin over the joint red"),
    Q("signs.fever", "Do you have a fever or shivers"),
    Q(
        "signs.temperature_c",
        "Measured temperature (C)",
        "number",
        when=lambda d: _yes(d, "signs.fever"),
    ),
    # the leg itself and the calf: a clot
    Q(
        "signs.leg_swelling",
        "Is the calf or lower leg itself swollen (not only the joint)",
        "choice",
        ("no", "one_leg", "both_legs", "unknown"),
    ),
    Q("signs.calf_pain", "Is the calf of one leg painful, tender, tight or warm"),
    # breathing, chest, fainting: a clot in the lung
    Q("general.breathless", "Are you newly or suddenly short of breath"),
    Q("general.chest_pain", "Do you have chest pain, especially when breathing in"),
    Q(
        "general.coughing_blood",
        "Are you coughing up blood",
        when=lambda d: _any_yes(d, "general.breathless", "general.chest_pain"),
    ),
    Q("general.fainting", "Have you fainted, collapsed or nearly fainted", when=_clot_context),
    # a recent operation and the clot risks
    Q(
        "history.surgery_on_this_leg_6_weeks",
        "Have you had an operation on this leg in the last 6 weeks (e.g. a knee or hip "
        "replacement, keyhole surgery)",
    ),
    Q(
        "skin.wound_problem",
        "Is the operation wound red, hot, leaking fluid or pus, or opening",
        when=lambda d: _yes(d, "history.surgery_on_this_leg_6_weeks"),
    ),
    Q(
        "history.recent_surgery_12_weeks",
        "Any other major operation (with a general or spinal anaesthetic) in the last 12 weeks",
        when=_clot_context,
    ),
    Q(
        "history.bedridden_3_days",
        "Have you been in bed for 3 days or more recently",
        when=_clot_context,
    ),
    Q(
        "history.long_travel_4_weeks",
        "A journey of 4 hours or more (plane, car, train, bus) in the last 4 weeks",
        when=_clot_context,
    ),
    Q(
        "history.previous_dvt",
        "Have you had a blood clot in a leg or in the lungs before",
        when=_clot_context,
    ),
    Q(
        "history.hormones",
        "Do you take the combined contraceptive pill or hormone replacement therapy (HRT)",
        when=lambda d: _clot_context(d) and _get(d, "demographics.sex") != "male",
    ),
    Q(
        "demographics.pregnant",
        "Are you pregnant",
        when=lambda d: _may_be_pregnant(d) and (_clot_context(d) or _injured(d)),
    ),
    Q(
        "demographics.gave_birth_6_weeks",
        "Have you given birth in the last 6 weeks",
        when=lambda d: (
            _may_be_pregnant(d) and _clot_context(d) and not _yes(d, "demographics.pregnant")
        ),
    ),
    # the skin: an infection
    Q(
        "skin.redness_spreading",
        "Is there a red (or darker on brown or black skin), hot, painful area of skin on the "
        "leg or foot that is spreading",
    ),
    Q(
        "skin.spreading_fast",
        "Is it spreading quickly (within hours)",
        when=lambda d: _yes(d, "skin.redness_spreading"),
    ),
    Q(
        "skin.broken_skin",
        "Is there a cut, graze, bite, blister, cracked skin between the toes or an ulcer on "
        "the leg or foot",
        when=lambda d: (
            _any_yes(d, "skin.redness_spreading", "signs.redness") or _at(d, "foot", "toes")
        ),
    ),
    Q(
        "skin.ulcer_not_healing",
        "Is there a wound or ulcer on the foot or leg that is not healing",
        when=lambda d: _yes(d, "skin.broken_skin"),
    ),
    Q(
        "general.very_unwell",
        "Do you feel very unwell (confused or drowsy, very cold and shivery, mottled or blue "
        "skin, or hardly passing urine)",
        when=lambda d: _not_no(d, "signs.fever") or _yes(d, "skin.redness_spreading"),
    ),
    Q(
        "history.heart_valve_disease",
        "Do you have heart valve disease or an artificial heart valve, or have you had "
        "endocarditis before",
        when=lambda d: _not_no(d, "signs.fever"),
    ),
    # circulation: a cold pale foot, pain on walking
    Q(
        "vascular.claudication",
        "Does walking bring on pain in the calf, thigh or buttock that goes away within "
        "minutes of resting",
        when=lambda d: _age_at_least(d, 40),
    ),
    Q(
        "vascular.rest_pain_foot",
        "Is there pain in the foot or toes at rest, often at night, eased by hanging the leg down",
        when=lambda d: _yes(d, "vascular.claudication") or _at(d, "foot", "toes"),
    ),
    Q(
        "history.peripheral_arterial_disease",
        "Have you been told the arteries in your legs are narrowed (peripheral arterial disease)",
        when=lambda d: _any_yes(d, "vascular.claudication", "vascular.rest_pain_foot"),
    ),
    Q(
        "history.smoker",
        "Do you smoke, or did you stop in the last year",
        when=lambda d: (
            _any_yes(d, "vascular.claudication", "vascular.rest_pain_foot") or _clot_context(d)
        ),
    ),
    Q(
        "history.atrial_fibrillation",
        "Do you have atrial fibrillation (an irregular heartbeat)",
        when=lambda d: _get(d, "pain.onset") == "sudden" and not _injured(d),
    ),
    Q(
        "skin.skin_turning_black",
        "Is the skin of any toe or of the foot turning black",
        when=lambda d: (
            _any_yes(d, "vascular.rest_pain_foot", "skin.ulcer_not_healing")
            or _at(d, "foot", "toes")
        ),
    ),
    # the back and the nerves
    Q("pain.radiation_from_back", "Does the leg pain come from the lower back"),
    Q(
        "neuro.saddle_numbness",
        "Any numbness around the back passage or genitals",
        when=lambda d: "back" in _sites(d) or _yes(d, "pain.radiation_from_back"),
    ),
    Q(
        "neuro.bladder_or_bowel_dysfunction",
        "Any new trouble passing or holding urine or stool",
        when=lambda d: "back" in _sites(d) or _yes(d, "pain.radiation_from_back"),
    ),
    Q(
        "neuro.bilateral_leg_symptoms",
        "Sciatica or weakness in both legs",
        when=lambda d: "back" in _sites(d) or _yes(d, "pain.radiation_from_back"),
    ),
    Q("neuro.new_leg_weakness", "Is there new weakness of the leg or foot"),
    Q("neuro.foot_drop", "New foot drop (toes catch, foot slaps)"),
    Q("pain.character.burning", "Is the pain burning"),
    Q("pain.tingling", "Tingling in the painful area"),
    Q("pain.numbness", "Numbness in the painful area"),
    Q("pain.pins_and_needles", "Pins and needles in the painful area"),
    Q(
        "pain.distribution",
        "Distribution",
        "choice",
        ("local", "dermatomal", "stocking", "unknown"),
        lambda d: _yes(d, "pain.numbness") or _yes(d, "pain.tingling"),
    ),
    # a stroke: sudden one-sided weakness, face, speech
    Q(
        "neuro.sudden_one_side_weakness",
        "Did weakness or numbness come on suddenly on one side of the body (face, arm and/or leg)",
        when=_stroke_context,
    ),
    Q(
        "neuro.face_drooping",
        "Is one side of the face drooping (cannot smile evenly)",
        when=_stroke_context,
    ),
    Q(
        "neuro.speech_difficulty",
        "Sudden slurred speech, or difficulty finding or understanding words",
        when=_stroke_context,
    ),
    Q(
        "neuro.sudden_vision_or_balance_loss",
        "Sudden loss of vision, double vision, or sudden loss of balance or coordination",
        when=_stroke_context,
    ),
    Q(
        "neuro.symptoms_resolved",
        "Have those sudden symptoms completely gone again",
        when=_stroke_signs,
    ),
    # muscles and dark urine: muscle breakdown
    Q("general.dark_urine", "Is your urine dark brown (like tea or cola)"),
    Q(
        "general.muscle_pain_weakness",
        "Are your muscles painful, tender or weak (not only around a joint)",
        when=lambda d: _yes(d, "general.dark_urine") or _at(d, "thigh", "calf"),
    ),
    Q(
        "history.strenuous_exercise",
        "Unaccustomed, very strenuous exercise or exertion in the last few days",
        when=_muscle_context,
    ),
    Q(
        "history.long_lie",
        "After a fall, did you lie on the floor for hours (could not get up)",
        when=lambda d: _muscle_context(d) or _get(d, "trauma.mechanism") == "blunt_or_fall",
    ),
    Q("history.statin", "Do you take a statin (a cholesterol medicine)", when=_muscle_context),
    # from 50: polymyalgia rheumatica, giant-cell arteritis
    Q(
        "signs.shoulder_hip_girdle_stiffness",
        "Aching and stiffness in both shoulders and/or both hips, worst in the morning",
        when=lambda d: _age_at_least(d, 50),
    ),
    Q(
        "general.new_headache",
        "A new headache, often at the temples, or a tender scalp",
        when=lambda d: _age_at_least(d, 50),
    ),
    Q(
        "general.jaw_pain_chewing",
        "Pain in the jaw or tongue when chewing",
        when=lambda d: _age_at_least(d, 50),
    ),
    # clinician's examination
    Q(
        "function.restricted_movement",
        "Is movement of the joint restricted by pain",
        when=lambda d: _yes(d, "signs.swelling"),
    ),
    Q(
        "pain.out_of_proportion",
        "Is the pain far worse than the injury would explain",
        when=lambda d: _injured(d) or _yes(d, "trauma.in_cast_or_tight_dressing"),
    ),
    Q(
        "vascular.pain_on_passive_stretch",
        "Pain on passive stretch of the calf/shin muscles",
        when=lambda d: _injured(d) and _clin(d),
    ),
    Q(
        "function.can_flex_knee_90",
        "Can you bend the knee to 90 degrees",
        when=lambda d: _injured(d) and "knee" in _sites(d),
    ),
    Q("function.knee_locked", "Is the knee locked", when=lambda d: "knee" in _sites(d)),
    Q(
        "exam.malleolar_zone_pain",
        "Pain in the malleolar zone",
        when=lambda d: _injured(d) and "ankle" in _sites(d) and _clin(d),
    ),
    Q(
        "exam.tender_lateral_malleolus",
        "Bone tenderness: lateral malleolus posterior edge/tip",
        when=lambda d: _injured(d) and "ankle" in _sites(d) and _clin(d),
    ),
    Q(
        "exam.tender_medial_malleolus",
        "Bone tenderness: medial malleolus posterior edge/tip",
        when=lambda d: _injured(d) and "ankle" in _sites(d) and _clin(d),
    ),
    Q(
        "exam.midfoot_zone_pain",
        "Pain in the midfoot zone",
        when=lambda d: _injured(d) and bool({"ankle", "foot"} & set(_sites(d))) and _clin(d),
    ),
    Q(
        "exam.tender_fifth_metatarsal_base",
        "Bone tenderness: base of the 5th metatarsal",
        when=lambda d: _injured(d) and bool({"ankle", "foot"} & set(_sites(d))) and _clin(d),
    ),
    Q(
        "exam.tender_navicular",
        "Bone tenderness: navicular",
        when=lambda d: _injured(d) and bool({"ankle", "foot"} & set(_sites(d))) and _clin(d),
    ),
    Q(
        "exam.tender_patella_isolated",
        "Isolated tenderness of the patella",
        when=lambda d: _injured(d) and "knee" in _sites(d) and _clin(d),
    ),
    Q(
        "exam.tender_fibular_head",
        "Tenderness at the head of the fibula",
        when=lambda d: _injured(d) and "knee" in _sites(d) and _clin(d),
    ),
    Q("pain.first_mtp", "Is the base of the big toe involved", when=lambda d: "foot" in _sites(d)),
    Q(
        "history.previous_gout",
        "Have you had gout before",
        when=lambda d: _yes(d, "signs.swelling") or _yes(d, "signs.redness"),
    ),
    Q(
        "signs.morning_stiffness_minutes",
        "Morning stiffness, minutes",
        "number",
        when=lambda d: _yes(d, "signs.swelling"),
    ),
    Q(
        "signs.small_joints_involved",
        "Number of swollen/tender small joints (hands, feet)",
        "int",
        when=lambda d: _yes(d, "signs.swelling"),
    ),
    Q(
        "signs.symmetric_joints",
        "Are both sides affected alike",
        when=lambda d: _yes(d, "signs.swelling"),
    ),
    Q(
        "exam.calf_difference_cm",
        "Calf circumference difference, cm (affected minus other)",
        "number",
        when=lambda d: (_yes(d, "signs.swelling") or _clot_context(d)) and _clin(d),
    ),
    # past history
    Q("history.diabetes", "Diabetes"),
    Q("history.immunosuppression", "Immunosuppressed (medicines, HIV, chemotherapy)"),
    Q("history.sickle_cell_disease", "Do you have sickle cell disease"),
    Q("history.cancer_history", "Any history of cancer"),
    Q(
        "history.cancer_active",
        "Is the cancer active (treatment now or in the last 6 months, or palliative)",
        when=lambda d: _yes(d, "history.cancer_history"),
    ),
    Q(
        "function.rest_and_otc",
        "After a few days of rest and painkillers",
        "choice",
        ("not_tried", "improved", "not_improved", "unknown"),
    ),
    Q("function.interferes_daily_activities", "Does it interfere with daily activities"),
    Q("function.interferes_sleep", "Does it disturb sleep"),
    Q("signs.instability", "Does the knee or ankle give way"),
)

_BY_PATH: dict[str, Q] = {p: q for q in QUESTIONS for p in q.paths}

CHANGES_NOTE = "These answers could change how urgently you should be seen."


# ---------------------------------------------------------------- questions from the assessment


@cache
def _leaf_types() -> dict[str, Any]:
    """Intake field path -> its annotation, for every leaf field."""

    def walk(model: type[BaseModel], prefix: str, out: dict[str, Any]) -> None:
        for name, info in model.model_fields.items():
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}{name}.", out)
            else:
                out[f"{prefix}{name}"] = ann

    out: dict[str, Any] = {}
    walk(Intake, "", out)
    return out


def _kind_of(ann: Any) -> tuple[str, tuple[str, ...]] | None:
    """The question kind that asks a field of this type, or None when it cannot be asked."""
    origin = get_origin(ann)
    if origin in (Union, types.UnionType):
        rest = [a for a in get_args(ann) if a is not type(None)]
        return _kind_of(rest[0]) if len(rest) == 1 else None
    if origin is Literal:
        choices = tuple(str(a) for a in get_args(ann))
        if set(choices) == {"yes", "no", "unknown"}:
            return "answer", ()
        return "choice", choices
    if ann is float:
        return "number", ()
    if ann is int:
        return "int", ()
    return None


def question_for(path: str, text: str = "") -> Q | None:
    """The question that asks intake field ``path``: the one of :data:`QUESTIONS` when there is
    one (its wording and kind), else one built from the field's type with ``text`` (the
    assessment's wording). None for a field that cannot be asked (unknown path, a list)."""
    if path in _BY_PATH:
        return _BY_PATH[path]
    ann = _leaf_types().get(path)
    kind = _kind_of(ann) if ann is not None else None
    if kind is None:
        return None
    wording = text.strip().rstrip("?.").strip() or path.rsplit(".", 1)[-1].replace("_", " ")
    return Q(path, wording, kind[0], kind[1])


_CLINICIAN_ONLY = (
    "exam.",
    "labs.",
    "vascular.foot_pulses_absent",
    "vascular.pain_on_passive_stretch",
    "vascular.compartment_tense",
)
"""Examination and laboratory items: not asked of a patient (the clinician's to answer)."""


def next_change(data: Data, asked: Collection[str]) -> Q | None:
    """The first question of the current assessment's ``what_would_change`` (an unanswered item
    whose answer would raise the urgency) that has not been asked yet, or None.

    ``asked`` holds the paths already asked (shown). A patient is not asked examination or
    laboratory items. The terminal and the web form both ask these after :data:`QUESTIONS`, one
    at a time, re-assessing after each answer, until none is left.
    """
    if not _sites(data):
        return None
    try:
        intake = parse_intake(data)
    except InputError:
        return None
    patient = data.get("answered_by") == "patient"
    for w in assess(intake).what_would_change:
        q = question_for(w.field, w.question)
        if q is None or q.path in asked or any(p in asked for p in q.paths):
            continue
        if patient and q.path.startswith(_CLINICIAN_ONLY):
            continue
        return q
    return None


# ------------------------------------------------------------------------------ the interview


def ask_intake(prompt: Callable[..., Any], echo: Callable[[str], Any]) -> Data:
    """Ask :data:`QUESTIONS` in order, skipping those that no longer matter, then every
    question of the assessment's ``what_would_change`` not asked yet (:func:`next_change`),
    until none is left. Blank = unknown.

    Each answer is checked at once (an answer that contradicts an earlier one is refused and asked
    again). As soon as the answers show an emergency, the interview stops: the remaining
    questions can no longer change where the person must go.
    """
    data: Data = {}
    echo(
        "Answer y/n, or leave blank for 'unknown'. kinchain supports, and does not replace, a "
        "clinician's judgement; in an emergency call emergency services."
    )
    asked: set[str] = set()
    for q in QUESTIONS:
        if not q.when(data):
            continue
        asked.add(q.path)
        data, emergency = _ask(q, data, prompt, echo)
        if emergency:
            return data
    first = True
    while (nq := next_change(data, asked)) is not None:
        if first:
            echo(CHANGES_NOTE)
            first = False
        asked.add(nq.path)
        data, emergency = _ask(nq, data, prompt, echo)
        if emergency:
            return data
    return data


def _ask(
    q: Q, data: Data, prompt: Callable[..., Any], echo: Callable[[str], Any]
) -> tuple[Data, bool]:
    """Ask one question until the answer is accepted (or blank); (new data, emergency)."""
    while True:
        raw = str(prompt(_label(q), default="", show_default=False)).strip().lower()
        try:
            value = _convert(q, raw)
        except ValueError as exc:
            echo(f"  {exc}")
            continue
        if value is None:
            return data, False
        trial = json.loads(json.dumps(data))
        _assign(trial, q, value)
        if not _sites(trial):  # nothing to check before the sites are known
            return trial, False
        try:
            intake = parse_intake(trial)
        except InputError as exc:
            where = "" if exc.source in q.paths else f"{exc.source}: "
            echo(f"  {where}{exc.problem}")
            continue
        if assess(intake).urgency == Urgency.emergency:
            echo(
                "EMERGENCY: these answers need the emergency department now. "
                "Stopping the questions."
            )
            return trial, True
        return trial, False


def _label(q: Q) -> str:
    if q.kind == "answer":
        return f"{q.text}? [y/n]"
    if q.kind == "choice":
        return f"{q.text} [{'/'.join(c.replace('_', ' ') for c in q.choices)}]"
    return q.text


_DURATION_RE = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*([a-z]*)$")


def _convert(q: Q, raw: str) -> Any:
    if q.kind == "sites":
        sites = [s.strip() for s in raw.replace(";", ",").split(",") if s.strip()]
        bad = [s for s in sites if s not in SITES]
        if not sites or bad:
            raise ValueError(f"give one or more of {', '.join(SITES)}")
        return sites
    if raw in ("", "?", "unknown", "u"):
        return None
    if q.kind == "answer":
        if raw in ("y", "yes"):
            return "yes"
        if raw in ("n", "no"):
            return "no"
        raise ValueError("answer y, n or blank")
    if q.kind == "choice":
        choice = raw.replace(" ", "_").replace("-", "_")
        if choice in q.choices:
            return choice
        raise ValueError(f"choose one of {', '.join(c.replace('_', ' ') for c in q.choices)}")
    if q.kind == "duration":
        m = _DURATION_RE.match(raw)
        if m is None:
            raise ValueError("give a number and days, weeks or months, e.g. 3 weeks")
        unit = _UNIT_WORDS.get(m.group(2))
        if unit is None:
            raise ValueError("add the unit: days, weeks or months (e.g. 3 weeks)")
        return float(m.group(1).replace(",", ".")), unit
    try:
        number = float(raw)
    except ValueError:
        raise ValueError("give a number") from None
    return int(number) if q.kind == "int" else number


def load_json(path: Path) -> Any:
    """Read a JSON file (helper for scripts)."""
    return json.loads(path.read_text(encoding="utf-8"))
