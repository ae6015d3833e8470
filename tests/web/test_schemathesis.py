"""Property-based tests of the whole OpenAPI document (schemathesis): no request, valid or not,
signed in or not, gets a 5xx. Bounded examples per operation keep it well under two minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from kinchain.store import Store
from kinchain.web.app import create_app
from kinchain.web.security import SESSION_COOKIE, create_user
from kinchain.web.settings import Settings

from .conftest import EMAIL, PASSWORD

SIGNED_IN_EXAMPLES = 30
ANONYMOUS_EXAMPLES = 5


def _schema(tmp_path: Path) -> tuple[Any, dict[str, str], dict[str, str]]:
    store = Store.open(tmp_path / "data")
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    # jobs off: fuzzed intakes must not start analyses
    app = create_app(Settings(data_dir=tmp_path / "data", run_jobs=False), store=store)
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
        cookies = {SESSION_COOKIE: c.cookies.get(SESSION_COOKIE) or ""}
        pid = c.post("/api/v1/patients", json={"name": "Fuzz Target"}, headers=csrf).json()["id"]
        c.post(f"/api/v1/patients/{pid}/visits", json={}, headers=csrf)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app), csrf, cookies


def _run(
    operation: Any, n: int, headers: dict[str, str], cookies: dict[str, str], anonymous: bool
) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(
            headers=headers, cookies=cookies, checks=[not_a_server_error]
        )
        if anonymous and not case.path.endswith("/auth/login"):
            assert response.status_code in (401, 422), (case.path, response.status_code)

    check()


def test_no_server_errors(tmp_path: Path) -> None:
    schema, csrf, cookies = _schema(tmp_path)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20
    for op in operations:
        if op.path.endswith(("/auth/logout", "/auth/login")):
            continue  # would end the session or trip the sign-in rate limit
        _run(op, SIGNED_IN_EXAMPLES, csrf, cookies, anonymous=False)
    for op in operations:
        _run(op, ANONYMOUS_EXAMPLES, {}, {}, anonymous=True)
