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
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_bench import INTAKE, _tree_cpu_s, serving


def _cpu_s(pid: int) -> float:
    """User + system CPU time (s) of the server ``pid`` and its processes (``/proc``)."""
    spent = _tree_cpu_s(pid)
    if spent is None:
        raise RuntimeError("no /proc here: this benchmark runs on Linux only")
    return spent


def measure(requests: int) -> dict[str, float]:
    """Server CPU ms per request for a signed-in API read, an assessment and the visit page."""
    with serving(None, workers=1) as s:
        c, pid, vid = s.client, s.server.pid, s.visit_id
        body = json.dumps(INTAKE).encode()
        headers = {"X-CSRF-Token": s.csrf, "Content-Type": "application/json"}
        kinds: dict[str, Callable[[], httpx.Response]] = {
            "GET /api/v1/auth/me": lambda: c.get("/api/v1/auth/me"),
            "POST /api/v1/assess": lambda: c.post("/api/v1/assess", content=body, headers=headers),
            "GET /visits/{id} (analysed)": lambda: c.get(f"/visits/{vid}"),
        }
        out: dict[str, float] = {}
        for name, send in kinds.items():
            for _ in range(20):
                send().raise_for_status()
            before = _cpu_s(pid)
            for _ in range(requests):
                send()
            out[name] = 1000 * (_cpu_s(pid) - before) / requests
        return out


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
