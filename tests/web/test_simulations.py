"""The visit's "what if" simulations in the web app (issue 14, the web part), without a solver:
``kinchain.sim.whatif`` is replaced by one returning :func:`tests.whatif_fake.stiff_knee_whatif`
(known curves: the left ankle reaction peak 5.0 -> 6.0 body weights, +20 %), after calling the
progress callback as the solver would.

Checked: 202 -> done through the runner, the result JSON, the rendered section as HTML and PDF
with the patient and the disclaimer, the list, the visit page's panel and the run's page, 409
without an analysis, 422 naming the field of a bad spec, 404 for a visit or run the clinician may
not see, 503 and the panel's words without OpenSim, a failure stored as a safe message, and a run
left "running" by a stopped server done after the next start.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import create_engine, select, text

import kinchain.sim as ksim
from kinchain import DISCLAIMER
from kinchain.errors import ProcessingError
from kinchain.sim import SimulationNotConverged
from kinchain.store import AuditEvent, SimulationRun, Store, Upload, Visit
from kinchain.web import simulations
from kinchain.web.jobs import JobRunner
from kinchain.web.security import create_user
from kinchain.web.simulations import failure_message, form_restriction, panel_row
from whatif_fake import stiff_knee_whatif

from .conftest import (
    EMAIL,
    PASSWORD,
    database_at,
    insert_old_patient,
    login,
    make_app,
    new_patient,
    new_visit,
    upload_demo,
    wait_done,
)

FINDINGS = json.dumps({"findings": []})  # what the visit page reads of an analysis
BODY = {"restrictions": ["knee_flexion_max=20"], "side": "L", "stride": None, "coarse": True}


class FakeSolver:
    """Stands for :func:`kinchain.sim.whatif`: records its arguments, reports 7 baseline and 5
    restricted iterations through ``progress``, returns the known what-if (or raises)."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, source: Any, scenarios: Any, **kw: Any) -> Any:
        self.calls.append({"source": source, "scenarios": scenarios, **kw})
        progress = kw["progress"]
        for i in range(8):
            progress("baseline", i)
        for i in range(6):
            progress("knee_flexion_max=20@left", i)
        assert Path(kw["workdir"]).is_dir()  # an owner-only folder of its own
        if self.error is not None:
            raise self.error
        return stiff_knee_whatif()


@pytest.fixture
def solver(monkeypatch: pytest.MonkeyPatch) -> FakeSolver:
    fake = FakeSolver()
    monkeypatch.setattr(ksim, "whatif", fake)
    monkeypatch.setattr(ksim, "require_opensim", lambda: None)
    return fake


def _analysed(store: Store, client: TestClient, csrf: dict[str, str], name: str) -> int:
    """A visit marked analysed without running the analysis (the solver is a fake: it never
    reads the gait analysis, which :meth:`JobRunner.gait_for` would compute)."""
    vid = new_visit(client, csrf, new_patient(client, csrf, name))
    with store.session() as db:
        u = Upload(visit_id=vid, trials_json='[{"sha": "0", "name": "walk.c3d"}]', status="done")
        db.add(u)
        db.flush()
        v = db.get(Visit, vid)
        assert v is not None
        v.current_upload_id, v.analysis_json, v.status = u.id, FINDINGS, "done"
    return vid


@pytest.fixture
def no_gait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JobRunner, "gait_for", lambda self, visit_id: object())


def _sims(app: FastAPI) -> simulations.SimulationRunner:
    runner: simulations.SimulationRunner = app.state.simulations
    return runner


def _pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(re.sub(r"\s+", " ", p.extract_text()) for p in pages)


def test_a_simulation_of_an_analysed_visit(
    app: FastAPI, client: TestClient, csrf: dict[str, str], solver: FakeSolver, store: Store
) -> None:
    pid = new_patient(client, csrf, "Erika Mustermann")
    vid = new_visit(client, csrf, pid, label="stiff knee")
    assert upload_demo(client, csrf, vid).status_code == 202
    assert wait_done(client, vid)["status"] == "done"

    r = client.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf)
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["status"] in ("queued", "running", "done")
    assert run["restrictions"] == ["knee_flexion_max=20@left"] and run["side"] == "left"
    _sims(app).wait()

    r = client.get(f"/api/v1/visits/{vid}/simulations/{run['id']}")
    assert r.status_code == 200
    done = r.json()
    assert done["status"] == "done" and done["error"] is None, done
    assert done["iterations"] == 7 + 5  # both solves' iterations
    assert done["created_by"] == EMAIL and done["finished_at"]
    assert done["result"] == json.loads(json.dumps(stiff_knee_whatif().to_dict()))
    cmp = done["result"]["comparisons"][0]
    assert cmp is not None
    # the solver got the visit's analysis, the left stride (the restricted side), the coarse mesh
    (call,) = solver.calls
    assert call["side"] == "left" and call["settings"] == ksim.SolverSettings.coarse()
    assert done["compensation"] == 1.0  # the other joints kept their measured curves
    assert type(call["source"]).__name__ == "GaitAnalysis"
    assert [[x.label() for x in s] for s in call["scenarios"]] == [["knee_flexion_max=20@left"]]

    html = client.get(done["links"]["html"])
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "script-src" not in html.headers["content-security-policy"]
    assert "What if" in html.text and "Erika Mustermann" in html.text
    assert "prediction" in html.text and DISCLAIMER[:40] in html.text
    assert "Back to the visit" not in html.text  # the file alone
    pdf = client.get(done["links"]["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Erika Mustermann" in text and "What if" in text

    listed = client.get(f"/api/v1/visits/{vid}/simulations").json()
    assert listed["installed"] is True and listed["install_hint"] is None
    assert [s["id"] for s in listed["simulations"]] == [run["id"]]
    assert listed["simulations"][0]["result"] is None  # results only one at a time

    page = client.get(f"/visits/{vid}")
    assert 'id="whatif"' in page.text and "prediction from a simplified model" in page.text
    assert f'action="/visits/{vid}/simulations"' in page.text
    runs = page.text[page.text.index('id="whatif-runs"') :]
    assert "The left knee bends no more than 20°" in runs and ">done<" in runs
    assert f'href="/visits/{vid}/simulations/{run["id"]}"' in runs
    assert "knee_flexion_max" not in page.text  # no internal names for people

    shown = client.get(f"/visits/{vid}/simulations/{run['id']}")
    assert shown.status_code == 200 and "Erika Mustermann" in shown.text
    assert f'href="/visits/{vid}#whatif"' in shown.text
    assert f'href="/api/v1/visits/{vid}/simulations/{run["id"]}.pdf"' in shown.text
    assert "script-src" not in shown.headers["content-security-policy"]

    with store.session() as db:
        actions = set(db.scalars(select(AuditEvent.action)).all())
        row = db.get(SimulationRun, run["id"])
        assert row is not None and row.upload_id is not None
    assert {"simulation.create", "simulation.done"} <= actions


def test_the_panel_form(
    app: FastAPI,
    client: TestClient,
    csrf: dict[str, str],
    solver: FakeSolver,
    no_gait: None,
    store: Store,
) -> None:
    vid = _analysed(store, client, csrf, "Form Patient")
    token = csrf["X-CSRF-Token"]
    form = {"csrf_token": token, "what": "push_off", "value": "60", "side": "R"}
    r = client.post(f"/visits/{vid}/simulations", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/visits/{vid}#whatif"
    _sims(app).wait()
    (run,) = client.get(f"/api/v1/visits/{vid}/simulations").json()["simulations"]
    assert run["restrictions"] == ["plantarflexor_strength=0.6@right"] and not run["coarse"]
    assert solver.calls[0]["side"] == "right"
    assert solver.calls[0]["settings"] == ksim.SolverSettings()
    assert "other joints adapting" not in client.get(f"/visits/{vid}").text

    # "let the other joints adapt": their tracking x FORM_COMPENSATION, said in the list
    r = client.post(
        f"/visits/{vid}/simulations", data=form | {"compensate": "yes"}, follow_redirects=False
    )
    assert r.status_code == 303
    _sims(app).wait()
    runs = client.get(f"/api/v1/visits/{vid}/simulations").json()["simulations"]
    assert sorted(x["compensation"] for x in runs) == [simulations.FORM_COMPENSATION, 1.0]
    assert solver.calls[1]["settings"] == dataclasses.replace(
        ksim.SolverSettings(), compensation_weight=simulations.FORM_COMPENSATION
    )
    assert "other joints adapting" in client.get(f"/visits/{vid}").text

    # a value out of range: the panel says so in words, nothing is queued
    bad = form | {"what": "stiff_knee", "value": "200"}
    r = client.post(f"/visits/{vid}/simulations", data=bad)
    assert r.status_code == 422
    assert "between 0 and 140" in r.text and 'value="200"' in r.text
    assert "knee_flexion_max" not in r.text
    r = client.post(f"/visits/{vid}/simulations", data=form | {"csrf_token": "wrong"})
    assert r.status_code == 403
    assert len(client.get(f"/api/v1/visits/{vid}/simulations").json()["simulations"]) == 2


def test_form_values_in_words() -> None:
    assert form_restriction("stiff_knee", "20") == ("knee_flexion_max=20", "")
    assert form_restriction("contracture", "15,5") == ("knee_extension_deficit=15.5", "")
    assert form_restriction("dorsiflexion", "-5") == ("ankle_dorsiflexion_max=-5", "")
    assert form_restriction("push_off", "50") == ("plantarflexor_strength=0.5", "")
    assert form_restriction("normal_knee", "") == ("knee_release", "")
    assert form_restriction("push_off", "0")[1].startswith("Give the calf strength")
    assert form_restriction("stiff_knee", "abc") == ("", "Give the value as a number.")
    assert form_restriction("stiff_knee", "nan") == ("", "Give the value as a number.")
    assert form_restriction("nonsense", "1") == ("", "Choose what to simulate.")
    # every choice's string is one the solver's parser reads
    for value, _, _, _ in simulations.CHOICES:
        text, problem = form_restriction(value, "10")
        assert not problem and ksim.parse_restriction(text, "left")


def test_refused_requests(
    app: FastAPI, client: TestClient, csrf: dict[str, str], solver: FakeSolver, store: Store
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    url = f"/api/v1/visits/{vid}/simulations"
    r = client.post(url, json=BODY, headers=csrf)
    assert r.status_code == 409 and "no finished analysis" in r.json()["detail"]
    assert 'id="whatif"' not in client.get(f"/visits/{vid}").text  # no panel: no analysis

    cases = [
        ({"restrictions": ["knee_bend=20"]}, "restrictions[0]"),
        ({"restrictions": ["knee_flexion_max=20", "knee_flexion_max=200"]}, "restrictions[1]"),
        ({"restrictions": ["knee_flexion_max=20"], "side": "up"}, "side"),
        ({"restrictions": []}, "restrictions"),
        ({"restrictions": ["knee_flexion_max=20"], "stride": "middle"}, "stride"),
        ({"restrictions": ["knee_flexion_max=20", "knee_flexion_max=30"]}, "restrictions"),
        ({"restrictions": ["knee_flexion_max=20"], "compensation": 0}, "compensation"),
        ({"restrictions": ["knee_flexion_max=20"], "compensation": 1.5}, "compensation"),
    ]
    for body, field in cases:
        r = client.post(url, json=body, headers=csrf)
        assert r.status_code == 422 and r.json()["field"] == field, (body, r.text)
    assert client.post(url, json=BODY).status_code == 403  # no CSRF token
    for path in (f"/api/v1/visits/{vid + 1000}/simulations", f"{url}/1", f"{url}/1.pdf"):
        assert client.get(path).status_code == 404
    r = client.post(f"/api/v1/visits/{vid + 1000}/simulations", json=BODY, headers=csrf)
    assert r.status_code == 404
    assert not solver.calls


def test_another_clinics_visit_is_not_found(
    app: FastAPI, client: TestClient, csrf: dict[str, str], solver: FakeSolver,
    no_gait: None, store: Store,
) -> None:  # fmt: skip
    """Under the ``own`` access model another clinician gets 404 on every simulation route."""
    vid = _analysed(store, client, csrf, "Private Patient")
    r = client.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf)
    run_id = r.json()["id"]
    _sims(app).wait()
    r = client.put("/api/v1/admin/settings", json={"patient_access": "own"}, headers=csrf)
    assert r.status_code == 200  # the first account is the clinic's administrator
    with store.session() as db:
        create_user(db, "other@example.org", PASSWORD)
    with TestClient(app) as other:
        oc = login(other, "other@example.org")
        base = f"/api/v1/visits/{vid}/simulations"
        for method, path in (
            ("POST", base),
            ("GET", base),
            ("GET", f"{base}/{run_id}"),
            ("GET", f"{base}/{run_id}.pdf"),
            ("GET", f"{base}/{run_id}.html"),
            ("GET", f"/visits/{vid}/simulations/{run_id}"),
        ):
            r = other.request(method, path, json=BODY if method == "POST" else None, headers=oc)
            assert r.status_code == 404, (method, path, r.status_code)
            assert "Private Patient" not in r.text
        form = {"csrf_token": oc["X-CSRF-Token"], "what": "stiff_knee", "value": "20", "side": "L"}
        assert other.post(f"/visits/{vid}/simulations", data=form).status_code == 404
    assert len(solver.calls) == 1
    # a run of another visit is not found under this one
    vid2 = _analysed(store, client, csrf, "Second Patient")
    assert client.get(f"/api/v1/visits/{vid2}/simulations/{run_id}").status_code == 404


def test_without_opensim(
    app: FastAPI,
    client: TestClient,
    csrf: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
) -> None:
    monkeypatch.setattr(simulations, "opensim_found", lambda: False)
    monkeypatch.setattr(ksim, "whatif", FakeSolver())
    vid = _analysed(store, client, csrf, "No Solver")
    r = client.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf)
    assert r.status_code == 503 and r.json()["field"] == "opensim"
    assert 'pip install "kinchain[sim]"' in r.json()["detail"]
    listed = client.get(f"/api/v1/visits/{vid}/simulations").json()
    assert listed == {
        "schema_version": "1",
        "installed": False,
        "install_hint": ksim.INSTALL_HINT,
        "simulations": [],
    }
    page = client.get(f"/visits/{vid}").text
    assert "Simulations are not installed on this server" in page
    assert f'action="/visits/{vid}/simulations"' not in page


@pytest.mark.parametrize(
    "error",
    [
        ProcessingError(
            "simulation 'baseline' failed in the solver process: IPOPT crashed "
            "(log: /srv/data/tmp/kinchain-sim-123-abc/baseline/solver.log)"
        ),
        RuntimeError("/srv/data/tmp/kinchain-sim-123-abc secret"),
    ],
)
def test_a_failure_is_stored_as_a_safe_message(
    app: FastAPI,
    client: TestClient,
    csrf: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    no_gait: None,
    store: Store,
    error: BaseException,
) -> None:
    fake = FakeSolver(error)
    monkeypatch.setattr(ksim, "whatif", fake)
    monkeypatch.setattr(ksim, "require_opensim", lambda: None)
    vid = _analysed(store, client, csrf, "Failing Patient")
    run_id = client.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf).json()["id"]
    _sims(app).wait()
    run = client.get(f"/api/v1/visits/{vid}/simulations/{run_id}").json()
    assert run["status"] == "failed" and run["result"] is None
    assert run["error"] and "/srv" not in run["error"] and "kinchain-sim" not in run["error"]
    assert "Traceback" not in run["error"]
    if isinstance(error, RuntimeError):
        assert run["error"] == (
            "internal error during the simulation (RuntimeError); see the server log"
        )
    else:
        assert "IPOPT crashed" in run["error"]
    assert client.get(f"/api/v1/visits/{vid}/simulations/{run_id}.pdf").status_code == 409
    page = client.get(f"/visits/{vid}/simulations/{run_id}")
    assert page.status_code == 200 and "The simulation failed" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert "failed:" in client.get(f"/visits/{vid}").text


def test_failure_words() -> None:
    from kinchain.sim import SimulationTimeout, SolveInfo

    solve = SolveInfo(False, "Maximum_Iterations_Exceeded", 1500, 80.0, 95.0, 40, 3.2, {}, True)
    text = failure_message(SimulationNotConverged("knee_flexion_max=20@left", solve), {})
    assert text.startswith("the solver found no solution (1500 iterations)")
    assert "knee_flexion_max" not in text
    text = failure_message(SimulationTimeout("knee_flexion_max=20@left", 180.0, 312), {})
    assert "time limit of 180 s" in text and "312" in text and "knee_flexion" not in text


def test_a_run_left_running_is_resumed(
    client: TestClient,
    csrf: dict[str, str],
    solver: FakeSolver,
    no_gait: None,
    store: Store,
    tmp_path: Path,
) -> None:
    vid = _analysed(store, client, csrf, "Resumed Patient")
    with store.session() as db:
        row = SimulationRun(
            visit_id=vid,
            restrictions_json='["knee_flexion_max=20@left"]',
            side="left",
            coarse=True,
            status="running",
            stage="simulating the measured stride",
            iterations=40,
        )
        db.add(row)
        db.flush()
        run_id = row.id
    waiting = client.get(f"/visits/{vid}/simulations/{run_id}")  # jobs of this app never ran it
    assert (
        'http-equiv="refresh"' in waiting.text and "40</strong> solver iterations" in waiting.text
    )
    restarted = make_app(store, tmp_path)
    with TestClient(restarted) as c2:
        login(c2)
        _sims(restarted).wait()
        run = c2.get(f"/api/v1/visits/{vid}/simulations/{run_id}").json()
    assert run["status"] == "done" and run["iterations"] == 12
    assert len(solver.calls) == 1
    with store.session() as db:
        assert "simulation.resume" in set(db.scalars(select(AuditEvent.action)).all())


class SlowSolver:
    """Stands for :func:`kinchain.sim.whatif` whose solve takes a minute: a child process named
    as the solver's (``kinchain.sim._worker``, leader of its own process group), waited for."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None

    def __call__(self, source: Any, scenarios: Any, **kw: Any) -> Any:
        code = "import time; time.sleep(60)"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, "kinchain.sim._worker"], start_new_session=True
        )
        self.started.set()
        if self.proc.wait() != 0:
            raise ProcessingError(f"the solver process ended with {self.proc.returncode}")
        return stiff_knee_whatif()


def test_a_server_stop_stops_the_solver_and_keeps_the_run(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, no_gait: None, store: Store
) -> None:
    slow = SlowSolver()
    monkeypatch.setattr(ksim, "whatif", slow)
    monkeypatch.setattr(ksim, "require_opensim", lambda: None)
    with TestClient(app) as c:
        csrf = login(c)
        vid = _analysed(store, c, csrf, "Stopped Patient")
        run_id = c.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf).json()["id"]
        assert slow.started.wait(30)
        t0 = time.monotonic()
    assert time.monotonic() - t0 < 20  # not the solve's minute
    assert slow.proc is not None and slow.proc.poll() is not None  # the solver was stopped
    with store.session() as db:
        row = db.get(SimulationRun, run_id)
        assert row is not None
        assert row.status == "queued" and "next start" in row.stage and row.error is None


def test_a_visit_deleted_with_its_simulations(
    app: FastAPI,
    client: TestClient,
    csrf: dict[str, str],
    solver: FakeSolver,
    no_gait: None,
    store: Store,
) -> None:
    vid = _analysed(store, client, csrf, "Cascade Patient")
    client.post(f"/api/v1/visits/{vid}/simulations", json=BODY, headers=csrf)
    _sims(app).wait()
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None and len(v.simulations) == 1
        db.delete(v.patient)
    with store.session() as db:
        assert db.scalars(select(SimulationRun)).all() == []


def test_runs_stored_before_0007_were_solved_with_the_other_joints_held(
    backend: str, tmp_path: Path
) -> None:
    url = database_at(backend, tmp_path, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        insert_old_patient(conn)
        conn.execute(
            text(
                "INSERT INTO visits (id, patient_id, visit_date, label, created_at, updated_at,"
                " status, progress, stage, attempts)"
                " VALUES (1, 1, '2026-12-01', 'before 0007', '2026-12-01 10:00:00',"
                " '2026-12-01 10:00:00', 'done', 100, 'done', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO simulation_runs (id, visit_id, created_at, restrictions_json, side,"
                " coarse, status, stage, iterations, result_json)"
                " VALUES (1, 1, '2026-12-01 11:00:00', :spec, 'left', :coarse, 'done', 'done',"
                " 300, '{}')"
            ),
            {"spec": json.dumps(["knee_flexion_max=20@left"]), "coarse": True},
        )
    engine.dispose()
    store = Store(url, tmp_path / "blobs")  # upgrades to head
    try:
        with store.session() as db:
            run = db.get(SimulationRun, 1)
            assert run is not None and run.status == "done" and run.iterations == 300
            assert run.compensation == 1.0 and run.result_json == "{}"
            assert panel_row(run)["compensating"] is False
    finally:
        store.engine.dispose()
