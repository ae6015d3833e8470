"""A one-page summary for the patient, in plain words: what was found, what happens next and when
to get help at once (safety-netting), with the patient's name, date of birth and visit date.

It is built from the same results as the clinician's report (a gait analysis, a clinical
assessment, or both) as blocks of the report's document model
(:mod:`kinchain.report.document`) and rendered by the report's HTML and PDF renderers, in their
large-type mode. No internal name reaches the page: causes, destinations, urgencies, red flags
and gait findings are worded here for a patient, by their identifiers, and nothing is copied
from the engine's clinician-facing text.

The warning signs come from the clinical engine's own red flags
(:mod:`kinchain.clinical.rules.red_flags`) and leg-pain mimic screens
(:mod:`kinchain.clinical.rules.mimics`); each is listed at the urgency the engine gives it, and
the comment beside it names the rule and the source that rule cites.

Example::

    from kinchain.report.patient_summary import render_patient_summary
    summary = render_patient_summary(gait=analysis, clinical=assessment, intake=intake)
    Path("patient-summary.pdf").write_bytes(summary.pdf)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kinchain.analysis import GaitAnalysis
from kinchain.chain.finding import Finding
from kinchain.clinical import CauseId, ClinicalAssessment, Intake, Specialist, Urgency
from kinchain.report.document import (
    Banner,
    Block,
    Bullets,
    Document,
    Heading,
    Identity,
    KeyValues,
    Para,
)

__all__ = [
    "PATIENT_SUMMARY_FILES",
    "RenderedSummary",
    "patient_summary_document",
    "render_patient_summary",
    "summary_text",
    "write_patient_summary",
]

#: Key -> file name of the summary beside a report.
PATIENT_SUMMARY_FILES = {"html": "patient-summary.html", "pdf": "patient-summary.pdf"}

#: The statement that the summary supports and does not replace the clinician's judgement.
NOT_A_DIAGNOSIS = (
    "This page helps you and your care team. It does not replace what your doctor or "
    "therapist tells you. Ask them if anything is not clear."
)

# --- what happens next ---------------------------------------------------------------------------

#: The banner's title for each urgency: what to do, first.
NEXT_TITLE: dict[Urgency, str] = {
    Urgency.emergency: "Go to the emergency department now",
    Urgency.same_day: "Get seen today",
    Urgency.soon: "Get seen within a few days",
    Urgency.routine: "Book an appointment",
    Urgency.self_care: "You can look after this at home",
}

#: Where to go, as a patient says it.
PLACE: dict[Specialist, str] = {
    Specialist.emergency_department: "the emergency department",
    Specialist.same_day_care: "your GP or an urgent care centre",
    Specialist.orthopaedics: "a bone and joint doctor (orthopaedics)",
    Specialist.physiotherapy: "a physiotherapist",
    Specialist.rheumatology: "a joint doctor (rheumatology)",
    Specialist.neurology: "a nerve doctor (neurology)",
    Specialist.gp: "your GP (family doctor)",
    Specialist.self_care: "your GP",
}

# --- what was found ------------------------------------------------------------------------------

#: Each cause the engine ranks, in plain words.
CAUSE_WORDS: dict[CauseId, str] = {
    CauseId.kinetic_chain_mechanical: "strain on the knee or ankle from the way you walk",
    CauseId.soft_tissue_injury: "a sprain or strain of a ligament or muscle",
    CauseId.inflammatory_arthritis: "a joint illness that causes swelling, such as "
    "rheumatoid arthritis",
    CauseId.gout: "gout, where crystals in a joint make it swell and hurt",
    CauseId.lumbar_radiculopathy: "a trapped nerve in the lower back (sciatica)",
    CauseId.peripheral_neuropathy: "damage to the nerves of the feet or legs",
    CauseId.fracture: "a broken bone or a joint out of place",
    CauseId.septic_arthritis: "an infection inside the joint",
    CauseId.dvt: "a blood clot in a vein of the leg",
    CauseId.compartment_syndrome: "pressure building up in the muscles of the leg",
    CauseId.acute_limb_ischaemia: "a blocked blood supply to the leg",
    CauseId.infection_or_malignancy: "an infection or a growth in a bone or the spine",
    CauseId.pulmonary_embolism: "a blood clot in the lung",
    CauseId.stroke_tia: "a stroke or a mini-stroke",
    CauseId.cellulitis: "an infection of the skin",
    CauseId.peripheral_arterial_disease: "narrowed blood vessels in the leg",
    CauseId.rhabdomyolysis: "muscle damage that can harm the kidneys",
    CauseId.sickle_cell_crisis: "a sickle cell crisis",
    CauseId.infective_endocarditis: "an infection of the heart valves",
    CauseId.postoperative_complication: "a problem after your recent operation",
    CauseId.pmr_gca: "a swelling of muscles or blood vessels (polymyalgia)",
    CauseId.diabetic_foot: "a foot problem linked to diabetes",
}

#: The red flags and screens that can fire (their rule ids), as the worry they raise.
WARNING_WORDS: dict[str, str] = {
    "red_flag_septic_arthritis": "the joint may be infected",
    "red_flag_kocher_hip": "the hip may be infected",
    "red_flag_fracture_dislocation": "a bone may be broken or a joint out of place",
    "red_flag_compartment_syndrome": "pressure may be building up in the leg muscles",
    "red_flag_cauda_equina": "nerves at the bottom of the spine may be squeezed",
    "red_flag_neurovascular": "the blood supply or nerves of the foot may be harmed",
    "red_flag_foot_drop": "a nerve to the foot may be squeezed",
    "red_flag_achilles_rupture": "the heel tendon (Achilles) may be torn",
    "red_flag_infection_malignancy": "a bone problem needs to be ruled out with tests",
    "red_flag_knee": "the knee needs a prompt check",
    "screen_arterial": "the blood supply to the leg may be poor",
    "screen_cellulitis": "the skin may be infected",
    "screen_diabetic_foot": "the foot needs a check because you have diabetes",
    "screen_dvt": "there may be a blood clot in the leg",
    "screen_endocarditis": "the heart valves may be infected",
    "screen_pmr_gca": "muscles or blood vessels may be swollen",
    "screen_postoperative": "there may be a problem after your operation",
    "screen_pulmonary_embolism": "there may be a blood clot in the lung",
    "screen_rhabdomyolysis": "muscles may be damaged",
    "screen_sepsis": "you may have a serious infection of the blood",
    "screen_sickle_cell": "you may have a sickle cell crisis",
    "screen_stroke_tia": "you may have had a stroke or a mini-stroke",
}

#: Painful sites (the intake's ``pain.sites``) as a patient names them.
SITE_WORDS = {
    "knee": "knee",
    "ankle": "ankle",
    "foot": "foot",
    "toes": "toes",
    "hip": "hip",
    "thigh": "thigh",
    "calf": "calf or shin",
    "back": "lower back",
}

#: Each gait finding (by its name) as what was seen, ``{side}`` being "left", "right" or "each".
FINDING_WORDS: dict[str, str] = {
    # single support shorter on this side (kinchain.chain.detect.antalgic_gait)
    "antalgic_gait": "You stand on your {side} leg for less time than on the other. People often "
    "walk like this to spare a sore leg.",
    # this foot strikes late, step time longer (altered_foot_strike_timing)
    "altered_foot_strike_timing": "Your {side} foot lands a little late, so your steps are uneven.",
    # knee flexion or knee power absorption below normal (stiff_knee)
    "stiff_knee": "Your {side} knee bends less than usual as you walk.",
    # foot progression or hip rotation outside normal (leg_rotation)
    "leg_rotation": "Your {side} leg or foot turns in or out more than usual as you walk.",
    # centre of pressure medial of the foot axis in mid stance (foot_roll)
    "overpronation": "Your {side} foot rolls in more than usual when you stand on it.",
    # centre of pressure lateral of the foot axis in mid stance (foot_roll)
    "supination": "Your {side} foot rolls out more than usual when you stand on it.",
    # high plantarflexor moment, push-off power or ankle share of the work (ankle_overload)
    "ankle_overload": "Your {side} ankle does more of the work of walking than usual.",
    # stiff knee together with ankle overload on the same side (knee_to_ankle_propagation)
    "knee_to_ankle_propagation": "Your {side} ankle seems to do work that the knee is not doing.",
}

#: Severity of a fired finding as the size of the change.
SIZE_WORDS = {"mild": "a small change", "moderate": "a clear change", "severe": "a large change"}

# --- when to get help now (safety-netting) -------------------------------------------------------


@dataclass(frozen=True)
class _Sign:
    """A warning sign for the patient: the words, and when it applies (``None``: always)."""

    text: str
    sites: frozenset[str] | None = None  # only with pain at one of these sites (or unknown)
    needs: str | None = None  # only when this intake answer is "yes" (dotted field path)


#: Go to the emergency department or call an ambulance now (the engine's emergency items).
EMERGENCY_SIGNS: tuple[_Sign, ...] = (
    # red_flag_septic_arthritis: a hot or red, swollen joint with fever or restricted movement
    # is an emergency (Coakley G et al., Rheumatology 2006;45:1039-41; NICE NG219 rec. 1.1.4);
    # screen_sepsis for the very unwell person (NICE NG51).
    _Sign("A joint gets hot, red and swollen, and you have a fever or cannot move it."),
    # screen_arterial: a cold, pale or blue foot is acute limb ischaemia until shown otherwise
    # (ESVS 2020, Bjorck M et al., Eur J Vasc Endovasc Surg 2020;59:173-218);
    # red_flag_neurovascular: cold, pale, numb or weak foot after injury or in a cast (RULES.md 3).
    _Sign("Your foot or leg turns cold, pale or blue, or goes numb or weak."),
    # red_flag_compartment_syndrome: pain out of proportion, a tense compartment, with injury or
    # a cast (Donaldson J et al., Open Orthop J 2014;8:185-93).
    _Sign("The pain is far worse than the injury, or the leg feels tight and hard."),
    # red_flag_fracture_dislocation: visible deformity, a dislocation or an open wound over an
    # injury is an emergency (Ottawa and Pittsburgh rules; RULES.md section 3).
    _Sign("After a fall or injury, the leg looks bent or out of place, or bone shows."),
    # red_flag_achilles_rupture: a snap at the ankle, cannot stand on tiptoe (NICE CKS
    # Achilles tendinopathy 2020 and Sprains and strains; Maffulli N, JBJS Am 1999;81:1019-36).
    _Sign(
        "You feel a snap at the back of the ankle and cannot stand on tiptoe.",
        sites=frozenset({"ankle", "calf", "foot"}),
    ),
    # red_flag_cauda_equina: saddle numbness, new bladder or bowel trouble, symptoms in both
    # legs (BMJ Best Practice; NICE CKS Sciatica red flags; NHS Lothian RefHelp).
    _Sign(
        "You feel numb around your bottom or private parts, or have new problems peeing or pooing."
    ),
    # screen_pulmonary_embolism: new breathlessness, chest pain, coughing blood, fainting
    # (NICE NG158 rec. 1.1.5-1.1.8; NICE CKS Pulmonary embolism).
    _Sign("You are short of breath, have chest pain, cough up blood or faint."),
    # screen_stroke_tia: face drooping, one-sided weakness, speech trouble (NICE NG128 rec.
    # 1.1.1-1.1.5; BE-FAST, Aroor S et al., Stroke 2017;48:479-81).
    _Sign("Your face droops, one side of your body goes weak, or your speech is slurred."),
    # screen_sepsis: confused, drowsy, mottled skin, hardly passing urine (NICE NG51 high-risk
    # criteria, patient-reported subset).
    _Sign("You feel very unwell: confused, very sleepy, or cold and shaky with blotchy skin."),
    # screen_rhabdomyolysis: dark urine with muscle pain, after exertion, a long lie or on a
    # statin (NHS 'Rhabdomyolysis'; NICE NG238).
    _Sign("Your pee turns dark brown, like cola, and your muscles ache.", needs="history.statin"),
)

#: Get help today from the GP or urgent care (the engine's same-day items).
SAME_DAY_SIGNS: tuple[_Sign, ...] = (
    # screen_dvt: one calf or lower leg swollen, or painful, tender or warm (NICE NG158
    # rec. 1.1.1-1.1.4, same-day assessment; NICE CKS Deep vein thrombosis).
    _Sign("One calf or lower leg is swollen, sore, warm or red."),
    # red_flag_fracture_dislocation: unable to bear weight (4 steps) after injury: same-day
    # X-ray (Ottawa ankle: Stiell IG et al., JAMA 1993;269:1127-32; Ottawa knee: Stiell IG et
    # al., Ann Emerg Med 1995;26:405-13).
    _Sign("You cannot put weight on the leg or take 4 steps."),
    # screen_cellulitis: spreading red, hot, painful skin (NICE NG141 rec. 1.1.1 and 1.1.8);
    # spreading fast or with fever is in the emergency signs above (NICE NG51).
    _Sign("A red or dark, hot, sore patch of skin is spreading."),
    # red_flag_foot_drop: new foot drop (NHS Lothian RefHelp, acute foot drop).
    _Sign("Your foot starts to drag or slap, so your toes catch."),
    # screen_postoperative: a red, hot, leaking or opening wound after an operation (NICE
    # NG125 Surgical site infections).
    _Sign(
        "Your operation wound gets red, hot, leaks or opens.",
        needs="history.recent_surgery_12_weeks",
    ),
    # screen_diabetic_foot: a new ulcer, redness or swelling of the foot in diabetes (NICE NG19
    # rec. 1.1.3, 1.1.4, 1.3.1); screen_arterial: toes turning black (same day).
    _Sign(
        "You have a new sore, redness or swelling on the foot, or a toe turns black.",
        needs="history.diabetes",
    ),
)


@dataclass(frozen=True)
class RenderedSummary:
    """The patient summary as self-contained HTML and as a one-page A4 PDF, with its content."""

    html: str
    pdf: bytes
    document: Document


def _long_date(d: date) -> str:
    """``1 March 1952`` (no locale, no leading zero)."""
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _answer(intake: Intake, path: str) -> str | None:
    """The intake's answer at a dotted ``path`` (e.g. ``history.diabetes``), or None."""
    obj: object = intake
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return str(obj)


def _applies(sign: _Sign, intake: Intake | None) -> bool:
    if sign.needs is not None and (intake is None or _answer(intake, sign.needs) != "yes"):
        return False
    if sign.sites is not None and intake is not None:
        return bool(sign.sites & {str(s) for s in intake.pain.sites})
    return True


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _pain_sentence(intake: Intake) -> str:
    """Where it hurts and for how long, e.g. "Pain in your right knee and ankle for about 3
    months."."""
    sites = [SITE_WORDS.get(str(s), str(s)) for s in intake.pain.sites]
    side = str(intake.pain.side)
    where = _join(sites)
    if side in ("left", "right"):
        where = f"your {side} {where}"
    elif side == "both":
        where = f"both sides: {where}"
    else:
        where = f"your {where}"
    text = f"Pain in {where}"
    days = intake.pain.duration_days
    if days is not None:
        if days >= 60:
            text += f" for about {days / 30.4:.0f} months"
        elif days >= 14:
            text += f" for about {days / 7:.0f} weeks"
        elif days >= 1:
            text += f" for {days:g} day{'s' if days != 1 else ''}"
        else:
            text += " since today"
    return text + "."


def _finding_sentence(f: Finding) -> str:
    side = "each" if f.side == "both" else f.side
    words = FINDING_WORDS.get(f.name, "The way your {side} leg moves is not the usual one.")
    size = SIZE_WORDS.get(f.severity)
    text = words.format(side=side)
    return f"{text} This is {size}." if size else text


def _next_step(clinical: ClinicalAssessment) -> Banner:
    """What to do and where, urgency first."""
    ref = clinical.referral
    urgency = Urgency(ref.urgency)
    place = PLACE.get(ref.specialist, "your GP")
    if urgency == Urgency.emergency:
        text = "Go now, or call an ambulance. Do not wait to see if it gets better."
    elif urgency == Urgency.same_day:
        text = f"See {place} today."
    elif urgency == Urgency.soon:
        text = f"See {place} in the next few days."
    elif urgency == Urgency.routine:
        text = f"See {place}. It is not urgent, but do book it."
    else:
        days = ref.review_after_days or 7
        when = (
            f"by {_long_date(ref.review_date)}"
            if ref.review_date is not None
            else f"in {days} days"
        )
        text = (
            "Rest the leg a little. Pain pills from a pharmacy may help. "
            f"See your GP if it is not better {when}."
        )
    detail = ""
    if ref.then is not None and ref.then != ref.specialist:
        detail = f"After that, you may need to see {PLACE.get(ref.then, 'a specialist')}."
    return Banner(NEXT_TITLE[urgency], text, urgency.value, detail=detail)


def _clinical_found(clinical: ClinicalAssessment, intake: Intake | None) -> list[str]:
    """The clinical picture in a few short sentences."""
    out: list[str] = []
    if intake is not None:
        out.append(_pain_sentence(intake))
    worries = []
    for flag in clinical.red_flags:
        words = WARNING_WORDS.get(flag.rule_id, "there is a sign that needs a prompt check")
        if words not in worries:
            worries.append(words)
    for words in worries[:2]:
        out.append(f"We found a warning sign: {words}.")
    top = clinical.causes[0] if clinical.causes else None
    if top is not None and top.likelihood == "likely":
        out.append(f"The most likely cause is {CAUSE_WORDS.get(top.cause, top.label)}.")
    elif top is not None and top.likelihood == "possible":
        out.append(f"A possible cause is {CAUSE_WORDS.get(top.cause, top.label)}.")
    else:
        out.append("We did not find one clear cause.")
    if clinical.not_musculoskeletal:
        out.append("This may not be a problem of the joints or bones. A doctor needs to check.")
    if clinical.tests:
        out.append("You may need some tests. Your care team will tell you which ones and why.")
    return out


def _gait_found(gait: GaitAnalysis) -> list[str]:
    """The fired gait findings in plain words, most severe first."""
    order = {"severe": 0, "moderate": 1, "mild": 2}
    fired = sorted(gait.fired(), key=lambda f: (order.get(f.severity, 3), f.name, f.side))
    out = [_finding_sentence(f) for f in fired[:3]]
    if len(fired) > 3:
        more = len(fired) - 3
        out.append(
            f"We saw {more} more change{'s' if more > 1 else ''}. Your care team can tell you more."
        )
    return out


def patient_summary_document(
    *,
    gait: GaitAnalysis | None = None,
    clinical: ClinicalAssessment | None = None,
    intake: Intake | None = None,
    identity: Identity | None = None,
    generated: datetime,
) -> Document:
    """The patient summary's content.

    Parameters
    ----------
    gait
        The gait analysis (its fired findings are described).
    clinical
        The clinical assessment (urgency, destination, warning signs, likely cause).
    intake
        The intake assessed: where and how long it hurts, and which conditional warning signs
        apply (diabetes, a recent operation, a statin; the ankle signs for foot and leg pain).
    identity
        The patient and the visit: name, date of birth, visit date (and the clinician).
    generated
        When the summary was written.

    Raises
    ------
    ValueError
        When neither a gait analysis nor a clinical assessment is given.
    """
    if gait is None and clinical is None:
        raise ValueError("a patient summary needs a gait analysis or a clinical assessment")
    who = identity or Identity()
    blocks: list[Block] = []
    pairs = [
        ("Name", who.patient_name),
        ("Date of birth", _long_date(who.birth_date) if who.birth_date else None),
        ("Visit", _long_date(who.visit_date) if who.visit_date else None),
        ("Seen by", who.clinician),
    ]
    shown = tuple((k, v) for k, v in pairs if v)
    if shown:
        blocks.append(KeyValues(shown, columns=2))

    # 1. what happens next: first, so an emergency is the first thing said
    blocks.append(Heading("What happens next"))
    if clinical is not None:
        blocks.append(_next_step(clinical))
    else:
        blocks.append(
            Banner(
                "Talk with your care team",
                "They will tell you what these results mean for you and what to do next.",
                "none",
            )
        )

    # 2. what was found
    blocks.append(Heading("What we found"))
    if clinical is not None:
        blocks.append(Bullets(tuple(_clinical_found(clinical, intake))))
    if gait is not None:
        seen = _gait_found(gait)
        lead = "How you walk: we measured your walking and compared it with healthy walkers."
        blocks.append(Para(lead))
        if seen:
            blocks.append(Bullets(tuple(seen)))
        else:
            blocks.append(Bullets(("We saw no clear change in the way you walk.",)))

    # 3. safety-netting
    blocks.append(Heading("When to get help at once"))
    blocks.append(
        Para(
            "Go to the emergency department or call an ambulance now if:",
            tone="bad",
        )
    )
    blocks.append(Bullets(tuple(s.text for s in EMERGENCY_SIGNS if _applies(s, intake))))
    blocks.append(Para("See your GP or an urgent care centre today if:", tone="warn"))
    blocks.append(Bullets(tuple(s.text for s in SAME_DAY_SIGNS if _applies(s, intake))))
    blocks.append(Para("If it gets worse, or you are worried, do not wait: ask for help."))

    blocks.append(Para(NOT_A_DIAGNOSIS, tone="info"))
    written = _long_date(generated.date())
    return Document(
        title="Your visit summary",
        subtitle="",
        blocks=tuple(blocks),
        footer="Keep this page. Show it to anyone who treats you for this problem.",
        meta={"trial": "Your visit summary", "generated": f"written {written}"},
        identity=identity if identity is not None and not identity.is_empty() else None,
    )


def summary_text(doc: Document) -> str:
    """The summary's words as plain text (what a person reads, in order): the title and
    subtitle, then each block, one line per bullet, paragraph, fact or banner line."""
    lines = [doc.title, doc.subtitle]  # an empty subtitle is left out below
    for b in doc.blocks:
        if isinstance(b, Heading):
            lines.append(b.text)
        elif isinstance(b, Para):
            lines.append(b.bold_lead + b.text)
        elif isinstance(b, Bullets):
            lines.extend(b.items)
        elif isinstance(b, KeyValues):
            lines.extend(f"{k}: {v}" for k, v in b.pairs)
        elif isinstance(b, Banner):
            lines.extend(x for x in (b.title, b.text, b.detail) if x)
    lines.append(doc.footer)
    return "\n".join(x for x in lines if x) + "\n"


#: Type sizes tried for the PDF, largest first, relative to the clinician's report (body 8.6 pt):
#: the largest that keeps the summary on one page is used.
PDF_SCALES = (1.3, 1.2, 1.1, 1.0)

#: Styles added to the report's for a patient: larger type, a narrow column, big banner.
PATIENT_CSS = """
body { font-size: 17px; line-height: 1.5; }
main { max-width: 820px; }
header.top h1 { font-size: 28px; }
h2 { font-size: 21px; margin-top: 22px; }
ul { font-size: 17px; margin-left: 22px; }
li { margin: 3px 0; }
dl.kv { font-size: 16px; }
.banner .t { font-size: 24px; }
.banner .x { font-size: 18px; }
.banner .d { font-size: 16px; }
p.bad, p.warn { font-size: 17px; margin-top: 12px; }
@media (max-width: 600px) {
  main { padding: 16px 16px 28px; }
  dl.kv { grid-template-columns: max-content 1fr !important; }
}
@media print {
  body { font-size: 12px; }
  ul, dl.kv, p.bad, p.warn { font-size: 12px; }
  h2 { font-size: 15px; margin-top: 12px; }
  .banner .t { font-size: 17px; }
  .banner .x, .banner .d { font-size: 12px; }
}
"""


def render_patient_summary(
    *,
    gait: GaitAnalysis | None = None,
    clinical: ClinicalAssessment | None = None,
    intake: Intake | None = None,
    identity: Identity | None = None,
    generated: datetime | None = None,
    links: tuple[tuple[str, str], ...] = (),
) -> RenderedSummary:
    """The patient summary as HTML and PDF (see :func:`patient_summary_document`).

    ``links`` are ``(label, href)`` pairs shown above the HTML summary only (e.g. back to the
    visit, the PDF); they are not printed.
    """
    from kinchain.report.html import render_html
    from kinchain.report.pdf import render_pdf_fitted

    when = generated or datetime.now().astimezone()
    doc = patient_summary_document(
        gait=gait, clinical=clinical, intake=intake, identity=identity, generated=when
    )
    html = render_html(doc, {}, extra_css=PATIENT_CSS, links=links)
    pdf = render_pdf_fitted(doc, {}, PDF_SCALES, pages=1, plain_bullets=True)
    return RenderedSummary(html=html, pdf=pdf, document=doc)


def write_patient_summary(summary: RenderedSummary, out_dir: str | Path) -> dict[str, Path]:
    """Write ``patient-summary.html`` and ``patient-summary.pdf`` into ``out_dir`` (each file
    written whole under a temporary name, then moved into place).

    Returns
    -------
    dict
        ``{"html": path, "pdf": path}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    contents = {"html": summary.html.encode("utf-8"), "pdf": summary.pdf}
    final: dict[str, Path] = {}
    for key, name in PATIENT_SUMMARY_FILES.items():
        tmp = out / f".{name}.tmp"
        tmp.write_bytes(contents[key])
        os.replace(tmp, out / name)
        final[key] = out / name
    return final
