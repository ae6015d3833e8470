"""Server CPU time per request, one request at a time: ``kinchain serve`` as one process on a
fresh SQLite data dir, a visit with the web benchmark's intake and the demo trial analysed, then
``N`` requests in a row of each kind; the server's CPU time (user + system, from ``/proc``) over
each series, divided by ``N``.

    .venv/bin/python benchmarks/web_request_cpu.py [--requests 400]

Where the open-loop benchmark (``web_bench.py``) shows whether the service keeps up with a rate,
this shows what one request costs the server, without queueing or a second process, for
comparing changes to the web layer (Linux only: it reads ``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_bench import DEMO, EMAIL, INTAKE, KINCHAIN, PASSWORD, _free_port, stop, wait_until_serving


def _cpu_s(pid: int) -> float:
    """User + system CPU time (s) of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(requests: int) -> dict[str, float]:
    """Server CPU ms per request for a signed-in API read, an assessment and the visit page."""
    env = {k: v for k, v in os.environ.items() if k != "KINCHAIN_DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="kinchain-web-cpu-") as tmp:
        data, pw = Path(tmp) / "data", Path(tmp) / "pw"
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
        server = subprocess.Popen(
            [str(KINCHAIN), "serve", "--data-dir", str(data), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as c:
                wait_until_serving(c, server)
                r = c.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
                r.raise_for_status()
                csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
                pid = c.post("/api/v1/patients", json={"name": "Bench"}, headers=csrf).json()["id"]
                vid = c.post(f"/api/v1/patients/{pid}/visits", json={}, headers=csrf).json()["id"]
                c.put(f"/api/v1/visits/{vid}/intake", json=INTAKE, headers=csrf)
                with DEMO.open("rb") as fh:
                    c.post(
                        f"/api/v1/visits/{vid}/trial",
                        files={"trial": ("walk.c3d", fh)},
                        headers=csrf,
                    ).raise_for_status()
                while c.get(f"/api/v1/visits/{vid}/status").json()["status"] not in (
                    "done",
                    "failed",
                ):
                    time.sleep(0.1)
                body = json.dumps(INTAKE).encode()
                json_csrf = csrf | {"Content-Type": "application/json"}
                kinds: dict[str, Callable[[], httpx.Response]] = {
                    "GET /api/v1/auth/me": lambda: c.get("/api/v1/auth/me"),
                    "POST /api/v1/assess": lambda: c.post(
                        "/api/v1/assess", content=body, headers=json_csrf
                    ),
                    "GET /visits/{id} (analysed)": lambda: c.get(f"/visits/{vid}"),
                }
                out: dict[str, float] = {}
                for name, send in kinds.items():
                    for _ in range(20):
                        send().raise_for_status()
                    before = _cpu_s(server.pid)
                    for _ in range(requests):
                        send()
                    out[name] = 1000 * (_cpu_s(server.pid) - before) / requests
                return out
        finally:
            stop(server)


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--requests", type=int, default=400, help="requests of each kind")
    args = p.parse_args()
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    print(f"server CPU per request, one server process, {args.requests} requests in a row each:")
    for name, ms in measure(args.requests).items():
        print(f"  {name:<30}{ms:>7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
