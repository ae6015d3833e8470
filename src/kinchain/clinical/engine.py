"""The clinical engine: :func:`assess` turns an :class:`~kinchain.clinical.intake.Intake` into a
:class:`~kinchain.clinical.result.ClinicalAssessment`.

Order of work
-------------
1. The mimic screens run first (:mod:`kinchain.clinical.rules.mimics`: a clot in the leg or lung,
   stroke, skin infection, sepsis, arterial problems, muscle breakdown, sickle cell crisis,
   endocarditis, a complication of an operation, polymyalgia / giant-cell arteritis, a diabetic
   foot), then the musculoskeletal red flags. The most urgent one sets a floor that nothing
   lowers.
2. Every decision rule and criterion runs (imaging rules, RA/gout criteria, Netherlands gout rule,
   DN4, Wells, NICE NG100, the seed article's referral triggers). An imaging rule that does not
   apply to this person (a young child, pregnancy, intoxication, a head injury, multiple trauma,
   reduced sensation) after an injury asks for a same-day clinician assessment instead.
3. Urgency = the maximum over all rules (and the floor). Self-care is only advised when every
   referral trigger is known to be absent and no likely cause needs a specialist's diagnosis.
4. Causes are ranked with the evidence for and against each (:mod:`kinchain.clinical.causes`).
5. The destination comes from one table (:mod:`kinchain.clinical.decision`) keyed by the urgency
   and the condition that set it; tests are chosen with reasons; every unanswered question whose
   answer would raise the urgency is listed in ``what_would_change`` and stated as a condition.

Pure: no I/O, no clock (pass ``today`` for a review date), no printing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any, get_args

from kinchain import DISCLAIMER, __version__
from kinchain.clinical import decision, wording
from kinchain.clinical.causes import rank_causes
from kinchain.clinical.intake import Intake, parse_intake
from kinchain.clinical.result import (
    CONFIDENCE_RANK,
    NOT_MUSCULOSKELETAL,
    SPECIALIST_LABELS,
    CauseAssessment,
    CauseId,
    ClinicalAssessment,
    Question,
    Reason,
    RedFlag,
    Referral,
    Specialist,
    TestRecommendation,
    WhatWouldChange,
)
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules import (
    acr_eular_gout_2015,
    acr_eular_ra_2010,
    dn4,
    netherlands_gout,
    nice_ng100,
    nice_ng219,
    ottawa_ankle,
    ottawa_knee,
    pittsburgh_knee,
    referral_triggers,
    wells_dvt,
)
from kinchain.clinical.rules.base import RuleItem, RuleResult, Urgency, as_outcome, max_urgency
from kinchain.clinical.rules.mimics import (
    arterial,
    cellulitis,
    diabetic_foot,
    dvt_symptoms,
    endocarditis,
    pmr_gca,
    postoperative,
    pulmonary_embolism,
    rhabdomyolysis,
    sepsis,
    sickle_cell,
    stroke,
)
from kinchain.clinical.rules.red_flags import (
    achilles_rupture,
    cauda_equina,
    compartment_syndrome,
    foot_drop,
    fracture_dislocation,
    infection_malignancy,
    knee_pathway,
    kocher_hip,
    neurovascular,
    septic_arthritis,
)
from kinchain.clinical.rules.red_flags._flag import item_level, item_text

RuleFn = Callable[[Intake], RuleResult]

SCREEN_RULES: tuple[RuleFn, ...] = (
    pulmonary_embolism.evaluate,
    stroke.evaluate,
    sepsis.evaluate,
    arterial.evaluate,
    cellulitis.evaluate,
    dvt_symptoms.evaluate,
    rhabdomyolysis.evaluate,
    sickle_cell.evaluate,
    endocarditis.evaluate,
    postoperative.evaluate,
    pmr_gca.evaluate,
    diabetic_foot.evaluate,
)
"""Leg-pain mimic screens, run first."""

RED_FLAG_RULES: tuple[RuleFn, ...] = (
    septic_arthritis.evaluate,
    kocher_hip.evaluate,
    cauda_equina.evaluate,
    compartment_syndrome.evaluate,
    fracture_dislocation.evaluate,
    neurovascular.evaluate,
    infection_malignancy.evaluate,
    knee_pathway.evaluate,
    foot_drop.evaluate,
    achilles_rupture.evaluate,
)
"""Musculoskeletal red-flag sets, run after the screens."""

FLAG_RULES: tuple[RuleFn, ...] = (*SCREEN_RULES, *RED_FLAG_RULES)
_FLAG_IDS: tuple[str, ...] = tuple(
    fn(Intake.model_validate({"pain": {"sites": ["knee"]}})).rule_id for fn in FLAG_RULES
)

CLINICIAN_ASSESSMENT_ID = "clinician_assessment_imaging"
_IMAGING_IDS = (
    ottawa_ankle.RULE_ID_ANKLE,
    ottawa_ankle.RULE_ID_MIDFOOT,
    ottawa_knee.RULE_ID,
    pittsburgh_knee.RULE_ID,
)

DECISION_RULES: tuple[RuleFn, ...] = (
    ottawa_ankle.evaluate_ankle,
    ottawa_ankle.evaluate_midfoot,
    ottawa_knee.evaluate,
    pittsburgh_knee.evaluate,
    acr_eular_ra_2010.evaluate,
    acr_eular_gout_2015.evaluate,
    netherlands_gout.evaluate,
    dn4.evaluate,
    wells_dvt.evaluate,
    nice_ng100.evaluate,
    nice_ng219.evaluate,
    referral_triggers.evaluate,
)
"""Decision rules and criteria, run after the red flags."""

REVIEW_AFTER_DAYS = 7
STATEMENT_CONDITIONS = 5
"""At most this many conditions in the urgency statement (the most urgent and most supported
first); ``what_would_change`` lists them all."""

_SCREEN_CAUSE: dict[str, CauseId | None] = {
    pulmonary_embolism.RULE_ID: CauseId.pulmonary_embolism,
    stroke.RULE_ID: CauseId.stroke_tia,
    sepsis.RULE_ID: None,
    cellulitis.RULE_ID: CauseId.cellulitis,
    dvt_symptoms.RULE_ID: CauseId.dvt,
    rhabdomyolysis.RULE_ID: CauseId.rhabdomyolysis,
    sickle_cell.RULE_ID: CauseId.sickle_cell_crisis,
    endocarditis.RULE_ID: CauseId.infective_endocarditis,
    postoperative.RULE_ID: CauseId.postoperative_complication,
    pmr_gca.RULE_ID: CauseId.pmr_gca,
    diabetic_foot.RULE_ID: CauseId.diabetic_foot,
    septic_arthritis.RULE_ID: CauseId.septic_arthritis,
    kocher_hip.RULE_ID: CauseId.septic_arthritis,
    cauda_equina.RULE_ID: CauseId.lumbar_radiculopathy,
    compartment_syndrome.RULE_ID: CauseId.compartment_syndrome,
    fracture_dislocation.RULE_ID: CauseId.fracture,
    infection_malignancy.RULE_ID: CauseId.infection_or_malignancy,
    foot_drop.RULE_ID: CauseId.lumbar_radiculopathy,
    achilles_rupture.RULE_ID: CauseId.soft_tissue_injury,
    wells_dvt.RULE_ID: CauseId.dvt,
    nice_ng100.RULE_ID: CauseId.inflammatory_arthritis,
    nice_ng219.RULE_ID: CauseId.gout,
    ottawa_ankle.RULE_ID_ANKLE: CauseId.fracture,
    ottawa_ankle.RULE_ID_MIDFOOT: CauseId.fracture,
    ottawa_knee.RULE_ID: CauseId.fracture,
    pittsburgh_knee.RULE_ID: CauseId.fracture,
    CLINICIAN_ASSESSMENT_ID: CauseId.fracture,
}

_KNEE_ITEM_CAUSE: dict[str, CauseId] = {
    "infected_knee": CauseId.septic_arthritis,
    "tendon_rupture": CauseId.soft_tissue_injury,
    "locked": CauseId.soft_tissue_injury,
    "effusion": CauseId.soft_tissue_injury,
}

# Causes whose likely presence needs a clinician's diagnosis (no self-care).
_NEEDS_DIAGNOSIS = {c for c in CauseId} - {
    CauseId.kinetic_chain_mechanical,
    CauseId.soft_tissue_injury,
    CauseId.lumbar_radiculopathy,
}


#: The urgency in words, for the reasons a person reads.
_URGENCY_WORDS = {
    Urgency.emergency: "emergency",
    Urgency.same_day: "same day",
    Urgency.soon: "soon",
    Urgency.routine: "routine",
    Urgency.self_care: "self-care",
}


def rule_cause(intake: Intake, r: RuleResult) -> CauseId | None:
    """The cause a fired rule points to (None when it names none, e.g. sepsis)."""
    if r.rule_id == arterial.RULE_ID:
        return CauseId(arterial.cause(intake))
    if r.rule_id == neurovascular.RULE_ID:
        return CauseId.fracture if intake.trauma.injury == "yes" else CauseId.acute_limb_ischaemia
    if r.rule_id == knee_pathway.RULE_ID:
        top = max(
            (it for it in r.items if it.fired),
            key=lambda it: (item_level(it) or Urgency.self_care).rank,
            default=None,
        )
        return _KNEE_ITEM_CAUSE.get(top.id) if top is not None else None
    return _SCREEN_CAUSE.get(r.rule_id)


_PATIENT_EXCLUSIONS = (
    ("age under", "the person's age"),
    ("pregnancy", "pregnancy"),
    ("intoxication", "intoxication"),
    ("head injury", "a head injury"),
    ("multiple trauma", "multiple injuries"),
    ("reduced sensation", "reduced sensation in the leg"),
)


def imaging_rule_not_applicable(intake: Intake, R: Mapping[str, RuleResult]) -> RuleResult:
    """After an injury, an imaging rule that does not apply to this person cannot rule a fracture
    out: a clinician should assess the same day and decide on imaging.

    Source: the rules' own exclusions (Stiell 1993 and 1995; RULES.md 1.1-1.2): "the engine should
    refuse to apply the rule outside these limits and say so".
    """
    found: list[str] = []
    for rid in (ottawa_ankle.RULE_ID_ANKLE, ottawa_ankle.RULE_ID_MIDFOOT, ottawa_knee.RULE_ID):
        r = R[rid]
        reason = r.not_applicable_reason or ""
        if r.applies or intake.trauma.injury != "yes":
            continue
        for key, plain in _PATIENT_EXCLUSIONS:
            if key in reason and f"the {r.name} does not apply because of {plain}" not in found:
                found.append(f"the {r.name} does not apply because of {plain}")
    name = "imaging rule not applicable"
    cit = "Stiell IG et al. JAMA 1993;269:1127-32 and Ann Emerg Med 1995;26:405-13 (exclusions)."
    item = RuleItem(
        id="not_applicable",
        label="an imaging decision rule does not apply to this person after an injury",
        fired=bool(found),
        fields=["trauma.injury", "demographics.age_years", "demographics.pregnant"],
    )
    text = (
        "; ".join(found).capitalize()
        + ": a clinician should assess the injury today and decide on imaging."
        if found
        else "Every imaging rule that could apply did."
    )
    return RuleResult(
        rule_id=CLINICIAN_ASSESSMENT_ID,
        name=name,
        citation=cit,
        evidence="[S] exclusions",
        applies=True,
        outcome=as_outcome("positive" if found else "negative"),
        items=[item],
        urgency=Urgency.same_day if found else None,
        interpretation=text,
    )


def run_rules(intake: Intake) -> list[RuleResult]:
    """Every screen and red flag, then every decision rule, in order (then the
    rule-not-applicable check)."""
    out = [fn(intake) for fn in (*FLAG_RULES, *DECISION_RULES)]
    out.append(imaging_rule_not_applicable(intake, {r.rule_id: r for r in out}))
    return out


def _urgency(
    intake: Intake, results: list[RuleResult], causes: list[CauseAssessment]
) -> tuple[Urgency, str]:
    """The urgency over every rule, with the base level's reason when no rule set it."""
    R = {r.rule_id: r for r in results}
    triggers = R[referral_triggers.RULE_ID]
    likely_needs_dx = [
        c for c in causes if c.likelihood == "likely" and c.cause in _NEEDS_DIAGNOSIS
    ]
    limiting = self_limiting(intake, R)
    if limiting is not None and triggers.outcome != "positive":
        base = Urgency.self_care
        text = (
            f"{limiting}: self-care with a review date; the unanswered questions that would "
            "change that are listed."
        )
    elif triggers.outcome == "negative" and not likely_needs_dx:
        base = Urgency.self_care
        text = (
            "No referral trigger (pain not persisting despite rest and painkillers, not "
            "interfering with activities or sleep, no swelling, warmth, redness, fever, deformity, "
            "instability or inability to bear weight) and no likely cause needing a clinician's "
            "diagnosis: self-care with review."
        )
    elif triggers.outcome == "negative":
        base = Urgency.routine
        text = f"Likely {decision.cause_phrase(likely_needs_dx[0].cause)}: needs a diagnosis."
    elif triggers.outcome == "positive":
        base = Urgency.routine
        text = "Referral trigger(s) present: see a clinician."
    else:
        base = Urgency.routine
        text = (
            "Not enough information to advise self-care (unanswered referral questions): see a "
            "clinician."
        )
    return max_urgency([base, *(r.urgency for r in results)]), text


def self_limiting(intake: Intake, R: Mapping[str, RuleResult]) -> str | None:
    """A recognised self-limiting presentation that published guidance manages with self-care
    first, or None.

    * an acute sprain or strain (NICE CKS Sprains and strains: self-care with protection, rest,
      ice, compression and elevation): an injury in the last 14 days (or of unstated date, not
      of gradual onset) by a twist, exertion or a
      direct blow, weight bearing, no imaging rule positive, no deformity, dislocation,
      instability, locking or sudden severe swelling, and not a swollen knee (a knee effusion
      after an injury needs assessment: NICE CKS Knee pain - assessment);
    * overuse or osteoarthritis pain (NHS Plantar fasciitis, Shin splints, Osgood-Schlatter;
      NICE NG226 Osteoarthritis: self-management first): no injury, worse with activity, not
      hot or red, no night pain, for 4 weeks or less (NHS: see a GP if not better after a few
      weeks of self-care);
    * sciatica for less than 6 weeks without weakness (NICE NG59 rec. 1.2: self-management);
    * a typical flare of known gout without fever (NICE NG219: the agreed flare plan).

    In every case nothing may point elsewhere: no fever, no red flag or screen, no imaging rule
    positive, no gait finding, no gout or inflammatory picture (except the gout flare), and
    nothing the person said is a referral trigger. The unanswered triggers are then listed as
    what would change the answer.
    """
    i = intake
    if any(R[rid].positive for rid in (*_FLAG_IDS, *_IMAGING_IDS, CLINICIAN_ASSESSMENT_ID)):
        return None
    if (
        i.signs.fever == "yes"
        or F.fever(i) is True
        or (i.gait_findings and any(g.fired and g.severity != "mild" for g in i.gait_findings))
    ):
        return None  # a moderate or severe gait compensation is for a physiotherapist
    s, f, p, t = i.signs, i.function, i.pain, i.trauma
    flare = R[nice_ng219.RULE_ID]
    if flare.positive and flare.urgency is None:
        return "A typical flare of known gout"
    if R[nice_ng100.RULE_ID].positive or flare.positive:
        return None
    if R[acr_eular_gout_2015.RULE_ID].positive or p.first_mtp == "yes":
        return None
    troubling = "yes" in (
        s.deformity,
        s.instability,
        f.knee_locked,
        s.swelling_sudden_severe,
        s.warmth,
        s.redness,
        p.night_pain,
        i.neuro.new_leg_weakness,
        i.neuro.foot_drop,
        i.neuro.bilateral_leg_symptoms,
        t.dislocation_suspected,
    )
    if troubling:
        return None
    days = t.days_since_injury if t.days_since_injury is not None else p.duration_days
    if (
        t.injury == "yes"
        and t.mechanism in ("twisting", "exertion", "direct_blow")
        and f.bears_weight_4_steps == "yes"
        and (days is None or days <= 14)
        and p.onset != "gradual"
        and not ("knee" in p.sites and s.swelling == "yes")
    ):
        return "An acute sprain or strain"
    if (
        t.injury == "no"
        and p.worse_with_activity == "yes"
        and p.onset != "sudden"
        and (p.duration_days is None or p.duration_days <= 28)
        and (s.swelling != "yes" or i.history.osteoarthritis == "yes")
    ):
        return "Overuse or osteoarthritis pain"
    if (
        p.radiation_from_back == "yes"
        and p.duration_days is not None
        and p.duration_days < 42
        and i.neuro.new_leg_weakness == "no"
        and f.bears_weight_4_steps != "no"
    ):
        return "Sciatica of less than 6 weeks without weakness"
    return None


def assess(intake: Intake | Mapping[str, Any], today: date | None = None) -> ClinicalAssessment:
    """Assess an intake: urgency, red flags, ranked causes, referral, tests and reasons.

    Parameters
    ----------
    intake
        An :class:`Intake`, or raw data validated with :func:`parse_intake` (errors become
        :class:`kinchain.errors.InputError` naming the field).
    today
        Date of the assessment, for the self-care review date (None: no date, only a number
        of days).

    Returns
    -------
    ClinicalAssessment
        A frozen pydantic model with a JSON round-trip. It supports and does not replace
        clinical judgement (``disclaimer``).
    """
    if not isinstance(intake, Intake):
        intake = parse_intake(intake)
    results = run_rules(intake)
    R = {r.rule_id: r for r in results}
    n_flags = len(FLAG_RULES)
    flag_results = results[:n_flags]
    reasons: list[Reason] = []

    # 1. screens and red flags: the floor
    red_flags: list[RedFlag] = []
    for r in flag_results:
        if r.positive and r.urgency is not None:
            red_flags.append(
                RedFlag(
                    rule_id=r.rule_id,
                    name=r.name,
                    urgency=r.urgency,
                    features=[it.label for it in r.fired_items],
                    fields=r.fields,
                    action=r.interpretation,
                    citation=r.citation,
                )
            )
            reasons.append(
                Reason(
                    kind="red_flag",
                    rule_id=r.rule_id,
                    text=r.interpretation,
                    fields=r.fields,
                    citation=r.citation,
                )
            )
    floor = max_urgency(f.urgency for f in red_flags)

    # 2./3. rules and urgency
    for r in results[n_flags:]:
        if r.outcome in ("positive", "negative") and r.applies:
            if r.outcome == "negative" and r.rule_id in (
                referral_triggers.RULE_ID,
                nice_ng100.RULE_ID,
                CLINICIAN_ASSESSMENT_ID,
            ):
                continue
            reasons.append(
                Reason(
                    kind="rule",
                    rule_id=r.rule_id,
                    text=r.interpretation,
                    fields=r.fields,
                    citation=r.citation,
                )
            )
    causes = rank_causes(intake, R)
    urgency, base_text = _urgency(intake, results, causes)
    urgency = max_urgency([urgency, floor])
    drivers = [r for r in results if r.urgency == urgency]
    driver_cause = next(
        (c for c in (rule_cause(intake, r) for r in drivers) if c is not None), None
    )
    if drivers:
        for r in drivers:
            reasons.append(
                Reason(
                    kind="urgency",
                    rule_id=r.rule_id,
                    text=f"Urgency {_URGENCY_WORDS[urgency]}, set by: {r.name}.",
                    fields=r.fields,
                    citation=r.citation,
                )
            )
    else:
        reasons.append(
            Reason(
                kind="urgency", rule_id="engine", text=base_text, fields=["function.rest_and_otc"]
            )
        )
    if floor.rank > Urgency.self_care.rank:
        reasons.append(
            Reason(
                kind="urgency",
                rule_id="engine",
                text=f"Red-flag floor {_URGENCY_WORDS[floor]}: no other rule may lower it.",
            )
        )

    # 4. causes
    for c in causes[:3]:
        if c.likelihood == "unlikely" and c.rank > 1:
            continue
        pro = "; ".join(e.text for e in c.evidence_for[:4]) or "no specific evidence"
        con = "; ".join(e.text for e in c.evidence_against[:3])
        fields = list(dict.fromkeys(f for e in c.evidence_for[:4] for f in e.fields))
        text = f"#{c.rank} {c.label} ({c.likelihood}, score {c.score:g}): for: {pro}"
        if con:
            text += f"; against: {con}"
        rule_ids = [e.rule_id for e in c.evidence_for if e.rule_id]
        reasons.append(
            Reason(
                kind="cause",
                rule_id=rule_ids[0] if rule_ids else f"cause.{c.cause.value}",
                text=text,
                fields=fields,
                citation=R[rule_ids[0]].citation if rule_ids and rule_ids[0] in R else "",
            )
        )

    # 5. referral, tests, what would change
    ortho = "yes" in (
        intake.signs.instability,
        intake.function.knee_locked,
        intake.signs.deformity,
    )
    referral = _referral(urgency, drivers, driver_cause, causes, today, ortho)
    reasons.append(Reason(kind="referral", rule_id="engine", text=referral.reason))
    tests = _tests(intake, R, causes, urgency)
    for t in tests:
        reasons.append(
            Reason(
                kind="test", rule_id=t.rule_id, text=f"{t.name}: {t.reason}", citation=t.citation
            )
        )
    assumptions = intake.assumptions()
    for r in results:
        if r.outcome in ("positive", "negative"):
            assumptions.extend(n for n in r.notes if n not in assumptions)
    for a in assumptions:
        reasons.append(Reason(kind="assumption", rule_id="intake", text=a))
    changes = what_would_change(intake, results, urgency)
    top = causes[0]
    not_msk = (
        driver_cause in NOT_MUSCULOSKELETAL
        if driver_cause is not None
        else top.cause in NOT_MUSCULOSKELETAL and top.likelihood != "unlikely"
    )
    confidence = max((c.confidence for c in causes), key=lambda c: CONFIDENCE_RANK[c])
    return ClinicalAssessment(
        kinchain_version=__version__,
        intake_schema_version=intake.schema_version,
        urgency=urgency,
        urgency_meaning=urgency.meaning,
        red_flags=sorted(red_flags, key=lambda f: -f.urgency.rank),
        causes=causes,
        referral=referral,
        tests=tests,
        reasons=reasons,
        ask_next=_questions(
            intake, flag_results, results[n_flags:], causes, first=[w.field for w in changes]
        ),
        assumptions=assumptions,
        confidence=confidence,
        rules=results,
        disclaimer=DISCLAIMER,
        what_would_change=changes,
        urgency_statement=_statement(referral, changes, not_msk),
        not_musculoskeletal=not_msk,
    )


def _referral(
    urgency: Urgency,
    drivers: list[RuleResult],
    driver_cause: CauseId | None,
    causes: list[CauseAssessment],
    today: date | None,
    orthopaedic_signs: bool = False,
) -> Referral:
    """The referral from the one decision table (:func:`decision.destination`)."""
    dest = decision.destination(urgency, driver_cause, causes, orthopaedic_signs)
    then = decision.follow_on(urgency, dest, driver_cause, causes)
    if then is not None and any(
        r.rule_id in (cauda_equina.RULE_ID, foot_drop.RULE_ID) for r in drivers
    ):
        then = Specialist.orthopaedics  # spinal surgery
    top = causes[0]
    also: list[Specialist] = []
    for c in causes[:3]:
        s = decision.specialist_for(c.cause)
        if c.likelihood != "unlikely" and s not in also and s not in (dest, then):
            also.append(s)
    # Conditions ("warning signs of septic arthritis") apart from the seed article's
    # consultation prompts, which are findings ("pain disturbs sleep") and read as they are.
    conditions = [r.name for r in drivers if r.rule_id != referral_triggers.RULE_ID]
    prompts = [_driver_text(r) for r in drivers if r.rule_id == referral_triggers.RULE_ID]
    flag_names = conditions + prompts
    if urgency == Urgency.self_care:
        review = today + timedelta(days=REVIEW_AFTER_DAYS) if today else None
        why = (
            f"Relative rest and over-the-counter painkillers; see a clinician if not better "
            f"after {REVIEW_AFTER_DAYS} days, or at once if a warning sign appears."
        )
        if top.likelihood != "unlikely":
            why += f" Most likely: {decision.cause_phrase(top.cause)}."
        return Referral(
            specialist=Specialist.self_care,
            label=SPECIALIST_LABELS[Specialist.self_care],
            urgency=urgency,
            reason=why,
            then=None,
            also_consider=also,
            review_after_days=REVIEW_AFTER_DAYS,
            review_date=review,
        )
    if flag_names:
        said = []
        if conditions:
            said.append(f"warning signs of {'; '.join(dict.fromkeys(conditions))}")
        if prompts:
            said.append("; ".join(dict.fromkeys(prompts)))
        why = f"{SPECIALIST_LABELS[dest]}: {'; '.join(said)}."
    elif top.likelihood != "unlikely":
        why = f"{SPECIALIST_LABELS[dest]} for the most likely cause: " + (
            f"{decision.cause_phrase(top.cause)}."
        )
    else:
        why = (
            f"{SPECIALIST_LABELS[dest]}: no cause has clear evidence yet, so a clinician should "
            "assess first."
        )
    if then is not None:
        likely = {c.cause for c in causes if c.likelihood != "unlikely"}
        cause = (
            top.cause
            if top.likelihood == "likely" or driver_cause not in likely
            else driver_cause or top.cause
        )
        why += f" Then: {SPECIALIST_LABELS[then]}, for {decision.cause_phrase(cause)}."
    return Referral(
        specialist=dest,
        label=SPECIALIST_LABELS[dest],
        urgency=urgency,
        reason=why,
        then=then,
        also_consider=also,
    )


def _driver_text(r: RuleResult) -> str:
    """What a rule that set the urgency found, in plain words: its name, or for the seed
    article's consultation prompts the prompts that fired at that urgency."""
    if r.rule_id != referral_triggers.RULE_ID:
        return r.name
    level = r.urgency
    labels = [item_text(it) for it in r.items if it.fired and item_level(it) == level]
    return "; ".join(labels) or r.name


def _statement(referral: Referral, changes: list[WhatWouldChange], not_msk: bool) -> str:
    """The decision in plain sentences, with the conditions that would make it more urgent."""
    u = referral.urgency
    reason = referral.reason
    label = SPECIALIST_LABELS[referral.specialist]
    if reason.startswith(label):
        reason = reason[len(label) :].lstrip(" :")
    joiner = ", " if reason.startswith("for ") else "; "
    if joiner == "; " and reason[:1].isupper() and not reason[1:2].isupper():
        reason = reason[0].lower() + reason[1:]
    text = decision.URGENCY_PHRASE[u] + (f"{joiner}{reason}" if reason else ".")
    if not_msk:
        text += (
            " This may not be a problem of the knee or ankle joints: it needs a doctor for "
            "something else."
        )
    by_level: dict[Urgency, list[str]] = {}
    for w in changes[:STATEMENT_CONDITIONS]:
        by_level.setdefault(w.urgency, []).append(w.condition)
    for level in sorted(by_level, key=lambda x: -x.rank):
        text += f" {decision.IF_PHRASE[level]}: " + "; ".join(by_level[level]) + "."
    return text


_CONDITIONS: dict[tuple[str, Any], str] = {
    ("signs.temperature_c", 38.5): "the temperature is 38 C or more",
    ("pain.duration_days", 3.0): "it began in the last two weeks",
    ("trauma.days_since_injury", 1.0): "the injury was in the last few days",
    ("signs.leg_swelling", "one_leg"): "one calf or lower leg is swollen",
    ("signs.leg_swelling", "both_legs"): "both lower legs are swollen",
    ("pain.onset", "sudden"): "it came on suddenly",
    ("function.rest_and_otc", "not_improved"): "rest and painkillers have not helped",
    ("trauma.mechanism", "crush"): "it was a crush injury",
    ("trauma.mechanism", "high_energy"): "it was a high-energy injury (a fall from height, a "
    "road accident)",
}


def _condition(field: str, value: Any) -> str:
    """The answer as a plain condition ("the joint is warm or hot")."""
    if (field, value) in _CONDITIONS:
        return _CONDITIONS[(field, value)]
    plain = wording.condition(field) if value == "yes" else None
    if plain is not None:
        return plain
    q = _question_text(field).rstrip(".?")
    if value == "yes":
        return q[0].lower() + q[1:]
    return f"{q[0].lower() + q[1:]}: {str(value).replace('_', ' ')}"


_PROBE_NUMBERS: dict[str, tuple[float, str]] = {
    "signs.temperature_c": (38.5, "38.5 C or more"),
    "pain.duration_days": (3.0, "a few days"),
    "trauma.days_since_injury": (1.0, "a day"),
}


def _probe_values(field: str) -> list[tuple[Any, str]]:
    """Values to try for an unanswered field (the answers that could raise the urgency)."""
    return list(_probe_values_of(field))


@functools.lru_cache(maxsize=1024)
def _probe_values_of(field: str) -> tuple[tuple[Any, str], ...]:
    """:func:`_probe_values` (a function of the intake schema only: remembered)."""
    return tuple(_find_probe_values(field))


def _find_probe_values(field: str) -> list[tuple[Any, str]]:
    if field in _PROBE_NUMBERS:
        v, text = _PROBE_NUMBERS[field]
        return [(v, text)]
    group, _, name = field.partition(".")
    model = Intake.model_fields.get(group)
    if model is None or not name or "." in name:
        return []
    sub = model.annotation
    info = getattr(sub, "model_fields", {}).get(name)
    if info is None:
        return []
    choices = get_args(info.annotation)
    if set(choices) >= {"yes", "no", "unknown"}:
        return [("yes", "yes")]
    return [(c, str(c)) for c in choices if isinstance(c, str) and c not in ("unknown", "no")]


def _with(intake: Intake, field: str, value: Any) -> Intake:
    group, _, name = field.partition(".")
    sub = getattr(intake, group)
    return intake.model_copy(update={group: sub.model_copy(update={name: value})})


def what_would_change(
    intake: Intake, results: list[RuleResult], urgency: Urgency, limit: int = 8
) -> list[WhatWouldChange]:
    """Unanswered questions whose answer would raise the urgency above ``urgency``.

    Each field that a rule lists as missing is tried with the answers that could raise the
    urgency (``yes``; a fever; a short history; every non-``no`` choice); only the rules that
    listed it are evaluated again. Most urgent first.
    """
    relevant = _relevant_screens(intake, results)
    known: dict[str, bool] = {}
    by_field: dict[str, list[RuleResult]] = {}
    for r in results:
        if r.outcome == "positive" and not r.missing:
            continue
        if _potential(r).rank <= urgency.rank:
            continue  # nothing it could still find is more urgent
        if r.rule_id in _SAFETY_NET and r.rule_id not in relevant:
            continue
        if _support(intake, r, known) == 0 and r.rule_id not in relevant:
            continue  # nothing said so far points there: a screening question, not a condition
        for f in r.missing:
            by_field.setdefault(f, []).append(r)
    rule_fn = _RULE_FNS
    patient = intake.answered_by == "patient"
    scored: list[tuple[int, WhatWouldChange]] = []
    for field, rules in by_field.items():
        if patient and field.startswith(("exam.", "labs.")):
            continue  # a patient cannot answer an examination or a test
        best: tuple[Urgency, RuleResult, str, Any, Intake] | None = None
        for value, shown in _probe_values(field):
            probe = _with(intake, field, value)
            for r in rules:
                fn = rule_fn.get(r.rule_id)
                if fn is None:
                    continue
                new = fn(probe)
                if new.positive and new.urgency is not None and new.urgency.rank > urgency.rank:
                    if best is None or new.urgency.rank > best[0].rank:
                        best = (new.urgency, new, shown, value, probe)
        if best is None:
            continue
        level, rule, shown, _, answered = best
        support = _support(intake, rule, known)
        cause = rule_cause(answered, rule)
        dest = decision.destination(level, cause, [])
        scored.append(
            (
                support,
                WhatWouldChange(
                    field=field,
                    question=_question_text(field),
                    condition=_condition(field, best[3]),
                    answer=shown,
                    urgency=level,
                    destination=dest,
                    because=rule.name,
                    rule_id=rule.rule_id,
                ),
            )
        )
    scored.sort(key=lambda sw: (-sw[1].urgency.rank, -sw[0]))
    return [w for _, w in scored[:limit]]


def _potential(r: RuleResult) -> Urgency:
    """The most urgent level a rule could still reach: for the red flags and screens, the most
    urgent item not yet known (items are labelled "... [level]"); for the other rules, which
    carry no such label, emergency (never pruned)."""
    best: Urgency | None = None
    for it in r.items:
        if it.fired is not None:
            continue
        level = item_level(it)
        if level is None:
            if not it.label.endswith("]"):
                return Urgency.emergency
            continue
        best = level if best is None or level.rank > best.rank else best
    if not r.items:
        return Urgency.emergency
    return best or Urgency.self_care


_SUPPORTING_CHOICES = {"one_leg", "both_legs", "positive", "not_improved"}


def _known_positive(intake: Intake, field: str) -> bool:
    """Whether an intake field holds an answer that points somewhere: a "yes", or a finding
    such as a swollen leg or a positive test (not an age, a side or an onset, which describe
    everyone)."""
    obj: Any = intake
    for part in field.split("."):
        obj = getattr(obj, part, None)
    return isinstance(obj, str) and (obj == "yes" or obj in _SUPPORTING_CHOICES)


def _support(intake: Intake, rule: RuleResult, known: dict[str, bool] | None = None) -> int:
    """How many of the rule's fields already hold a positive answer: how much of what the person
    said points to this rule. ``known`` remembers :func:`_known_positive` of each field for
    this intake across calls (filled in here)."""
    fields = dict.fromkeys(f for it in rule.items for f in it.fields)
    if known is None:
        return sum(1 for f in fields if _known_positive(intake, f))
    n = 0
    for f in fields:
        positive = known.get(f)
        if positive is None:
            positive = known[f] = _known_positive(intake, f)
        n += positive
    return n


_SAFETY_NET = {pulmonary_embolism.RULE_ID, stroke.RULE_ID, sepsis.RULE_ID}
"""Screens that apply to anyone (chest pain, stroke signs, sepsis): suggested as questions only
when the picture makes them relevant; an answer to them always counts."""


def _relevant_screens(intake: Intake, results: list[RuleResult]) -> set[str]:
    """The safety-net screens worth asking about for this intake."""
    from kinchain.clinical.rules.mimics import _common as M

    R = {r.rule_id: r for r in results}
    out: set[str] = set()
    clot = (
        R[dvt_symptoms.RULE_ID].positive
        or R[wells_dvt.RULE_ID].positive
        or intake.signs.calf_pain == "yes"
        or M.clot_risk(intake) is True
        or intake.history.sickle_cell_disease == "yes"
    )
    if clot:
        out.add(pulmonary_embolism.RULE_ID)
    n, p = intake.neuro, intake.pain
    if "yes" in (n.new_leg_weakness, n.foot_drop, p.numbness, p.tingling, p.pins_and_needles):
        out.add(stroke.RULE_ID)
    infection = any(
        R[rid].positive
        for rid in (
            septic_arthritis.RULE_ID,
            cellulitis.RULE_ID,
            diabetic_foot.RULE_ID,
            postoperative.RULE_ID,
            endocarditis.RULE_ID,
            kocher_hip.RULE_ID,
            sickle_cell.RULE_ID,
        )
    )
    if infection or intake.signs.fever == "yes":
        out.add(sepsis.RULE_ID)
    return out


_RULE_FNS: dict[str, RuleFn] = {}


def _register_rule_fns() -> None:
    probe = Intake.model_validate({"pain": {"sites": ["knee"]}})
    for fn in (*FLAG_RULES, *DECISION_RULES):
        _RULE_FNS[fn(probe).rule_id] = fn


_register_rule_fns()


_PRIORITY_BY_URGENCY: dict[Urgency, str] = {
    Urgency.emergency: "now",
    Urgency.same_day: "same_day",
    Urgency.soon: "soon",
    Urgency.routine: "routine",
    Urgency.self_care: "if_needed",
}

_SCREEN_TESTS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        dvt_symptoms.RULE_ID,
        "dvt_wells_ultrasound",
        "Two-level Wells score; proximal leg-vein ultrasound with the result within 4 hours "
        "(D-dimer first when the Wells score is 1 or less)",
        "same_day",
        "Suspected DVT (NICE NG158 1.1.1-1.1.4).",
    ),
    (
        pulmonary_embolism.RULE_ID,
        "pe_workup",
        "PE Wells score; CT pulmonary angiogram (immediately); ECG and chest X-ray",
        "now",
        "Suspected pulmonary embolism (NICE NG158 1.1.5-1.1.8).",
    ),
    (
        stroke.RULE_ID,
        "stroke_imaging",
        "Brain imaging (CT) and stroke or TIA specialist assessment",
        "by_urgency",
        "Suspected stroke or TIA (NICE NG128).",
    ),
    (
        sepsis.RULE_ID,
        "sepsis_six",
        "Sepsis assessment: lactate, blood cultures, full blood count, CRP, renal function",
        "now",
        "High-risk features of sepsis (NICE NG51).",
    ),
    (
        cellulitis.RULE_ID,
        "cellulitis_assessment",
        "Clinical assessment (mark the edge of the redness); blood cultures if systemically unwell",
        "by_urgency",
        "Cellulitis is a clinical diagnosis; assess severity and sepsis (NICE NG141).",
    ),
    (
        arterial.RULE_ID,
        "arterial_assessment",
        "Foot pulses, ankle-brachial pressure index, and arterial duplex ultrasound",
        "by_urgency",
        "Suspected arterial disease or limb ischaemia (NICE CG147; ESVS 2020).",
    ),
    (
        rhabdomyolysis.RULE_ID,
        "ck_renal",
        "Creatine kinase, urea and electrolytes (kidney function), urine dipstick for blood",
        "by_urgency",
        "Suspected muscle breakdown: creatine kinase and kidney function.",
    ),
    (
        sickle_cell.RULE_ID,
        "sickle_bloods",
        "Full blood count, reticulocytes; blood cultures and chest X-ray with fever or chest "
        "symptoms",
        "by_urgency",
        "Acute sickle cell episode (NICE CG143).",
    ),
    (
        endocarditis.RULE_ID,
        "endocarditis_workup",
        "Three sets of blood cultures before antibiotics; echocardiography",
        "by_urgency",
        "Suspected infective endocarditis (ESC 2023).",
    ),
    (
        postoperative.RULE_ID,
        "postop_review",
        "Surgical team review; wound swab, full blood count, CRP; leg-vein ultrasound if the calf "
        "is swollen",
        "by_urgency",
        "Possible complication of a recent operation (NICE NG125).",
    ),
    (
        pmr_gca.RULE_ID,
        "pmr_gca_bloods",
        "ESR and CRP before any steroid; temporal artery ultrasound or biopsy if giant-cell "
        "arteritis is suspected",
        "by_urgency",
        "Suspected polymyalgia rheumatica or giant-cell arteritis (BSR guidelines).",
    ),
    (
        diabetic_foot.RULE_ID,
        "diabetic_foot_workup",
        "Foot X-ray; wound swab or tissue sample; full blood count, CRP; foot pulses",
        "by_urgency",
        "Active diabetic foot problem (NICE NG19).",
    ),
)
"""The first tests for a screen that fired: (rule id, test id, test, when, why)."""


def _tests(
    intake: Intake, R: Mapping[str, RuleResult], causes: list[CauseAssessment], urgency: Urgency
) -> list[TestRecommendation]:
    out: dict[str, TestRecommendation] = {}

    def add(tid: str, name: str, priority: str, reason: str, rule_id: str) -> None:
        if tid not in out:
            cit = R[rule_id].citation if rule_id in R else ""
            out[tid] = TestRecommendation(
                id=tid,
                name=name,
                priority=priority,  # type: ignore[arg-type]
                reason=reason,
                rule_id=rule_id,
                citation=cit,
            )

    for rid, tid, series in (
        ("ottawa_ankle", "xray_ankle", "Ankle X-ray"),
        ("ottawa_midfoot", "xray_foot", "Foot X-ray"),
        ("ottawa_knee", "xray_knee", "Knee X-ray"),
        ("pittsburgh_knee", "xray_knee", "Knee X-ray"),
    ):
        if R[rid].positive:
            add(tid, series, "same_day", R[rid].interpretation, rid)
    fr = R[fracture_dislocation.RULE_ID]
    if fr.positive and not any(t.startswith("xray_") for t in out):
        add(
            "xray_injured",
            "X-ray of the injured region",
            "now" if fr.urgency == Urgency.emergency else "same_day",
            fr.interpretation,
            fr.rule_id,
        )
    if R[septic_arthritis.RULE_ID].positive:
        add(
            "aspiration_septic",
            "Joint aspiration before antibiotics (Gram stain, culture, polarised microscopy)",
            "now",
            "Hot swollen joint: septic arthritis until proven "
            "otherwise; a negative Gram stain or culture does not exclude infection.",
            septic_arthritis.RULE_ID,
        )
        add(
            "blood_cultures",
            "Blood cultures, FBC/WBC, ESR, CRP",
            "now",
            "Septic arthritis work-up.",
            septic_arthritis.RULE_ID,
        )
    if R[kocher_hip.RULE_ID].positive:
        add(
            "kocher_workup",
            "FBC with WBC, ESR/CRP, hip ultrasound; aspiration if effusion",
            "now" if R[kocher_hip.RULE_ID].urgency == Urgency.emergency else "same_day",
            R[kocher_hip.RULE_ID].interpretation,
            kocher_hip.RULE_ID,
        )
    for rid, label in (
        ("ottawa_ankle", "ankle"),
        ("ottawa_midfoot", "foot"),
        ("ottawa_knee", "knee"),
    ):
        r = R[rid]
        reason = r.not_applicable_reason or ""
        if (
            not r.applies
            and intake.trauma.injury == "yes"
            and "pain.sites" not in reason
            and "days old" not in reason
            and f"xray_{label}" not in out
        ):
            add(
                f"xray_{label}_discretion",
                f"{label.capitalize()} X-ray at the clinician's discretion",
                "if_needed",
                f"The {r.name} does not apply ({reason}); it cannot rule a fracture out.",
                rid,
            )
    if R[cauda_equina.RULE_ID].positive:
        add(
            "mri_emergency",
            "Emergency MRI of the lumbosacral spine",
            "now",
            "Suspected cauda equina syndrome.",
            cauda_equina.RULE_ID,
        )
    if R[foot_drop.RULE_ID].positive:
        add(
            "mri_spine",
            "MRI of the lumbar spine (same day, with spinal surgery)",
            "same_day",
            "Acute foot drop or progressive weakness.",
            foot_drop.RULE_ID,
        )
    if R[compartment_syndrome.RULE_ID].positive:
        add(
            "compartment_pressure",
            "Compartment pressure measurement (must not delay fasciotomy)",
            "now",
            "Suspected compartment syndrome.",
            compartment_syndrome.RULE_ID,
        )
    im = R[infection_malignancy.RULE_ID]
    if im.positive:
        add(
            "malignancy_bloods",
            "FBC, ESR, CRP, calcium, myeloma screen; X-ray or MRI",
            "same_day" if im.urgency and im.urgency.rank >= Urgency.same_day.rank else "soon",
            im.interpretation,
            im.rule_id,
        )
    w = R[wells_dvt.RULE_ID]
    if w.applies:
        if w.positive:
            add(
                "dvt_ultrasound",
                "Proximal leg-vein ultrasound (result within 4 h); D-dimer if negative",
                "same_day",
                w.interpretation,
                w.rule_id,
            )
        else:
            add(
                "d_dimer",
                "D-dimer (then proximal leg-vein ultrasound if positive)",
                "same_day",
                w.interpretation,
                w.rule_id,
            )

    for rid, tid, name, when, why in _SCREEN_TESTS:
        r = R[rid]
        if r.positive and r.urgency is not None:
            prio = when if when != "by_urgency" else _PRIORITY_BY_URGENCY[r.urgency]
            add(tid, name, prio, why, rid)
    top3 = [c for c in causes[:3] if c.likelihood != "unlikely"] or causes[:1]
    ids = {c.cause for c in top3}
    lab = intake.labs
    if CauseId.gout in ids:
        if lab.urate is None:
            add(
                "urate",
                "Serum urate",
                "routine",
                "Gout suspected: a urate >= 360 umol/L "
                "(6 mg/dL) supports it; if low during a flare, repeat >= 2 weeks after it settles "
                "(NICE NG219).",
                acr_eular_gout_2015.RULE_ID,
            )
        nl = R[netherlands_gout.RULE_ID]
        g = R[acr_eular_gout_2015.RULE_ID]
        if lab.synovial_msu == "not_done" and (
            nl.outcome == "indeterminate" or g.outcome != "positive"
        ):
            add(
                "aspiration_msu",
                "Joint aspiration for MSU crystals (polarised microscopy)",
                "if_needed",
                f"Gout not certain by the criteria ({g.interpretation} {nl.interpretation}) "
                "MSU crystals classify it (sufficient criterion).",
                netherlands_gout.RULE_ID,
            )
            add(
                "gout_imaging",
                "Ultrasound (double contour) or dual-energy CT; X-ray of feet",
                "if_needed",
                "If still uncertain after aspiration (NICE NG219).",
                acr_eular_gout_2015.RULE_ID,
            )
    if CauseId.inflammatory_arthritis in ids:
        if lab.rf_iu_ml is None:
            add(
                "rf",
                "Rheumatoid factor (RF)",
                "soon",
                "Synovitis: RF (NICE NG100).",
                acr_eular_ra_2010.RULE_ID,
            )
        if lab.acpa_u_ml is None:
            add(
                "acpa",
                "Anti-CCP (ACPA)",
                "soon",
                "If RF is negative (NICE NG100); scores in the 2010 ACR/EULAR serology domain.",
                acr_eular_ra_2010.RULE_ID,
            )
        if lab.crp_mg_l is None and lab.esr_mm_h is None:
            add(
                "crp_esr",
                "CRP and ESR",
                "soon",
                "Acute-phase domain of the 2010 ACR/EULAR criteria.",
                acr_eular_ra_2010.RULE_ID,
            )
        add(
            "xray_hands_feet",
            "X-ray of hands and feet",
            "routine",
            "Erosions (NICE NG100); investigations must not delay referral.",
            nice_ng100.RULE_ID,
        )
    if CauseId.peripheral_neuropathy in ids:
        add(
            "neuropathy_bloods",
            "HbA1c or glucose, B12/folate, TSH, U&E, LFT, FBC, serum protein electrophoresis",
            "routine",
            "Causes of length-dependent polyneuropathy (RULES.md 4.3 [R]).",
            dn4.RULE_ID,
        )
        add(
            "nerve_conduction",
            "Nerve conduction studies",
            "routine",
            "Confirm and grade the neuropathy (RULES.md 4.3 [R]).",
            dn4.RULE_ID,
        )
    if (
        CauseId.lumbar_radiculopathy in ids
        and not R[cauda_equina.RULE_ID].positive
        and not R[foot_drop.RULE_ID].positive
    ):
        add(
            "no_routine_mri",
            "No routine imaging; MRI only with red flags, progressive deficit "
            "or if surgery/injection is considered",
            "if_needed",
            "Sciatica without red flags (RULES.md 4.3 [R]).",
            dn4.RULE_ID,
        )
    if CauseId.kinetic_chain_mechanical in ids and intake.gait_findings is None:
        add(
            "gait_analysis",
            "Instrumented gait analysis (kinchain)",
            "routine",
            "Look for knee-driven compensation reaching the ankle (leg rotation, over-pronation, "
            "altered foot-strike timing).",
            "engine",
        )
    if (
        CauseId.septic_arthritis in ids
        and "aspiration_septic" not in out
        and urgency.rank >= Urgency.same_day.rank
    ):
        add(
            "aspiration_septic",
            "Joint aspiration (Gram stain, culture, crystals)",
            "same_day",
            "Exclude septic arthritis in a red, hot, swollen joint (NICE NG219).",
            septic_arthritis.RULE_ID,
        )
    return list(out.values())


@functools.lru_cache(maxsize=1024)
def _question_text(field: str) -> str:
    """The plain question for an intake field (:mod:`kinchain.clinical.wording`), else its
    documented description."""
    plain = wording.question(field)
    if plain is not None:
        return plain
    from pydantic import BaseModel

    model: type[BaseModel] = Intake
    parts = field.split(".")
    for k, part in enumerate(parts):
        info = model.model_fields.get(part)
        if info is None:
            return field
        if k == len(parts) - 1:
            return info.description or field
        ann = info.annotation
        sub = next(
            (
                a
                for a in getattr(ann, "__args__", (ann,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if sub is None:
            return info.description or field
        model = sub
    return field


def _is_unknown(intake: Intake, field: str) -> bool:
    """Whether an intake field is still unknown (None, 'unknown' or 'not_done')."""
    obj: Any = intake
    for part in field.split("."):
        obj = getattr(obj, part, None)
    return obj is None or obj in ("unknown", "not_done")


def _questions(
    intake: Intake,
    flags: list[RuleResult],
    rules: list[RuleResult],
    causes: list[CauseAssessment],
    limit: int = 12,
    first: list[str] | None = None,
) -> list[Question]:
    """Unknown fields worth asking: red-flag questions first (up to half the list), then the
    items that would decide an open rule, then evidence for the three leading causes."""
    qs: dict[str, Question] = {}
    unknown: dict[str, bool] = {}
    known: dict[str, bool] = {}

    def add(field: str, why: str, rule_id: str, cap: int) -> None:
        if field == "pain.sites":
            return
        open_ = unknown.get(field)
        if open_ is None:
            open_ = unknown[field] = _is_unknown(intake, field)
        if not open_:
            return
        if field in qs:
            if rule_id not in qs[field].rule_ids:
                qs[field] = qs[field].model_copy(
                    update={"rule_ids": [*qs[field].rule_ids, rule_id]}
                )
            return
        if len(qs) < cap:
            qs[field] = Question(
                field=field, question=_question_text(field), why=why, rule_ids=[rule_id]
            )

    def from_rules(cap: int) -> None:
        for r in rules:
            if r.outcome == "indeterminate":
                for f in r.missing:
                    add(f, f"decides the {r.name}", r.rule_id, cap)

    def from_causes(cap: int) -> None:
        for c in causes[:3]:
            for e in c.unknown:
                for f in e.fields:
                    add(
                        f,
                        f"evidence for or against {c.label.lower()}: {e.text}",
                        e.rule_id or f"cause.{c.cause.value}",
                        cap,
                    )

    supports: dict[str, int] = {}

    def support(r: RuleResult) -> int:
        if r.rule_id not in supports:
            supports[r.rule_id] = _support(intake, r, known)
        return supports[r.rule_id]

    for f in first or []:
        add(f, "its answer could make this more urgent", "engine", limit)
    # red-flag questions round-robin over the flags (breadth first), the flags that what was
    # said points to first; a screen that nothing points to is left to the screening questions
    flags = sorted(
        (r for r in flags if not r.rule_id.startswith("screen_") or support(r) > 0),
        key=lambda r: -support(r),
    )
    depth = max((len(r.missing) for r in flags), default=0)
    flag_qs = [(r.missing[k], r) for k in range(depth) for r in flags if k < len(r.missing)]
    for f, r in flag_qs:
        add(f, f"could reveal a red flag: {r.name}", r.rule_id, limit // 2)
    from_rules(limit * 3 // 4)
    from_causes(limit)
    for f, r in flag_qs:
        add(f, f"could reveal a red flag: {r.name}", r.rule_id, limit)
    from_rules(limit)
    return list(qs.values())
