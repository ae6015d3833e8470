"""``kinchain serve``: the clinic web service (pages, ``/api/v1``, storage).

``kinchain serve --create-user EMAIL [--admin] [--password-file FILE]`` creates an account (the
first of a clinic, or with ``--admin``, an administrator) and
exits (the password is asked for when no file is given).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer

from kinchain.errors import InputError

if TYPE_CHECKING:
    from kinchain.web.settings import Settings


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command(name="serve")(serve_command)


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        help="Database (SQLite) and uploads folder (default: the user's data folder). "
        "KINCHAIN_DATABASE_URL selects PostgreSQL instead of SQLite.",
        show_default=False,
    ),
    create_user: str | None = typer.Option(
        None,
        "--create-user",
        metavar="EMAIL",
        help="Create an account and exit (the clinic's first account is its administrator).",
    ),
    admin: bool = typer.Option(
        False, "--admin", help="With --create-user: make the account an administrator."
    ),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="With --create-user: read the password from this file."
    ),
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--no-secure-cookies",
        help="Mark cookies Secure (default: when the request came over HTTPS).",
        show_default=False,
    ),
    max_upload_mb: float | None = typer.Option(
        None,
        "--max-upload-mb",
        help="Largest upload in MB (default 50; or KINCHAIN_MAX_UPLOAD_MB).",
    ),
    proxy_headers: bool = typer.Option(
        False, "--proxy-headers", help="Trust X-Forwarded-* from a reverse proxy (for HTTPS)."
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Server processes (default 1). Several use several cores; sign-in limits are then "
        "counted per process.",
    ),
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="The service's public address for the links sent to patients, e.g. "
        "https://gait.example.org (or KINCHAIN_BASE_URL; default http://HOST:PORT). "
        "Links are never built from the request's Host header.",
        show_default=False,
    ),
) -> None:
    """Run the clinic web service. Supports, and does not replace, a clinician's judgement."""
    from kinchain.web.settings import Settings

    extra: dict[str, object] = {"secure_cookies": secure_cookies, "host": host, "port": port}
    if base_url is not None:
        extra["base_url"] = base_url
    if max_upload_mb is not None:
        if max_upload_mb <= 0:
            raise InputError("--max-upload-mb", "must be positive")
        extra["max_upload_bytes"] = int(max_upload_mb * 1024 * 1024)
    settings = Settings.from_env(data_dir, **extra)
    if settings.base_url is not None:
        source = "--base-url" if base_url is not None else "KINCHAIN_BASE_URL"
        settings = replace(settings, base_url=check_base_url(settings.base_url, source))
    if create_user is not None:
        _create_user(settings, create_user, password_file, admin=admin)
        return
    if password_file is not None:
        raise InputError("--password-file", "goes with --create-user")
    if admin:
        raise InputError("--admin", "goes with --create-user")
    import uvicorn

    from kinchain.web.app import create_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    where = (settings.database_url and "the database in KINCHAIN_DATABASE_URL") or settings.data_dir
    if workers > 1:
        _serve_workers(settings, workers, proxy_headers, where)
        return
    app = create_app(settings)
    typer.echo(f"kinchain serve: data in {where}; http://{host}:{port}/")
    if settings.base_url is None and host in ("0.0.0.0", "::"):
        typer.echo(
            "kinchain serve: patients' intake links will use "
            f"{settings.public_url('/')} (set --base-url to the address patients can reach)",
            err=True,
        )
    # access_log off: URLs can hold search terms; the audit log records every access instead.
    uvicorn.run(
        app, host=host, port=port, access_log=False, proxy_headers=proxy_headers, log_level="info"
    )


def _serve_workers(settings: Settings, workers: int, proxy_headers: bool, where: object) -> None:
    """Run ``workers`` server processes (uvicorn's supervisor, each process its own app).

    This process migrates the database once, re-queues the analyses and "what if" simulations a
    stopped service left behind and runs them itself (the server processes only run the analyses
    and simulations of their own requests), then supervises; the server processes get the
    settings through :data:`kinchain.web.app.SETTINGS_ENV`.
    """
    import os

    import uvicorn

    from kinchain.store import Store
    from kinchain.web.app import SETTINGS_ENV, settings_to_env
    from kinchain.web.jobs import JobRunner
    from kinchain.web.simulations import SimulationRunner

    store = Store.open(settings.data_dir, settings.database_url)  # migrates before the workers
    runner = JobRunner(store, start=True)
    resumed = runner.recover()
    if resumed:
        logging.getLogger("kinchain.web").info("resumed %d interrupted analyses", len(resumed))
    # the simulations a stopped service left queued or running, run here as the analyses are
    simulations = SimulationRunner(store, runner)
    queued = simulations.recover()
    if queued:
        logging.getLogger("kinchain.web").info("resumed %d interrupted simulations", len(queued))
    os.environ[SETTINGS_ENV] = settings_to_env(settings)
    typer.echo(
        f"kinchain serve: data in {where}; http://{settings.host}:{settings.port}/ "
        f"({workers} server processes)"
    )
    try:
        uvicorn.run(
            "kinchain.web.app:app_from_env",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            access_log=False,
            proxy_headers=proxy_headers,
            log_level="info",
        )
    finally:
        simulations.shutdown()
        runner.shutdown()


def check_base_url(url: str, source: str) -> str:
    """``url`` without a trailing slash, if it is an http(s) address with a host and no query
    or fragment; else :class:`InputError` naming ``source``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            source, "give an http:// or https:// address, e.g. https://gait.example.org"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InputError(source, "give the address only (no user, ?query or #fragment)")
    return url.strip().rstrip("/")


def _create_user(
    settings: object, email: str, password_file: Path | None, *, admin: bool = False
) -> None:
    from kinchain.store import Store
    from kinchain.web.audit import record
    from kinchain.web.security import create_user
    from kinchain.web.settings import Settings

    assert isinstance(settings, Settings)
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InputError(str(password_file), f"cannot read ({exc.strerror})") from exc
    else:
        password = _ask_password()
    store = Store.open(settings.data_dir, settings.database_url)
    try:
        with store.session() as db:
            try:
                user = create_user(db, email, password, role="admin" if admin else None)
            except ValueError as exc:
                raise InputError("--create-user", str(exc)) from exc
            record(db, action="user.create", actor="system", target=("user", user.id))
            user_role = user.role
    finally:
        store.dispose()
    role = "administrator" if user_role == "admin" else "clinician"
    typer.echo(f"created {role} {email.strip().lower()}")


def _ask_password() -> str:
    """Ask for the new password, checking its length before asking for it again."""
    from kinchain.web.security import MIN_PASSWORD

    while True:
        password: str = typer.prompt("Password", hide_input=True)
        if len(password) < MIN_PASSWORD:
            typer.echo(f"error: the password needs at least {MIN_PASSWORD} characters", err=True)
            continue
        again: str = typer.prompt("Repeat for confirmation", hide_input=True)
        if again == password:
            return password
        typer.echo("error: the two entries differ; again, please", err=True)
