"""The FastAPI application: pages, ``/api/v1``, static files, audit log and limits."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import plotly
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kinchain import __version__
from kinchain.clinical import Intake
from kinchain.clinical.wording import TEST_WHEN
from kinchain.errors import InputError
from kinchain.store import Store
from kinchain.web import (
    admin_api,
    admin_pages,
    api,
    compare,
    outcome_pages,
    pages,
    patient_summary,
    simulations,
)
from kinchain.web.audit import append
from kinchain.web.context import (
    ApiError,
    Context,
    LoginRequired,
    PasswordChangeRequired,
    api_user,
    optional_user,
    without_values,
)
from kinchain.web.jobs import JobRunner
from kinchain.web.security import LoginThrottle
from kinchain.web.settings import Settings

log = logging.getLogger("kinchain.web")
HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


#: The pages' Content-Security-Policy: scripts only from this origin (app.js and the packaged
#: plotly.min.js; no inline script), no plugins, forms and frames to this origin only.
#: Inline styles stay allowed because Plotly writes its chart styles at run time.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
)

#: Headers on every response (the report keeps its own, stricter, policy).
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by Content-Length or while
    streaming (chunked uploads without a length), before the application parses them.

    When the body turns out too large while the application reads it, the application's own
    answer (a parser error, usually 400) is replaced by the 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        seen = 0
        started = False
        over = False

        async def limited() -> Message:
            nonlocal seen, over
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise _TooLarge()
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if over:  # the application answered its own error for the cut body: 413 instead
                if not started:
                    started = True
                    await self._refuse(scope, receive, send)
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        mb = self.limit / (1024 * 1024)
        resp = JSONResponse(
            {"detail": f"the upload is larger than the limit of {mb:g} MB", "field": "trial"},
            status_code=413,
            headers=SECURITY_HEADERS,
        )
        await resp(scope, receive, send)


def _needs(dependant: Dependant, call: Callable[..., Any]) -> bool:
    """Whether ``call`` is among the (nested) dependencies of ``dependant``."""
    return any(d.call is call or _needs(d, call) for d in dependant.dependencies)


class SignInFirst:
    """Answer 401 to an anonymous call of a signed-in API route before its body is read.

    FastAPI parses a route's JSON body before it resolves the route's dependencies, so an
    anonymous call with a broken body would get a 422 (that tells what the route expects)
    instead of the 401 of :func:`kinchain.web.context.api_user`. For each request that matches
    a route depending on ``api_user`` (not the sign-in, the OpenAPI document or the patients'
    intake links), this checks the session first: without a valid one it answers the same 401
    and the route never runs. The route's own dependency still checks the session and the
    CSRF token."""

    def __init__(self, app: ASGIApp, routes: list[APIRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/api/"):
            for route in self.routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    request = Request(scope, receive)
                    if await run_in_threadpool(optional_user, request) is None:
                        scope.update(child)  # the audit log names the route
                        exc = ApiError(401, "session", "sign in first (POST /api/v1/auth/login)")
                        resp = JSONResponse(
                            {"detail": exc.problem, "field": exc.field}, status_code=exc.status
                        )
                        await resp(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


class AuditAndHeaders:
    """Add :data:`SECURITY_HEADERS` to every answer (where the answer does not set its own) and
    write one audit record per request (not for static files), when the answer starts and
    before it is sent.

    A plain ASGI middleware: it sees the response's first message only, so it neither buffers
    nor re-streams the body (Starlette's ``BaseHTTPMiddleware`` does both, with a task group,
    per request)."""

    def __init__(self, app: ASGIApp, context: Context) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = MutableHeaders(scope=msg)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                self._audit(Request(scope), msg["status"])
            await send(msg)

        await self.app(scope, receive, send_with_headers)

    def _audit(self, request: Request, status: int) -> None:
        path = request.url.path
        if path.startswith(("/static", "/favicon")):
            return
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "(unmatched)"
        params = request.path_params
        target = None
        for key, kind in (("visit_id", "visit"), ("patient_id", "patient"), ("user_id", "user")):
            raw = str(params.get(key, ""))
            if raw.isdigit() and len(raw) < 12:
                target = (kind, int(raw))
                break
        user_id = getattr(request.state, "user_id", None)
        actor = (
            "user" if user_id else ("token" if template.startswith("/intake/t/") else "anonymous")
        )
        try:
            append(
                self.context.store.engine,
                action="access",
                actor=actor,
                user_id=user_id,
                method=request.method,
                route=template,
                status=status,
                target=target,
                ip=request.client.host if request.client else None,
            )
        except Exception as exc:  # the audit log must not take the page down
            log.error("audit log write failed: %s", type(exc).__name__)


def _signed_in_routes() -> list[APIRoute]:
    """The API routes that depend on :func:`kinchain.web.context.api_user`."""
    return [
        r
        for r in (*api.router.routes, *admin_api.router.routes)
        if isinstance(r, APIRoute) and _needs(r.dependant, api_user)
    ]


def _document_intake(app: FastAPI) -> None:
    """Add the intake's schema to the OpenAPI components: the intake routes read their body raw
    (so that :func:`kinchain.clinical.parse_intake`'s limits run first) and refer to it."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain()
        intake = Intake.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(intake.pop("$defs", {}))
        components["Intake"] = intake
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_LEVEL_TAG = re.compile(r"\s*\[(?:emergency|same_day|soon|routine|self_care)\]")


def without_level(feature: str) -> str:
    """A red flag's feature without the engine's urgency tag (``"... [same_day]"``)."""
    return _LEVEL_TAG.sub("", feature)


def flag_advice(action: str) -> str:
    """A red flag's advice without its first sentence, which repeats the flag's name and
    features (``"RED FLAG septic arthritis: hot, swollen joint. Aspirate before ..."``)."""
    if action.startswith("RED FLAG "):
        _, _, rest = action.partition(". ")
        return rest
    return action


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The service for ``settings`` (the store is opened and migrated if not given)."""
    store = store or Store.open(settings.data_dir, settings.database_url)
    runner = JobRunner(store, start=settings.run_jobs)
    sim_runner = simulations.SimulationRunner(store, runner, start=settings.run_jobs)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    templates.env.globals["test_when"] = TEST_WHEN
    templates.env.filters["without_level"] = without_level
    templates.env.filters["flag_advice"] = flag_advice
    throttle = LoginThrottle.from_limits(
        settings.login_attempts,
        settings.login_address_attempts,
        settings.login_window_s,
        base_delay_s=settings.login_backoff_s,
    )
    context = Context(
        settings=settings,
        store=store,
        runner=runner,
        limiter=throttle.address,
        templates=templates,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.recover_jobs:
            resumed = runner.recover()
            if resumed:
                log.info("resumed %d interrupted analyses", len(resumed))
            resumed = sim_runner.recover()
            if resumed:
                log.info("resumed %d interrupted simulations", len(resumed))
        # The app, its imports and its templates are built and live as long as the process:
        # move them to the collector's permanent generation, so that a full collection no
        # longer walks ~270k long-lived objects (146-173 ms pauses under load; issue 13).
        gc.collect()
        gc.freeze()
        yield
        sim_runner.shutdown()
        runner.shutdown()
        gc.unfreeze()  # an app made and stopped in a longer process (tests) is collectable again

    app = FastAPI(
        title="kinchain",
        version=f"{__version__} (API v{api.API_VERSION})",
        description="Gait biomechanics and clinical triage of knee/ankle pain as a clinic "
        "service. Supports, and does not replace, a clinician's judgement.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # /api/v1/docs is a page of ours: signed-in, no external script
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = context
    app.state.login_throttle = throttle
    app.include_router(api.router)
    app.include_router(admin_api.router)
    app.include_router(pages.router)
    app.include_router(admin_pages.router)
    app.include_router(compare.api_router)
    app.include_router(compare.page_router)
    app.include_router(patient_summary.api_router)
    app.include_router(patient_summary.page_router)
    app.include_router(outcome_pages.api_router)
    app.include_router(outcome_pages.page_router)
    app.include_router(simulations.api_router)
    app.include_router(simulations.page_router)
    simulations.attach(app, sim_runner, templates)
    _document_intake(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.api_route("/static-vendor/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if not request.url.path.startswith("/api/") and exc.status in (403, 404, 409):
            return pages.error_page(request, exc.status, exc.problem)
        return JSONResponse({"detail": exc.problem, "field": exc.field}, status_code=exc.status)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> Response:
        # The intake model's cross-field checks raise InputError while FastAPI validates a body.
        return JSONResponse(
            {"detail": without_values(exc.problem), "field": exc.source}, status_code=422
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                "in": str(e["loc"][0]),
                "problem": e["msg"],
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "problem": "invalid request"}
        return JSONResponse(
            {"detail": first["problem"], "field": first["field"], "errors": errors},
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": str(exc.detail), "field": "request"},
                status_code=exc.status_code,
                headers=exc.headers,
            )
        return pages.error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/account/password", status_code=303)

    app.add_middleware(SignInFirst, routes=_signed_in_routes())
    # Added before the middleware below, so it runs inside it: a 413 gets the security headers
    # and an audit record like any other answer.
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    app.add_middleware(AuditAndHeaders, context=context)
    return app


#: Environment variable through which ``kinchain serve --workers N`` hands its settings to the
#: server processes it starts (JSON of :class:`Settings`' fields).
SETTINGS_ENV = "KINCHAIN_SERVE_SETTINGS"


def settings_to_env(settings: Settings) -> str:
    """``settings`` as the JSON :func:`app_from_env` reads."""
    import dataclasses
    import json

    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    fields["data_dir"] = str(settings.data_dir)
    return json.dumps(fields)


def app_from_env() -> FastAPI:
    """The service of one server process started by ``kinchain serve --workers N`` (uvicorn's
    app factory): its settings from :data:`SETTINGS_ENV`; analyses are not recovered here (the
    supervising process did it once)."""
    import dataclasses
    import json
    import os

    raw = json.loads(os.environ[SETTINGS_ENV])
    raw["data_dir"] = Path(raw["data_dir"])
    settings = dataclasses.replace(Settings(**raw), recover_jobs=False)
    return create_app(settings)
