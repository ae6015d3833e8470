"""The decision first, and unknowns that matter asked, not assumed: the intake form (clinician
and the patient's link) adds the assessment's ``what_would_change`` questions at its top before it
is saved, as the terminal asks them; the clinical panel leads with the urgency statement, the red
flags and what would change the answer.

The assessments with a non-empty ``what_would_change`` are the real engine's with that list
replaced (``model_copy``), so these tests do not depend on the engine's own rules."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from clinical_fixtures import IV_DRUGS, WARMTH, WHOLE_LEG
from kinchain.cli import assess as assess_cli
from kinchain.clinical import (
    ClinicalAssessment,
    Intake,
    WhatWouldChange,
    assess,
    parse_intake,
)
from kinchain.store import Store, Visit
from kinchain.web import services
from kinchain.web.intake_form import CHANGES_NOTE, FormState, evaluate

from .conftest import new_patient, new_visit

STATEMENT = (
    "Urgent: be seen today (same-day GP or urgent care) for a possible deep-vein thrombosis. "
    "Go to the emergency department now if you become breathless."
)


def engine_asking(*changes: WhatWouldChange) -> Callable[..., ClinicalAssessment]:
    """The real engine with ``what_would_change`` replaced by those of ``changes`` still unknown
    in the intake, and the urgency statement set."""

    def fake(intake: Intake, today: object = None, **_: Any) -> ClinicalAssessment:
        a = assess(intake)
        data = intake.model_dump()
        still = [
            c
            for c in changes
            if data[c.field.split(".")[0]][c.field.split(".")[1]] in ("unknown", None)
        ]
        return a.model_copy(update={"what_would_change": still, "urgency_statement": STATEMENT})

    return fake


def _text(markup: str) -> str:
    """What a person reads: tags (and their attributes) dropped, entities decoded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _shown(state: FormState) -> list[str]:
    extra = {q["path"]: "?" + q["text"] for q in state.extra}
    return [extra.get(p, p) for p in state.visible]


def test_form_adds_them_after_the_list_and_keeps_them_once_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(assess_cli, "assess", engine_asking(WHOLE_LEG, WARMTH, IV_DRUGS))
    state = evaluate({"answered_by": "clinician", "pain.sites": ["knee"]})
    # warmth is in the fixed list but skipped (no swelling); the others are not in it
    assert state.changes == ["exam.entire_leg_swollen", "signs.warmth", "history.iv_drug_use"]
    assert state.visible[-3:] == state.changes
    assert [(q["path"], q["text"], q["kind"]) for q in state.extra] == [
        ("exam.entire_leg_swollen", "Is the whole leg swollen", "answer"),
        ("history.iv_drug_use", "Have you ever injected drugs", "answer"),
    ]
    answered = evaluate(
        {
            "answered_by": "clinician",
            "pain.sites": ["knee"],
            "exam.entire_leg_swollen": "yes",
            "history.iv_drug_use": "no",
        }
    )
    assert answered.changes == state.changes  # still shown once answered
    assert answered.data["exam"] == {"entire_leg_swollen": "yes"}
    assert answered.data["history"]["iv_drug_use"] == "no"
    # the same questions, in the same order, as the terminal asks
    asked: list[str] = []
    by_text = {q.text: q.path for q in assess_cli.QUESTIONS}
    raw = {
        "answered_by": "clinician",
        "pain.sites": "knee",
        "?Is the whole leg swollen": "y",
        "?Have you ever injected drugs": "n",
    }

    def prompt(label: str, **_: object) -> str:
        text = label.split("? [")[0].split(" [")[0]
        path = by_text.get(text, "?" + text)
        asked.append(path)
        return raw.get(path, "")

    data = assess_cli.ask_intake(prompt, lambda _m: None)
    assert asked == _shown(answered)
    assert data == answered.data


def test_patient_is_not_asked_examination_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assess_cli, "assess", engine_asking(WHOLE_LEG, IV_DRUGS))
    state = evaluate({"pain.sites": ["knee"]}, answered_by="patient")
    assert state.changes == ["history.iv_drug_use"]


def test_patient_link_asks_them_first_before_submitting(
    client: TestClient, csrf: dict[str, str], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assess_cli, "assess", engine_asking(WARMTH, IV_DRUGS))
    vid = new_visit(client, csrf, new_patient(client, csrf))
    url = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf).json()["url"]
    path = urlsplit(url).path
    client.cookies.clear()
    page = client.get(path)
    assert page.status_code == 200
    assert re.search(r'id="changes"\s+hidden', page.text)  # nothing to add before the sites
    token = client.cookies.get("kinchain_csrf")
    assert token
    # the live form state (what the page's script asks after each change)
    body = client.post(path + "/state", json={"answers": {"pain.sites": ["knee"]}}).json()
    assert body["changes"] == ["signs.warmth", "history.iv_drug_use"]
    assert body["extra"][0]["text"] == "Have you ever injected drugs"
    # a refused answer shows the page again: the added questions first, with the note
    r = client.post(
        path,
        data={"csrf_token": token, "pain.sites": "knee", "demographics.age_years": "fifty"},
    )
    assert r.status_code == 422
    assert not re.search(r'id="changes"\s+hidden', r.text)
    text = _text(r.text)
    assert CHANGES_NOTE in text
    first_fixed = text.index("Where is the pain")
    assert text.index("Have you ever injected drugs") < first_fixed
    assert text.index("Is the joint warm or hot") < first_fixed
    # no internal names in what the patient reads
    for name in ("history.iv_drug_use", "signs.warmth", "iv_drug_use", "test_rule"):
        assert name not in text
    # answered, it is saved with the rest
    r = client.post(
        path,
        data={
            "csrf_token": token,
            "pain.sites": "knee",
            "pain.duration_value": "3",
            "pain.duration_unit": "weeks",
            "history.iv_drug_use": "no",
        },
    )
    assert r.status_code == 200 and "Thank you" in r.text
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None and v.intake_json is not None
        saved = json.loads(v.intake_json)
    assert saved["history"]["iv_drug_use"] == "no"
    assert parse_intake(saved).pain.duration_days == 21


def test_clinician_form_and_api_state(
    client: TestClient, csrf: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assess_cli, "assess", engine_asking(WHOLE_LEG))
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.put(
        f"/api/v1/visits/{vid}/intake",
        json={"answered_by": "clinician", "pain": {"sites": ["calf"]}},
        headers=csrf,
    )
    assert r.status_code == 200, r.text
    page = client.get(f"/visits/{vid}/intake")
    text = _text(page.text)
    assert CHANGES_NOTE in text
    assert text.index("Is the whole leg swollen") < text.index("Where is the pain")
    body = client.post(
        "/api/v1/intake/form-state",
        json={"answers": {"answered_by": "clinician", "pain.sites": ["calf"]}},
        headers=csrf,
    ).json()
    assert body["changes"] == ["exam.entire_leg_swollen"]
    assert body["extra"][0]["kind"] == "answer"


def test_clinical_panel_leads_with_the_decision(
    client: TestClient, csrf: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "assess", engine_asking(IV_DRUGS))
    vid = new_visit(client, csrf, new_patient(client, csrf))
    intake = {
        "pain": {"sites": ["knee"], "onset": "sudden"},
        "signs": {"swelling": "yes", "warmth": "yes", "fever": "yes"},
    }
    r = client.put(f"/api/v1/visits/{vid}/intake", json=intake, headers=csrf)
    assert r.status_code == 200, r.text
    page = client.get(f"/visits/{vid}")
    assert 'id="what-would-change"' in page.text
    text = _text(page.text)
    assert STATEMENT in text
    assert "What would change this answer" in text
    assert "Have you ever injected drugs?" in text
    assert "If yes: EMERGENCY, emergency department now, for a possible infection" in text
    # the statement, then the red flags and what would change it, then the referral and causes
    order = [
        text.index("Urgency:"),
        text.index(STATEMENT),
        text.index("What would change this answer"),
        text.index("Referral:"),
        text.index("Causes, most likely first"),
    ]
    assert order == sorted(order)
    if "Red flags" in text:
        assert text.index(STATEMENT) < text.index("Red flags") < order[2]


def test_real_intake_panel_section_only_when_there_is_something(
    client: TestClient, csrf: dict[str, str]
) -> None:
    """A red, swollen knee with fever, warmth unknown: the section is there exactly when the
    engine lists something."""
    intake = {
        "pain": {"sites": ["knee"], "onset": "sudden", "duration_days": 2},
        "signs": {"swelling": "yes", "redness": "yes", "fever": "yes"},
    }
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.put(f"/api/v1/visits/{vid}/intake", json=intake, headers=csrf)
    assert r.status_code == 200, r.text
    clinical = ClinicalAssessment.model_validate(r.json()["clinical"])
    page = client.get(f"/visits/{vid}")
    assert ('id="what-would-change"' in page.text) == bool(clinical.what_would_change)
    if clinical.urgency_statement:
        assert html.escape(clinical.urgency_statement, quote=False) in page.text
