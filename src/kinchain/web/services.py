"""Operations shared by the pages and the JSON API, each in one transaction."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kinchain.cli import trial_options as to
from kinchain.clinical import ClinicalAssessment, Intake, assess, parse_intake
from kinchain.errors import InputError
from kinchain.model.cgm1 import check_markers
from kinchain.model.gaps import DEFAULT_MAX_GAP_S
from kinchain.store import Patient, Store, Visit, VisitStatus
from kinchain.web.context import ApiError, without_values
from kinchain.web.inputs import InputPaths, read_inputs

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


def search_patients(db: Session, q: str | None, limit: int = 200) -> list[Patient]:
    stmt = select(Patient).order_by(Patient.name, Patient.id).limit(limit)
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


def get_patient(db: Session, patient_id: int) -> Patient:
    p = db.get(Patient, patient_id)
    if p is None:
        raise ApiError(404, "patient_id", "no such patient")
    return p


# ---------------------------------------------------------------------------- visits
def get_visit(db: Session, visit_id: int) -> Visit:
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
        "has_trial": v.trial_sha is not None,
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
    }


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
) -> None:
    """Validate the files and options (read them exactly as the analysis will, static
    calibration included) and store them with the visit, all or nothing: on any problem
    nothing is stored and the visit's earlier results stay. Raises :class:`ApiError` naming
    the field (``trial``, ``grf``, ``subject_file``, ``static``, ``flat_foot``,
    ``marker_diameter_mm``, ``marker_cutoff_hz``, ``max_gap_s`` or a measurement)."""
    name = _check_name("trial", trial_name or "trial", (".c3d", ".trc"), trial)
    suffix = Path(name).suffix.lower()
    if grf is not None and suffix != ".trc":
        raise ApiError(422, "grf", "a GRF .mot file goes with a .trc trial (a C3D has its plates)")
    subj_name = st_name = None
    if subject_file is not None:
        subj_name = _check_name("subject_file", subject_file_name, (".mp", ".vsk"), subject_file)
    if static is not None:
        st_name = _check_name("static", static_name, (".c3d",), static)
    opts = dict(options or {})
    if opts.get("flat_foot") and static is None:
        raise ApiError(422, "flat_foot", "needs a static trial (field static)")
    with tempfile.TemporaryDirectory(prefix="kinchain-upload-") as tmp:
        paths = InputPaths(trial=Path(tmp) / f"trial{suffix}")
        paths.trial.write_bytes(trial)
        files = {str(paths.trial): "trial"}
        shown = {str(paths.trial): name}
        if grf is not None:
            paths = replace(paths, grf=Path(tmp) / "grf.mot")
            assert paths.grf is not None
            paths.grf.write_bytes(grf)
            files[str(paths.grf)], shown[str(paths.grf)] = "grf", "the GRF file"
        if subject_file is not None and subj_name is not None:
            paths = replace(paths, subject_file=Path(tmp) / f"subject{Path(subj_name).suffix}")
            assert paths.subject_file is not None
            paths.subject_file.write_bytes(subject_file)
            files[str(paths.subject_file)] = "subject_file"
            shown[str(paths.subject_file)] = subj_name
        if static is not None and st_name is not None:
            paths = replace(paths, static=Path(tmp) / "static.c3d")
            assert paths.static is not None
            paths.static.write_bytes(static)
            files[str(paths.static)], shown[str(paths.static)] = "static", st_name
        try:
            # What the CLI checks before it computes anything: the files, rates, coordinates,
            # measurements and static calibration (read_inputs), then the markers the model
            # needs, each with at least one valid frame.
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
            raise ApiError(422, field, problem) from exc
    created: list[str] = []
    try:
        shas: dict[str, str | None] = {"grf": None, "subject_file": None, "static": None}
        for key, data in (
            ("trial", trial),
            ("grf", grf),
            ("subject_file", subject_file),
            ("static", static),
        ):
            if data is None:
                continue
            sha, new = store.blobs.put(data)
            if new:
                created.append(sha)
            shas[key] = sha
        with store.session() as db:
            v = get_visit(db, visit_id)
            v.trial_sha, v.trial_name, v.grf_sha = shas["trial"], name[:255], shas["grf"]
            v.subject_file_sha = shas["subject_file"]
            v.subject_file_name = subj_name[:255] if subj_name else None
            v.static_sha = shas["static"]
            v.static_name = st_name[:255] if st_name else None
            v.options_json = json.dumps(opts, sort_keys=True) if opts else None
            v.subject_json = json.dumps(subject, sort_keys=True) if subject else None
            v.status = VisitStatus.queued.value
            v.progress, v.stage, v.error = 0, "queued", None
            v.analysis_json = v.curves_json = v.evidence_json = None
            v.report_html_sha = v.report_pdf_sha = None
    except BaseException:
        for sha in created:
            store.blobs.delete(sha)
        raise


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


def save_intake(db: Session, v: Visit, data: Any, by: str) -> ClinicalAssessment:
    """Validate and store an intake; the clinical assessment is stored at once and the report is
    re-rendered in the background when the visit has a trial."""
    try:
        intake = parse_intake(data)
    except InputError as exc:
        raise ApiError(422, exc.source, without_values(exc.problem)) from exc
    clinical = clinical_for(v, intake)
    v.intake_json = intake.model_dump_json(exclude_defaults=True)
    v.intake_by = by
    v.clinical_json = clinical.model_dump_json()
    if v.trial_sha is not None:
        v.status = VisitStatus.queued.value
        v.progress, v.stage = 0, "queued (intake changed)"
    return clinical


# ---------------------------------------------------------------------------- comparison
def compare(a: Visit, b: Visit) -> dict[str, Any]:
    """Visit ``a`` (earlier) against ``b``: spatiotemporal changes, findings new/resolved/kept,
    both visits' curves and urgencies."""
    if a.patient_id != b.patient_id:
        raise ApiError(422, "b", "both visits must belong to the same patient")
    for key, v in (("a", a), ("b", b)):
        if v.analysis_json is None:
            raise ApiError(409, key, "this visit has no finished analysis")
    ja = json.loads(a.analysis_json or "{}")
    jb = json.loads(b.analysis_json or "{}")
    rows = []
    st_a, st_b = ja["spatiotemporal"], jb["spatiotemporal"]
    units = st_b.get("units", {})
    for side in ("left", "right"):
        for name, va in st_a[side].items():
            vb = st_b[side].get(name)
            delta = None if va is None or vb is None else vb - va
            pct = None if delta is None or not va else 100.0 * delta / abs(va)
            rows.append(
                {
                    "side": side,
                    "parameter": name,
                    "unit": units.get(name, ""),
                    "a": va,
                    "b": vb,
                    "change": delta,
                    "change_pct": pct,
                }
            )

    def fired(j: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(f["name"], f["side"]): f for f in j["findings"] if f.get("fired")}

    fa, fb = fired(ja), fired(jb)
    findings = []
    for fkey in sorted(set(fa) | set(fb)):
        change = "kept" if fkey in fa and fkey in fb else ("new" if fkey in fb else "resolved")
        f = fb.get(fkey) or fa[fkey]
        findings.append(
            {
                "name": fkey[0],
                "side": fkey[1],
                "change": change,
                "sentence": f.get("sentence"),
                "severity_a": fa.get(fkey, {}).get("severity"),
                "severity_b": fb.get(fkey, {}).get("severity"),
            }
        )

    def urgency(v: Visit) -> str | None:
        return json.loads(v.clinical_json)["urgency"] if v.clinical_json else None

    return {
        "schema": "kinchain-compare/1",
        "a": visit_summary(a) | {"urgency": urgency(a)},
        "b": visit_summary(b) | {"urgency": urgency(b)},
        "spatiotemporal": rows,
        "findings": findings,
        "curves": {
            "a": json.loads(a.curves_json or "null"),
            "b": json.loads(b.curves_json or "null"),
        },
    }
