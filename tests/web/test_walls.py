"""The web app's walls (issue 11 items 7, 9, 10, 11): sign-in limits per account and per
address with backoff, the intake link's address and reflection, the patient form's live check on
a bad body, the Content-Security-Policy on every page, the API reference, 413 answers, and
owner-only files."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kinchain.errors import InputError
from kinchain.store import Store
from kinchain.web.security import LoginThrottle, RateLimiter, create_user
from kinchain.web.settings import Settings

from .conftest import EMAIL, PASSWORD, login, make_app, new_patient, new_visit

OTHER = "second@example.org"
WRONG = "not the password at all"


def _client(app: FastAPI, address: str) -> TestClient:
    """A client whose requests come from ``address``."""
    return TestClient(app, client=(address, 40000))


def _sign_in(c: TestClient, email: str, password: str) -> int:
    return c.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code


# ------------------------------------------------------------------ item 7: sign-in limits
class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_rate_limiter_backs_off_exponentially_and_forgives() -> None:
    clock = Clock()
    lim = RateLimiter(5, 300.0, base_delay_s=30.0, clock=clock)
    for _ in range(4):
        lim.fail("k")
    assert lim.retry_after("k") == 0  # four failures: still allowed
    lim.fail("k")
    assert lim.retry_after("k") == pytest.approx(30.0)  # the fifth locks for 30 s
    assert lim.retry_after("other") == 0  # keys are independent
    clock.t += 30.0
    assert lim.retry_after("k") == 0
    lim.fail("k")
    assert lim.retry_after("k") == pytest.approx(60.0)  # each further failure doubles
    clock.t += 60.0
    lim.fail("k")
    assert lim.retry_after("k") == pytest.approx(120.0)
    clock.t += 120.0 + 300.0 + 1.0  # quiet for the window after the lock: forgiven
    lim.fail("k")
    assert lim.retry_after("k") == 0
    assert lim.attempt("k") == 0  # counted: 2 failures now
    lim.undo("k")
    lim.undo("k")
    lim.undo("k")
    assert "k" not in lim._state


def test_rate_limiter_caps_the_lock() -> None:
    clock = Clock()
    lim = RateLimiter(1, 10.0, base_delay_s=30.0, max_delay_s=3600.0, clock=clock)
    for _ in range(60):
        lim.fail("k")
    assert lim.retry_after("k") == pytest.approx(3600.0)


@pytest.fixture
def two_users(app: FastAPI, store: Store) -> FastAPI:
    with store.session() as db:
        create_user(db, OTHER, PASSWORD)
    return app


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_unknown_emails_do_not_lock_out_the_clinic(two_users: FastAPI) -> None:
    """Five (and up to 19) failures with unknown e-mails from the clinic's address still let
    its users sign in; an address that keeps failing is stopped, other addresses are not."""
    with _client(two_users, "10.0.0.1") as clinic, _client(two_users, "10.0.0.2") as elsewhere:
        for i in range(5):
            assert _sign_in(clinic, f"nobody{i}@example.org", WRONG) == 401
        assert _sign_in(clinic, EMAIL, PASSWORD) == 200  # was 429 for five minutes
        for i in range(5, 20):
            assert _sign_in(clinic, f"nobody{i}@example.org", WRONG) == 401
        assert _sign_in(clinic, OTHER, PASSWORD) == 429  # the address has failed 20 times
        assert _sign_in(elsewhere, OTHER, PASSWORD) == 200
        throttle: LoginThrottle = two_users.state.login_throttle
        # unknown e-mails count per address only: no state per made-up e-mail
        assert all("nobody" not in k for k in throttle.account._state)
        assert all("nobody" not in k for k in throttle.address._state)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_hammering_one_account_from_one_address(two_users: FastAPI) -> None:
    """Five wrong passwords for an account lock that account from that address only: the right
    password from another address, and other accounts from the same address, still sign in."""
    with _client(two_users, "10.0.0.66") as attacker, _client(two_users, "10.0.0.7") as owner:
        for _ in range(5):
            assert _sign_in(attacker, EMAIL, WRONG) == 401
        r = attacker.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert r.status_code == 429 and "try again in" in r.json()["detail"]
        assert _sign_in(owner, EMAIL, PASSWORD) == 200
        assert _sign_in(attacker, OTHER, PASSWORD) == 200
        # the page's sign-in answers the same, with Retry-After
        page = attacker.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        r = attacker.post(
            "/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 30


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_guessing_spread_over_addresses_is_bounded_per_account(two_users: FastAPI) -> None:
    for i in range(4):
        with _client(two_users, f"10.1.0.{i}") as c:
            for _ in range(5):
                assert _sign_in(c, EMAIL, WRONG) == 401
    with _client(two_users, "10.1.0.99") as c:
        assert _sign_in(c, EMAIL, PASSWORD) == 429  # 20 failures on the account in all
        assert _sign_in(c, OTHER, PASSWORD) == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_own_sign_in_does_not_reset_the_address_count(two_users: FastAPI) -> None:
    with _client(two_users, "10.2.0.1") as c:
        for i in range(20):
            assert _sign_in(c, f"x{i}@example.org", WRONG) == 401
            if i == 10:
                assert _sign_in(c, OTHER, PASSWORD) == 200
        assert _sign_in(c, "y@example.org", WRONG) == 429


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_concurrent_guesses_do_not_slip_past_the_limit(app: FastAPI, store: Store) -> None:
    """Attempts are counted before the (slow, Argon2) password check: 16 guesses at once for one
    account from one address get exactly 5 password checks; the others are refused."""
    from concurrent.futures import ThreadPoolExecutor

    throttle = LoginThrottle.from_limits(5, 20, 300.0)

    def guess(_: int) -> bool:
        with store.session() as db:
            return throttle.sign_in(db, EMAIL, WRONG, "10.3.0.1").throttled

    with ThreadPoolExecutor(16) as pool:
        refused = list(pool.map(guess, range(16)))
    assert refused.count(False) == 5 and refused.count(True) == 11
    with store.session() as db:  # the right password from another address
        assert throttle.sign_in(db, EMAIL, PASSWORD, "10.3.0.2").user is not None


# ------------------------------------------------------------------ item 9: links, bad bodies
def _link(c: TestClient, csrf: dict[str, str], **headers: str) -> str:
    vid = new_visit(c, csrf, new_patient(c, csrf))
    r = c.post(f"/api/v1/visits/{vid}/intake-link", headers={**csrf, **headers})
    assert r.status_code == 201, r.text
    url: str = r.json()["url"]
    return url


def test_patient_form_state_with_a_body_that_is_not_json(
    client: TestClient, csrf: dict[str, str]
) -> None:
    path = urlsplit(_link(client, csrf)).path
    client.cookies.clear()
    for body in (b"not json", b"\xff\xfe", b'{"answers": '):
        r = client.post(path + "/state", content=body)
        assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post(path + "/state", content=b'{"answers": {"x": "' + b"a" * 70_000 + b'"}}')
    assert r.status_code == 413


def test_intake_link_ignores_the_host_header(store: Store, tmp_path: Path) -> None:
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    configured = make_app(store, tmp_path, base_url="https://gait.example.org")
    with TestClient(configured) as c:
        csrf = login(c)
        url = _link(c, csrf, Host="evil.example")
        assert url.startswith("https://gait.example.org/intake/t/")
        # the page that creates the link shows the same address
        vid = new_visit(c, csrf, new_patient(c, csrf))
        r = c.post(
            f"/visits/{vid}/intake-link",
            data={"csrf_token": csrf["X-CSRF-Token"]},
            headers={"Host": "evil.example"},
        )
        assert r.status_code == 200
        assert "https://gait.example.org/intake/t/" in r.text and "evil.example" not in r.text
    unconfigured = make_app(store, tmp_path, host="192.0.2.5", port=8123)
    with TestClient(unconfigured) as c:
        url = _link(c, login(c), Host="evil.example")
        assert url.startswith("http://192.0.2.5:8123/intake/t/")


def test_visit_page_does_not_reflect_a_link_parameter(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.get(f"/visits/{vid}", params={"link": "https://evil.example/phish"})
    assert r.status_code == 200
    assert "evil.example" not in r.text and 'id="intake-link"' not in r.text


def test_base_url_from_option_and_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``kinchain serve`` hands ``--base-url`` (or ``KINCHAIN_BASE_URL``), host and port to the
    app's settings; a bad address is a one-line error."""
    import uvicorn

    import kinchain.web.app as web_app
    from kinchain.cli.main import app as cli_app

    seen: list[Settings] = []

    def fake_create_app(settings: Settings, store: Store | None = None) -> object:
        seen.append(settings)
        return object()

    monkeypatch.setattr(web_app, "create_app", fake_create_app)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    monkeypatch.delenv("KINCHAIN_BASE_URL", raising=False)
    args = ["serve", "--data-dir", str(tmp_path), "--host", "10.9.8.7", "--port", "9000"]
    r = CliRunner().invoke(cli_app, [*args, "--base-url", "https://gait.example.org/"])
    assert r.exit_code == 0, r.output
    assert seen[-1].base_url == "https://gait.example.org"
    assert seen[-1].public_url("/x") == "https://gait.example.org/x"
    monkeypatch.setenv("KINCHAIN_BASE_URL", "https://clinic.example.net")
    assert CliRunner().invoke(cli_app, args).exit_code == 0
    assert seen[-1].public_url("/x") == "https://clinic.example.net/x"
    monkeypatch.delenv("KINCHAIN_BASE_URL")
    assert CliRunner().invoke(cli_app, args).exit_code == 0
    assert seen[-1].public_url("/x") == "http://10.9.8.7:9000/x"
    r = CliRunner().invoke(cli_app, [*args, "--base-url", "javascript:alert(1)"])
    assert isinstance(r.exception, InputError) and r.exception.source == "--base-url"
    assert len(seen) == 3  # refused before the app is made
    from kinchain.cli.serve import check_base_url

    with pytest.raises(InputError):
        check_base_url("https://gait.example.org/?next=x", "--base-url")


# ------------------------------------------------------------------ item 10: CSP, docs, 413
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|type=\"application/json\"))[^>]*>")


def _check_page(r: object) -> None:
    from httpx import Response

    assert isinstance(r, Response)
    assert r.headers["content-type"].startswith("text/html"), r.url
    csp = r.headers.get("content-security-policy", "")
    assert (
        "script-src 'self'" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "default-src 'none'" in csp and "frame-ancestors" in csp
    assert not _INLINE_SCRIPT.search(r.text), f"inline script on {r.url}"
    assert " on" + "click=" not in r.text and "javascript:" not in r.text
    for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', r.text):
        assert src.startswith("/"), src  # this origin only


def test_every_page_has_a_strict_csp(client: TestClient, csrf: dict[str, str]) -> None:
    pid = new_patient(client, csrf)
    va, vb = new_visit(client, csrf, pid), new_visit(client, csrf, pid)
    for path in (
        "/patients",
        f"/patients/{pid}",
        f"/visits/{va}",
        f"/visits/{va}/intake",
        "/api/v1/docs",
        "/no-such-page",
        f"/patients/{pid}/compare?a={va}&b={vb}",
    ):
        _check_page(client.get(path))
    link = urlsplit(_link(client, csrf)).path
    client.cookies.clear()
    _check_page(client.get("/login"))
    _check_page(client.get(link))


def test_api_docs_need_sign_in_and_load_nothing_from_elsewhere(client: TestClient) -> None:
    r = client.get("/api/v1/docs", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/v1/docs/oauth2-redirect").status_code == 404
    login(client)
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert "/api/v1/auth/login" in r.text and "/api/v1/visits/{visit_id}/fhir" in r.text
    assert "cdn" not in r.text.lower() and "http://" not in r.text and "https://" not in r.text


def test_413_carries_the_security_headers(store: Store, tmp_path: Path, app: FastAPI) -> None:
    small = make_app(store, tmp_path, max_upload_bytes=10_000)
    with TestClient(small) as c:
        csrf = login(c)
        vid = new_visit(c, csrf, new_patient(c, csrf))
        r = c.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": ("big.c3d", b"\0" * 20_000, "application/octet-stream")},
            headers=csrf,
        )
        assert r.status_code == 413
        for name in ("content-security-policy", "x-content-type-options", "x-frame-options"):
            assert name in r.headers, name


def _chunked(body: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_chunked_upload_over_the_limit_is_413(client: TestClient, csrf: dict[str, str]) -> None:
    """52 MiB sent without a Content-Length (chunked) against the default 50 MB limit."""
    vid = new_visit(client, csrf, new_patient(client, csrf))
    boundary = "kinchainboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="trial"; filename="big.c3d"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\0" * (52 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = client.post(
        f"/api/v1/visits/{vid}/trial",
        content=_chunked(body),
        headers={**csrf, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413 and r.json()["field"] == "trial"
    assert "content-security-policy" in r.headers
    assert client.get(f"/api/v1/visits/{vid}").json()["status"] == "empty"


# ------------------------------------------------------------------ item 11: file modes
def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(old)


def test_new_store_is_owner_only(tmp_path: Path, loose_umask: None) -> None:
    store = Store.open(tmp_path / "data")
    try:
        with store.session() as db:
            create_user(db, EMAIL, PASSWORD)  # a write: the WAL and shared memory exist now
        sha, _ = store.blobs.put(b"patient trial bytes")
        data = tmp_path / "data"
        files = [data / "kinchain.db", data / "kinchain.db-wal", data / "kinchain.db-shm"]
        for f in files:
            assert f.exists() and _mode(f) == 0o600, (f, oct(_mode(f)))
        blob = store.blobs.path(sha)
        assert _mode(blob) == 0o600
        for d in (data, store.blobs.root, blob.parent):
            assert _mode(d) == 0o700, (d, oct(_mode(d)))
    finally:
        store.dispose()


def test_existing_store_is_made_owner_only_at_start(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "data"
    store = Store.open(data)
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    sha, _ = store.blobs.put(b"older upload")
    store.dispose()
    blob = store.blobs.path(sha)
    loose = [data, store.blobs.root, blob.parent]
    for d in loose:
        d.chmod(0o755)
    for f in [*data.glob("kinchain.db*"), blob]:
        f.chmod(0o644)
    (data / "kinchain.db-wal").touch()
    (data / "kinchain.db-wal").chmod(0o644)
    again = Store.open(data)
    try:
        for d in loose:
            assert _mode(d) == 0o700, d
        for f in [*data.glob("kinchain.db*"), blob]:
            assert _mode(f) == 0o600, f
    finally:
        again.dispose()


# ------------------------------------------------------------------ item 12: the FHIR export
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_fhir_export_is_stable_and_names_the_uploaded_file(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    import time

    from kinchain.store import Visit

    from .conftest import upload_demo, wait_done

    vid = new_visit(client, csrf, new_patient(client, csrf))
    assert upload_demo(client, csrf, vid).status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    first = client.get(f"/api/v1/visits/{vid}/fhir").json()
    time.sleep(1.1)  # the stamps have whole seconds: the request time would differ now
    second = client.get(f"/api/v1/visits/{vid}/fhir").json()
    assert first == second
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None
        visit_time = v.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    (prov,) = [
        e["resource"] for e in first["entry"] if e["resource"]["resourceType"] == "Provenance"
    ]
    assert first["timestamp"] == prov["recorded"] == visit_time
    assert prov["entity"][0]["what"]["display"] == "walk.c3d"  # the uploaded name
