"""Cause categories ranked by weighted evidence for and against each.

The weights are kinchain's own (not a published score): they encode which published criterion or
feature points towards or away from each cause (RULES.md sections 2-4 and the seed article), so
that the ranking is explainable item by item. Each evidence item is a three-valued fact with a
weight when present and a weight when absent; an unknown item contributes 0 to ``score`` and its
worse/better weight to ``score_lower``/``score_upper``. Because every fact is monotone in
information (Kleene logic), replacing an answer with "unknown" can only lower ``score_lower``, so
the confidence read from it never rises with less information.

Gait findings from kinchain's gait analysis, when given, count as evidence for the mechanical
(kinetic-chain) explanation; a systemic picture (symmetric small-joint synovitis, long morning
stiffness, a gout pattern, fever, raised CRP/ESR) or a neuropathic picture (positive DN4,
radiation from the back) counts against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from kinchain.clinical.intake import Intake, answer
from kinchain.clinical.result import (
    CAUSE_LABELS,
    CauseAssessment,
    CauseId,
    Confidence,
    Evidence,
)
from kinchain.clinical.rules import _facts as F
from kinchain.clinical.rules.base import (
    RuleResult,
    Tri,
    Urgency,
    prevalidated,
    t_and,
    t_ge,
    t_le,
    t_lt,
    t_not,
    t_or,
)


class Ev(NamedTuple):
    """An evidence item: id, text, truth, weight if present, weight if absent, fields.

    A named tuple (immutable, about 4 times faster to make than a frozen dataclass: ~120 are
    made per assessment)."""

    id: str
    text: str
    truth: Tri
    present: float
    absent: float = 0.0
    fields: tuple[str, ...] = ()
    rule_id: str | None = None
    published: Tri | str = "same"
    """Truth for the point score when it differs from the robust ``truth``: a score rule's
    published reading, where unknown items count 0. The bounds always use ``truth``."""

    @property
    def score_truth(self) -> Tri:
        """Truth used for the point score."""
        if isinstance(self.published, str):
            return self.truth
        return self.published


# Order used to break ties (must-not-miss causes first).
PRIORITY: tuple[CauseId, ...] = (
    CauseId.compartment_syndrome,
    CauseId.acute_limb_ischaemia,
    CauseId.stroke_tia,
    CauseId.pulmonary_embolism,
    CauseId.infective_endocarditis,
    CauseId.septic_arthritis,
    CauseId.sickle_cell_crisis,
    CauseId.rhabdomyolysis,
    CauseId.cellulitis,
    CauseId.diabetic_foot,
    CauseId.postoperative_complication,
    CauseId.fracture,
    CauseId.dvt,
    CauseId.pmr_gca,
    CauseId.peripheral_arterial_disease,
    CauseId.infection_or_malignancy,
    CauseId.lumbar_radiculopathy,
    CauseId.gout,
    CauseId.inflammatory_arthritis,
    CauseId.peripheral_neuropathy,
    CauseId.soft_tissue_injury,
    CauseId.kinetic_chain_mechanical,
)


def _tri(v: bool) -> Tri:
    return v


def _robust_flag(r: RuleResult, min_rank: int = 0) -> Tri:
    """:func:`_flag` when the flag's result rests on no cautious assumption about an unknown
    answer, else None (for the worst-case bounds, which must be monotone in information)."""
    return None if r.applicability_unknown else _flag(r, min_rank)


def _flag(r: RuleResult, min_rank: int = 0) -> Tri:
    """A red flag's truth; True only when it fired at or above ``min_rank`` urgency."""
    if r.outcome == "positive":
        return True if r.urgency is not None and r.urgency.rank >= min_rank else None
    return r.truth


def _imaging(R: Mapping[str, RuleResult]) -> tuple[Tri, Tri, Tri, Tri]:
    """(any imaging rule positive, all applicable ones negative) robustly, then as published.

    The robust reading ignores rules that do not apply because of the painful sites (always
    known) and treats every other non-applicable or uncertain rule as unknown, so it is monotone
    in information.
    """
    rs = [R["ottawa_ankle"], R["ottawa_midfoot"], R["ottawa_knee"], R["pittsburgh_knee"]]
    robust = [
        r.robust_truth
        for r in rs
        if r.applies or "pain.sites" not in (r.not_applicable_reason or "")
    ]
    pos_r: Tri = t_or(*robust) if robust else False
    neg_r: Tri = t_and(*(t_not(v) for v in robust)) if robust else None
    applicable = [r for r in rs if r.applies]
    pos = t_or(*(r.truth for r in applicable)) if applicable else None
    neg: Tri = None
    if applicable and all(r.outcome == "negative" for r in applicable):
        neg = True
    elif any(r.outcome == "positive" for r in applicable):
        neg = False
    return pos_r, neg_r, pos, neg


def _gait(i: Intake, name: str | None = None) -> Tri:
    if i.gait_findings is None:
        return None
    found = [g for g in i.gait_findings if name is None or g.name == name]
    return any(g.fired for g in found)


def _sudden(i: Intake) -> Tri:
    o = i.pain.onset
    return t_or(
        True if o == "sudden" else False if o == "gradual" else None,
        answer(i.episode.max_pain_within_24h),
    )


def _serology_positive(i: Intake) -> Tri:
    lab = i.labs
    vals = []
    for v, u in ((lab.rf_iu_ml, lab.rf_uln_iu_ml), (lab.acpa_u_ml, lab.acpa_uln_u_ml)):
        vals.append(None if v is None or u is None else v > u)
    return t_or(*vals)


def _side(i: Intake, which: str) -> Tri:
    s = i.pain.side
    if s == "unknown":
        return None
    return (s == "both") if which == "both" else (s in ("left", "right"))


def _distribution(i: Intake, which: str) -> Tri:
    d = i.pain.distribution
    return None if d == "unknown" else d == which


def evidence(i: Intake, R: Mapping[str, RuleResult]) -> dict[CauseId, list[Ev]]:
    """Evidence items for every cause."""
    s, h, e, p = i.signs, i.history, i.exam, i.pain
    inj = F.injury(i)
    fever = F.fever(i)
    img_pos, img_neg, img_pos_pub, img_neg_pub = _imaging(R)
    gout15 = R["acr_eular_gout_2015"].robust_truth
    nl = R["netherlands_gout"].robust_truth
    ra = R["acr_eular_ra_2010"].robust_truth
    dn4 = R["dn4"].robust_truth
    pub = {
        k: R[k].truth
        for k in (
            "acr_eular_gout_2015",
            "netherlands_gout",
            "acr_eular_ra_2010",
            "dn4",
            "wells_dvt",
        )
    }
    stiff = s.morning_stiffness_minutes
    small = s.small_joints_involved
    mtp = answer(p.first_mtp)
    gout_pattern = t_or(gout15, nl, t_and(mtp, _sudden(i), answer(s.redness)))
    symmetric_small = t_and(answer(s.symmetric_joints), t_ge(small, 1), answer(s.swelling))
    hot_swollen = t_and(t_or(answer(s.warmth), answer(s.redness)), answer(s.swelling))
    apr = F.acute_phase_raised(i)
    back_rad = answer(p.radiation_from_back)
    septic = R["red_flag_septic_arthritis"]
    fracture_flag = R["red_flag_fracture_dislocation"]
    fracture_clinical = t_or(
        *(
            # a dislocation read as "still out" on an unknown weight bearing is an assumption
            None if it.id == "dislocation" and fracture_flag.applicability_unknown else it.fired
            for it in fracture_flag.items
            if it.id in ("deformity", "open_wound", "dislocation", "non_weight_bearing")
        )
    )
    mech = i.trauma.mechanism
    twisting: Tri = None if mech == "unknown" else mech == "twisting"
    high_energy: Tri = None if mech == "unknown" else mech in ("high_energy", "crush")
    bone_tender = t_or(
        answer(e.tender_lateral_malleolus),
        answer(e.tender_medial_malleolus),
        answer(e.tender_fifth_metatarsal_base),
        answer(e.tender_navicular),
        answer(e.tender_patella_isolated),
        answer(e.tender_fibular_head),
    )
    wells = R["wells_dvt"]
    dvt_suspected: Tri = (
        True
        if wells.applies
        else t_or(
            answer(e.tender_deep_veins),
            answer(e.entire_leg_swollen),
            answer(e.pitting_oedema_symptomatic_leg),
            answer(e.collateral_superficial_veins),
        )
    )
    knee_and_ankle = F.has_site(i, "knee") and F.ankle_or_foot(i)

    ev: dict[CauseId, list[Ev]] = {}
    ev[CauseId.kinetic_chain_mechanical] = [
        Ev(
            "joint_pain",
            "knee, ankle, foot, hip or leg pain (the common mechanical default)",
            _tri(F.joint_site(i) or F.has_site(i, "calf", "thigh")),
            0.5,
            0.0,
            ("pain.sites",),
        ),
        Ev(
            "knee_and_ankle",
            "knee and ankle/foot pain together (kinetic-chain pattern)",
            _tri(knee_and_ankle),
            1.0,
            0.0,
            ("pain.sites",),
        ),
        Ev(
            "gait_findings",
            "gait analysis shows compensation (a finding fired)",
            _gait(i),
            2.5,
            -0.5,
            ("gait_findings",),
        ),
        Ev(
            "propagation",
            "gait analysis: knee-to-ankle propagation",
            _gait(i, "knee_to_ankle_propagation"),
            1.5,
            0.0,
            ("gait_findings",),
        ),
        Ev(
            "activity",
            "worse with activity (mechanical)",
            answer(p.worse_with_activity),
            1.0,
            -0.5,
            ("pain.worse_with_activity",),
        ),
        Ev(
            "gradual_no_injury",
            "gradual onset without injury",
            t_and(_tri(p.onset == "gradual") if p.onset != "unknown" else None, t_not(inj)),
            0.5,
            0.0,
            ("pain.onset", "trauma.injury"),
        ),
        Ev(
            "instability",
            "instability (giving way)",
            answer(s.instability),
            0.5,
            0.0,
            ("signs.instability",),
        ),
        Ev(
            "aching",
            "aching character",
            answer(p.character.aching),
            0.5,
            0.0,
            ("pain.character.aching",),
        ),
        Ev(
            "short_stiffness",
            "morning stiffness under 30 minutes",
            t_lt(stiff, 30),
            0.5,
            0.0,
            ("signs.morning_stiffness_minutes",),
        ),
        Ev(
            "long_stiffness",
            "morning stiffness 60 minutes or more (systemic)",
            t_ge(stiff, 60),
            -1.5,
            0.0,
            ("signs.morning_stiffness_minutes",),
        ),
        Ev(
            "symmetric_small",
            "symmetric small-joint synovitis (systemic)",
            symmetric_small,
            -2.5,
            0.0,
            ("signs.symmetric_joints", "signs.small_joints_involved", "signs.swelling"),
        ),
        Ev(
            "ra_criteria",
            "2010 ACR/EULAR RA criteria met",
            ra,
            -2.5,
            0.0,
            ("signs.small_joints_involved",),
            "acr_eular_ra_2010",
            published=pub["acr_eular_ra_2010"],
        ),
        Ev(
            "gout_pattern",
            "gout pattern (criteria or acute red 1st MTP)",
            gout_pattern,
            -2.5,
            0.0,
            ("pain.first_mtp", "labs.urate"),
            "acr_eular_gout_2015",
        ),
        Ev(
            "dn4",
            "DN4 suggests neuropathic pain",
            dn4,
            -2.0,
            0.0,
            ("pain.character.burning", "pain.tingling", "pain.numbness"),
            "dn4",
            published=pub["dn4"],
        ),
        Ev(
            "back_radiation",
            "pain radiates from the back",
            back_rad,
            -1.5,
            0.0,
            ("pain.radiation_from_back",),
        ),
        Ev(
            "stocking",
            "stocking distribution",
            _distribution(i, "stocking"),
            -1.5,
            0.0,
            ("pain.distribution",),
        ),
        Ev("fever", "fever", fever, -2.0, 0.0, ("signs.fever",)),
        Ev(
            "hot_swollen",
            "hot, swollen joint",
            hot_swollen,
            -1.0,
            0.0,
            ("signs.warmth", "signs.swelling"),
        ),
        Ev("acute_phase", "raised CRP or ESR", apr, -1.0, 0.0, ("labs.crp_mg_l", "labs.esr_mm_h")),
    ]
    ev[CauseId.soft_tissue_injury] = [
        Ev("injury", "pain began with an injury", inj, 2.5, -3.0, ("trauma.injury",)),
        Ev("twisting", "twisting mechanism", twisting, 1.0, 0.0, ("trauma.mechanism",)),
        Ev(
            "imaging_negative",
            "Ottawa/Pittsburgh rules negative (fracture unlikely)",
            img_neg,
            1.5,
            -2.0,
            ("exam.tender_lateral_malleolus",),
            "ottawa_ankle",
            published=img_neg_pub,
        ),
        Ev(
            "bears_weight",
            "can bear weight",
            answer(i.function.bears_weight_4_steps),
            0.5,
            0.0,
            ("function.bears_weight_4_steps",),
        ),
        Ev(
            "deformity",
            "visible deformity or dislocation",
            t_or(answer(s.deformity), answer(i.trauma.dislocation_suspected)),
            -3.0,
            0.0,
            ("signs.deformity", "trauma.dislocation_suspected"),
        ),
        Ev("fever", "fever", fever, -1.0, 0.0, ("signs.fever",)),
    ]
    ev[CauseId.fracture] = [
        Ev("injury", "pain began with an injury", inj, 1.0, -4.0, ("trauma.injury",)),
        Ev(
            "imaging_positive",
            "Ottawa/Pittsburgh rule positive (X-ray indicated)",
            img_pos,
            3.5,
            0.0,
            ("exam.tender_lateral_malleolus",),
            "ottawa_ankle",
            published=img_pos_pub,
        ),
        Ev(
            "imaging_negative",
            "all applicable Ottawa/Pittsburgh rules negative",
            img_neg,
            -2.5,
            0.0,
            ("exam.tender_lateral_malleolus",),
            "ottawa_knee",
            published=img_neg_pub,
        ),
        Ev(
            "fracture_flag",
            "fracture/dislocation red flag",
            fracture_clinical,
            3.0,
            0.0,
            tuple(fracture_flag.fields),
            fracture_flag.rule_id,
            published=_flag(fracture_flag),
        ),
        Ev(
            "deformity",
            "deformity after injury",
            t_and(inj, answer(s.deformity)),
            2.0,
            0.0,
            ("signs.deformity",),
        ),
        Ev(
            "dislocation",
            "suspected dislocation",
            answer(i.trauma.dislocation_suspected),
            2.0,
            0.0,
            ("trauma.dislocation_suspected",),
        ),
        Ev(
            "high_energy",
            "high-energy or crush mechanism",
            high_energy,
            1.0,
            0.0,
            ("trauma.mechanism",),
        ),
        Ev(
            "bone_tenderness",
            "bone tenderness at an Ottawa point",
            bone_tender,
            0.5,
            0.0,
            ("exam.tender_lateral_malleolus",),
        ),
    ]
    ev[CauseId.septic_arthritis] = [
        Ev(
            "kocher",
            "Kocher predictors in a child's hip",
            _robust_flag(R["red_flag_kocher_hip"]),
            3.0,
            0.0,
            ("function.bears_weight_4_steps", "signs.temperature_c", "labs.wbc_per_mm3"),
            "red_flag_kocher_hip",
            published=_flag(R["red_flag_kocher_hip"]),
        ),
        Ev(
            "hot_swollen_short",
            "hot, swollen joint with a short history",
            t_and(hot_swollen, _robust_flag(septic)),
            3.0,
            -3.0,
            ("signs.warmth", "signs.swelling", "pain.duration_days"),
            septic.rule_id,
            published=t_and(hot_swollen, _flag(septic)),
        ),
        Ev("fever", "fever", fever, 2.0, -0.5, ("signs.fever", "signs.temperature_c")),
        Ev(
            "restricted",
            "restricted movement",
            answer(i.function.restricted_movement),
            0.5,
            0.0,
            ("function.restricted_movement",),
        ),
        Ev(
            "risk_factor",
            "septic-arthritis risk factor",
            F.septic_risk_factor(i),
            1.0,
            0.0,
            ("history.diabetes", "history.immunosuppression", "history.prosthetic_joint"),
        ),
        Ev(
            "gram",
            "synovial Gram stain positive",
            None
            if i.labs.synovial_gram_stain == "not_done"
            else i.labs.synovial_gram_stain == "positive",
            6.0,
            -1.0,
            ("labs.synovial_gram_stain",),
        ),
        Ev(
            "synovial_wbc",
            "synovial white cells >= 50,000/mm3 [R]",
            t_ge(i.labs.synovial_wbc_per_mm3, 50_000),
            2.0,
            0.0,
            ("labs.synovial_wbc_per_mm3",),
        ),
        Ev(
            "msu",
            "MSU crystals found (gout explains it; can coexist)",
            None if i.labs.synovial_msu == "not_done" else i.labs.synovial_msu == "positive",
            -1.5,
            0.0,
            ("labs.synovial_msu",),
        ),
        Ev("acute_phase", "raised CRP or ESR", apr, 0.5, 0.0, ("labs.crp_mg_l",)),
        Ev(
            "long_duration",
            "symptoms for more than 6 weeks",
            t_ge(p.duration_days, 42),
            -2.0,
            0.0,
            ("pain.duration_days",),
        ),
    ]
    ev[CauseId.gout] = [
        Ev(
            "gout_2015",
            "2015 ACR/EULAR gout criteria met (worst case >= 8)",
            gout15,
            5.0,
            -2.0,
            ("labs.urate", "labs.synovial_msu"),
            "acr_eular_gout_2015",
            published=pub["acr_eular_gout_2015"],
        ),
        Ev(
            "netherlands",
            "Netherlands gout rule: gout likely (>= 8; when absent: unlikely, <= 4)",
            nl,
            3.0,
            -2.0,
            ("demographics.sex", "labs.urate"),
            "netherlands_gout",
            published=pub["netherlands_gout"],
        ),
        Ev("mtp1", "1st MTP involved", mtp, 2.5, 0.0, ("pain.first_mtp",)),
        Ev(
            "previous_gout",
            "gout diagnosed before",
            answer(h.previous_gout),
            2.0,
            0.0,
            ("history.previous_gout",),
        ),
        Ev(
            "sudden",
            "sudden onset (maximal within 24 h)",
            _sudden(i),
            1.0,
            -1.0,
            ("pain.onset", "episode.max_pain_within_24h"),
        ),
        Ev("redness", "red joint", answer(s.redness), 1.0, 0.0, ("signs.redness",)),
        Ev(
            "urate_6",
            "serum urate >= 6 mg/dL (NICE NG219 confirms)",
            t_ge(F.urate_mg_dl(i), 6.0),
            1.5,
            -0.5,
            ("labs.urate",),
        ),
        Ev("tophus", "tophus", answer(s.tophus), 2.0, 0.0, ("signs.tophus",)),
        Ev(
            "recurrent",
            "recurrent episodes with complete resolution",
            t_and(answer(i.episode.recurrent), answer(i.episode.complete_resolution_between)),
            1.0,
            0.0,
            ("episode.recurrent",),
        ),
        Ev(
            "no_swelling",
            "no joint swelling",
            t_not(answer(s.swelling)),
            -1.0,
            0.0,
            ("signs.swelling",),
        ),
    ]
    ev[CauseId.inflammatory_arthritis] = [
        Ev(
            "ra_2010",
            "2010 ACR/EULAR RA criteria met (worst case >= 6)",
            ra,
            5.0,
            -1.5,
            ("signs.small_joints_involved", "labs.rf_iu_ml"),
            "acr_eular_ra_2010",
            published=pub["acr_eular_ra_2010"],
        ),
        Ev(
            "ng100",
            "persistent synovitis (NICE NG100)",
            R["nice_ng100"].robust_truth,
            1.5,
            0.0,
            ("signs.swelling", "pain.duration_days"),
            "nice_ng100",
            published=R["nice_ng100"].truth,
        ),
        Ev(
            "known_ra",
            "rheumatoid arthritis diagnosed before",
            answer(h.rheumatoid_arthritis),
            3.0,
            0.0,
            ("history.rheumatoid_arthritis",),
        ),
        Ev(
            "long_stiffness",
            "morning stiffness 60 minutes or more",
            t_ge(stiff, 60),
            2.0,
            0.0,
            ("signs.morning_stiffness_minutes",),
        ),
        Ev(
            "short_stiffness",
            "morning stiffness under 30 minutes",
            t_lt(stiff, 30),
            -1.0,
            0.0,
            ("signs.morning_stiffness_minutes",),
        ),
        Ev(
            "symmetric",
            "symmetric joint involvement",
            answer(s.symmetric_joints),
            1.5,
            0.0,
            ("signs.symmetric_joints",),
        ),
        Ev(
            "small_joints",
            "small joints involved",
            t_ge(small, 1),
            1.5,
            -0.5,
            ("signs.small_joints_involved",),
        ),
        Ev(
            "serology",
            "RF or ACPA positive",
            _serology_positive(i),
            2.0,
            -0.5,
            ("labs.rf_iu_ml", "labs.acpa_u_ml"),
        ),
        Ev("acute_phase", "raised CRP or ESR", apr, 1.0, 0.0, ("labs.crp_mg_l", "labs.esr_mm_h")),
        Ev(
            "no_swelling",
            "no joint swelling",
            t_not(answer(s.swelling)),
            -1.5,
            0.0,
            ("signs.swelling",),
        ),
        Ev(
            "acute_mtp1",
            "acute 1st MTP attack (gout pattern)",
            t_and(mtp, _sudden(i)),
            -1.0,
            0.0,
            ("pain.first_mtp",),
        ),
        Ev("injury", "pain began with an injury", inj, -1.0, 0.0, ("trauma.injury",)),
    ]
    ev[CauseId.lumbar_radiculopathy] = [
        Ev(
            "back_radiation",
            "leg pain radiating from the back",
            back_rad,
            2.5,
            -1.5,
            ("pain.radiation_from_back",),
        ),
        Ev(
            "below_knee",
            "radiates below the knee",
            answer(p.radiates_below_knee),
            1.0,
            0.0,
            ("pain.radiates_below_knee",),
        ),
        Ev("back_pain", "back pain", _tri(F.has_site(i, "back")), 1.0, -1.0, ("pain.sites",)),
        Ev(
            "slr",
            "straight-leg raise positive (sensitive)",
            answer(e.straight_leg_raise_positive),
            1.5,
            -1.5,
            ("exam.straight_leg_raise_positive",),
        ),
        Ev(
            "crossed_slr",
            "crossed straight-leg raise positive (specific)",
            answer(e.crossed_slr_positive),
            1.5,
            0.0,
            ("exam.crossed_slr_positive",),
        ),
        Ev(
            "dermatomal",
            "dermatomal distribution",
            _distribution(i, "dermatomal"),
            1.5,
            0.0,
            ("pain.distribution",),
        ),
        Ev(
            "stocking",
            "stocking distribution (points to polyneuropathy)",
            _distribution(i, "stocking"),
            -2.0,
            0.0,
            ("pain.distribution",),
        ),
        Ev("unilateral", "one leg", _side(i, "one"), 0.5, 0.0, ("pain.side",)),
        Ev(
            "dn4",
            "DN4 suggests neuropathic pain",
            dn4,
            1.0,
            0.0,
            ("pain.character.burning",),
            "dn4",
            published=pub["dn4"],
        ),
        Ev(
            "shooting",
            "sharp or electric-shock pain",
            t_or(answer(p.character.sharp), answer(p.character.electric_shocks)),
            0.5,
            0.0,
            ("pain.character.sharp", "pain.character.electric_shocks"),
        ),
        Ev(
            "foot_drop",
            "foot drop or progressive weakness",
            _robust_flag(R["red_flag_foot_drop"]),
            1.0,
            0.0,
            ("neuro.foot_drop",),
            "red_flag_foot_drop",
            published=_flag(R["red_flag_foot_drop"]),
        ),
        Ev(
            "cauda_equina",
            "cauda equina red flag",
            _robust_flag(R["red_flag_cauda_equina"]),
            3.0,
            0.0,
            ("neuro.saddle_numbness", "neuro.bladder_or_bowel_dysfunction"),
            "red_flag_cauda_equina",
            published=_flag(R["red_flag_cauda_equina"]),
        ),
    ]
    ev[CauseId.peripheral_neuropathy] = [
        Ev(
            "stocking",
            "stocking distribution (both feet)",
            _distribution(i, "stocking"),
            3.0,
            0.0,
            ("pain.distribution",),
        ),
        Ev(
            "dermatomal",
            "dermatomal distribution (points to a root)",
            _distribution(i, "dermatomal"),
            -1.5,
            0.0,
            ("pain.distribution",),
        ),
        Ev("bilateral", "both legs", _side(i, "both"), 1.0, -1.0, ("pain.side",)),
        Ev("diabetes", "diabetes", answer(h.diabetes), 1.5, 0.0, ("history.diabetes",)),
        Ev(
            "alcohol",
            "alcohol excess",
            answer(h.alcohol_excess),
            0.5,
            0.0,
            ("history.alcohol_excess",),
        ),
        Ev(
            "dn4",
            "DN4 suggests neuropathic pain",
            dn4,
            1.5,
            -1.5,
            ("pain.character.burning",),
            "dn4",
            published=pub["dn4"],
        ),
        Ev(
            "sensory",
            "numbness or tingling",
            t_or(answer(p.numbness), answer(p.tingling)),
            1.0,
            0.0,
            ("pain.numbness", "pain.tingling"),
        ),
        Ev(
            "burning",
            "burning pain",
            answer(p.character.burning),
            0.5,
            0.0,
            ("pain.character.burning",),
        ),
        Ev(
            "gradual",
            "gradual onset",
            None if p.onset == "unknown" else p.onset == "gradual",
            0.5,
            0.0,
            ("pain.onset",),
        ),
        Ev(
            "back_radiation",
            "pain radiates from the back (points to a root)",
            back_rad,
            -1.5,
            0.0,
            ("pain.radiation_from_back",),
        ),
        Ev(
            "slr",
            "straight-leg raise positive (points to a root)",
            answer(e.straight_leg_raise_positive),
            -1.0,
            0.0,
            ("exam.straight_leg_raise_positive",),
        ),
        Ev("injury", "pain began with an injury", inj, -1.0, 0.0, ("trauma.injury",)),
    ]
    ev[CauseId.dvt] = [
        Ev(
            "suspected",
            "DVT clinically suspected (leg-vein signs)",
            dvt_suspected,
            2.0,
            -2.0,
            ("exam.calf_difference_cm", "exam.entire_leg_swollen", "exam.tender_deep_veins"),
        ),
        Ev(
            "wells_likely",
            "Wells score >= 2 (DVT likely)",
            wells.robust_truth,
            3.0,
            0.0,
            ("exam.calf_difference_cm",),
            "wells_dvt",
            published=pub["wells_dvt"],
        ),
        Ev(
            "alternative",
            "alternative diagnosis at least as likely",
            answer(e.alternative_diagnosis_as_likely),
            -1.0,
            0.0,
            ("exam.alternative_diagnosis_as_likely",),
        ),
    ]
    ev[CauseId.compartment_syndrome] = [
        Ev(
            "flag",
            "compartment syndrome red flag",
            _robust_flag(R["red_flag_compartment_syndrome"]),
            8.0,
            -2.0,
            ("pain.out_of_proportion", "vascular.pain_on_passive_stretch"),
            "red_flag_compartment_syndrome",
            published=_flag(R["red_flag_compartment_syndrome"]),
        ),
    ]
    ev[CauseId.acute_limb_ischaemia] = [
        Ev(
            "cold_pale",
            "cold, pale foot",
            answer(i.vascular.foot_cold_or_pale),
            3.0,
            -1.0,
            ("vascular.foot_cold_or_pale",),
        ),
        Ev(
            "pulseless",
            "absent foot pulses",
            answer(i.vascular.foot_pulses_absent),
            3.0,
            -1.0,
            ("vascular.foot_pulses_absent",),
        ),
        Ev(
            "injury",
            "after an injury (see fracture/dislocation)",
            inj,
            -2.0,
            0.0,
            ("trauma.injury",),
        ),
    ]
    ev[CauseId.infection_or_malignancy] = [
        Ev(
            "flag",
            "infection/malignancy red flag",
            _robust_flag(R["red_flag_infection_malignancy"]),
            4.0,
            -1.0,
            ("history.cancer_history", "signs.unexplained_weight_loss"),
            "red_flag_infection_malignancy",
            published=_flag(R["red_flag_infection_malignancy"]),
        ),
        Ev(
            "cancer",
            "history of cancer",
            t_or(answer(h.cancer_history), answer(h.cancer_active)),
            1.0,
            0.0,
            ("history.cancer_history",),
        ),
        Ev(
            "weight_loss",
            "unexplained weight loss",
            answer(s.unexplained_weight_loss),
            1.0,
            0.0,
            ("signs.unexplained_weight_loss",),
        ),
        Ev("night_pain", "night pain", answer(p.night_pain), 0.5, 0.0, ("pain.night_pain",)),
    ]
    _mimic_evidence(i, R, ev)
    return ev


def _screen(R: Mapping[str, RuleResult], rule_id: str, text: str, weight: float = 5.0) -> Ev:
    """A mimic screen as evidence: strong when it fired, nothing when known absent."""
    r = R[rule_id]
    return Ev(
        f"screen.{rule_id}",
        text,
        _robust_flag(r),
        weight,
        0.0,
        tuple(r.fields),
        rule_id,
        published=_flag(r),
    )


def _mimic_evidence(i: Intake, R: Mapping[str, RuleResult], ev: dict[CauseId, list[Ev]]) -> None:
    """Evidence for the leg-pain mimics: their screen, then the features that point to them."""
    from kinchain.clinical.rules.mimics import _common as M
    from kinchain.clinical.rules.mimics import arterial

    g, h, v, k = i.general, i.history, i.vascular, i.skin
    fever = F.fever(i)
    ev[CauseId.dvt] += [
        _screen(R, "screen_dvt", "one swollen calf, or a painful calf with a clot risk factor"),
        Ev(
            "one_leg",
            "one lower leg swollen",
            M.one_leg_swollen(i),
            1.0,
            0.0,
            ("signs.leg_swelling",),
        ),
        Ev(
            "calf",
            "painful, tender or warm calf",
            answer(i.signs.calf_pain),
            1.0,
            0.0,
            ("signs.calf_pain",),
        ),
        Ev("clot_risk", "a clot risk factor", M.clot_risk(i), 1.0, 0.0, M.CLOT_RISK_FIELDS),
        Ev(
            "joint_signs",
            "a hot, swollen joint (points to the joint)",
            t_and(answer(i.signs.warmth), answer(i.signs.swelling), t_not(M.one_leg_swollen(i))),
            -1.5,
            0.0,
            ("signs.warmth",),
        ),
    ]
    ev[CauseId.pulmonary_embolism] = [
        _screen(
            R,
            "screen_pulmonary_embolism",
            "breathlessness, chest pain, coughing blood or collapse",
        ),
        Ev(
            "chest_and_leg",
            "chest or breathing symptoms with a possible leg clot or a clot risk factor",
            t_and(
                _flag(R["screen_pulmonary_embolism"]),
                t_or(M.one_leg_swollen(i), answer(i.signs.calf_pain), M.clot_risk(i)),
            ),
            2.5,
            0.0,
            ("general.breathless", "signs.leg_swelling"),
        ),
        Ev(
            "leg_clot",
            "a possible leg clot",
            t_or(M.one_leg_swollen(i), answer(i.signs.calf_pain)),
            0.5,
            0.0,
            ("signs.leg_swelling", "signs.calf_pain"),
        ),
        Ev("clot_risk", "a clot risk factor", M.clot_risk(i), 0.5, 0.0, M.CLOT_RISK_FIELDS),
    ]
    ev[CauseId.stroke_tia] = [
        _screen(
            R,
            "screen_stroke_tia",
            "sudden one-sided weakness or numbness, face, speech, vision or balance",
            6.0,
        ),
        Ev(
            "af",
            "atrial fibrillation",
            answer(h.atrial_fibrillation),
            0.5,
            0.0,
            ("history.atrial_fibrillation",),
        ),
    ]
    ev[CauseId.cellulitis] = [
        _screen(R, "screen_cellulitis", "spreading red, hot, painful skin"),
        Ev(
            "broken_skin",
            "broken skin on the leg or foot",
            answer(k.broken_skin),
            1.0,
            0.0,
            ("skin.broken_skin",),
        ),
        Ev("fever", "fever", fever, 0.5, 0.0, ("signs.fever",)),
    ]
    ev[CauseId.acute_limb_ischaemia] += [
        Ev(
            "acute_cold",
            "a cold, pale or pulseless leg that is not a long-standing problem",
            t_and(
                t_or(answer(v.foot_cold_or_pale), answer(v.foot_pulses_absent)),
                t_not(arterial.chronic_tri(i)),
            ),
            2.0,
            0.0,
            ("vascular.foot_cold_or_pale",),
        ),
        Ev(
            "af",
            "atrial fibrillation",
            answer(h.atrial_fibrillation),
            1.0,
            0.0,
            ("history.atrial_fibrillation",),
        ),
        Ev(
            "chronic",
            "long-standing walking pain or known arterial disease",
            arterial.chronic_arterial(i),
            -1.0,
            0.0,
            ("vascular.claudication",),
        ),
    ]
    ev[CauseId.peripheral_arterial_disease] = [
        Ev(
            "claudication",
            "leg pain when walking that goes with rest",
            answer(v.claudication),
            4.0,
            0.0,
            ("vascular.claudication",),
        ),
        Ev(
            "rest_pain",
            "foot pain at rest eased by hanging the leg down",
            answer(v.rest_pain_foot),
            3.0,
            0.0,
            ("vascular.rest_pain_foot",),
        ),
        Ev(
            "known_pad",
            "known peripheral arterial disease",
            answer(h.peripheral_arterial_disease),
            2.0,
            0.0,
            ("history.peripheral_arterial_disease",),
        ),
        Ev(
            "ulcer",
            "a wound that does not heal",
            answer(k.ulcer_not_healing),
            1.0,
            0.0,
            ("skin.ulcer_not_healing",),
        ),
        Ev(
            "gangrene",
            "black skin on the toes or foot",
            answer(k.skin_turning_black),
            2.0,
            0.0,
            ("skin.skin_turning_black",),
        ),
        Ev("smoker", "smoker", answer(h.smoker), 1.0, 0.0, ("history.smoker",)),
        Ev("diabetes", "diabetes", answer(h.diabetes), 0.5, 0.0, ("history.diabetes",)),
    ]
    ev[CauseId.rhabdomyolysis] = [
        _screen(
            R,
            "screen_rhabdomyolysis",
            "dark urine with muscle pain, exertion, a long lie or a statin",
        ),
        Ev("dark_urine", "dark urine", answer(g.dark_urine), 1.5, 0.0, ("general.dark_urine",)),
        Ev(
            "muscle",
            "muscle pain or weakness",
            answer(g.muscle_pain_weakness),
            1.0,
            0.0,
            ("general.muscle_pain_weakness",),
        ),
    ]
    ev[CauseId.sickle_cell_crisis] = [
        _screen(R, "screen_sickle_cell", "pain in a person with sickle cell disease", 6.0),
    ]
    ev[CauseId.infective_endocarditis] = [
        _screen(
            R, "screen_endocarditis", "fever with a heart-valve problem or injecting drug use", 6.0
        ),
    ]
    ev[CauseId.postoperative_complication] = [
        _screen(R, "screen_postoperative", "a wound problem or fever after an operation"),
        Ev(
            "wound",
            "a red, hot or leaking surgical wound",
            answer(k.wound_problem),
            1.5,
            0.0,
            ("skin.wound_problem",),
        ),
    ]
    ev[CauseId.pmr_gca] = [
        _screen(
            R,
            "screen_pmr_gca",
            "shoulder and hip-girdle stiffness, new headache or jaw pain (aged 50 or over)",
        ),
        Ev(
            "girdle",
            "aching and stiffness of both shoulders or hips",
            answer(i.signs.shoulder_hip_girdle_stiffness),
            1.0,
            0.0,
            ("signs.shoulder_hip_girdle_stiffness",),
        ),
        Ev(
            "long_stiffness",
            "morning stiffness 45 minutes or more",
            t_ge(i.signs.morning_stiffness_minutes, 45),
            0.5,
            0.0,
            ("signs.morning_stiffness_minutes",),
        ),
    ]
    ev[CauseId.diabetic_foot] = [
        _screen(
            R, "screen_diabetic_foot", "diabetes with a foot wound or a red, warm, swollen foot"
        ),
        Ev(
            "neuropathy",
            "numbness of the feet",
            answer(i.pain.numbness),
            0.5,
            0.0,
            ("pain.numbness",),
        ),
        Ev(
            "septic_first",
            "a hot, swollen joint with a short history (infection first)",
            # the emergency picture read with three-valued logic (monotone in information)
            t_and(
                t_or(answer(i.signs.warmth), answer(i.signs.redness)),
                answer(i.signs.swelling),
                t_le(i.pain.duration_days, 14),
                t_or(answer(i.function.restricted_movement), F.fever(i), F.septic_risk_factor(i)),
            ),
            -2.0,
            0.0,
            ("signs.warmth", "signs.swelling"),
            published=_flag(R["red_flag_septic_arthritis"], Urgency.emergency.rank),
        ),
    ]


def _confidence(lower: float) -> Confidence:
    if lower >= 6:
        return "high"
    if lower >= 3:
        return "moderate"
    return "low"


def _likelihood(score: float) -> str:
    if score >= 4:
        return "likely"
    if score >= 1.5:
        return "possible"
    return "unlikely"


_STR = frozenset({str})


def _evidence(
    id: str,
    text: str,
    status: str,
    weight: float,
    fields: tuple[str, ...],
    rule_id: str | None,
) -> Evidence:
    """An :class:`Evidence` item, built without validating again when the values already have
    the model's exact types (~125 items per assessment); the same model either way."""
    names = list(fields)
    if (
        type(id) is str
        and type(text) is str
        and type(weight) in (float, int)
        and (rule_id is None or type(rule_id) is str)
        and set(map(type, names)) <= _STR
    ):
        values = {
            "id": id,
            "text": text,
            "status": status,
            "weight": float(weight),
            "fields": names,
            "rule_id": rule_id,
        }
        return prevalidated(Evidence, values, values)
    return Evidence(
        id=id,
        text=text,
        status=status,  # type: ignore[arg-type]
        weight=weight,
        fields=names,
        rule_id=rule_id,
    )


def rank_causes(i: Intake, R: Mapping[str, RuleResult]) -> list[CauseAssessment]:
    """Score every cause and rank them (score, then must-not-miss priority)."""
    rows = []
    for cause, items in evidence(i, R).items():
        score = lower = upper = 0.0
        ev_for: list[Evidence] = []
        ev_against: list[Evidence] = []
        unknown: list[Evidence] = []
        for it in items:
            # bounds: the robust truth (unknown -> worse / better weight)
            if it.truth is None:
                lower += min(it.present, it.absent)
                upper += max(it.present, it.absent)
            else:
                w = it.present if it.truth else it.absent
                lower += w
                upper += w
            # point score and the evidence lists: the published reading
            st = it.score_truth
            if st is None:
                if it.present != it.absent:
                    unknown.append(_evidence(it.id, it.text, "unknown", 0.0, it.fields, it.rule_id))
                continue
            w = it.present if st else it.absent
            score += w
            if w == 0:
                continue
            item = _evidence(
                it.id,
                it.text if st else f"not: {it.text}",
                "present" if st else "absent",
                w,
                it.fields,
                it.rule_id,
            )
            (ev_for if w > 0 else ev_against).append(item)
        rows.append((cause, score, lower, upper, ev_for, ev_against, unknown))
    rows.sort(key=lambda r: (-r[1], PRIORITY.index(r[0])))
    out = []
    for rank, (cause, score, lower, upper, ev_for, ev_against, unknown) in enumerate(rows, 1):
        out.append(
            CauseAssessment(
                cause=cause,
                label=CAUSE_LABELS[cause],
                rank=rank,
                score=round(score, 3),
                score_lower=round(lower, 3),
                score_upper=round(upper, 3),
                likelihood=_likelihood(score),  # type: ignore[arg-type]
                confidence=_confidence(lower),
                evidence_for=sorted(ev_for, key=lambda x: -x.weight),
                evidence_against=sorted(ev_against, key=lambda x: x.weight),
                unknown=unknown,
            )
        )
    return out


CauseEvidenceFn = Callable[[Intake, Mapping[str, RuleResult]], dict[CauseId, list[Ev]]]
