"""Tables: clinicians (with their role), their sessions, the clinic's settings, patients and whom
they are shared with, visits (intake, results) and every upload of each, single-use intake links,
outcome questionnaires, "what if" simulations and the audit log. Times are UTC, stored without a
zone."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Now in UTC, naive (how every time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class VisitStatus(enum.StrEnum):
    """Where a visit's analysis is: no trial yet, waiting, running, finished, failed."""

    empty = "empty"
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class UploadStatus(enum.StrEnum):
    """Where one upload's analysis is; ``superseded``: a newer upload came before it ran."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    superseded = "superseded"


class Role(enum.StrEnum):
    """A clinician sees and changes patients (as the clinic's access model allows); an
    administrator also manages accounts and the clinic's settings (migration 0003)."""

    clinician = "clinician"
    admin = "admin"


class PatientAccess(enum.StrEnum):
    """Who sees a patient: every clinician of the clinic, or only the clinician who created
    the patient and those it is shared with."""

    clinic = "clinic"
    own = "own"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(16), default=Role.clinician.value)
    # Set when an administrator creates the account or resets its password: the temporary
    # password must be replaced before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)


class ClinicSetting(Base):
    """The clinic's settings, one row per name (``patient_access``: :class:`PatientAccess`)."""

    __tablename__ = "clinic_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PatientShare(Base):
    """A patient shared with a clinician (used when the clinic's access model is ``own``)."""

    __tablename__ = "patient_shares"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    granted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """A signed-in browser or API client; the cookie holds a random token whose SHA-256 is
    ``id``."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    identifier: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    visits: Mapped[list[Visit]] = relationship(
        back_populates="patient", order_by="Visit.visit_date", cascade="all, delete-orphan"
    )


class Visit(Base):
    """One visit: an intake and the results of the last successful analysis (all written in one
    transaction). The input columns (trial, GRF, subject file, static, measurements, options)
    are those of the upload the results come from (``current_upload_id``); every upload,
    including those whose analysis failed or has not run yet, is kept in :class:`Upload`."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    visit_date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    status: Mapped[str] = mapped_column(String(16), default=VisitStatus.empty.value, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    trial_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    trial_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    grf_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The CLI's trial options (migration 0002): a Vicon .mp/.vsk subject file and a static trial
    # (blobs by SHA-256, with the uploaded names) and the options as JSON (marker_diameter_mm,
    # flat_foot, marker_cutoff_hz, max_gap_s).
    subject_file_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject_file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    static_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    static_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    options_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    intake_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    intake_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    clinical_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    analysis_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    curves_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    report_html_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    report_pdf_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The upload whose analysis is shown (migration 0003); None before the first succeeds.
    current_upload_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    patient: Mapped[Patient] = relationship(back_populates="visits")
    uploads: Mapped[list[Upload]] = relationship(
        back_populates="visit", order_by="Upload.id", cascade="all, delete-orphan"
    )
    intake_versions: Mapped[list[IntakeVersion]] = relationship(
        back_populates="visit", order_by="IntakeVersion.id", cascade="all, delete-orphan"
    )
    questionnaires: Mapped[list[QuestionnaireResponse]] = relationship(
        back_populates="visit", order_by="QuestionnaireResponse.id", cascade="all, delete-orphan"
    )
    simulations: Mapped[list[SimulationRun]] = relationship(
        back_populates="visit", order_by="SimulationRun.id", cascade="all, delete-orphan"
    )


class Upload(Base):
    """One upload of a visit's files (blobs by SHA-256, with the names they were uploaded
    under), kept for good: the walking trial(s), the optional GRF .mot, subject file and static
    trial, the typed measurements and trial options, who uploaded it and when, and how its
    analysis went. A visit's results change only when an upload's analysis succeeds."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # [{"sha": ..., "name": ...}, ...]: the walking trial(s), in upload order.
    trials_json: Mapped[str] = mapped_column(Text)
    grf_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject_file_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject_file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    static_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    static_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    subject_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    options_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=UploadStatus.queued.value)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    visit: Mapped[Visit] = relationship(back_populates="uploads")


class IntakeVersion(Base):
    """One saved intake of a visit, kept for good: who answered (``clinician`` through the form,
    ``patient`` through the single-use link, ``api``), the account when there is one, when,
    and the answers given (migration 0004). The visit's ``intake_json`` is the merged current
    intake."""

    __tablename__ = "intake_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answers_json: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship(back_populates="intake_versions")


class QuestionnaireResponse(Base):
    """One completed outcome questionnaire of a visit (pain rating, KOOS, FAAM, LEFS), kept for
    good (migration 0005): the instrument and the version scored, the item answers as given
    (``{"P1": 2, "P2": null, ...}``), who answered (``clinician`` through the form, ``patient``
    through the single-use link, ``api``), the account when there is one, and when. Scores are
    never stored: they are recomputed from the answers by :mod:`kinchain.clinical.outcomes`.
    A visit's score of an instrument is that of its latest response."""

    __tablename__ = "questionnaire_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    instrument: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(64))
    answers_json: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="questionnaires")


class SimulationRun(Base):
    """One requested "what if" simulation of a visit (issue 14, migration 0006), kept for good:
    the upload whose analysis it simulates, who asked and when, the spec (the restrictions as
    their strings, e.g. ``["knee_flexion_max=20"]``, the side they apply to, the side of the
    stride simulated or None for the default, whether on the coarse mesh, how tightly the other
    joints keep their measured curves: ``compensation``, migration 0007), how far it is
    (status, stage, solver iterations so far), and when done the result
    (:meth:`kinchain.sim.WhatIf.to_dict` as JSON) and its rendered section (HTML and PDF blobs
    by SHA-256), or a safe error message."""

    __tablename__ = "simulation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    restrictions_json: Mapped[str] = mapped_column(Text)
    side: Mapped[str] = mapped_column(String(8))
    stride_side: Mapped[str | None] = mapped_column(String(8), nullable=True)
    coarse: Mapped[bool] = mapped_column(default=False)
    compensation: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    # queued | running | done | failed (kinchain.web.simulations.STATUSES)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    stage: Mapped[str] = mapped_column(String(200), default="")
    iterations: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    html_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pdf_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    visit: Mapped[Visit] = relationship(back_populates="simulations")


class IntakeToken(Base):
    """A single-use link for a patient to fill one visit's intake; only its SHA-256 is kept."""

    __tablename__ = "intake_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEvent(Base):
    """Who did what to which record, when. Holds ids and route templates, never patient data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(16))  # user | token | system | anonymous
    action: Mapped[str] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(8), nullable=True)
    route: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
