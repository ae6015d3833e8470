"""Operations shared by the pages and the JSON API, each in one transaction."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kinchain.clinical import ClinicalAssessment, Intake, assess, parse_intake
from kinchain.errors import InputError
from kinchain.io.load import load_trial
from kinchain.io.subject import subject_from_values
from kinchain.store import Patient, Store, Visit, VisitStatus
from kinchain.web.context import ApiError, without_values

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
    }


# ---------------------------------------------------------------------------- upload
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


def subject_values(values: dict[str, str | None]) -> dict[str, Any] | None:
    """``subject_from_values`` keyword arguments (SI) from the form's fields (kg, mm), checked;
    None when every field is blank (the trial file's own measurements are used)."""
    nums = {k: _number(values, k) for k, _, _ in SUBJECT_FIELDS}
    if all(v is None for v in nums.values()):
        return None
    required = [k for k, _, _ in SUBJECT_FIELDS if k != "height_mm"]
    for k in required:
        if nums[k] is None:
            raise ApiError(422, k, "required when any measurement is given")

    def mm(k: str) -> float:
        x = nums[k]
        assert x is not None
        return x / 1000.0

    kwargs: dict[str, Any] = {
        "mass_kg": nums["mass_kg"],
        "leg_length_m": {"left": mm("leg_length_left_mm"), "right": mm("leg_length_right_mm")},
        "knee_width_m": {"left": mm("knee_width_left_mm"), "right": mm("knee_width_right_mm")},
        "ankle_width_m": {"left": mm("ankle_width_left_mm"), "right": mm("ankle_width_right_mm")},
        "source": "form",
    }
    if nums["height_mm"] is not None:
        kwargs["height_m"] = mm("height_mm")
    try:
        subject_from_values(**kwargs)
    except InputError as exc:
        raise ApiError(422, _subject_field(exc.problem), exc.problem) from exc
    return kwargs


def _subject_field(problem: str) -> str:
    """The form field a measurement problem is about (the left one for a per-side length)."""
    for stem in ("mass_kg", "height", "leg_length", "knee_width", "ankle_width"):
        if stem in problem:
            return next(k for k, _, _ in SUBJECT_FIELDS if k.startswith(stem))
    return "subject"


def store_upload(
    store: Store,
    visit_id: int,
    *,
    trial: bytes,
    trial_name: str,
    grf: bytes | None,
    subject: dict[str, Any] | None,
) -> None:
    """Validate the files (read them as the analysis will) and store them with the visit, all or
    nothing. Raises :class:`ApiError` naming the field."""
    name = Path(trial_name or "").name or "trial"
    suffix = Path(name).suffix.lower()
    if suffix not in (".c3d", ".trc"):
        raise ApiError(422, "trial", "a .c3d or .trc file is needed")
    if not trial:
        raise ApiError(422, "trial", "the file is empty")
    if grf is not None and suffix != ".trc":
        raise ApiError(422, "grf", "a GRF .mot file goes with a .trc trial (a C3D has its plates)")
    subj = subject_from_values(**subject) if subject else None
    with tempfile.TemporaryDirectory(prefix="kinchain-upload-") as tmp:
        path = Path(tmp) / f"trial{suffix}"
        path.write_bytes(trial)
        grf_path = None
        if grf is not None:
            grf_path = Path(tmp) / "grf.mot"
            grf_path.write_bytes(grf)
        try:
            load_trial(path, subject=subj, grf_path=grf_path)
        except InputError as exc:
            field = "grf" if grf_path is not None and str(grf_path) in exc.source else "trial"
            problem = exc.problem.replace(str(path), name)
            raise ApiError(422, field, problem) from exc
    created: list[str] = []
    try:
        trial_sha, new = store.blobs.put(trial)
        if new:
            created.append(trial_sha)
        grf_sha = None
        if grf is not None:
            grf_sha, new = store.blobs.put(grf)
            if new:
                created.append(grf_sha)
        with store.session() as db:
            v = get_visit(db, visit_id)
            v.trial_sha, v.trial_name, v.grf_sha = trial_sha, name[:255], grf_sha
            v.subject_json = json.dumps(subject) if subject else None
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
