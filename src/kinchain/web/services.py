"""Operations shared by the pages and the JSON API, each in one transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, object_session

from kinchain.cli import trial_options as to
from kinchain.clinical import ClinicalAssessment, Intake, assess, parse_intake
from kinchain.errors import InputError
from kinchain.model.cgm1 import check_markers
from kinchain.model.gaps import DEFAULT_MAX_GAP_S
from kinchain.store import (
    ClinicSetting,
    IntakeVersion,
    Patient,
    PatientAccess,
    PatientShare,
    Store,
    Upload,
    UploadStatus,
    User,
    Visit,
    VisitStatus,
)
from kinchain.store.models import utcnow
from kinchain.web.context import ApiError, Principal, without_values
from kinchain.web.inputs import InputPaths, read_inputs
from kinchain.web.intake_form import form_question, leaves
from kinchain.web.jobs import (
    UPLOAD_SCRATCH,
    WAITING,
    pending_upload,
    private_scratch,
    write_private,
)

SUBJECT_FIELDS = (
    ("mass_kg", "Body mass", "kg"),
    ("height_mm", "Height", "mm"),
    ("leg_length_left_mm", "Leg length, left", "mm"),
    ("leg_length_right_mm", "Leg length, right", "mm"),
    ("knee_width_left_mm", "Knee width, left", "mm"),
    ("knee_width_right_mm", "Knee width, right", "mm"),
    ("ankle_width_left_mm", "Ankle width, left", "mm"),
    ("ankle_width_right_mm", "Ankle width, right", "mm"),
)
SEXES = ("female", "male", "other", "unknown")
#: Walking trials in one upload (a gait session: a lab records 3-10).
MAX_TRIALS = 20


# ---------------------------------------------------------------------------- patients
def patient_dict(p: Patient) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "identifier": p.identifier,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "sex": p.sex,
        "created_at": p.created_at.isoformat() + "Z",
    }


def clinic_access(db: Session) -> str:
    """The clinic's patient-access model (:class:`~kinchain.store.PatientAccess`; ``clinic``
    when never set)."""
    row = db.get(ClinicSetting, "patient_access")
    return row.value if row is not None else PatientAccess.clinic.value


def _visible(viewer: Principal) -> Any:
    """The SQL condition on :class:`Patient` of the patients ``viewer`` may see: all of them
    under the ``clinic`` model; under ``own``, those the viewer created or that are shared
    with the viewer (administrators included: they manage accounts, not records)."""
    if viewer.patient_access != PatientAccess.own.value:
        return true()
    shared = select(PatientShare.patient_id).where(PatientShare.user_id == viewer.user_id)
    return or_(Patient.created_by == viewer.user_id, Patient.id.in_(shared))


def search_patients(
    db: Session, q: str | None, viewer: Principal, limit: int = 200
) -> list[Patient]:
    """The patients ``viewer`` may see whose name or identifier contains ``q``."""
    stmt = select(Patient).where(_visible(viewer)).order_by(Patient.name, Patient.id).limit(limit)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Patient.name).like(like), func.lower(Patient.identifier).like(like))
        )
    return list(db.scalars(stmt))


def create_patient(
    db: Session,
    *,
    name: str,
    identifier: str | None,
    birth_date: date | None,
    sex: str,
    user_id: int,
) -> Patient:
    name = name.strip()
    if not name or len(name) > 200:
        raise ApiError(422, "name", "give a name (1 to 200 characters)")
    ident = (identifier or "").strip() or None
    if ident is not None and len(ident) > 100:
        raise ApiError(422, "identifier", "at most 100 characters")
    if sex not in SEXES:
        raise ApiError(422, "sex", f"one of {', '.join(SEXES)}")
    if birth_date is not None and not date(1900, 1, 1) <= birth_date <= date.today():
        raise ApiError(422, "birth_date", "not a plausible birth date")
    if ident is not None and db.scalar(select(Patient).where(Patient.identifier == ident)):
        raise ApiError(409, "identifier", "a patient with this identifier exists")
    p = Patient(name=name, identifier=ident, birth_date=birth_date, sex=sex, created_by=user_id)
    db.add(p)
    db.flush()
    return p


def get_patient(db: Session, patient_id: int, viewer: Principal) -> Patient:
    """The patient, if ``viewer`` may see it; 404 otherwise (whether it exists or not: the
    answer does not tell)."""
    p = db.scalar(select(Patient).where(Patient.id == patient_id, _visible(viewer)))
    if p is None:
        raise ApiError(404, "patient_id", "no such patient")
    return p


# ---------------------------------------------------------------------------- visits
def get_visit(db: Session, visit_id: int, viewer: Principal) -> Visit:
    """The visit, if ``viewer`` may see its patient; 404 otherwise."""
    v = db.scalar(select(Visit).join(Patient).where(Visit.id == visit_id, _visible(viewer)))
    if v is None:
        raise ApiError(404, "visit_id", "no such visit")
    return v


def get_visit_row(db: Session, visit_id: int) -> Visit:
    """The visit, without an access check: for the background analysis and the patient's own
    intake link (which carries its visit)."""
    v = db.get(Visit, visit_id)
    if v is None:
        raise ApiError(404, "visit_id", "no such visit")
    return v


def create_visit(db: Session, patient: Patient, visit_date: date | None, label: str) -> Visit:
    if len(label) > 200:
        raise ApiError(422, "label", "at most 200 characters")
    v = Visit(patient_id=patient.id, visit_date=visit_date or date.today(), label=label.strip())
    db.add(v)
    db.flush()
    return v


def visit_status(v: Visit) -> dict[str, Any]:
    return {
        "id": v.id,
        "status": v.status,
        "progress": v.progress,
        "stage": v.stage,
        "error": v.error,
    }


def visit_summary(v: Visit) -> dict[str, Any]:
    clinical = json.loads(v.clinical_json) if v.clinical_json else None
    fired = []
    if v.analysis_json:
        fired = [
            {"name": f["name"], "side": f["side"], "severity": f.get("severity")}
            for f in json.loads(v.analysis_json)["findings"]
            if f.get("fired")
        ]
    return {
        **visit_status(v),
        "patient_id": v.patient_id,
        "visit_date": v.visit_date.isoformat(),
        "label": v.label,
        "trial_name": v.trial_name,
        "has_trial": has_analysis_input(v),
        "has_intake": v.intake_json is not None,
        "intake_by": v.intake_by,
        "has_report": v.report_html_sha is not None,
        "urgency": clinical["urgency"] if clinical else None,
        "fired_findings": fired,
    }


def visit_detail(v: Visit) -> dict[str, Any]:
    return {
        **visit_summary(v),
        "intake": json.loads(v.intake_json) if v.intake_json else None,
        "clinical": json.loads(v.clinical_json) if v.clinical_json else None,
        "subject": json.loads(v.subject_json) if v.subject_json else None,
        "inputs": visit_inputs(v),
        "uploads": upload_history(v),
        "intake_history": intake_history(v),
    }


def upload_history(v: Visit) -> list[dict[str, Any]]:
    """Every upload of the visit, newest first (:func:`upload_dict`)."""
    emails = _emails(v, {u.created_by for u in v.uploads if u.created_by is not None})
    return [upload_dict(u, v.current_upload_id, emails) for u in reversed(v.uploads)]


def visit_inputs(v: Visit) -> dict[str, Any]:
    """What the visit's analysis reads besides the trial: the names of the GRF, subject and
    static files (None when not given), whether measurements were typed, and the trial options
    given (``marker_diameter_mm``, ``marker_cutoff_hz``, ``max_gap_s``, ``flat_foot``; the
    CLI's defaults for the others)."""
    return {
        "grf": v.grf_sha is not None,
        "subject_file": v.subject_file_name if v.subject_file_sha else None,
        "static": v.static_name if v.static_sha else None,
        "measurements": bool(v.subject_json),
        "options": json.loads(v.options_json) if v.options_json else {},
    }


# ---------------------------------------------------------------------------- upload
#: The upload's trial options (besides the files), with the CLI option each mirrors.
OPTION_FIELDS = (
    ("marker_diameter_mm", "--marker-diameter"),
    ("marker_cutoff_hz", "--marker-cutoff"),
    ("max_gap_s", "--max-gap"),
    ("flat_foot", "--flat-foot"),
)
#: Form field of each typed measurement -> (SI key of ``load_inputs``, factor to SI).
_MEASUREMENT_SI = {
    "mass_kg": ("mass_kg", 1.0),
    "height_mm": ("height_m", 1e-3),
    "leg_length_left_mm": ("leg_length_left_m", 1e-3),
    "leg_length_right_mm": ("leg_length_right_m", 1e-3),
    "knee_width_left_mm": ("knee_width_left_m", 1e-3),
    "knee_width_right_mm": ("knee_width_right_m", 1e-3),
    "ankle_width_left_mm": ("ankle_width_left_m", 1e-3),
    "ankle_width_right_mm": ("ankle_width_right_m", 1e-3),
}
_TRUE = ("1", "true", "on", "yes")
_FALSE = ("", "0", "false", "off", "no")


def _number(values: dict[str, str | None], key: str) -> float | None:
    raw = (values.get(key) or "").strip()
    if not raw:
        return None
    try:
        x = float(raw)
    except ValueError:
        raise ApiError(422, key, "give a number") from None
    if x != x or x in (float("inf"), float("-inf")):
        raise ApiError(422, key, "give a finite number")
    return x


def subject_values(values: dict[str, str | None]) -> dict[str, float] | None:
    """The typed measurements given (form fields in kg and mm) as the SI keys of
    :func:`kinchain.cli.trial_options.load_inputs` (``mass_kg``, ``height_m``,
    ``leg_length_left_m`` ...), each checked to be a positive number; None when every field is
    blank. As on the CLI, each typed value wins over the subject file's and the C3D's; without
    either, all six lengths are needed (checked with the trial, :func:`read_inputs`)."""
    out: dict[str, float] = {}
    for key, _, _ in SUBJECT_FIELDS:
        x = _number(values, key)
        if x is None:
            continue
        if x <= 0:
            raise ApiError(422, key, f"{x:g} must be a positive number")
        si, factor = _MEASUREMENT_SI[key]
        out[si] = x * factor
    return out or None


def option_values(values: dict[str, str | None]) -> dict[str, Any]:
    """The trial options of the form (``marker_diameter_mm``, ``marker_cutoff_hz``,
    ``max_gap_s``, ``flat_foot``), checked as the CLI checks them; blank ones are left out
    (the CLI's defaults: the subject's or 14 mm, no filter, 0.1 s, not flat)."""
    out: dict[str, Any] = {}
    for key in ("marker_diameter_mm", "marker_cutoff_hz", "max_gap_s"):
        x = _number(values, key)
        if x is not None:
            out[key] = x
    flag = (values.get("flat_foot") or "").strip().lower()
    if flag not in _TRUE + _FALSE:
        raise ApiError(422, "flat_foot", "true or false")
    if flag in _TRUE:
        out["flat_foot"] = True
    try:
        to.check_marker_diameter(out.get("marker_diameter_mm"))
        to.process_options(out.get("max_gap_s", DEFAULT_MAX_GAP_S), out.get("marker_cutoff_hz"))
    except InputError as exc:
        raise ApiError(422, _field(exc.source, {}), _web_names(exc.problem)) from exc
    return out


_CLI_NAMES = {
    "--subject FILE": "subject_file",
    "--static FILE": "static",
    "--marker-diameter": "marker_diameter_mm",
    "--marker-cutoff": "marker_cutoff_hz",
    "--max-gap": "max_gap_s",
    "--flat-foot": "flat_foot",
    "--subject": "subject_file",
    "--static": "static",
    "--height-m": "height_mm",
    "--mass-kg": "mass_kg",
}


def _web_names(text: str) -> str:
    """A CLI message in the form's words (``--leg-length-left-mm`` -> ``leg_length_left_mm``)."""
    for cli, web in _CLI_NAMES.items():
        text = text.replace(cli, web)
    return re.sub(r"--([a-z]+(?:-[a-z]+)*-mm)\b", lambda m: m.group(1).replace("-", "_"), text)


def _field(source: str, files: dict[str, str]) -> str:
    """The form field an error's source names: a written file (``files``: path -> field) or a
    CLI option. Typed measurements are checked with the file's values under them (the source
    then names both: ``trial.c3d + command-line measurements``): the measurements come first."""
    if "measurements" in source:
        return "measurements"
    for path, field in files.items():
        if path in source:
            return field
    for cli, web in _CLI_NAMES.items():
        if source == cli.split()[0]:
            return web
    return "trial"


def _subject_field(problem: str) -> str:
    """The form field a measurement problem is about (the left one for a per-side length)."""
    for stem in ("mass_kg", "height", "leg_length", "knee_width", "ankle_width"):
        if stem in problem:
            return next(k for k, _, _ in SUBJECT_FIELDS if k.startswith(stem))
    return "subject_file"


def _check_name(field: str, filename: str | None, suffixes: tuple[str, ...], data: bytes) -> str:
    name = Path(filename or "").name or field
    if Path(name).suffix.lower() not in suffixes:
        raise ApiError(422, field, f"a {' or '.join(suffixes)} file is needed")
    if not data:
        raise ApiError(422, field, "the file is empty")
    return name


def store_upload(
    store: Store,
    visit_id: int,
    *,
    trial: bytes,
    trial_name: str,
    grf: bytes | None,
    subject: dict[str, float] | None,
    subject_file: bytes | None = None,
    subject_file_name: str | None = None,
    static: bytes | None = None,
    static_name: str | None = None,
    options: dict[str, Any] | None = None,
    more_trials: Sequence[tuple[bytes, str]] = (),
    user_id: int | None = None,
) -> int:
    """Validate the files and options (read them exactly as the analysis will, static
    calibration and the model's markers included) and store them as a new upload of the visit,
    queued for analysis; all or nothing: on any problem nothing is stored. The visit's earlier
    uploads and results are kept: its results change only when this upload's analysis
    succeeds; an earlier upload still waiting is marked superseded.

    ``more_trials`` (content, name) are further walking trials of the same session (C3D or
    TRC, each checked like the first; the analysis pools their strides). Returns the upload's
    id. Raises :class:`ApiError` naming the field (``trial``, ``grf``, ``subject_file``,
    ``static``, ``flat_foot``, ``marker_diameter_mm``, ``marker_cutoff_hz``, ``max_gap_s`` or a
    measurement); a problem of a further trial names it."""
    trials = [(trial, trial_name or "trial"), *more_trials]
    names = [_check_name("trial", n, (".c3d", ".trc"), data) for data, n in trials]
    if len(trials) > MAX_TRIALS:
        raise ApiError(422, "trial", f"at most {MAX_TRIALS} walking trials in one upload")
    if grf is not None and (len(trials) > 1 or Path(names[0]).suffix.lower() != ".trc"):
        raise ApiError(
            422, "grf", "a GRF .mot file goes with one .trc trial (a C3D has its plates)"
        )
    subj_name = st_name = None
    if subject_file is not None:
        subj_name = _check_name("subject_file", subject_file_name, (".mp", ".vsk"), subject_file)
    if static is not None:
        st_name = _check_name("static", static_name, (".c3d",), static)
    opts = dict(options or {})
    if opts.get("flat_foot") and static is None:
        raise ApiError(422, "flat_foot", "needs a static trial (field static)")
    with private_scratch(store.blobs.root.parent / "tmp", UPLOAD_SCRATCH) as tmp:
        common = InputPaths(trial=Path(tmp) / "unused")
        files: dict[str, str] = {}
        shown: dict[str, str] = {}
        if grf is not None:
            common = replace(common, grf=Path(tmp) / "grf.mot")
            assert common.grf is not None
            write_private(common.grf, grf)
            files[str(common.grf)], shown[str(common.grf)] = "grf", "the GRF file"
        if subject_file is not None and subj_name is not None:
            common = replace(common, subject_file=Path(tmp) / f"subject{Path(subj_name).suffix}")
            assert common.subject_file is not None
            write_private(common.subject_file, subject_file)
            files[str(common.subject_file)] = "subject_file"
            shown[str(common.subject_file)] = subj_name
        if static is not None and st_name is not None:
            common = replace(common, static=Path(tmp) / "static.c3d")
            assert common.static is not None
            write_private(common.static, static)
            files[str(common.static)], shown[str(common.static)] = "static", st_name
        for i, ((data, _), name) in enumerate(zip(trials, names, strict=True)):
            paths = replace(common, trial=Path(tmp) / f"trial{i}{Path(name).suffix.lower()}")
            write_private(paths.trial, data)
            files[str(paths.trial)], shown[str(paths.trial)] = "trial", name
            try:
                # What the CLI checks before it computes anything: the files, rates,
                # coordinates, measurements and static calibration (read_inputs), then the
                # markers the model needs, each with at least one valid frame.
                check_markers(read_inputs(paths, opts, subject or {})[0])
            except InputError as exc:
                field = _field(exc.source, files)
                if field == "measurements" or (
                    field == "trial" and "measurements" in exc.problem and "subject" in exc.problem
                ):
                    field = _subject_field(exc.problem)
                problem = _web_names(exc.problem)
                for path, shown_name in shown.items():
                    problem = problem.replace(path, shown_name)
                if field == "trial" and len(trials) > 1:
                    problem = f"{name}: {problem}"
                raise ApiError(422, field, problem) from exc
    created: list[str] = []

    def put(data: bytes) -> str:
        sha, new = store.blobs.put(data)
        if new:
            created.append(sha)
        return sha

    try:
        stored = [
            {"sha": put(data), "name": name[:255]}
            for (data, _), name in zip(trials, names, strict=True)
        ]
        with store.session() as db:
            v = get_visit_row(db, visit_id)
            for older in v.uploads:
                if older.status in WAITING:
                    older.status = UploadStatus.superseded.value
                    older.finished_at = utcnow()
            u = Upload(
                visit_id=v.id,
                created_by=user_id,
                trials_json=json.dumps(stored),
                grf_sha=put(grf) if grf is not None else None,
                subject_file_sha=put(subject_file) if subject_file is not None else None,
                subject_file_name=subj_name[:255] if subj_name else None,
                static_sha=put(static) if static is not None else None,
                static_name=st_name[:255] if st_name else None,
                options_json=json.dumps(opts, sort_keys=True) if opts else None,
                subject_json=json.dumps(subject, sort_keys=True) if subject else None,
                status=UploadStatus.queued.value,
            )
            db.add(u)
            v.status = VisitStatus.queued.value
            v.progress, v.stage, v.error = 0, "queued", None
            db.flush()
            return u.id
    except BaseException:
        for sha in created:
            store.blobs.delete(sha)
        raise


def trial_names(u: Upload) -> list[str]:
    """The names of an upload's walking trials, in upload order."""
    return [t["name"] for t in json.loads(u.trials_json)]


def upload_dict(u: Upload, current_id: int | None, emails: dict[int, str]) -> dict[str, Any]:
    """One upload as the visit's history shows it: its files, who uploaded it and when, how
    its analysis went and whether its results are the ones shown."""
    return {
        "id": u.id,
        "trials": trial_names(u),
        "grf": u.grf_sha is not None,
        "subject_file": u.subject_file_name if u.subject_file_sha else None,
        "static": u.static_name if u.static_sha else None,
        "measurements": bool(u.subject_json),
        "options": json.loads(u.options_json) if u.options_json else {},
        "uploaded_at": u.created_at.isoformat() + "Z",
        "uploaded_by": emails.get(u.created_by) if u.created_by is not None else None,
        "status": u.status,
        "error": u.error,
        "current": u.id == current_id,
    }


def has_analysis_input(v: Visit) -> bool:
    """Whether the visit has something to analyse: results of an upload, or one waiting."""
    return v.trial_sha is not None or pending_upload(v) is not None


def queue_report(v: Visit, why: str) -> bool:
    """Mark the visit's analysis and report to be made again (``why`` shown as its stage), in
    the caller's transaction, so its status never says done with the old report; False (and
    nothing marked) when the visit has nothing to analyse. The caller submits the job after
    committing."""
    if not has_analysis_input(v):
        return False
    v.status = VisitStatus.queued.value
    v.progress, v.stage = 0, f"queued ({why})"
    return True


# ---------------------------------------------------------------------------- intake
def stored_intake(v: Visit) -> Intake | None:
    """The visit's stored intake, validated again; an intake stored before a check was added
    that it no longer passes is a 409 naming the problem (the stored answers are kept: saving
    the intake form again corrects it)."""
    if not v.intake_json:
        return None
    try:
        return parse_intake(v.intake_json)
    except InputError as exc:
        raise ApiError(
            409,
            exc.source,
            "the stored intake no longer passes the intake's checks ("
            + without_values(exc.problem)
            + "); open the intake form and save it again",
        ) from exc


def clinical_for(v: Visit, intake: Intake) -> ClinicalAssessment:
    """The clinical assessment of ``intake``, with the visit's gait findings as evidence when its
    analysis is done (the same join as :func:`kinchain.assessment.assess_with_gait`)."""
    if v.evidence_json is not None:
        evidence = json.loads(v.evidence_json)
        joined = intake.model_dump()
        joined["gait_findings"] = evidence or None
        intake = Intake.model_validate(joined)
    return assess(intake)


def save_intake(
    db: Session,
    v: Visit,
    data: Any,
    by: str,
    *,
    answers: Any = None,
    user_id: int | None = None,
) -> ClinicalAssessment:
    """Validate and store an intake as the visit's current one, and keep the answers given as a
    new version (``by``: ``clinician``, ``patient`` or ``api``; ``answers``: what this source
    answered, default ``data``). The clinical assessment is stored at once and the report is
    re-rendered in the background when the visit has a trial."""
    try:
        intake = parse_intake(data)
    except InputError as exc:
        raise ApiError(422, exc.source, without_values(exc.problem)) from exc
    clinical = clinical_for(v, intake)
    v.intake_json = intake.model_dump_json(exclude_defaults=True)
    v.intake_by = by
    v.clinical_json = clinical.model_dump_json()
    given = answers if answers is not None else json.loads(v.intake_json)
    v.intake_versions.append(
        IntakeVersion(source=by, user_id=user_id, answers_json=json.dumps(given, sort_keys=True))
    )
    queue_report(v, "intake changed")
    return clinical


def _answers(data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": value}`` of the answers given (lists kept whole; ``None``, unknown and empty
    left out, and the schema version and who answered)."""
    return {
        path: value
        for path, value in leaves(data)
        if path not in ("schema_version", "answered_by")
        and value is not None
        and value != "unknown"
        and value != []
    }


def _emails(v: Visit, ids: set[int]) -> dict[int, str]:
    """The e-mail of each account id (the accounts that uploaded or answered)."""
    db = object_session(v)
    if db is None or not ids:
        return {}
    return dict(db.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def intake_history(v: Visit) -> dict[str, Any]:
    """The visit's intake versions and how they compare.

    ``versions`` (newest first): source, account, time, number of answers. ``sources``: for
    each answer of the current intake, which source gave it last. ``differences``: the answers
    the patient (latest link version) and the clinician (latest clinician or API version) both
    gave differently: both values, the current one, and whose is in use (the newer), so that
    the clinician can reconcile them by saving the form."""
    emails = _emails(v, {iv.user_id for iv in v.intake_versions if iv.user_id is not None})
    parsed = [(iv, _answers(json.loads(iv.answers_json))) for iv in v.intake_versions]
    current = _answers(json.loads(v.intake_json)) if v.intake_json else {}
    sources: dict[str, str] = {}
    for iv, given in parsed:
        for path, value in given.items():
            if current.get(path) == value:
                sources[path] = iv.source
    patient = next(((iv, lv) for iv, lv in reversed(parsed) if iv.source == "patient"), None)
    staff = next(((iv, lv) for iv, lv in reversed(parsed) if iv.source != "patient"), None)
    differences = []
    if patient is not None and staff is not None:
        newer = "patient" if patient[0].id > staff[0].id else "clinician"
        for path in sorted(set(patient[1]) & set(staff[1])):
            if patient[1][path] != staff[1][path]:
                differences.append(
                    {
                        "path": path,
                        "question": _question_text(path),
                        "patient": patient[1][path],
                        "clinician": staff[1][path],
                        "current": current.get(path),
                        "in_use": newer,
                    }
                )
    versions = [
        {
            "id": iv.id,
            "source": iv.source,
            "by": emails.get(iv.user_id) if iv.user_id is not None else None,
            "at": iv.created_at.isoformat() + "Z",
            "answers": len(given),
        }
        for iv, given in reversed(parsed)
    ]
    return {"versions": versions, "sources": sources, "differences": differences}


def _question_text(path: str) -> str:
    q = form_question(path)
    return q.text if q is not None and q.text else path
