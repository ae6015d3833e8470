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
    login_attempts, login_window_s
        Failed sign-ins allowed per address and e-mail within the window, then HTTP 429.
    run_jobs
        Start the background analysis worker (tests may turn it off to step jobs by hand).
    """

    data_dir: Path
    database_url: str | None = None
    secure_cookies: bool | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    session_hours: float = 12.0
    intake_link_days: float = 7.0
    login_attempts: int = 5
    login_window_s: float = 300.0
    run_jobs: bool = True

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, **kwargs: object) -> Settings:
        """Settings with ``KINCHAIN_DATABASE_URL`` and ``KINCHAIN_MAX_UPLOAD_MB`` read."""
        url = os.environ.get("KINCHAIN_DATABASE_URL") or None
        extra: dict[str, object] = {"database_url": url}
        mb = os.environ.get("KINCHAIN_MAX_UPLOAD_MB")
        if mb:
            extra["max_upload_bytes"] = int(float(mb) * 1024 * 1024)
        extra.update(kwargs)
        return cls(Path(data_dir) if data_dir else default_data_dir(), **extra)  # type: ignore[arg-type]
