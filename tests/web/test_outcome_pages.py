"""Questionnaires in the web app: the clinician's page, the patient's pain rating through the
intake link, the scores on the visit page (with the missing-item reason), the API and the
scores over the visits on the patient page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from kinchain.clinical.outcomes import INSTRUMENTS
from kinchain.store import Store
from kinchain.store.models import Visit
from kinchain.web.pages import link_qr_svg
from kinchain.web.security import create_user

from .conftest import EMAIL, PASSWORD, login, make_app, new_patient, new_visit


def _page_csrf(client: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m
    return m.group(1)


def test_clinician_enters_koos_item_scores_and_the_visit_shows_them(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    page = client.get(f"/visits/{vid}/questionnaires")
    assert page.status_code == 200 and 'name="koos.A17"' in page.text
    token = _page_csrf(client, f"/visits/{vid}/questionnaires")
    pain = {
        f"koos.P{k}": str(v) for k, v in zip(range(1, 10), (0, 1, 2, 3, 4, 0, 1, 2, 3), strict=True)
    }
    # Symptoms: 3 of 7 answered, one fewer than the 4 the 2012 rule needs.
    symptoms = {f"koos.S{k}": "1" for k in range(1, 4)}
    r = client.post(
        f"/visits/{vid}/questionnaires",
        data={"csrf_token": token, "instrument": "koos"} | pain | symptoms,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    visit = client.get(f"/visits/{vid}").text
    section = visit[visit.index('id="outcomes"') :]
    expected = INSTRUMENTS["koos"].score(
        {k.split(".")[1]: int(v) for k, v in (pain | symptoms).items()}
    )
    assert f"{expected.subscales['pain'].score:.1f}" == "55.6"
    assert "55.6" in section
    reason = expected.subscales["symptoms"].reason
    assert reason and "3 of 7 items answered; at least 4 needed" in reason
    assert "3 of 7 items answered; at least 4 needed" in section
    api = client.get(f"/api/v1/visits/{vid}/questionnaires").json()["questionnaires"]
    (koos,) = api
    assert koos["source"] == "clinician" and koos["by"] == EMAIL
    by_id = {s["id"]: s for s in koos["subscales"]}
    assert by_id["pain"]["score"] == expected.subscales["pain"].score
    assert by_id["symptoms"]["valid"] is False


def test_a_bad_item_score_is_shown_next_to_its_field(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    token = _page_csrf(client, f"/visits/{vid}/questionnaires")
    r = client.post(
        f"/visits/{vid}/questionnaires",
        data={"csrf_token": token, "instrument": "lefs", "lefs.LEFS1": "9"},
    )
    assert r.status_code == 422 and "answer 9 is outside 0-4" in r.text
    assert client.get(f"/api/v1/visits/{vid}/questionnaires").json()["questionnaires"] == []


def test_patient_gives_a_pain_rating_through_the_link(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    link = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf).json()["url"]
    path = urlsplit(link).path
    patient = TestClient(client.app)
    page = patient.get(path)
    assert page.status_code == 200 and 'name="nprs.pain"' in page.text
    token = patient.cookies.get("kinchain_csrf")
    form = {"csrf_token": token, "pain.sites": ["knee"], "nprs.pain": "11"}
    bad = patient.post(path, data=form)
    assert bad.status_code == 422 and "choose a number from 0 to 10" in bad.text
    r = patient.post(path, data=form | {"nprs.pain": "6"})
    assert r.status_code == 200 and "Thank you" in r.text
    assert patient.get(path).status_code == 404  # the link is spent
    (nprs,) = client.get(f"/api/v1/visits/{vid}/questionnaires").json()["questionnaires"]
    assert nprs["instrument"] == "nprs" and nprs["source"] == "patient" and nprs["by"] is None
    assert nprs["subscales"][0]["score"] == 6


def test_scores_over_the_visits_on_the_patient_page(
    client: TestClient, csrf: dict[str, str]
) -> None:
    pid = new_patient(client, csrf)
    first, second = (
        new_visit(client, csrf, pid, "baseline"),
        new_visit(client, csrf, pid, "6 weeks"),
    )
    all4 = {f"LEFS{k}": 2 for k in range(1, 21)}  # 40
    better = all4 | {f"LEFS{k}": 3 for k in range(1, 11)}  # 50: +10 >= MCID 9
    for vid, answers in ((first, all4), (second, better)):
        r = client.post(
            f"/api/v1/visits/{vid}/questionnaires",
            json={"instrument": "lefs", "answers": answers},
            headers=csrf,
        )
        assert r.status_code == 201, r.text
    series = client.get(f"/api/v1/patients/{pid}/outcomes").json()["series"]
    (lefs,) = series
    assert [p["score"] for p in lefs["points"]] == [40, 50]
    assert lefs["points"][1]["classification"] == "improved" and lefs["mcid"] == 9
    page = client.get(f"/patients/{pid}").text
    section = page[page.index('id="outcomes-over-time"') :]
    assert "<svg" in section and 'class="mcid-band"' in section
    assert "improved" in section and "+10.0" in section


def test_the_api_refuses_a_bad_answer_naming_the_item(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    url = f"/api/v1/visits/{vid}/questionnaires"
    r = client.post(url, json={"instrument": "faam", "answers": {"ADL3": 7}}, headers=csrf)
    assert r.status_code == 422 and r.json()["field"] == "faam.ADL3"
    r = client.post(url, json={"instrument": "oks", "answers": {"Q1": 1}}, headers=csrf)
    assert r.status_code == 422 and r.json()["field"] == "instrument"
    assert client.get(url).json()["questionnaires"] == []


def test_unchanged_answers_are_not_saved_again(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    path = f"/visits/{vid}/questionnaires"
    for _ in range(2):
        token = _page_csrf(client, path)
        r = client.post(path, data={"csrf_token": token, "nprs.pain": "4"}, follow_redirects=False)
        assert r.status_code == 303
    with client.app.state.ctx.store.session() as db:  # type: ignore[attr-defined]
        v = db.get(Visit, vid)
        assert v is not None and len(v.questionnaires) == 1


def test_the_link_is_a_qr_code_of_the_configured_base_url(store: Store, tmp_path: Path) -> None:
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    app = make_app(store, tmp_path, base_url="https://clinic.example.org/kin/")
    with TestClient(app) as client:
        csrf = login(client)
        vid = new_visit(client, csrf, new_patient(client, csrf))
        token = _page_csrf(client, f"/visits/{vid}")
        page = client.post(f"/visits/{vid}/intake-link", data={"csrf_token": token}).text
    m = re.search(r'id="intake-link-url" class="link-url" value="([^"]+)"', page)
    assert m and m.group(1).startswith("https://clinic.example.org/kin/intake/t/")
    # The QR code on the page is exactly that URL's code.
    assert link_qr_svg(m.group(1)) in page
    assert link_qr_svg(m.group(1)) != link_qr_svg(m.group(1) + "x")


def test_the_visits_fhir_bundle_carries_its_questionnaires(
    client: TestClient, csrf: dict[str, str]
) -> None:
    """A visit with only a pain rating is exported (it answered 409 before), with the
    QuestionnaireResponse and the score's Observation."""
    vid = new_visit(client, csrf, new_patient(client, csrf))
    assert client.get(f"/api/v1/visits/{vid}/fhir").status_code == 409
    url = f"/api/v1/visits/{vid}/questionnaires"
    r = client.post(url, json={"instrument": "nprs", "answers": {"pain": 6}}, headers=csrf)
    assert r.status_code in (200, 201), r.text
    bundle = client.get(f"/api/v1/visits/{vid}/fhir").json()
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "QuestionnaireResponse" in types
    scores = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and any(c.get("code") == "72514-3" for c in e["resource"]["code"].get("coding", []))
    ]
    assert len(scores) == 1 and scores[0]["valueQuantity"]["value"] == 6


def test_the_report_shows_the_visits_scores(client: TestClient, csrf: dict[str, str]) -> None:
    """Entering a questionnaire after the analysis makes the report again with an 'Outcome
    measures' section (the score the scoring core gives) and the scores in analysis.json."""
    from kinchain.clinical.outcomes import score_pain

    from .conftest import upload_demo, wait_done

    vid = new_visit(client, csrf, new_patient(client, csrf))
    upload_demo(client, csrf, vid)
    assert wait_done(client, vid)["status"] == "done"
    assert "Outcome measures" not in client.get(f"/api/v1/visits/{vid}/report.html").text
    r = client.post(
        f"/api/v1/visits/{vid}/questionnaires",
        json={"instrument": "nprs", "answers": {"pain": 7}},
        headers=csrf,
    )
    assert r.status_code == 201, r.text
    assert wait_done(client, vid)["status"] == "done"
    html = client.get(f"/api/v1/visits/{vid}/report.html").text
    section = html[html.index('id="outcomes"') :]
    expected = score_pain(7).subscales["pain"].score
    assert expected is not None and f"{expected:.1f}" in section[:4000]
