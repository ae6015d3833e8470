"""The clinician's intake form has an examination section (issue 12 item 3): the examination
findings the decision rules use (straight-leg raise, Wells items, effusion ...) can be entered
and reach the assessment; the patient's link never shows them; the fixed questions stay the
terminal's."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from kinchain.web.intake_form import evaluate, exam_questions

from .conftest import new_patient, new_visit


def test_exam_answers_count_only_on_the_clinicians_form() -> None:
    paths = {q.path for q in exam_questions()}
    assert {"exam.straight_leg_raise_positive", "exam.tender_deep_veins"} <= paths
    answers = {"pain.sites": ["knee"], "exam.tender_deep_veins": "yes"}
    assert evaluate(answers).data["exam"]["tender_deep_veins"] == "yes"
    assert "exam" not in evaluate(answers, answered_by="patient").data
    # the visible fixed questions are the same with or without examination answers
    assert evaluate(answers).visible == evaluate({"pain.sites": ["knee"]}).visible


def test_exam_section_on_the_form_and_saved(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    page = client.get(f"/visits/{vid}/intake").text
    assert "Examination (clinician)" in page and 'name="exam.entire_leg_swollen"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": token.group(1), "pain.sites": "knee"}
    form |= {"exam.straight_leg_raise_positive": "yes"}
    r = client.post(f"/visits/{vid}/intake", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    intake = client.get(f"/api/v1/visits/{vid}").json()["intake"]
    assert intake["exam"]["straight_leg_raise_positive"] == "yes"
    link = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf).json()["url"]
    patient = TestClient(client.app)
    assert "Examination (clinician)" not in patient.get(urlsplit(link).path).text


def test_every_examination_answer_is_kept_past_an_emergency(
    client: TestClient, csrf: dict[str, str]
) -> None:
    """A large effusion on examination is an emergency; the clinician's other examination
    answers on the same form were dropped when it was saved (the form stopped at the emergency)."""
    exam = {
        "exam.straight_leg_raise_positive": "no",
        "exam.large_effusion": "yes",
        "exam.tender_deep_veins": "no",
        "exam.entire_leg_swollen": "no",
    }
    state = evaluate({"answered_by": "clinician", "pain.sites": ["knee"], **exam})
    assert state.emergency
    assert state.data["exam"] == {k.removeprefix("exam."): v for k, v in exam.items()}
    vid = new_visit(client, csrf, new_patient(client, csrf))
    page = client.get(f"/visits/{vid}/intake").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": token.group(1), "pain.sites": "knee", **exam}
    r = client.post(f"/visits/{vid}/intake", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    saved = client.get(f"/api/v1/visits/{vid}").json()["intake"]["exam"]
    assert saved == {k.removeprefix("exam."): v for k, v in exam.items()}
