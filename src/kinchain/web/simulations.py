""" "What if" simulations of a visit in the web app (issue 14): a background job that simulates the
visit's analysed stride with a restriction of the chain (:func:`kinchain.sim.whatif`), the API to
ask for one and read it, and the pages (the visit's "What if" panel and a run's page).

A solve takes minutes and uses both cores, so simulations run one at a time in their own
single-worker executor (:class:`SimulationRunner`), never in the analyses' pool. Progress (stage,
solver iterations) is written at most every :data:`PROGRESS_EVERY_S` seconds; a finished run
stores the result (:meth:`kinchain.sim.WhatIf.to_dict`) and its report section rendered as HTML
and PDF (blobs); a failed run stores a message safe to show (no traceback, no temporary path);
runs left queued or running by a stopped server are queued again on the next start.

Without OpenSim on the server the API answers 503 with the install hint
(:data:`kinchain.sim.INSTALL_HINT`) and the panel says simulations are not installed.
"""

from __future__ import annotations

import dataclasses
import html
import importlib.util
import json
import logging
import math
import os
import re
import signal
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from kinchain import DISCLAIMER
from kinchain import sim as _sim
from kinchain.errors import InputError, KinchainError
from kinchain.report.document import Document, Heading, KeyValues, Para
from kinchain.report.html import render_html
from kinchain.report.pdf import render_pdf
from kinchain.report.whatif import describe_restriction, whatif_figures, whatif_section
from kinchain.sim.restrictions import KINDS
from kinchain.sim.stride import default_stride_side
from kinchain.store import SimulationRun, Store, User, Visit
from kinchain.store.models import utcnow
from kinchain.web import services as sv
from kinchain.web.audit import record
from kinchain.web.context import ApiError, DbId, Principal, api_user, ctx, page_user
from kinchain.web.jobs import JobRunner, private_scratch, safe_error, visit_identity
from kinchain.web.pages import _check_csrf, _visit_context, render
from kinchain.web.serial import SerialRunner

if TYPE_CHECKING:
    from kinchain.gait.cycles_types import Side
    from kinchain.report.document import Block, Identity
    from kinchain.sim import Restriction, WhatIf

log = logging.getLogger("kinchain.web.simulations")

api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)
ApiUser = Annotated[Principal, Depends(api_user)]
PageUser = Annotated[Principal, Depends(page_user)]

#: A run's statuses, in the order a run goes through them.
STATUSES = ("queued", "running", "done", "failed")
WAITING = ("queued", "running")
#: Seconds between two progress writes of a running simulation (at most).
PROGRESS_EVERY_S = 2.0
#: Restrictions one request may combine.
MAX_RESTRICTIONS = 4
#: The panel's "let the other joints adapt" box: their tracking x this in the restricted walk
#: (the README's what-if section: on the demo only 0.1 kept the stiff-knee walk within
#: OpenSim's residual guidance and its swing foot off the floor for most of the swing).
FORM_COMPENSATION = 0.1
_SCRATCH = "kinchain-sim-"  # prefix of a run's temporary folder (it holds the solver's files)
#: The run page's own policy, as the patient summary's: inline styles, no script, no loads.
SECTION_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)
#: The run page's policy while it waits: the app's styles, and it reloads itself (meta refresh).
WAITING_REFRESH_S = 5


# ---------------------------------------------------------------------------------- the runner
class SimulationRunner(SerialRunner):
    """One worker thread running the visits' simulations in submission order.

    Parameters
    ----------
    store
        The service's store (rows and blobs).
    jobs
        The analyses' runner: :meth:`JobRunner.gait_for` gives a visit's current analysis.
    start
        False: nothing runs (submitting is a no-op), as :class:`JobRunner`.
    work_dir
        Where a run's owner-only temporary folder goes (default: the analyses' one, inside the
        data directory); the solver's files are removed when the run ends.
    """

    def __init__(
        self,
        store: Store,
        jobs: JobRunner,
        *,
        start: bool = True,
        work_dir: Path | None = None,
    ) -> None:
        super().__init__("kinchain-sim", start=start, requeue_running=False)
        self.store = store
        self.jobs = jobs
        self.work_dir = work_dir if work_dir is not None else jobs.work_dir
        self._missing: tuple[bool, str | None] | None = None
        self._stopping = threading.Event()

    # ------------------------------------------------------------------ OpenSim
    def opensim_missing(self) -> str | None:
        """None when OpenSim is installed on this server, else what to install
        (:data:`kinchain.sim.INSTALL_HINT`). Checked once, by finding the package without
        importing it (an import takes seconds, which the first visit page would wait for); an
        OpenSim without Moco is found by the run itself, which then fails with the same hint."""
        with self._lock:
            known = self._missing
        if known is None:
            known = (False, None) if opensim_found() else (True, _sim.INSTALL_HINT)
            with self._lock:
                self._missing = known
        return known[1] if known[0] else None

    # ------------------------------------------------------------------ scheduling
    def recover(self) -> list[int]:
        """Queue again the runs that were queued or running when the service stopped (their
        solver process died with it), and remove the temporary folders they left."""
        from kinchain._scratch import remove_stale

        for gone in remove_stale(self.work_dir, _SCRATCH):
            log.info("removed the temporary folder %s of a stopped simulation", gone.name)
        with self.store.session() as db:
            rows = db.scalars(
                select(SimulationRun)
                .where(SimulationRun.status.in_(WAITING))
                .order_by(SimulationRun.id)
            ).all()
            ids = [r.id for r in rows]
            for r in rows:
                r.status = "queued"
                r.stage = "resumed after a restart"
                r.iterations = 0
                record(db, action="simulation.resume", actor="system", target=("visit", r.visit_id))
        for i in ids:
            self.submit(i)
        return ids

    def shutdown(self) -> None:
        """Stop: runs still waiting stay queued, a run in progress has its solver process
        stopped (:func:`stop_solvers`) and is left queued; both run again on the next start
        (:meth:`recover`). The server does not wait minutes for a solve to end."""
        self._stopping.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            while self.unfinished():  # a run may start its next solve meanwhile: stop it too
                stop_solvers()
                time.sleep(0.2)
            self._pool.shutdown(wait=True)

    # ------------------------------------------------------------------ the job
    def _progress(self, run_id: int, stage: str, iterations: int) -> None:
        with self.store.session() as db:
            r = db.get(SimulationRun, run_id)
            if r is not None:
                r.stage = stage[:200]
                r.iterations = iterations

    def run(self, run_id: int) -> None:
        """Run one simulation now (in the calling thread): the visit's current analysis,
        simulated with the run's restrictions; the result, or a safe message, stored."""
        with self.store.session() as db:
            r = db.get(SimulationRun, run_id)
            if r is None or r.status not in WAITING:
                return
            v = r.visit
            if v.current_upload_id is None or v.analysis_json is None:
                r.status, r.stage = "failed", "failed"
                r.error = "the visit has no finished analysis to simulate"
                r.finished_at = utcnow()
                return
            r.status = "running"
            r.stage = "preparing the stride"
            r.iterations = 0
            r.error = None
            r.started_at = utcnow()
            r.upload_id = v.current_upload_id
            visit_id = v.id
            texts = json.loads(r.restrictions_json)
            side, stride_side, coarse = r.side, r.stride_side, r.coarse
            compensation = r.compensation
            asker = db.get(User, r.created_by) if r.created_by is not None else None
            identity = visit_identity(v, asker.email if asker is not None else None)
        names: dict[str, str] = {}
        created: list[str] = []
        counter = _Counter(self, run_id)
        try:
            scenario = _sim.parse_restrictions(texts, side=side)
            gait = self.jobs.gait_for(visit_id)
            chosen: Side = default_stride_side(gait, scenario)
            if stride_side in ("left", "right"):
                chosen = "left" if stride_side == "left" else "right"
            settings = _sim.SolverSettings.coarse() if coarse else _sim.SolverSettings()
            settings = dataclasses.replace(settings, compensation_weight=compensation)
            self._progress(run_id, "simulating the measured stride", 0)
            with private_scratch(self.work_dir, _SCRATCH) as tmp:
                names[tmp] = "the simulation's folder"
                w = _sim.whatif(
                    gait,
                    [scenario],
                    side=chosen,
                    settings=settings,
                    workdir=tmp,
                    progress=counter,
                )
            counter.flush()
            self._progress(run_id, "rendering the section", counter.total)
            result = json.dumps(w.to_dict(), allow_nan=False)
            page, pdf = render_section(w, identity)
            html_sha, new_html = self.store.blobs.put(page.encode("utf-8"))
            if new_html:
                created.append(html_sha)
            pdf_sha, new_pdf = self.store.blobs.put(pdf)
            if new_pdf:
                created.append(pdf_sha)
            with self.store.session() as db:
                r = db.get(SimulationRun, run_id)
                if r is None:
                    raise LookupError("simulation deleted while it ran")
                r.result_json = result
                r.html_sha, r.pdf_sha = html_sha, pdf_sha
                r.status, r.stage = "done", "done"
                r.iterations = counter.total
                r.finished_at = utcnow()
                record(db, action="simulation.done", actor="system", target=("visit", visit_id))
        except Exception as exc:
            for sha in created:
                self.store.blobs.delete(sha)
            if self._stopping.is_set():  # the server stops: run it again on the next start
                with self.store.session() as db:
                    r = db.get(SimulationRun, run_id)
                    if r is not None:
                        r.status = "queued"
                        r.stage = "stopped with the server; it runs again on the next start"
                        r.iterations = 0
                return
            log.warning(
                "simulation %s of visit %s failed: %s", run_id, visit_id, type(exc).__name__
            )
            message = failure_message(exc, names)
            with self.store.session() as db:
                r = db.get(SimulationRun, run_id)
                if r is not None:
                    r.status, r.stage = "failed", "failed"
                    r.error = message
                    r.iterations = max(r.iterations, counter.total)
                    r.finished_at = utcnow()
                    record(
                        db, action="simulation.failed", actor="system", target=("visit", visit_id)
                    )


def opensim_found() -> bool:
    """Whether the ``opensim`` package is installed (found, not imported)."""
    try:
        return importlib.util.find_spec("opensim") is not None
    except (ImportError, ValueError):
        return False


def stop_solvers() -> list[int]:
    """Kill the solver processes this process started (``python -m kinchain.sim._worker``,
    each the leader of its own process group), found in ``/proc``; their ids. Nothing where
    there is no ``/proc``."""
    me = os.getpid()
    stopped: list[int] = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != me or b"kinchain.sim._worker" not in (entry / "cmdline").read_bytes():
                continue
            pid = int(entry.name)
            os.killpg(pid, signal.SIGKILL)
            stopped.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return stopped


class _Counter:
    """The solver's progress callback: counts the iterations of every solve so far and writes
    them (with the stage) at most every :data:`PROGRESS_EVERY_S` seconds."""

    def __init__(self, runner: SimulationRunner, run_id: int) -> None:
        self.runner = runner
        self.run_id = run_id
        self.done_before = 0  # iterations of the solves already finished
        self.label = ""
        self.current = 0
        self.last_write = 0.0

    @property
    def total(self) -> int:
        return self.done_before + self.current

    @property
    def stage(self) -> str:
        if self.label in ("", "baseline"):
            return "simulating the measured stride"
        return "simulating the restriction"

    def __call__(self, label: str, iteration: int) -> None:
        if label != self.label:
            self.done_before += self.current
            self.label, self.current = label, 0
        self.current = max(self.current, iteration)
        now = time.monotonic()
        if now - self.last_write >= PROGRESS_EVERY_S:
            self.last_write = now
            self.runner._progress(self.run_id, self.stage, self.total)

    def flush(self) -> None:
        self.runner._progress(self.run_id, self.stage, self.total)


_LOG_PATH = re.compile(r"\s*\(log: [^)]*\)")


def failure_message(exc: BaseException, names: dict[str, str]) -> str:
    """What the page says about a failed simulation: why in words, no traceback, no temporary
    path, no internal restriction names."""
    if isinstance(exc, _sim.SimulationNotConverged):
        return (
            f"the solver found no solution ({exc.solve.iterations} iterations): no result is "
            "given; another value, or the fine mesh, may converge"
        )
    if isinstance(exc, _sim.SimulationTimeout):
        return (
            f"the simulation stopped at the time limit of {exc.limit_s:.0f} s (after "
            f"{exc.iterations} solver iterations): no result is given"
        )
    if isinstance(exc, InputError):
        return _LOG_PATH.sub("", safe_error(InputError("", exc.problem), names)).removeprefix(": ")
    if isinstance(exc, KinchainError):
        return _LOG_PATH.sub("", safe_error(exc, names))
    return f"internal error during the simulation ({type(exc).__name__}); see the server log"


def render_section(w: WhatIf, identity: Identity) -> tuple[str, bytes]:
    """The "What if" section of ``w`` as a document of its own (the patient and visit, the
    section, the disclaimer), rendered as HTML and PDF."""
    figures = whatif_figures(w)
    names = [f"whatif_{k + 1}" for k in range(len(w.restricted))]
    blocks: list[Block] = []
    pairs = [
        ("Patient", identity.patient_line()),
        ("Visit", identity.visit_line().removeprefix("visit ")),
    ]
    kept = tuple((k, x) for k, x in pairs if x)
    if kept:
        blocks.append(KeyValues(kept, columns=1))
    blocks.extend(whatif_section(w, names))
    blocks.append(Heading("Disclaimer", 2, "disclaimer"))
    blocks.append(Para(DISCLAIMER, tone="caveat"))
    doc = Document(
        title="What if: a simulated restriction",
        subtitle=identity.patient_line(),
        blocks=tuple(blocks),
        footer=DISCLAIMER,
        meta={"generated": utcnow().isoformat(timespec="seconds")},
        identity=None if identity.is_empty() else identity,
    )
    return render_html(doc, figures), render_pdf(doc, figures)


def with_links(page: str, links: Sequence[tuple[str, str]]) -> str:
    """The stored section's HTML with ``links`` above its title, as
    :func:`kinchain.report.html.render_html`'s ``links`` draws them."""
    bar = "".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for t, h in links)
    return page.replace("<main>", f'<main><nav class="links">{bar}</nav>', 1)


# ---------------------------------------------------------------------------------- the API
class SimulationIn(BaseModel):
    """A simulation to run on the visit's analysed stride."""

    model_config = ConfigDict(extra="forbid")

    restrictions: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1,
        max_length=MAX_RESTRICTIONS,
        description="Solved together, each NAME=VALUE (optionally NAME=VALUE@L): "
        "knee_flexion_max=DEG (stiff knee), knee_extension_deficit=DEG (flexion contracture), "
        "ankle_dorsiflexion_max=DEG, plantarflexor_strength=FACTOR (0-1, weak push-off), "
        "knee_release (a normal knee range).",
        examples=[["knee_flexion_max=20"]],
    )
    side: str = Field(
        default="both", max_length=10, description="L, R or both: the side restricted."
    )
    stride: Literal["left", "right"] | None = Field(
        default=None,
        description="Whose stride to simulate; null: the restricted side, else the side with a "
        "force-plate stance.",
    )
    coarse: bool = Field(
        default=False, description="A coarse mesh: about twice as fast, less accurate."
    )
    compensation: float = Field(
        default=1.0,
        ge=0.01,
        le=1.0,
        description="How tightly the joints the restriction does not act on (and the pelvis "
        "and trunk) keep their measured curves, as a factor on their tracking: 1 keeps them, "
        "so that only the restriction changes; e.g. 0.1 lets them compensate for it.",
    )


class SimulationOut(BaseModel):
    schema_version: Literal["1"] = "1"
    id: int
    visit_id: int
    status: Literal["queued", "running", "done", "failed"]
    stage: str
    iterations: int = Field(description="Solver iterations so far, all solves together.")
    restrictions: list[str]
    side: str
    stride: str | None
    coarse: bool
    compensation: float
    upload_id: int | None
    created_at: str
    created_by: str | None
    started_at: str | None
    finished_at: str | None
    error: str | None
    links: dict[str, str] = Field(description="The page, the HTML and the PDF once done.")
    result: dict[str, Any] | None = Field(
        default=None,
        description="When done (the run alone, not in the list): the baseline and restricted "
        "simulations and their comparison, every value a prediction from a simplified model.",
    )


class SimulationListOut(BaseModel):
    schema_version: Literal["1"] = "1"
    installed: bool = Field(description="Whether this server can run simulations (OpenSim).")
    install_hint: str | None
    simulations: list[SimulationOut]


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t is not None else None


def run_dict(r: SimulationRun, emails: dict[int, str], *, result: bool = False) -> dict[str, Any]:
    """One run as the API and the pages show it."""
    base = f"/api/v1/visits/{r.visit_id}/simulations/{r.id}"
    links = {"page": f"/visits/{r.visit_id}/simulations/{r.id}"}
    if r.status == "done":
        links.update(html=f"{base}.html", pdf=f"{base}.pdf")
    return {
        "id": r.id,
        "visit_id": r.visit_id,
        "status": r.status,
        "stage": r.stage,
        "iterations": r.iterations,
        "restrictions": json.loads(r.restrictions_json),
        "side": r.side,
        "stride": r.stride_side,
        "coarse": r.coarse,
        "compensation": r.compensation,
        "upload_id": r.upload_id,
        "created_at": _iso(r.created_at) or "",
        "created_by": emails.get(r.created_by) if r.created_by is not None else None,
        "started_at": _iso(r.started_at),
        "finished_at": _iso(r.finished_at),
        "error": r.error,
        "links": links,
        "result": json.loads(r.result_json) if result and r.result_json else None,
    }


def _emails(db: Any, runs: Sequence[SimulationRun]) -> dict[int, str]:
    ids = {r.created_by for r in runs if r.created_by is not None}
    if not ids:
        return {}
    return {u.id: u.email for u in db.scalars(select(User).where(User.id.in_(ids)))}


def runner_of(request: Request) -> SimulationRunner:
    r: SimulationRunner = request.app.state.simulations
    return r


def parse_spec(restrictions: Sequence[str], side: str) -> tuple[Restriction, ...]:
    """The request's restrictions, checked as the solver will read them.

    Raises
    ------
    ApiError
        422 naming the field: ``side``, ``restrictions[i]`` for one restriction, or
        ``restrictions`` for a combination that cannot be solved together.
    """
    try:
        chosen = _sim.parse_side(side, "side")
    except InputError as exc:
        raise ApiError(422, "side", exc.problem) from None
    for i, text in enumerate(restrictions):
        try:
            _sim.parse_restriction(text, chosen)
        except InputError as exc:
            raise ApiError(422, f"restrictions[{i}]", exc.problem) from None
    try:
        return _sim.parse_restrictions(list(restrictions), side=chosen)
    except InputError as exc:
        raise ApiError(422, "restrictions", exc.problem) from None


def create_run(
    request: Request,
    user: Principal,
    visit_id: int,
    restrictions: Sequence[str],
    side: str,
    stride: str | None,
    coarse: bool,
    compensation: float = 1.0,
) -> int:
    """Check and queue a simulation of the visit; its id.

    Raises
    ------
    ApiError
        404 when ``user`` may not see the visit; 422 for a bad spec (the field named); 409 when
        the visit has no finished analysis; 503 when OpenSim is not installed on the server.
    """
    c = ctx(request)
    sims = runner_of(request)
    with c.store.session() as db:
        sv.get_visit(db, visit_id, user)
    scenario = parse_spec(restrictions, side)
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        if v.analysis_json is None or v.current_upload_id is None:
            raise ApiError(
                409, "visit_id", "the visit has no finished analysis yet: upload a trial first"
            )
    missing = sims.opensim_missing()
    if missing is not None:
        raise ApiError(503, "opensim", f"simulations are not installed on this server: {missing}")
    with c.store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        r = SimulationRun(
            visit_id=v.id,
            upload_id=v.current_upload_id,
            created_by=user.user_id,
            restrictions_json=json.dumps([x.label() for x in scenario]),
            side=scenario[0].side if len({x.side for x in scenario}) == 1 else "both",
            stride_side=stride,
            coarse=coarse,
            compensation=compensation,
            status="queued",
            stage="queued",
        )
        db.add(r)
        db.flush()
        run_id = r.id
        record(
            db,
            action="simulation.create",
            actor="user",
            user_id=user.user_id,
            target=("visit", v.id),
        )
    sims.submit(run_id)
    return run_id


def _run_row(db: Any, user: Principal, visit_id: int, run_id: int) -> SimulationRun:
    sv.get_visit(db, visit_id, user)
    r = db.get(SimulationRun, run_id)
    if r is None or r.visit_id != visit_id:
        raise ApiError(404, "run_id", "no such simulation of this visit")
    assert isinstance(r, SimulationRun)
    return r


def _blob_of(request: Request, user: Principal, visit_id: int, run_id: int, kind: str) -> bytes:
    c = ctx(request)
    with c.store.session() as db:
        r = _run_row(db, user, visit_id, run_id)
        sha = r.html_sha if kind == "html" else r.pdf_sha
        if r.status != "done" or sha is None:
            raise ApiError(409, "run_id", f"no result: the simulation is {r.status}")
    return c.store.blobs.get(sha)


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such visit (or not yours to see), or no such simulation of it."},
    409: {"description": "The visit has no finished analysis (POST), or no result yet (files)."},
    422: {"description": "A bad spec: `field` names it (`side`, `restrictions[i]`)."},
    503: {"description": "OpenSim is not installed on this server: the detail says how."},
}


@api_router.post(
    "/visits/{visit_id}/simulations",
    status_code=202,
    response_model=SimulationOut,
    tags=["simulation"],
    responses={k: _ERRORS[k] for k in (404, 409, 422, 503)},
)
def post_simulation(
    visit_id: DbId, body: SimulationIn, request: Request, user: ApiUser
) -> dict[str, Any]:
    """Simulate the visit's analysed stride with a restriction of the chain (baseline, then
    restricted, compared): a background job of minutes. Poll ``GET .../simulations/{id}``; its
    values are predictions from a simplified planar musculoskeletal model, not measurements.
    503 when this server has no OpenSim (``pip install "kinchain[sim]"``)."""
    run_id = create_run(
        request,
        user,
        visit_id,
        body.restrictions,
        body.side,
        body.stride,
        body.coarse,
        body.compensation,
    )
    with ctx(request).store.session() as db:
        r = _run_row(db, user, visit_id, run_id)
        return run_dict(r, _emails(db, [r]))


@api_router.get(
    "/visits/{visit_id}/simulations",
    response_model=SimulationListOut,
    tags=["simulation"],
    responses={404: _ERRORS[404]},
)
def list_simulations(visit_id: DbId, request: Request, user: ApiUser) -> dict[str, Any]:
    """The visit's simulations, newest first (without their results), and whether this server
    can run them."""
    missing = runner_of(request).opensim_missing()
    with ctx(request).store.session() as db:
        v = sv.get_visit(db, visit_id, user)
        runs = list(reversed(v.simulations))
        emails = _emails(db, runs)
        items = [run_dict(r, emails) for r in runs]
    return {"installed": missing is None, "install_hint": missing, "simulations": items}


@api_router.get(
    "/visits/{visit_id}/simulations/{run_id}.pdf",
    tags=["simulation"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: _ERRORS[404], 409: _ERRORS[409]},
)
def simulation_pdf(visit_id: DbId, run_id: DbId, request: Request, user: ApiUser) -> Response:
    """The finished simulation's report section (A4 PDF, with the patient and visit)."""
    return Response(
        _blob_of(request, user, visit_id, run_id, "pdf"),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="whatif-visit-{visit_id}-{run_id}.pdf"'},
    )


@api_router.get(
    "/visits/{visit_id}/simulations/{run_id}.html",
    tags=["simulation"],
    response_class=HTMLResponse,
    responses={404: _ERRORS[404], 409: _ERRORS[409]},
)
def simulation_html(visit_id: DbId, run_id: DbId, request: Request, user: ApiUser) -> Response:
    """The finished simulation's report section as one self-contained HTML file."""
    return Response(
        _blob_of(request, user, visit_id, run_id, "html"),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": SECTION_CSP},
    )


@api_router.get(
    "/visits/{visit_id}/simulations/{run_id}",
    response_model=SimulationOut,
    tags=["simulation"],
    responses={404: _ERRORS[404]},
)
def get_simulation(visit_id: DbId, run_id: DbId, request: Request, user: ApiUser) -> dict[str, Any]:
    """One simulation: its status and progress (stage, solver iterations), the error of a
    failed one, and the result of a finished one."""
    with ctx(request).store.session() as db:
        r = _run_row(db, user, visit_id, run_id)
        return run_dict(r, _emails(db, [r]), result=True)


# ---------------------------------------------------------------------------------- the pages
#: The panel's choices: (value, words, restriction name, unit of the value typed).
CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("stiff_knee", "Stiff knee: the knee bends no more than … degrees", "knee_flexion_max", "deg"),
    (
        "contracture",
        "Flexion contracture: the knee does not straighten past … degrees",
        "knee_extension_deficit",
        "deg",
    ),
    (
        "dorsiflexion",
        "Limited dorsiflexion: the ankle bends up no more than … degrees",
        "ankle_dorsiflexion_max",
        "deg",
    ),
    ("push_off", "Weak push-off: calf strength … % of normal", "plantarflexor_strength", "%"),
    ("normal_knee", "Normal knee range: the knee moves as a typical knee", "knee_release", ""),
)
_CHOICE = {c[0]: c for c in CHOICES}
_SIDE_WORDS = {"L": "left", "R": "right", "both": "both sides"}


def form_restriction(what: str, value: str) -> tuple[str, str]:
    """The panel's choice and typed value as a restriction string, checked in words.

    Returns
    -------
    (restriction, problem)
        The string for :func:`kinchain.sim.parse_restriction`, or ``("", problem)`` with
        the problem in words for the form.
    """
    choice = _CHOICE.get(what)
    if choice is None:
        return "", "Choose what to simulate."
    _, _, name, unit = choice
    if name == "knee_release":
        return name, ""
    try:
        number = float(value.replace(",", ".").strip())
    except ValueError:
        return "", "Give the value as a number."
    if not math.isfinite(number):
        return "", "Give the value as a number."
    kind = "knee_flexion_min" if name == "knee_extension_deficit" else name
    _, lo, hi = KINDS[kind]
    if unit == "%":
        if not 0 < number <= 100:
            return "", "Give the calf strength as a percentage above 0 and at most 100."
        return f"{name}={number / 100:g}", ""
    if not lo <= number <= hi:
        return "", f"Give the angle in degrees, between {lo:g} and {hi:g}."
    return f"{name}={number:g}", ""


def panel(store: Store, runner: SimulationRunner, visit_id: int) -> dict[str, Any]:
    """What the visit page's "What if" panel shows: whether simulations can run here, the
    choices, and the visit's runs (newest first) in words."""
    missing = runner.opensim_missing()
    with store.session() as db:
        v = db.get(Visit, visit_id)
        runs = list(reversed(v.simulations)) if v is not None else []
        rows = [
            {
                **panel_row(r),
                "asked": (_iso(r.created_at) or "")[:16].replace("T", " "),
                "href": f"/visits/{visit_id}/simulations/{r.id}",
            }
            for r in runs
        ]
    return {
        "installed": missing is None,
        "choices": [(c[0], c[1]) for c in CHOICES],
        "runs": rows,
        "waiting": any(r["status"] in WAITING for r in rows),
    }


@page_router.post("/visits/{visit_id}/simulations", response_class=HTMLResponse)
def simulation_form(
    request: Request,
    user: PageUser,
    visit_id: DbId,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    what: Annotated[str, Form(max_length=30)] = "",
    value: Annotated[str, Form(max_length=30)] = "",
    side: Annotated[str, Form(max_length=10)] = "",
    coarse: Annotated[str, Form(max_length=10)] = "",
    compensate: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The panel's form: queue a simulation and come back to the visit; a problem is shown in
    the panel in words."""
    _check_csrf(request, user, csrf_token)
    with ctx(request).store.session() as db:
        sv.get_visit(db, visit_id, user)
    text, problem = form_restriction(what, value)
    if not problem and side not in _SIDE_WORDS:
        problem = "Choose the side: left, right or both."
    if not problem:
        try:
            create_run(
                request,
                user,
                visit_id,
                [text],
                side,
                None,
                coarse == "yes",
                FORM_COMPENSATION if compensate == "yes" else 1.0,
            )
        except ApiError as exc:
            if exc.status == 404:
                raise
            problem = {
                409: "The visit has no finished analysis yet: upload a trial first.",
                503: "Simulations are not installed on this server.",
            }.get(exc.status, "This cannot be simulated; check the value.")
    if problem:
        data = _visit_context(request, visit_id, user)
        return render(
            request,
            "visit.html",
            status=422,
            user=user,
            link=None,
            sim_error=problem,
            sim_form={
                "what": what,
                "value": value,
                "side": side,
                "coarse": coarse,
                "compensate": compensate,
            },
            **data,
        )
    return RedirectResponse(f"/visits/{visit_id}#whatif", status_code=303)


@page_router.get("/visits/{visit_id}/simulations/{run_id}", response_class=HTMLResponse)
def simulation_page(visit_id: DbId, run_id: DbId, request: Request, user: PageUser) -> Response:
    """A run's page: the rendered section with the way back and the PDF once done; its status
    (reloading itself while it waits or runs) before; the reason when it failed."""
    c = ctx(request)
    with c.store.session() as db:
        r = _run_row(db, user, visit_id, run_id)
        v = r.visit
        info = panel_row(r)
        patient = {"id": v.patient.id, "name": v.patient.name}
        visit = {"id": v.id, "visit_date": v.visit_date, "label": v.label}
        sha = r.html_sha if r.status == "done" else None
    if sha is not None:
        links = (
            ("← Back to the visit", f"/visits/{visit_id}#whatif"),
            ("Download the PDF", f"/api/v1/visits/{visit_id}/simulations/{run_id}.pdf"),
        )
        page = with_links(c.store.blobs.get(sha).decode("utf-8"), links)
        return HTMLResponse(page, headers={"Content-Security-Policy": SECTION_CSP})
    return render(
        request,
        "simulation.html",
        user=user,
        run=info,
        patient=patient,
        visit=visit,
        refresh_s=WAITING_REFRESH_S if info["status"] in WAITING else None,
    )


def panel_row(r: SimulationRun) -> dict[str, Any]:
    """One run in words, for its page and the panel."""
    try:
        words = "; ".join(
            describe_restriction(x)
            for x in _sim.parse_restrictions(json.loads(r.restrictions_json), side=r.side)
        )
    except (InputError, ValueError):
        words = "a restriction this version cannot read"
    return {
        "id": r.id,
        "what": words[:1].upper() + words[1:],
        "status": r.status,
        "stage": r.stage,
        "iterations": r.iterations,
        "coarse": r.coarse,
        "compensating": r.compensation < 1.0,
        "error": r.error,
    }


def attach(app: FastAPI, runner: SimulationRunner, templates: Jinja2Templates) -> None:
    """Make ``runner`` the app's simulation runner and give the visit page its panel
    (``simulation_panel(visit_id)`` in the templates)."""
    app.state.simulations = runner
    store = runner.store

    def simulation_panel(visit_id: int) -> dict[str, Any]:
        return panel(store, runner, visit_id)

    templates.env.globals["simulation_panel"] = simulation_panel


__all__ = [
    "STATUSES",
    "SimulationRunner",
    "api_router",
    "attach",
    "default_stride_side",
    "failure_message",
    "form_restriction",
    "page_router",
    "render_section",
]
