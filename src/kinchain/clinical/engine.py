"""The clinical engine: :func:`assess` turns an :class:`~kinchain.clinical.intake.Intake` into a
:class:`~kinchain.clinical.result.ClinicalAssessment`.

Order of work
-------------
1. Red flags run first; the most urgent one sets a floor that nothing lowers.
2. Every decision rule and criterion runs (imaging rules, RA/gout criteria, Netherlands gout rule,
   DN4, Wells, NICE NG100, the seed article's referral triggers).
3. Urgency = the maximum over all rules (and the floor). Self-care is only advised when every
   referral trigger is known to be absent and no likely cause needs a specialist's diagnosis.
4. Causes are ranked with the evidence for and against each (:mod:`kinchain.clinical.causes`).
5. Specialist and tests are chosen with reasons; missing information becomes questions.

Pure: no I/O, no clock (pass ``today`` for a review date), no printing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from kinchain import DISCLAIMER, __version__
from kinchain.clinical.causes import rank_causes
from kinchain.clinical.intake import Intake, parse_intake
from kinchain.clinical.result import (
    CONFIDENCE_RANK,
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
)
from kinchain.clinical.rules import (
    acr_eular_gout_2015,
    acr_eular_ra_2010,
    dn4,
    netherlands_gout,
    nice_ng100,
    ottawa_ankle,
    ottawa_knee,
    pittsburgh_knee,
    referral_triggers,
    wells_dvt,
)
from kinchain.clinical.rules.base import RuleResult, Urgency, max_urgency
from kinchain.clinical.rules.red_flags import (
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

RuleFn = Callable[[Intake], RuleResult]

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
)
"""Red-flag sets, run first."""

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
    referral_triggers.evaluate,
)
"""Decision rules and criteria, run after the red flags."""

REVIEW_AFTER_DAYS = 7

_CAUSE_SPECIALIST: dict[CauseId, Specialist] = {
    CauseId.kinetic_chain_mechanical: Specialist.physiotherapy,
    CauseId.soft_tissue_injury: Specialist.physiotherapy,
    CauseId.inflammatory_arthritis: Specialist.rheumatology,
    CauseId.gout: Specialist.rheumatology,
    CauseId.lumbar_radiculopathy: Specialist.physiotherapy,
    CauseId.peripheral_neuropathy: Specialist.neurology,
    CauseId.fracture: Specialist.orthopaedics,
    CauseId.septic_arthritis: Specialist.emergency_department,
    CauseId.dvt: Specialist.same_day_care,
    CauseId.compartment_syndrome: Specialist.emergency_department,
    CauseId.acute_limb_ischaemia: Specialist.emergency_department,
    CauseId.infection_or_malignancy: Specialist.orthopaedics,
}

# Causes whose likely presence needs a specialist's diagnosis (no self-care).
_NEEDS_DIAGNOSIS = {
    CauseId.inflammatory_arthritis,
    CauseId.gout,
    CauseId.peripheral_neuropathy,
    CauseId.fracture,
    CauseId.septic_arthritis,
    CauseId.dvt,
    CauseId.compartment_syndrome,
    CauseId.acute_limb_ischaemia,
    CauseId.infection_or_malignancy,
}


def run_rules(intake: Intake) -> list[RuleResult]:
    """Every red flag, then every decision rule, in order."""
    return [fn(intake) for fn in (*RED_FLAG_RULES, *DECISION_RULES)]


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
    n_flags = len(RED_FLAG_RULES)
    flag_results = results[:n_flags]
    reasons: list[Reason] = []

    # 1. red flags: the floor
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
    triggers = R[referral_triggers.RULE_ID]
    likely_needs_dx = [
        c for c in causes if c.likelihood == "likely" and c.cause in _NEEDS_DIAGNOSIS
    ]
    if triggers.outcome == "negative" and not likely_needs_dx:
        base = Urgency.self_care
        base_text = (
            "No referral trigger (pain not persisting despite rest and OTC painkillers, "
            "not interfering with activities or sleep, no swelling, warmth, redness, "
            "fever, deformity, instability or inability to bear weight) and no likely "
            "cause needing a specialist's diagnosis: self-care with review."
        )
    elif triggers.outcome == "negative":
        base = Urgency.routine
        base_text = (
            f"Likely {likely_needs_dx[0].label.lower()}: needs a clinician's diagnosis (routine)."
        )
    elif triggers.outcome == "positive":
        base = Urgency.routine
        base_text = "Referral trigger(s) present: see a clinician."
    else:
        base = Urgency.routine
        base_text = (
            "Not enough information to advise self-care (unanswered referral "
            "questions): see a clinician."
        )
    urgency = max_urgency([base, floor, *(r.urgency for r in results)])
    drivers = [r for r in results if r.urgency == urgency]
    if drivers:
        for r in drivers:
            reasons.append(
                Reason(
                    kind="urgency",
                    rule_id=r.rule_id,
                    text=f"Urgency {urgency.value} set by {r.name}.",
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
                text=f"Red-flag floor {floor.value}: no other rule may lower it.",
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
                citation=R[rule_ids[0]].citation if rule_ids else "",
            )
        )

    # 5. referral and tests
    referral = _referral(intake, urgency, causes, red_flags, today)
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
        ask_next=_questions(intake, flag_results, results[n_flags:], causes),
        assumptions=assumptions,
        confidence=confidence,
        rules=results,
        disclaimer=DISCLAIMER,
    )


def _referral(
    intake: Intake,
    urgency: Urgency,
    causes: list[CauseAssessment],
    red_flags: list[RedFlag],
    today: date | None,
) -> Referral:
    top = causes[0]
    by_cause = _CAUSE_SPECIALIST[top.cause]
    if top.cause in (CauseId.kinetic_chain_mechanical, CauseId.soft_tissue_injury) and (
        intake.signs.instability == "yes"
        or intake.function.knee_locked == "yes"
        or intake.signs.deformity == "yes"
    ):
        by_cause = Specialist.orthopaedics
    if top.cause == CauseId.lumbar_radiculopathy and any(
        f.rule_id in (cauda_equina.RULE_ID, foot_drop.RULE_ID) for f in red_flags
    ):
        by_cause = Specialist.orthopaedics  # spinal surgery
    also = []
    for c in causes[1:3]:
        s = _CAUSE_SPECIALIST[c.cause]
        if c.likelihood != "unlikely" and s not in also and s != by_cause:
            also.append(s)
    if urgency == Urgency.emergency:
        spec, then = Specialist.emergency_department, by_cause
        why = "Emergency: " + "; ".join(f.name for f in red_flags if f.urgency == Urgency.emergency)
    elif urgency == Urgency.same_day:
        spec, then = Specialist.same_day_care, by_cause
        flags = [f.name for f in red_flags if f.urgency == Urgency.same_day]
        why = "Urgent same-day assessment" + (
            ": " + "; ".join(flags) if flags else " (see urgency reasons)"
        )
    elif urgency == Urgency.self_care:
        review = today + timedelta(days=REVIEW_AFTER_DAYS) if today else None
        return Referral(
            specialist=Specialist.self_care,
            label=SPECIALIST_LABELS[Specialist.self_care],
            urgency=urgency,
            reason=(
                f"Self-care (relative rest, over-the-counter painkillers); see a clinician if "
                f"not better after {REVIEW_AFTER_DAYS} days, or at once if a red flag "
                f"appears. Most likely: {top.label.lower()}."
            ),
            then=by_cause,
            also_consider=also,
            review_after_days=REVIEW_AFTER_DAYS,
            review_date=review,
        )
    else:
        spec, then = by_cause, None
        if spec in (Specialist.emergency_department, Specialist.same_day_care):
            spec = Specialist.orthopaedics if top.cause != CauseId.dvt else spec
        why = (
            f"{SPECIALIST_LABELS[spec]}, "
            f"{'within days (urgent referral)' if urgency == Urgency.soon else 'routine'}, "
            f"for the most likely cause: {top.label.lower()}."
        )
    if then == spec:
        then = None
    if then is not None:
        why += f"; then {SPECIALIST_LABELS[then].lower()} for {top.label.lower()}."
    return Referral(
        specialist=spec,
        label=SPECIALIST_LABELS[spec],
        urgency=urgency,
        reason=why,
        then=then,
        also_consider=also,
    )


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


def _question_text(field: str) -> str:
    """The intake field's documented question."""
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
) -> list[Question]:
    """Unknown fields worth asking: red-flag questions first (up to half the list), then the
    items that would decide an open rule, then evidence for the three leading causes."""
    qs: dict[str, Question] = {}

    def add(field: str, why: str, rule_id: str, cap: int) -> None:
        if field in ("pain.sites",) or not _is_unknown(intake, field):
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

    # red-flag questions round-robin over the flags (breadth first)
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
