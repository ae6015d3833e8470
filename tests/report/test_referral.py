"""The referral letter (issue 12 item 7): to the specialist the assessment chose, with the
urgency, the red flags, the presenting complaint, the gait findings and the tests in plain words,
the patient on every page, a place to sign, and the same content as plain text."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from pathlib import Path

from pypdf import PdfReader

from kinchain.clinical import assess, parse_intake
from kinchain.clinical.result import SPECIALIST_LABELS
from kinchain.report import Identity
from kinchain.report.referral import render_referral

VIGNETTES = Path(__file__).resolve().parents[1] / "clinical" / "vignettes"
WHEN = datetime(2026, 12, 1, 10, 0)
WHO = Identity("Erika Mustermann", date(1952, 3, 1), "MRN-7", date(2026, 12, 1), None, "Dr Lee")


def _case(name: str, index: int = 0) -> dict:  # type: ignore[type-arg]
    case: dict = json.loads((VIGNETTES / name).read_text(encoding="utf-8"))[index]  # type: ignore[type-arg]
    return case


def test_a_red_flag_letter_names_the_destination_urgency_flags_and_tests() -> None:
    intake = parse_intake(_case("gout.json", 3)["intake"])  # a hot swollen knee with fever
    clinical = assess(intake)
    letter = render_referral(clinical, generated=WHEN, identity=WHO, intake=intake)
    text = letter.text
    label = SPECIALIST_LABELS[clinical.referral.specialist]
    assert text.startswith(f"Referral to {label}\n")
    assert "Patient:       Erika Mustermann" in text and "Date of birth: 1952-03-01" in text
    flat = re.sub(r"\s+", " ", text)
    for flag in clinical.red_flags:
        assert flag.name in flat
    assert clinical.red_flags and clinical.tests
    for test in clinical.tests:
        assert test.name in flat
    assert "Pain: knee, sudden onset, for 1 day." in flat
    assert "Signature: ____" in text and "Dr Lee" in text
    # plain words only: no internal identifiers or underscores a reader would see
    assert "_" not in re.sub(r"_{3,}", "", text)
    assert all(len(line) <= 80 for line in text.splitlines())
    pdf = PdfReader(io.BytesIO(letter.pdf))
    for n, page in enumerate(pdf.pages, start=1):
        flat = re.sub(r"\s+", " ", page.extract_text())
        assert "Erika Mustermann · born 1952-03-01 · ID MRN-7" in flat
        assert f"page {n} of {len(pdf.pages)}" in flat
    assert "supports and does not replace a clinician" in text


def test_a_letter_without_identity_or_gait_still_reads() -> None:
    intake = parse_intake(_case("mechanical.json")["intake"])
    clinical = assess(intake)
    text = render_referral(clinical, generated=WHEN).text
    assert "I would be grateful if you would see this patient." in text
    assert "Gait analysis" not in text and "Name: ____" in text
