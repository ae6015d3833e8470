"""The web intake follows the terminal's questions and skip logic; the intake page shows each
refusal next to its field; ``kinchain serve --create-user``."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from kinchain.cli.assess import QUESTIONS, ask_intake
from kinchain.cli.main import app as cli_app
from kinchain.store import Store, User
from kinchain.web.intake_form import FormState, answers_from_intake, evaluate, question_list

from .conftest import new_patient, new_visit


def _cli_answers(raw: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    """The terminal's interview with these answers: (intake data, paths asked). A question the
    assessment added that is not in the fixed list is recorded as ``?`` + its text."""
    asked: list[str] = []
    by_text = {q.text: q.path for q in QUESTIONS}

    def prompt(label: str, **_: object) -> str:
        text = label.split("? [")[0].split(" [")[0]
        path = by_text.get(text, "?" + text)
        asked.append(path)
        return raw.get(path, "")

    return ask_intake(prompt, lambda _m: None), asked


def _shown(state: FormState) -> list[str]:
    extra = {q["path"]: "?" + q["text"] for q in state.extra}
    return [extra.get(p, p) for p in state.visible]


@pytest.mark.parametrize(
    "raw",
    [
        {
            "answered_by": "clinician",
            "pain.sites": "knee",
            "trauma.injury": "y",
            "function.bears_weight_4_steps": "n",
        },
        {
            "answered_by": "patient",
            "pain.sites": "ankle,foot",
            "signs.swelling": "yes",
            "signs.fever": "yes",
            "signs.temperature_c": "38.9",
        },
        {"pain.sites": "back", "pain.radiation_from_back": "y", "neuro.saddle_numbness": "y"},
    ],
)
def test_same_questions_and_answers_as_the_terminal(raw: dict[str, str]) -> None:
    data, asked = _cli_answers(raw)
    form = {k: (v.split(",") if k == "pain.sites" else v) for k, v in raw.items()}
    state = evaluate(form)
    assert _shown(state) == asked
    assert state.data == data


def test_refusals_and_answers_round_trip() -> None:
    s = evaluate(
        {
            "pain.sites": ["knee"],
            "signs.fever": "no",
            "signs.swelling": "yes",
            "signs.small_joints_involved": "many",
        }
    )
    assert s.errors == {"signs.small_joints_involved": "give a number"}
    s = evaluate({"pain.sites": []})
    assert "pain.sites" in s.errors
    full = evaluate({"pain.sites": ["knee", "ankle"], "demographics.age_years": "52"})
    assert answers_from_intake(full.data)["demographics.age_years"] == "52"
    assert next(q["path"] for q in question_list(for_patient=True)) == "pain.sites"


def test_intake_page_shows_errors_next_to_fields(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    page = client.get(f"/visits/{vid}/intake")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    # hidden until it matters: the injury mechanism
    assert re.search(r'data-path="trauma.mechanism"\s+hidden', page.text)
    r = client.post(
        f"/visits/{vid}/intake",
        data={
            "csrf_token": token.group(1),
            "pain.sites": "knee",
            "demographics.age_years": "fifty",
        },
        follow_redirects=False,
    )
    assert r.status_code == 422
    assert re.search(r'data-error-for="demographics.age_years">give a number<', r.text)
    r = client.post(
        f"/visits/{vid}/intake",
        data={
            "csrf_token": token.group(1),
            "pain.sites": "knee",
            "demographics.age_years": "50",
            "trauma.injury": "yes",
            "function.bears_weight_4_steps": "no",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/visits/{vid}")
    assert 'id="urgency"' in page.text


def test_create_user_command(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough password\n")
    data = tmp_path / "data"
    r = CliRunner().invoke(
        cli_app,
        [
            "serve",
            "--create-user",
            "Doc@Example.org",
            "--password-file",
            str(pw),
            "--data-dir",
            str(data),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "created administrator doc@example.org"  # the first account in r.output
    store = Store.open(data)
    with store.session() as db:
        assert db.scalar(select(User.email)) == "doc@example.org"
    store.dispose()
    pw.write_text("short")
    r = CliRunner().invoke(
        cli_app,
        [
            "serve",
            "--create-user",
            "x@example.org",
            "--password-file",
            str(pw),
            "--data-dir",
            str(data),
        ],
    )
    assert r.exit_code != 0


def test_page_upload_refusal_beside_the_field_stores_nothing(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    pid = new_patient(client, csrf)
    page = client.get(f"/patients/{pid}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        f"/patients/{pid}/visits",
        data={"csrf_token": token.group(1), "label": "bad", "mass_kg": "-70"},
        files={"trial": ("walk.c3d", b"garbage" * 50, "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 422
    # A typed measurement alone is allowed (it wins over the file's, as on the CLI), but it
    # must be plausible: the problem shows beside its field, before the trial is read.
    assert re.search(r'name="mass_kg"[^>]*>\s*<span class="field-error">-70 must be', r.text)
    r = client.post(
        f"/patients/{pid}/visits",
        data={"csrf_token": token.group(1), "label": "bad"},
        files={"trial": ("walk.c3d", b"garbage" * 50, "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 422 and 'class="field-error"' in r.text
    assert client.get(f"/api/v1/patients/{pid}").json()["visits"] == []  # nothing half-stored
    assert not [p for p in store.blobs.root.rglob("*") if p.is_file()]


def test_token_form_state(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    url = client.post(f"/api/v1/visits/{vid}/intake-link", headers=csrf).json()["url"]
    client.cookies.clear()
    r = client.post(
        urlsplit(url).path + "/state",
        json={"answers": {"pain.sites": ["knee"], "trauma.injury": "yes"}},
    )
    assert r.status_code == 200
    body = r.json()
    assert "answered_by" not in body["visible"] and "trauma.mechanism" in body["visible"]
    assert client.post("/intake/t/nope/state", json={}).status_code == 404


def test_saving_the_form_keeps_fields_the_form_does_not_ask(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    """Lab values stored through the API survive a later save of the web form (work already
    stored is never lost); fields the form asks take the form's answers."""
    import json

    from kinchain.store import Visit

    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.put(
        f"/api/v1/visits/{vid}/intake",
        json={"pain": {"sites": ["ankle"]}, "labs": {"crp_mg_l": 42.0}},
        headers=csrf,
    )
    assert r.status_code == 200, r.text
    page = client.get(f"/visits/{vid}/intake")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        f"/visits/{vid}/intake",
        data={"csrf_token": token.group(1), "pain.sites": "knee", "demographics.age_years": "50"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None and v.intake_json is not None
        data = json.loads(v.intake_json)
    assert data["labs"]["crp_mg_l"] == 42.0
    assert data["pain"]["sites"] == ["knee"]
    assert data["demographics"]["age_years"] == 50
