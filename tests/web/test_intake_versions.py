"""Intake answers are never overwritten out of sight (issue 12 item 2): every save is a version
with who answered and when; where the patient (through the link) and the clinician answered
differently, the visit shows both, which one is in use (the newer) and asks the clinician to
reconcile; saving the form again reconciles; migration 0004 keeps earlier intakes."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kinchain.store import Store, Visit

from .conftest import EMAIL, database_at, insert_old_patient, new_patient, new_visit


def _history(client: TestClient, vid: int) -> dict:  # type: ignore[type-arg]
    out: dict = client.get(f"/api/v1/visits/{vid}").json()["intake_history"]  # type: ignore[type-arg]
    return out


def test_patient_and_clinician_answers_are_kept_and_differences_shown(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    clinician = {"pain": {"sites": ["knee"], "side": "left"}, "signs": {"fever": "no"}}
    assert (
        client.put(f"/api/v1/visits/{vid}/intake", json=clinician, headers=csrf).status_code == 200
    )
    link = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf).json()["url"]
    path = urlsplit(link).path

    patient = TestClient(client.app)
    page = patient.get(path)
    assert page.status_code == 200
    token = patient.cookies.get("kinchain_csrf")
    form = {"csrf_token": token, "pain.sites": ["knee", "ankle"], "pain.side": "left"}
    form |= {"signs.fever": "yes"}
    r = patient.post(path, data=form)
    assert r.status_code == 200 and "Thank you" in r.text

    h = _history(client, vid)
    assert [v["source"] for v in h["versions"]] == ["patient", "api"]
    assert h["versions"][1]["by"] == EMAIL and h["versions"][0]["by"] is None
    diffs = {d["path"]: d for d in h["differences"]}
    assert set(diffs) == {"pain.sites", "signs.fever"}
    fever = diffs["signs.fever"]
    assert (fever["patient"], fever["clinician"], fever["current"]) == ("yes", "no", "yes")
    assert fever["in_use"] == "patient" and fever["question"].startswith("Do you have a fever")
    assert h["sources"]["signs.fever"] == "patient" and h["sources"]["pain.side"] in (
        "api",
        "patient",
    )
    page = client.get(f"/visits/{vid}").text
    assert "Answers to reconcile" in page and "Do you have a fever" in page
    assert "Intake history (2 versions)" in page

    # The clinician reconciles by saving again: their answer is in use, both are still kept.
    clinician["pain"]["sites"] = ["knee", "ankle"]
    assert (
        client.put(f"/api/v1/visits/{vid}/intake", json=clinician, headers=csrf).status_code == 200
    )
    h = _history(client, vid)
    assert len(h["versions"]) == 3
    (fever,) = h["differences"]
    assert fever["path"] == "signs.fever" and fever["current"] == "no"
    assert fever["in_use"] == "clinician"
    current = client.get(f"/api/v1/visits/{vid}").json()["intake"]
    assert current["signs"]["fever"] == "no"


def test_migration_0004_keeps_the_stored_intake_as_its_first_version(
    backend: str, tmp_path: Path
) -> None:
    url = database_at(backend, tmp_path, "0003")
    engine = create_engine(url)
    intake = json.dumps({"pain": {"sites": ["knee"]}})
    with engine.begin() as conn:
        insert_old_patient(conn)
        conn.execute(
            text(
                "INSERT INTO visits (id, patient_id, visit_date, label, created_at, updated_at,"
                " status, progress, stage, attempts, intake_json, intake_by)"
                " VALUES (1, 1, '2026-11-25', '', '2026-11-25 10:00:00', '2026-11-26 09:00:00',"
                " 'empty', 0, '', 0, :intake, 'patient')"
            ),
            {"intake": intake},
        )
    engine.dispose()
    store = Store(url, tmp_path / "blobs")
    try:
        with store.session() as db:
            v = db.get(Visit, 1)
            assert v is not None
            (iv,) = v.intake_versions
            assert iv.source == "patient" and json.loads(iv.answers_json) == json.loads(intake)
    finally:
        store.dispose()
