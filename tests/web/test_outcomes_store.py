"""Outcome questionnaires per visit: stored answers, scores recomputed with the scoring core,
change over visits against the MCID, migration 0005."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kinchain.clinical.outcomes import INSTRUMENTS
from kinchain.fhir import PatientInfo, build_bundle, validate_bundle
from kinchain.store import Patient, Store
from kinchain.store.models import Visit
from kinchain.web.context import ApiError
from kinchain.web.outcomes import (
    fhir_outcomes,
    over_time,
    save_response,
    visit_outcomes,
    visit_scores,
)

from .conftest import database_at, insert_old_patient

KOOS_PAIN = {f"P{k}": v for k, v in zip(range(1, 10), (0, 1, 2, 3, 4, 0, 1, 2, 3), strict=True)}


def _visit(store: Store, day: int = 1) -> int:
    with store.session() as db:
        p = db.query(Patient).first() or Patient(name="Ann Example")
        v = Visit(patient=p, visit_date=date(2026, 11, day), label=f"visit {day}")
        db.add(v)
        db.flush()
        return v.id


def test_scores_are_recomputed_from_the_stored_answers(store: Store) -> None:
    vid = _visit(store)
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        save_response(db, v, "koos", KOOS_PAIN, "clinician", user_id=None)
        save_response(db, v, "nprs", {"pain": 7}, "patient")
    with store.session() as db:
        scores = visit_scores(db, vid)
        assert list(scores) == ["nprs", "koos"]
        stored = db.get(Visit, vid)
        assert stored is not None
        answers = json.loads(stored.questionnaires[0].answers_json)
    assert scores["koos"] == INSTRUMENTS["koos"].score(answers)
    # Pain: 9 items 0,1,2,3,4,0,1,2,3 -> mean 16/9 -> 100 - (16/9)/4*100 = 500/9.
    assert scores["koos"].subscales["pain"].score == pytest.approx(500 / 9)
    # The other subscales had no item answered: not valid, with the published rule as reason.
    adl = scores["koos"].subscales["adl"]
    assert adl.score is None and adl.reason and "0 of 17 items answered" in adl.reason
    assert scores["nprs"].subscales["pain"].score == 7


def test_the_latest_response_is_the_visits_score(store: Store) -> None:
    vid = _visit(store)
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        save_response(db, v, "nprs", {"pain": 7}, "patient")
        save_response(db, v, "nprs", {"pain": 4}, "clinician")
        assert visit_scores(db, v)["nprs"].subscales["pain"].score == 4
        assert len(v.questionnaires) == 2  # both kept
        (shown,) = visit_outcomes(v)
        assert shown["source"] == "clinician" and shown["subscales"][0]["score"] == 4


@pytest.mark.parametrize(
    ("instrument", "answers", "field"),
    [
        ("koos", {"P1": 5}, "koos.P1"),
        ("koos", {"X9": 1}, "koos.X9"),
        ("nprs", {"pain": None}, "nprs"),
        ("womac", {"P1": 1}, "instrument"),
    ],
)
def test_bad_answers_are_refused_naming_the_item(
    store: Store, instrument: str, answers: dict[str, int | None], field: str
) -> None:
    vid = _visit(store)
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        with pytest.raises(ApiError) as err:
            save_response(db, v, instrument, answers, "api")
        assert err.value.field == field


def test_change_over_visits_is_classified_against_the_mcid(store: Store) -> None:
    first, second, third = _visit(store, 1), _visit(store, 8), _visit(store, 15)
    with store.session() as db:
        for vid, pain in ((first, 8), (second, 5), (third, 4)):
            v = db.get(Visit, vid)
            assert v is not None
            save_response(db, v, "nprs", {"pain": pain}, "clinician")
        patient = db.query(Patient).one()
        (series,) = over_time(patient.visits)
    assert series["instrument"] == "nprs" and series["mcid"] == 2.0
    pts = series["points"]
    assert [p["score"] for p in pts] == [8, 5, 4]
    assert pts[0]["classification"] is None
    assert pts[1]["delta"] == -3 and pts[1]["classification"] == "improved"  # 3 >= 2 points
    # 5 -> 4: 1 point (< 2) and 20 % (< 30 %): no important change.
    assert pts[2]["classification"] == "no_important_change"


def test_migration_0005_adds_the_responses_table(backend: str, tmp_path: Path) -> None:
    url = database_at(backend, tmp_path, "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        insert_old_patient(conn)
        conn.execute(
            text(
                "INSERT INTO visits (id, patient_id, visit_date, label, created_at, updated_at,"
                " status, progress, stage, attempts)"
                " VALUES (1, 1, '2026-11-25', '', '2026-11-25 10:00:00', '2026-11-26 09:00:00',"
                " 'empty', 0, '', 0)"
            )
        )
    engine.dispose()
    store = Store(url, tmp_path / "blobs")
    try:
        with store.session() as db:
            v = db.get(Visit, 1)
            assert v is not None and v.questionnaires == []
            save_response(db, v, "lefs", {f"LEFS{k}": 4 for k in range(1, 21)}, "api")
        with store.session() as db:
            assert visit_scores(db, 1)["lefs"].subscales["total"].score == 80
    finally:
        store.dispose()


def test_the_visits_answers_go_into_a_valid_fhir_bundle(store: Store) -> None:
    vid = _visit(store)
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        save_response(db, v, "nprs", {"pain": 7}, "patient")
        save_response(db, v, "koos", KOOS_PAIN, "clinician")
        outcomes = fhir_outcomes(v)
    assert outcomes == {"nprs": {"pain": 7}, "koos": KOOS_PAIN}
    bundle = build_bundle(None, None, None, PatientInfo(identifier="P-1"), outcomes=outcomes)
    assert validate_bundle(bundle) == []
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Observation") == 1 + len(INSTRUMENTS["koos"].subscales)
