"""Background analyses: read the stored trial, process, analyse, assess with the intake, render
the report, and store every result in one transaction. Progress is written as it goes so the
pages can show it; a failure stores only the failure; a crash is resumed on the next start."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kinchain._scratch import owned_prefix, remove_stale
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import assess_with_gait, gait_evidence
from kinchain.errors import InputError, KinchainError
from kinchain.process import process
from kinchain.report import render_report
from kinchain.store import Store, Visit, VisitStatus
from kinchain.web.audit import record
from kinchain.web.curves import curves_payload
from kinchain.web.inputs import InputPaths, measurements_of, read_inputs

log = logging.getLogger("kinchain.web.jobs")

_SCRATCH = "kinchain-job-"  # prefix of a job's temporary folder (it holds the patient's trial)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def safe_error(exc: BaseException, names: dict[str, str]) -> str:
    """A message for the page: kinchain's own errors with temporary paths replaced by the role
    of the file; anything else only by its type (no data of the patient)."""
    if isinstance(exc, KinchainError):
        text = str(exc)
        for path, role in names.items():
            text = text.replace(path, role)
        return text[:1000]
    return f"internal error during the analysis ({type(exc).__name__}); see the server log"


@dataclass(frozen=True)
class _Inputs:
    """What a visit's analysis reads, copied out of its row: the blobs, their names, the typed
    measurements and the trial options."""

    trial_sha: str
    trial_name: str
    grf_sha: str | None = None
    subject_file_sha: str | None = None
    subject_file_name: str | None = None
    static_sha: str | None = None
    static_name: str | None = None
    subject_json: str | None = None
    options_json: str | None = None

    @classmethod
    def of(cls, v: Visit) -> _Inputs:
        assert v.trial_sha is not None
        return cls(
            trial_sha=v.trial_sha,
            trial_name=v.trial_name or "trial.c3d",
            grf_sha=v.grf_sha,
            subject_file_sha=v.subject_file_sha,
            subject_file_name=v.subject_file_name,
            static_sha=v.static_sha,
            static_name=v.static_name,
            subject_json=v.subject_json,
            options_json=v.options_json,
        )

    def key(self) -> str:
        """Everything that changes the analysis, as one string (the cache key)."""
        return json.dumps(
            [
                self.trial_sha,
                self.grf_sha,
                self.subject_file_sha,
                self.static_sha,
                self.subject_json,
                self.options_json,
            ]
        )


class JobRunner:
    """One worker thread running analyses in submission order.

    ``on_stage`` (for tests) is called with ``(visit_id, stage)`` at each step. A job's
    temporary copy of the patient's trial lives in ``work_dir`` (default: ``tmp`` beside the
    store's blob folder, i.e. inside the data directory), in an owner-only folder (0700, files
    0600) named after the server process; :meth:`recover` removes those a killed server left.
    """

    def __init__(
        self,
        store: Store,
        *,
        start: bool = True,
        on_stage: Callable[[int, str], None] | None = None,
        work_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.on_stage = on_stage
        self.work_dir = work_dir if work_dir is not None else store.blobs.root.parent / "tmp"
        self._pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinchain-job") if start else None
        )
        self._futures: dict[int, Future[None]] = {}
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[int, str], GaitAnalysis] = OrderedDict()

    # ------------------------------------------------------------------ scheduling
    def submit(self, visit_id: int) -> None:
        """Queue ``visit_id`` (a no-op if it is already waiting)."""
        if self._pool is None:
            return
        with self._lock:
            fut = self._futures.get(visit_id)
            if fut is not None and not fut.running() and not fut.done():
                return
            self._futures[visit_id] = self._pool.submit(self.run, visit_id)

    def wait(self, timeout: float = 120.0) -> None:
        """Block until every submitted job has finished (tests, benchmarks)."""
        while True:
            with self._lock:
                pending = [f for f in self._futures.values() if not f.done()]
            if not pending:
                return
            for f in pending:
                f.result(timeout=timeout)

    def recover(self) -> list[int]:
        """Re-queue analyses that were queued or running when the service stopped, and remove
        the temporary folders (patient trials) of jobs whose server process is gone."""
        for gone in remove_stale(self.work_dir, _SCRATCH):
            log.info("removed the temporary folder %s of a stopped job", gone.name)
        with self.store.session() as db:
            rows = db.scalars(
                select(Visit).where(
                    Visit.status.in_([VisitStatus.queued.value, VisitStatus.running.value])
                )
            ).all()
            ids = [v.id for v in rows]
            for v in rows:
                v.status = VisitStatus.queued.value
                v.stage = "resumed after a restart"
                v.progress = 0
                record(db, action="analysis.resume", actor="system", target=("visit", v.id))
        for i in ids:
            self.submit(i)
        return ids

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ the job
    def _stage(self, visit_id: int, stage: str, progress: int, status: str | None = None) -> None:
        with self.store.session() as db:
            v = db.get(Visit, visit_id)
            if v is None:
                return
            v.stage = stage
            v.progress = progress
            if status is not None:
                v.status = status
        if self.on_stage is not None:
            self.on_stage(visit_id, stage)

    def run(self, visit_id: int) -> None:
        """Run one visit's analysis now (in the calling thread)."""
        with self.store.session() as db:
            v = db.get(Visit, visit_id)
            if v is None or v.trial_sha is None:
                return
            v.status = VisitStatus.running.value
            v.stage = "reading the trial"
            v.progress = 5
            v.attempts += 1
            v.error = None
            inputs = _Inputs.of(v)
            intake_json = v.intake_json
        created: list[str] = []
        names: dict[str, str] = {}
        try:
            with self._scratch() as tmp:
                key = (visit_id, inputs.key())
                gait = self._cached(key)
                if gait is None:
                    gait = self._analyse(visit_id, tmp, inputs, names)
                    self._remember(key, gait)
                self._stage(visit_id, "assessing", 60)
                report_input: Any = gait
                clinical = None
                if intake_json is not None:
                    joined = assess_with_gait(gait, json.loads(intake_json))
                    report_input = joined
                    clinical = joined.clinical.model_dump_json()
                self._stage(visit_id, "rendering the report", 70)
                report = render_report(report_input)
                self._stage(visit_id, "saving", 95)
                html_sha, new_html = self.store.blobs.put(report.html.encode("utf-8"))
                if new_html:
                    created.append(html_sha)
                pdf_sha, new_pdf = self.store.blobs.put(report.pdf)
                if new_pdf:
                    created.append(pdf_sha)
                evidence = gait_evidence(gait)
                with self.store.session() as db:
                    v = db.get(Visit, visit_id)
                    if v is None:
                        raise LookupError("visit deleted during its analysis")
                    v.analysis_json = json.dumps(gait.to_dict(), allow_nan=False)
                    v.curves_json = json.dumps(curves_payload(gait), allow_nan=False)
                    v.evidence_json = json.dumps(
                        [e.model_dump(mode="json") for e in evidence or []]
                    )
                    if clinical is not None and v.intake_json == intake_json:
                        v.clinical_json = clinical
                    v.report_html_sha = html_sha
                    v.report_pdf_sha = pdf_sha
                    v.status = VisitStatus.done.value
                    v.stage = "done"
                    v.progress = 100
                    rerun = v.intake_json != intake_json
                    record(db, action="analysis.done", actor="system", target=("visit", v.id))
            if rerun:
                self.submit(visit_id)
        except Exception as exc:
            for sha in created:
                self.store.blobs.delete(sha)
            log.warning("analysis of visit %s failed: %s", visit_id, type(exc).__name__)
            message = safe_error(exc, names)
            with self.store.session() as db:
                v = db.get(Visit, visit_id)
                if v is not None:
                    v.status = VisitStatus.failed.value
                    v.stage = "failed"
                    v.progress = 0
                    v.error = message
                    record(db, action="analysis.failed", actor="system", target=("visit", v.id))

    def _scratch(self) -> tempfile.TemporaryDirectory[str]:
        """A new owner-only temporary folder for one job, inside the data directory."""
        self.work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.work_dir, 0o700)
        return tempfile.TemporaryDirectory(dir=self.work_dir, prefix=owned_prefix(_SCRATCH))

    def _analyse(
        self, visit_id: int, tmp: str, inputs: _Inputs, names: dict[str, str]
    ) -> GaitAnalysis:
        """Write the visit's files to ``tmp`` (owner-only) and process them as the CLI's
        ``analyze`` does (:func:`kinchain.web.services.read_inputs`, then
        :func:`kinchain.process.process`)."""
        visit_dir = Path(tmp)

        def write(sha: str | None, filename: str, role: str) -> Path | None:
            if sha is None:
                return None
            path = visit_dir / filename
            _write_private(path, self.store.blobs.get(sha))
            names[str(path)] = role
            return path

        suffix = Path(inputs.trial_name).suffix.lower() or ".c3d"
        subject_suffix = Path(inputs.subject_file_name or "").suffix.lower() or ".mp"
        trial_path = write(inputs.trial_sha, f"trial{suffix}", inputs.trial_name)
        assert trial_path is not None
        paths = InputPaths(
            trial=trial_path,
            grf=write(inputs.grf_sha, "grf.mot", "GRF file"),
            subject_file=write(
                inputs.subject_file_sha,
                f"subject{subject_suffix}",
                inputs.subject_file_name or "subject file",
            ),
            static=write(inputs.static_sha, "static.c3d", inputs.static_name or "static trial"),
        )
        options = json.loads(inputs.options_json) if inputs.options_json else {}
        self._stage(visit_id, "processing the trial", 15)
        trial, subject, process_options = read_inputs(
            paths, options, measurements_of(inputs.subject_json)
        )
        try:
            result = process(trial, subject, process_options)
        except InputError as exc:
            if not any(w in exc.problem.lower() for w in ("plate", "force", "mass")):
                raise
            # No usable force plates or body mass: kinematics only, as `--kinematics-only`.
            result = process(trial, subject, process_options, kinetics=False)
        self._stage(visit_id, "analysing gait", 45)
        return analyze(result)

    def gait_for(self, visit_id: int) -> GaitAnalysis:
        """The visit's gait analysis (cached, else computed again from the stored trial)."""
        with self.store.session() as db:
            v = db.get(Visit, visit_id)
            if v is None or v.trial_sha is None:
                raise LookupError("visit without a trial")
            inputs = _Inputs.of(v)
        key = (visit_id, inputs.key())
        gait = self._cached(key)
        if gait is None:
            with self._scratch() as tmp:
                gait = self._analyse(-1, tmp, inputs, {})
            self._remember(key, gait)
        return gait

    def _cached(self, key: tuple[int, str]) -> GaitAnalysis | None:
        with self._lock:
            return self._cache.get(key)

    def _remember(self, key: tuple[int, str], gait: GaitAnalysis) -> None:
        """Keep the last few analyses in memory (a changed intake re-renders without
        reprocessing the trial)."""
        with self._lock:
            self._cache[key] = gait
            while len(self._cache) > 4:
                self._cache.popitem(last=False)
