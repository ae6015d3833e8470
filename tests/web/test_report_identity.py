"""The web report names the patient, the visit and the clinician on every page and the trial by
its uploaded name, never a temporary one (issue 12 item 1)."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from .conftest import DEMO, EMAIL, wait_done


def test_web_report_names_patient_visit_and_uploaded_file(
    client: TestClient, csrf: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/patients",
        json={"name": "Erika Mustermann", "identifier": "MRN-0042", "birth_date": "1979-04-02"},
        headers=csrf,
    )
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/patients/{pid}/visits",
        json={"visit_date": "2026-11-30", "label": "baseline walk"},
        headers=csrf,
    )
    vid = r.json()["id"]
    with DEMO.open("rb") as fh:
        r = client.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": ("walk 2026-11-30.c3d", fh, "application/octet-stream")},
            headers=csrf,
        )
    assert r.status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    pdf = PdfReader(io.BytesIO(client.get(f"/api/v1/visits/{vid}/report.pdf").content))
    total = len(pdf.pages)
    for n, page in enumerate(pdf.pages, start=1):
        text = re.sub(r"\s+", " ", page.extract_text())
        assert "Erika Mustermann · born 1979-04-02 · ID MRN-0042" in text
        assert f"visit 2026-11-30 baseline walk · clinician {EMAIL}" in text
        assert f"page {n} of {total}" in text
    html = client.get(f"/api/v1/visits/{vid}/report.html").text
    assert "walk 2026-11-30.c3d" in html
    assert "trial0" not in html and "kinchain-job" not in html
    analysis = client.get(f"/api/v1/visits/{vid}/analysis").text
    assert "trial0" not in analysis and "kinchain-job" not in analysis


def test_referral_letter_from_the_visit(client: TestClient, csrf: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/patients",
        json={"name": "Erika Mustermann", "identifier": "MRN-0043", "birth_date": "1979-04-02"},
        headers=csrf,
    )
    pid = r.json()["id"]
    vid = client.post(f"/api/v1/patients/{pid}/visits", json={}, headers=csrf).json()["id"]
    assert client.get(f"/api/v1/visits/{vid}/referral.pdf").status_code == 409  # no intake yet
    intake = {"pain": {"sites": ["knee"], "onset": "sudden", "duration_days": 1}}
    intake |= {"signs": {"swelling": "yes", "warmth": "yes", "redness": "yes", "fever": "yes"}}
    r = client.put(f"/api/v1/visits/{vid}/intake", json=intake, headers=csrf)
    assert r.status_code == 200, r.text
    label = r.json()["clinical"]["referral"]["label"]
    text = client.get(f"/api/v1/visits/{vid}/referral.txt").text
    assert text.startswith(f"Referral to {label}")
    assert "Patient:       Erika Mustermann" in text and f"From:          {EMAIL}" in text
    pdf = client.get(f"/api/v1/visits/{vid}/referral.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    first = re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text())
    assert "Erika Mustermann · born 1979-04-02 · ID MRN-0043" in first
    assert "Referral letter" in client.get(f"/visits/{vid}").text
