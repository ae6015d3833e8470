"""A referral letter to the specialist the clinical assessment chose: who the patient is, why and
how urgently they are referred, the red flags, the presenting complaint, the gait findings, the
likely causes and the tests suggested, ready for the referring clinician to check and sign.

The letter is built as a :class:`~kinchain.report.document.Document` (the report's building
blocks) and rendered as PDF (:func:`~kinchain.report.pdf.render_pdf`, with the patient on every
page and "page N of M") and as plain text (:func:`letter_text`) for a mail or a record system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from kinchain import DISCLAIMER
from kinchain.analysis import GaitAnalysis
from kinchain.clinical import ClinicalAssessment, Intake
from kinchain.clinical.wording import TEST_WHEN
from kinchain.report.content import finding_title, urgency_statement
from kinchain.report.document import (
    Block,
    Bullets,
    Document,
    Heading,
    Identity,
    KeyValues,
    Para,
)

URGENCY_WORDS = {
    "emergency": "Emergency: to be seen now",
    "same_day": "Same day",
    "soon": "Soon: within days",
    "routine": "Routine",
    "self_care": "Self-care with review",
}


@dataclass(frozen=True)
class RenderedLetter:
    """A referral letter as PDF bytes and as plain text, with its content."""

    pdf: bytes
    text: str
    document: Document


_INTERNAL = re.compile(r"\s*\((?:[^()]*\bRULES\.md\b[^()]*)\)|\s*\[[a-z_]+\]")


def _plain(text: str) -> str:
    """The engine's text without kinchain's internal references (``(RULES.md 4.3 [R])``) and
    urgency tags (``[same_day]``), which mean nothing to the reader of a letter."""
    return _INTERNAL.sub("", text).strip()


def _complaint(intake: Intake | None) -> str | None:
    """The presenting complaint in one sentence (sites, side, onset, duration)."""
    if intake is None:
        return None
    pain = intake.pain
    sites = ", ".join(str(s).replace("_", " ") for s in pain.sites)
    side = {"left": "left ", "right": "right ", "both": "both sides: "}.get(str(pain.side), "")
    text = f"Pain: {side}{sites}"
    if pain.onset in ("sudden", "gradual"):
        text += f", {pain.onset} onset"
    if pain.duration_days is not None:
        days = pain.duration_days
        if days >= 60:
            text += f", for about {days / 30.4:.0f} months"
        elif days >= 14:
            text += f", for about {days / 7:.0f} weeks"
        else:
            text += f", for {days:g} day{'s' if days != 1 else ''}"
    return text + "."


def referral_document(
    clinical: ClinicalAssessment,
    *,
    generated: datetime,
    identity: Identity | None = None,
    intake: Intake | None = None,
    gait: GaitAnalysis | None = None,
) -> Document:
    """The referral letter's content.

    Parameters
    ----------
    clinical
        The clinical assessment (its referral, urgency, red flags, causes and tests).
    generated
        When the letter was written (its date).
    identity
        The patient, the visit and the referring clinician.
    intake
        The intake assessed (adds the presenting complaint).
    gait
        The gait analysis whose findings the letter lists (fired findings only).
    """
    ref = clinical.referral
    who = identity or Identity()
    blocks: list[Block] = []
    pairs = [
        ("To", ref.label),
        ("Urgency", URGENCY_WORDS.get(str(ref.urgency), str(ref.urgency))),
        ("Patient", who.patient_name),
        ("Date of birth", who.birth_date.isoformat() if who.birth_date else None),
        ("Identifier", who.identifier),
        ("Seen on", who.visit_date.isoformat() if who.visit_date else None),
        ("From", who.clinician),
        ("Date", generated.strftime("%Y-%m-%d")),
    ]
    blocks.append(KeyValues(tuple((k, v) for k, v in pairs if v is not None), columns=2))
    blocks.append(Para("Dear colleague,"))
    patient = who.patient_name or "this patient"
    blocks.append(
        Para(f"I would be grateful if you would see {patient}. {urgency_statement(clinical)}")
    )
    blocks.append(Heading("Reason for referral", 2, "reason"))
    blocks.append(Para(ref.reason))
    if ref.review_date is not None:
        blocks.append(Para(f"Review planned on {ref.review_date.isoformat()}."))
    if clinical.red_flags:
        blocks.append(Heading("Red flags", 2, "red-flags"))
        blocks.append(
            Bullets(
                tuple(
                    f"{f.name[:1].upper()}{f.name[1:]} "
                    f"({URGENCY_WORDS.get(str(f.urgency), str(f.urgency)).lower()}): "
                    + "; ".join(_plain(x) for x in f.features)
                    + "."
                    for f in clinical.red_flags
                )
            )
        )
    complaint = _complaint(intake)
    if complaint:
        blocks.append(Heading("Presenting complaint", 2, "complaint"))
        blocks.append(Para(complaint))
    if gait is not None:
        fired = gait.fired()
        blocks.append(Heading("Gait analysis", 2, "gait"))
        if fired:
            blocks.append(
                Bullets(tuple(f"{finding_title(f)} ({f.severity}): {f.sentence}" for f in fired))
            )
        else:
            blocks.append(Para("No kinetic-chain finding fired on either side."))
    likely = [c for c in clinical.causes if c.likelihood in ("likely", "possible")]
    if likely:
        blocks.append(Heading("Likely causes", 2, "causes"))
        blocks.append(Bullets(tuple(f"{c.label}: {c.likelihood}" for c in likely[:4])))
    if clinical.tests:
        blocks.append(Heading("Tests suggested", 2, "tests"))
        blocks.append(
            Bullets(
                tuple(
                    f"{t.name} ({TEST_WHEN.get(t.priority, t.priority)}): {_plain(t.reason)}"
                    for t in clinical.tests
                )
            )
        )
    if ref.also_consider:
        from kinchain.clinical.result import SPECIALIST_LABELS

        others = ", ".join(SPECIALIST_LABELS.get(s, str(s)) for s in ref.also_consider)
        blocks.append(Para(f"Also to consider: {others}."))
    blocks.append(Para("Yours sincerely,"))
    blocks.append(Para("Signature: ______________________________    Date: ______________"))
    blocks.append(Para(who.clinician or "Name: ______________________________"))
    blocks.append(Para(DISCLAIMER, tone="caveat"))
    return Document(
        title=f"Referral to {ref.label}",
        subtitle=who.patient_line() or "Referral letter",
        blocks=tuple(blocks),
        footer=DISCLAIMER,
        meta={"trial": "Referral letter", "generated": generated.isoformat(timespec="seconds")},
        identity=identity if identity is not None and not identity.is_empty() else None,
    )


def letter_text(doc: Document) -> str:
    """The letter as plain text (80 columns, headings underlined)."""
    import textwrap

    lines = [doc.title, "=" * len(doc.title), ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            lines += ["", b.text, "-" * len(b.text)]
        elif isinstance(b, Para):
            lines += textwrap.wrap(b.text, 80) or [""]
            lines.append("")
        elif isinstance(b, Bullets):
            for item in b.items:
                lines += textwrap.wrap(item, 80, initial_indent="- ", subsequent_indent="  ")
            lines.append("")
        elif isinstance(b, KeyValues):
            width = max(len(k) for k, _ in b.pairs) + 1
            lines += [f"{k + ':':<{width}} {v}" for k, v in b.pairs]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_referral(
    clinical: ClinicalAssessment,
    *,
    generated: datetime | None = None,
    identity: Identity | None = None,
    intake: Intake | None = None,
    gait: GaitAnalysis | None = None,
) -> RenderedLetter:
    """The referral letter as PDF and text (see :func:`referral_document`)."""
    from kinchain.report.pdf import render_pdf

    when = generated or datetime.now().astimezone()
    doc = referral_document(clinical, generated=when, identity=identity, intake=intake, gait=gait)
    return RenderedLetter(pdf=render_pdf(doc, {}), text=letter_text(doc), document=doc)
