"""The patient summary from a visit (issue 12 item 6): the page to show or print for the
signed-in clinician, the PDF and the HTML through the API, with the patient's identity, for a
clinical assessment alone or with the gait analysis; nothing to summarise is a 409, someone else's
visit a 404."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from kinchain.store import Store
from kinchain.web.security import create_user

from .conftest import EMAIL, PASSWORD, login, upload_demo, wait_done

HOT_KNEE = {
    "pain": {"sites": ["knee"], "onset": "sudden", "duration_days": 1},
    "signs": {"swelling": "yes", "warmth": "yes", "redness": "yes", "fever": "yes"},
}


def _visit(client: TestClient, csrf: dict[str, str]) -> int:
    r = client.post(
        "/api/v1/patients",
        json={"name": "Erika Mustermann", "identifier": "MRN-0044", "birth_date": "1979-04-02"},
        headers=csrf,
    )
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/patients/{pid}/visits", json={"visit_date": "2026-11-30"}, headers=csrf
    )
    vid: int = r.json()["id"]
    return vid


def _pdf_text(content: bytes) -> tuple[int, str]:
    pages = PdfReader(io.BytesIO(content)).pages
    return len(pages), " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in pages)


def test_summary_of_a_clinical_assessment(client: TestClient, csrf: dict[str, str]) -> None:
    vid = _visit(client, csrf)
    for path in (
        f"/api/v1/visits/{vid}/patient-summary.pdf",
        f"/api/v1/visits/{vid}/patient-summary.html",
    ):
        r = client.get(path)
        assert r.status_code == 409 and "nothing to summarise" in r.json()["detail"]
    assert "nothing to summarise" in client.get(f"/visits/{vid}/patient-summary").text

    r = client.put(f"/api/v1/visits/{vid}/intake", json=HOT_KNEE, headers=csrf)
    assert r.status_code == 200, r.text
    r = client.get(f"/api/v1/visits/{vid}/patient-summary.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert f"patient-summary-visit-{vid}.pdf" in r.headers["content-disposition"]
    pages, text = _pdf_text(r.content)
    assert pages == 1
    assert "Erika Mustermann · born 1979-04-02 · ID MRN-0044" in text
    assert "2 April 1979" in text and "30 November 2026" in text and EMAIL in text
    assert text.index("Go to the emergency department now") < text.index("What we found")

    page = client.get(f"/visits/{vid}/patient-summary")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Erika Mustermann" in page.text and "When to get help at once" in page.text
    assert f'href="/visits/{vid}"' in page.text
    assert f'href="/api/v1/visits/{vid}/patient-summary.pdf"' in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # no script at all
    api_html = client.get(f"/api/v1/visits/{vid}/patient-summary.html")
    assert api_html.status_code == 200 and "Erika Mustermann" in api_html.text
    assert "Back to the visit" not in api_html.text  # the file alone, no links into the app


def test_summary_with_the_gait_analysis(client: TestClient, csrf: dict[str, str]) -> None:
    vid = _visit(client, csrf)
    assert upload_demo(client, csrf, vid).status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    pages, text = _pdf_text(client.get(f"/api/v1/visits/{vid}/patient-summary.pdf").content)
    assert pages == 1
    assert "How you walk" in text and "Talk with your care team" in text
    intake = {"pain": {"sites": ["knee"], "duration_days": 90}}
    r = client.put(f"/api/v1/visits/{vid}/intake", json=intake, headers=csrf)
    assert r.status_code == 200, r.text
    pages, text = _pdf_text(client.get(f"/api/v1/visits/{vid}/patient-summary.pdf").content)
    assert pages == 1
    assert "How you walk" in text and "Pain in your knee for about 3 months." in text


def test_another_clinician_gets_404(client: TestClient, csrf: dict[str, str], store: Store) -> None:
    """Under the clinic's "own" access model (the roles test checks every route the same way)."""
    r = client.put("/api/v1/admin/settings", json={"patient_access": "own"}, headers=csrf)
    assert r.status_code == 200
    vid = _visit(client, csrf)
    client.put(f"/api/v1/visits/{vid}/intake", json=HOT_KNEE, headers=csrf)
    with store.session() as db:
        create_user(db, "other@example.org", PASSWORD)
    client.post("/api/v1/auth/logout", headers=csrf)
    login(client, "other@example.org")
    assert client.get(f"/api/v1/visits/{vid}/patient-summary.pdf").status_code == 404
    assert client.get(f"/visits/{vid}/patient-summary").status_code == 404
