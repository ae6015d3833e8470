"""Background analyses: read the stored trial, process, analyse, assess with the intake, render
the report, and store every result in one transaction. Progress is written as it goes so the
pages can show it; a failure stores only the failure; a crash is resumed on the next start."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kinchain._scratch import owned_prefix, remove_stale
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.assessment import assess_with_gait, gait_evidence
from kinchain.errors import InputError, KinchainError
from kinchain.process import process
from kinchain.report import Identity, render_report
from kinchain.session import SessionAnalysis, analyze_session
from kinchain.store import Store, Upload, UploadStatus, User, Visit, VisitStatus
from kinchain.store.models import utcnow
from kinchain.web.audit import record
from kinchain.web.curves import curves_payload, spatiotemporal_table
from kinchain.web.inputs import InputPaths, measurements_of, read_inputs
from kinchain.web.serial import SerialRunner

log = logging.getLogger("kinchain.web.jobs")

_SCRATCH = "kinchain-job-"  # prefix of a job's temporary folder (it holds the patient's trial)
UPLOAD_SCRATCH = "kinchain-upload-"  # the same while an upload is checked


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def private_scratch(work_dir: Path, prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A new owner-only (0700) temporary folder in ``work_dir`` (inside the data directory:
    it holds a patient's files), named after this process so that :func:`remove_stale` can
    remove it after a kill."""
    work_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(work_dir, 0o700)
    return tempfile.TemporaryDirectory(dir=work_dir, prefix=owned_prefix(prefix))


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
    """What one upload's analysis reads, copied out of its row: the walking trial(s) (blob,
    name), the other blobs and their names, the typed measurements and the trial options."""

    trials: tuple[tuple[str, str], ...]
    grf_sha: str | None = None
    subject_file_sha: str | None = None
    subject_file_name: str | None = None
    static_sha: str | None = None
    static_name: str | None = None
    subject_json: str | None = None
    options_json: str | None = None

    @classmethod
    def of(cls, u: Upload) -> _Inputs:
        return cls(
            trials=tuple((t["sha"], t["name"]) for t in json.loads(u.trials_json)),
            grf_sha=u.grf_sha,
            subject_file_sha=u.subject_file_sha,
            subject_file_name=u.subject_file_name,
            static_sha=u.static_sha,
            static_name=u.static_name,
            subject_json=u.subject_json,
            options_json=u.options_json,
        )

    @property
    def trial_name(self) -> str:
        """The trial's name; for a session, the names joined (as the visit shows them)."""
        return ", ".join(name for _, name in self.trials)[:255]

    def key(self) -> str:
        """Everything that changes the analysis, as one string (the cache key)."""
        return json.dumps(
            [
                [sha for sha, _ in self.trials],
                self.grf_sha,
                self.subject_file_sha,
                self.static_sha,
                self.subject_json,
                self.options_json,
            ]
        )


@dataclass(frozen=True)
class _Gait:
    """A finished gait analysis: the trial's, or a session's pooled one with its session."""

    analysis: GaitAnalysis
    session: SessionAnalysis | None = None


class JobRunner(SerialRunner):
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
        super().__init__("kinchain-job", start=start, requeue_running=True)
        self.store = store
        self.on_stage = on_stage
        self.work_dir = work_dir if work_dir is not None else store.blobs.root.parent / "tmp"
        self._cache: OrderedDict[tuple[int, str], _Gait] = OrderedDict()

    # ------------------------------------------------------------------ scheduling
    def recover(self) -> list[int]:
        """Re-queue analyses that were queued or running when the service stopped, and remove
        the temporary folders (patient trials) of jobs whose server process is gone."""
        for prefix in (_SCRATCH, UPLOAD_SCRATCH):
            for gone in remove_stale(self.work_dir, prefix):
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
        """Run one visit's analysis now (in the calling thread): its newest upload still
        waiting, else the current upload again (the intake changed). Success replaces the
        visit's results and makes the upload current; failure marks the upload failed and keeps
        the visit's results as they were."""
        with self.store.session() as db:
            v = db.get(Visit, visit_id)
            if v is None:
                return
            target = pending_upload(v)
            if target is None and v.current_upload_id is not None:
                target = db.get(Upload, v.current_upload_id)
            if target is None:
                return
            fresh = target.status != UploadStatus.done.value
            if fresh:
                target.status = UploadStatus.running.value
            upload_id = target.id
            v.status = VisitStatus.running.value
            v.stage = (
                "reading the trial"
                if len(json.loads(target.trials_json)) == 1
                else ("reading the trials")
            )
            v.progress = 5
            v.attempts += 1
            v.error = None
            inputs = _Inputs.of(target)
            intake_json = v.intake_json
            uploader = db.get(User, target.created_by) if target.created_by is not None else None
            identity = visit_identity(v, uploader.email if uploader is not None else None)
            # here, not at the top: web.outcomes imports web.context, which imports this module
            from kinchain.web.outcomes import latest_responses, response_score

            outcomes = [response_score(r) for r in latest_responses(v).values()]
        created: list[str] = []
        names: dict[str, str] = {}
        try:
            key = (visit_id, inputs.key())
            gait = self._cached(key)
            if gait is None:
                with self._scratch() as tmp:
                    gait = self._analyse(visit_id, tmp, inputs, names)
                self._remember(key, gait)
            self._stage(visit_id, "assessing", 60)
            report_input: Any = gait.analysis
            clinical = None
            if intake_json is not None:
                joined = assess_with_gait(gait.analysis, json.loads(intake_json))
                report_input = joined
                clinical = joined.clinical.model_dump_json()
            self._stage(visit_id, "rendering the report", 70)
            report = render_report(
                report_input, session=gait.session, identity=identity, outcomes=outcomes
            )
            self._stage(visit_id, "saving", 95)
            html_sha, new_html = self.store.blobs.put(report.html.encode("utf-8"))
            if new_html:
                created.append(html_sha)
            pdf_sha, new_pdf = self.store.blobs.put(report.pdf)
            if new_pdf:
                created.append(pdf_sha)
            evidence = gait_evidence(gait.analysis)
            with self.store.session() as db:
                v = db.get(Visit, visit_id)
                u = db.get(Upload, upload_id)
                if v is None or u is None:
                    raise LookupError("visit deleted during its analysis")
                v.analysis_json = json.dumps(gait.analysis.to_dict(), allow_nan=False)
                curves = curves_payload(gait.analysis)
                curves["spatiotemporal_table"] = spatiotemporal_table(report.document)
                v.curves_json = json.dumps(curves, allow_nan=False)
                v.evidence_json = json.dumps([e.model_dump(mode="json") for e in evidence or []])
                if clinical is not None and v.intake_json == intake_json:
                    v.clinical_json = clinical
                v.report_html_sha = html_sha
                v.report_pdf_sha = pdf_sha
                _make_current(v, u)
                if u.status == UploadStatus.running.value:
                    u.status = UploadStatus.done.value
                    u.finished_at = utcnow()
                newer = pending_upload(v)
                rerun = v.intake_json != intake_json or newer is not None
                if newer is None:
                    v.status = VisitStatus.done.value
                    v.stage = "done"
                    v.progress = 100
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
                u = db.get(Upload, upload_id)
                if u is not None and fresh and u.status == UploadStatus.running.value:
                    u.status = UploadStatus.failed.value
                    u.error = message
                    u.finished_at = utcnow()
                if v is not None:
                    newer = pending_upload(v)
                    if newer is not None:  # a newer upload came meanwhile: analyse it
                        v.status = VisitStatus.queued.value
                        v.stage, v.progress = "queued", 0
                    else:
                        v.status = VisitStatus.failed.value
                        v.stage = "failed"
                        v.progress = 0
                        v.error = message
                    record(db, action="analysis.failed", actor="system", target=("visit", v.id))
            if v is not None and newer is not None:
                self.submit(visit_id)

    def _scratch(self) -> tempfile.TemporaryDirectory[str]:
        """A new owner-only temporary folder for one job, inside the data directory."""
        return private_scratch(self.work_dir, _SCRATCH)

    def _analyse(self, visit_id: int, tmp: str, inputs: _Inputs, names: dict[str, str]) -> _Gait:
        """Write the upload's files to ``tmp`` (owner-only) and process them as the CLI's
        ``analyze`` does (:func:`kinchain.web.inputs.read_inputs`, then
        :func:`kinchain.process.process`); several walking trials are analysed as one session
        (:func:`kinchain.session.analyze_session`), as ``kinchain analyze A B C`` does."""
        visit_dir = Path(tmp)

        def write(sha: str | None, filename: str, role: str) -> Path | None:
            if sha is None:
                return None
            path = visit_dir / filename
            write_private(path, self.store.blobs.get(sha))
            names[str(path)] = role
            return path

        subject_suffix = Path(inputs.subject_file_name or "").suffix.lower() or ".mp"
        common = InputPaths(
            trial=visit_dir / "unused",
            grf=write(inputs.grf_sha, "grf.mot", "GRF file"),
            subject_file=write(
                inputs.subject_file_sha,
                f"subject{subject_suffix}",
                inputs.subject_file_name or "subject file",
            ),
            static=write(inputs.static_sha, "static.c3d", inputs.static_name or "static trial"),
        )
        options = json.loads(inputs.options_json) if inputs.options_json else {}
        measurements = measurements_of(inputs.subject_json)
        results = []
        for i, (sha, name) in enumerate(inputs.trials):
            suffix = Path(name).suffix.lower() or ".c3d"
            trial_path = write(sha, f"trial{i}{suffix}", name)
            assert trial_path is not None
            self._stage(
                visit_id,
                "processing the trial"
                if len(inputs.trials) == 1
                else f"processing trial {i + 1} of {len(inputs.trials)} ({name})",
                15 + (30 * i) // len(inputs.trials),
            )
            trial, subject, process_options = read_inputs(
                replace(common, trial=trial_path), options, measurements
            )
            # The report and analysis.json name the files as uploaded, never a temporary path.
            trial = replace(trial, path=name)
            if subject is not None:
                source = subject.source
                for path, shown in names.items():
                    source = source.replace(path, shown)
                subject = replace(subject, source=source)
            try:
                result = process(trial, subject, process_options)
            except InputError as exc:
                if not any(w in exc.problem.lower() for w in ("plate", "force", "mass")):
                    raise
                # No usable force plates or body mass: kinematics only, as `--kinematics-only`.
                result = process(trial, subject, process_options, kinetics=False)
            results.append(result)
        self._stage(visit_id, "analysing gait", 45)
        if len(results) == 1:
            return _Gait(analyze(results[0]))
        static = (
            {"name": inputs.static_name or "static trial", "how": "uploaded with the trials"}
            if inputs.static_sha
            else None
        )
        session = analyze_session(results, static=static)
        return _Gait(session.pooled, session)

    def gait_for(self, visit_id: int) -> GaitAnalysis:
        """The gait analysis of the visit's current upload (cached, else computed again from
        the stored files)."""
        with self.store.session() as db:
            v = db.get(Visit, visit_id)
            u = db.get(Upload, v.current_upload_id) if v and v.current_upload_id else None
            if u is None:
                raise LookupError("visit without an analysed upload")
            inputs = _Inputs.of(u)
        key = (visit_id, inputs.key())
        gait = self._cached(key)
        if gait is None:
            with self._scratch() as tmp:
                gait = self._analyse(-1, tmp, inputs, {})
            self._remember(key, gait)
        return gait.analysis

    def _cached(self, key: tuple[int, str]) -> _Gait | None:
        with self._lock:
            return self._cache.get(key)

    def _remember(self, key: tuple[int, str], gait: _Gait) -> None:
        """Keep the last few analyses in memory (a changed intake re-renders without
        reprocessing the trial)."""
        with self._lock:
            self._cache[key] = gait
            while len(self._cache) > 4:
                self._cache.popitem(last=False)


#: The statuses of an upload still waiting for (or in) its analysis.
WAITING = frozenset({UploadStatus.queued.value, UploadStatus.running.value})


def pending_upload(v: Visit) -> Upload | None:
    """The visit's newest upload still waiting for (or in) its analysis."""
    for u in reversed(v.uploads):
        if u.status in WAITING:
            return u
    return None


def _make_current(v: Visit, u: Upload) -> None:
    """Make ``u`` the visit's current upload: the visit's input columns become its files."""
    inputs = _Inputs.of(u)
    v.current_upload_id = u.id
    v.trial_sha = inputs.trials[0][0]
    v.trial_name = inputs.trial_name
    v.grf_sha = u.grf_sha
    v.subject_file_sha, v.subject_file_name = u.subject_file_sha, u.subject_file_name
    v.static_sha, v.static_name = u.static_sha, u.static_name
    v.subject_json, v.options_json = u.subject_json, u.options_json


def visit_identity(v: Visit, clinician: str | None) -> Identity:
    """The patient and visit a report or letter is about, by ``clinician``."""
    p = v.patient
    return Identity(
        patient_name=p.name,
        birth_date=p.birth_date,
        identifier=p.identifier,
        visit_date=v.visit_date,
        visit_label=v.label or None,
        clinician=clinician,
        sex=p.sex if p.sex in ("female", "male", "other") else None,
    )
