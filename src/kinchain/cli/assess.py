"""``kinchain assess``: triage knee/ankle pain from a clinical intake.

``kinchain assess INTAKE.json`` prints a readable summary; ``--json`` prints the assessment as JSON;
``kinchain assess --interactive [--save FILE]`` asks the questions in the terminal (skipping those
that no longer matter) and can save the intake. Bad input raises
:class:`kinchain.errors.InputError` (exit code 2 through :func:`kinchain.cli.main.main`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from kinchain.clinical import ClinicalAssessment, Urgency, assess, parse_intake
from kinchain.errors import InputError

_COLOURS = {
    Urgency.emergency: "bold white on red",
    Urgency.same_day: "bold red",
    Urgency.soon: "bold yellow",
    Urgency.routine: "bold cyan",
    Urgency.self_care: "bold green",
}


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


def print_summary(a: ClinicalAssessment, console: Console) -> None:
    """Readable summary of an assessment."""
    style = _COLOURS[a.urgency]
    console.print(
        Panel(
            f"[{style}] {a.urgency.value.upper()} [/] {a.urgency_meaning}\n"
            f"[bold]See:[/] {a.referral.label}. {a.referral.reason}",
            title="kinchain clinical assessment",
            expand=False,
        )
    )
    if a.red_flags:
        t = Table(title="Red flags", show_lines=False)
        t.add_column("flag")
        t.add_column("urgency")
        t.add_column("features")
        for f in a.red_flags:
            t.add_row(f.name, f.urgency.value, "; ".join(f.features))
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
            t.add_row(x.name, x.priority, x.reason)
        console.print(t)
    console.print("[bold]Reasons[/]")
    for r in a.reasons:
        if r.kind in ("red_flag", "rule", "urgency", "referral", "assumption"):
            console.print(
                f"  - {escape('[' + r.kind + ']')} {escape(r.text)} [dim]({r.rule_id})[/]"
            )
    if a.ask_next:
        console.print("[bold]Ask or test next[/]")
        for q in a.ask_next[:8]:
            console.print(f"  - {escape(q.question)} [dim]({q.field}: {escape(q.why)})[/]")
    console.print(f"[dim]Confidence: {a.confidence}. {a.disclaimer}[/]")


# ------------------------------------------------------------------------------ interactive

Data = dict[str, Any]


@dataclass(frozen=True)
class Q:
    """One interactive question: intake path, prompt, kind, and when it matters."""

    path: str
    text: str
    kind: str = "answer"  # answer | number | choice | sites | int
    choices: tuple[str, ...] = ()
    when: Callable[[Data], bool] = lambda d: True


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


def _sites(d: Data) -> list[str]:
    return list(_get(d, "pain.sites") or [])


def _yes(d: Data, path: str) -> bool:
    return _get(d, path) == "yes"


def _injured(d: Data) -> bool:
    return _yes(d, "trauma.injury")


def _clin(d: Data) -> bool:
    return _get(d, "answered_by") == "clinician"


QUESTIONS: tuple[Q, ...] = (
    Q("answered_by", "Who is answering", "choice", ("patient", "clinician", "unknown")),
    Q("pain.sites", "Where is the pain (knee, ankle, foot, hip, back; comma-separated)", "sites"),
    Q("demographics.age_years", "Age in years", "number"),
    Q("demographics.sex", "Sex", "choice", ("female", "male", "other", "unknown")),
    Q("pain.side", "Which side", "choice", ("left", "right", "both", "unknown")),
    Q("pain.onset", "Onset", "choice", ("sudden", "gradual", "unknown")),
    Q("pain.duration_days", "How many days since it began", "number"),
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
    Q("signs.swelling", "Is the joint or leg swollen"),
    Q("signs.warmth", "Is the joint warm or hot", when=lambda d: _yes(d, "signs.swelling")),
    Q("signs.redness", "Is the skin over the joint red"),
    Q("signs.fever", "Do you have a fever or shivers"),
    Q(
        "signs.temperature_c",
        "Measured temperature (C)",
        "number",
        when=lambda d: _yes(d, "signs.fever"),
    ),
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
        when=lambda d: _yes(d, "signs.swelling") and _clin(d),
    ),
    Q("history.diabetes", "Diabetes"),
    Q("history.immunosuppression", "Immunosuppressed"),
    Q("history.cancer_history", "Any history of cancer"),
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


def ask_intake(prompt: Callable[..., Any], echo: Callable[[str], Any]) -> Data:
    """Ask :data:`QUESTIONS` in order, skipping those that no longer matter. Blank = unknown.

    Each answer is checked at once (an answer that contradicts an earlier one is refused and asked
    again). As soon as the answers show an emergency, the interview stops: the remaining
    questions can no longer change where the person must go.
    """
    data: Data = {}
    echo(
        "Answer y/n, or leave blank for 'unknown'. kinchain supports, and does not replace, a "
        "clinician's judgement; in an emergency call emergency services."
    )
    for q in QUESTIONS:
        if not q.when(data):
            continue
        while True:
            raw = str(prompt(_label(q), default="", show_default=False)).strip().lower()
            try:
                value = _convert(q, raw)
            except ValueError as exc:
                echo(f"  {exc}")
                continue
            if value is None:
                break
            trial = json.loads(json.dumps(data))
            _set(trial, q.path, value)
            if not _sites(trial):  # nothing to check before the sites are known
                data = trial
                break
            try:
                intake = parse_intake(trial)
            except InputError as exc:
                echo(f"  {exc.source}: {exc.problem}")
                continue
            data = trial
            if assess(intake).urgency == Urgency.emergency:
                echo(
                    "EMERGENCY: these answers need the emergency department now. "
                    "Stopping the questions."
                )
                return data
            break
    return data


def _label(q: Q) -> str:
    if q.kind == "answer":
        return f"{q.text}? [y/n]"
    if q.kind == "choice":
        return f"{q.text} [{'/'.join(q.choices)}]"
    return q.text


def _convert(q: Q, raw: str) -> Any:
    if q.kind == "sites":
        sites = [s.strip() for s in raw.replace(";", ",").split(",") if s.strip()]
        bad = [s for s in sites if s not in ("knee", "ankle", "foot", "hip", "back")]
        if not sites or bad:
            raise ValueError("give one or more of knee, ankle, foot, hip, back")
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
        if raw in q.choices:
            return raw
        raise ValueError(f"choose one of {', '.join(q.choices)}")
    try:
        number = float(raw)
    except ValueError:
        raise ValueError("give a number") from None
    return int(number) if q.kind == "int" else number


def load_json(path: Path) -> Any:
    """Read a JSON file (helper for scripts)."""
    return json.loads(path.read_text(encoding="utf-8"))
