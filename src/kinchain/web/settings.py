"""Service settings: where the data lives, cookie security and limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_MAX_UPLOAD_MB = 50


def default_data_dir() -> Path:
    """The user's data folder for kinchain (platformdirs)."""
    return Path(platformdirs.user_data_dir("kinchain", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """How one ``kinchain serve`` runs.

    Attributes
    ----------
    data_dir
        SQLite database ``kinchain.db`` and uploads ``blobs/`` (content-addressed).
    database_url
        SQLAlchemy URL; None means the SQLite file in ``data_dir``
        (``KINCHAIN_DATABASE_URL`` sets it from the environment in :func:`from_env`).
    secure_cookies
        ``True``: always mark cookies Secure; ``False``: never; ``None``: when the request came
        over HTTPS.
    max_upload_bytes
        Largest request body accepted on upload routes.
    session_hours, intake_link_days
        Lifetimes of a sign-in and of a patient's intake link.
    login_attempts
        Failed sign-ins allowed for one account from one address, then that account is locked
        from that address with exponential backoff (HTTP 429), from ``login_backoff_s`` on.
    login_address_attempts
        Failed sign-ins allowed from one address (any e-mails), and for one account from all
        addresses together, then backoff for that address (or account) only.
    login_window_s
        Seconds without failures, after a lock has ended, before the failures are forgotten.
    login_backoff_s
        The first lock in seconds; each further failure doubles it (at most one hour).
    base_url
        The service's public address (``https://gait.example.org``) for links sent to patients
        (``KINCHAIN_BASE_URL``; ``--base-url``). None: ``http://host:port`` of the listening
        socket. Never taken from the request's ``Host`` header.
    host, port
        Where ``kinchain serve`` listens.
    run_jobs
        Start the background analysis worker (tests may turn it off to step jobs by hand).
    recover_jobs
        On start, re-queue the analyses a stopped service left queued or running. With several
        server processes (``kinchain serve --workers N``) only the supervising process does it,
        so no analysis is resumed twice.
    """

    data_dir: Path
    database_url: str | None = None
    secure_cookies: bool | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    session_hours: float = 12.0
    intake_link_days: float = 7.0
    login_attempts: int = 5
    login_address_attempts: int = 20
    login_window_s: float = 300.0
    login_backoff_s: float = 30.0
    base_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    run_jobs: bool = True
    recover_jobs: bool = True

    def public_url(self, path: str) -> str:
        """The absolute URL of ``path`` (starting with ``/``) on this service: ``base_url``
        if set, else ``http://host:port`` (IPv6 hosts in brackets; 0.0.0.0 or :: as localhost
        is not useful, so set ``base_url`` when listening on every address)."""
        if self.base_url:
            return self.base_url.rstrip("/") + path
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "localhost"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}{path}"

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, **kwargs: object) -> Settings:
        """Settings with ``KINCHAIN_DATABASE_URL``, ``KINCHAIN_MAX_UPLOAD_MB`` and
        ``KINCHAIN_BASE_URL`` read (keyword arguments take precedence)."""
        url = os.environ.get("KINCHAIN_DATABASE_URL") or None
        extra: dict[str, object] = {"database_url": url}
        base = os.environ.get("KINCHAIN_BASE_URL")
        if base:
            extra["base_url"] = base
        mb = os.environ.get("KINCHAIN_MAX_UPLOAD_MB")
        if mb:
            extra["max_upload_bytes"] = int(float(mb) * 1024 * 1024)
        extra.update(kwargs)
        return cls(Path(data_dir) if data_dir else default_data_dir(), **extra)  # type: ignore[arg-type]
