"""Cohort batch throughput: ``kinchain.batch.run_batch`` on a LocalCluster with 1 and 2 worker
processes (one thread each).

Method: the real c3d.org trial sample_00 (``pyCGM2 lower limb CGM24 Walking01.c3d``, 493
frames at 100 Hz, one force plate) is copied to N files (default 500) in a temporary folder;
each configuration runs the whole batch (read, process, analyse, write the Parquet rows, commit
the ledger) into a fresh output folder, in its own child process so the driver's peak memory
(``ru_maxrss``) is that configuration's alone. Throughput counts from the cluster being ready
to the last trial committed (cluster start-up is reported separately); the cohort report is
timed on the 2-worker output. Run: ``.venv/bin/python benchmarks/batch_bench.py [N]``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_00 = (
    ROOT
    / ".."
    / "shared"
    / "data"
    / "c3d-org"
    / "sample_00"
    / "pyCGM2 lower limb CGM24 Walking01.c3d"
).resolve()
CHILD_FLAG = "--batch-child"
N_TRIALS = 500


class _Clock:
    def __init__(self) -> None:
        self.ready = 0.0
        self.last = 0.0
        self.done = 0
        self.times: list[float] = []

    def start(self, total: int, where: str) -> None:
        self.ready = time.perf_counter()

    def advance(self, trial_id: str, status: str) -> None:
        self.last = time.perf_counter()
        self.done += 1
        self.times.append(self.last)

    def steady_rate(self) -> float:
        """Trials per second after the first 10 % (workers warm: imports done)."""
        k = max(1, len(self.times) // 10)
        if len(self.times) - k < 2:
            return float("nan")
        return (len(self.times) - 1 - k) / (self.times[-1] - self.times[k])


def child(workers: int, src: Path, out: Path) -> None:
    """Run one configuration and print a JSON line."""
    from kinchain.batch import load_source, run_batch
    from kinchain.batch.report import write_report

    t0 = time.perf_counter()
    specs = load_source(src)
    clock = _Clock()
    summary = run_batch(specs, out, workers=workers, progress=clock)
    t_end = time.perf_counter()
    rss_batch_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t_rep = time.perf_counter()
    write_report(out)
    report_s = time.perf_counter() - t_rep
    print(
        json.dumps(
            {
                "workers": workers,
                "trials": summary.total,
                "ok": summary.ok,
                "failed": summary.failed,
                "startup_s": clock.ready - t0,
                "run_s": clock.last - clock.ready,
                "steady_per_s": clock.steady_rate(),
                "load_1min": os.getloadavg()[0],
                "total_s": t_end - t0,
                "driver_peak_mib": rss_batch_kib / 1024,
                "driver_peak_with_report_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                / 1024,
                "report_s": report_s,
                "driver_cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime
                + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
            }
        )
    )


def bench_batch(
    n_trials: int = N_TRIALS, workers: tuple[int, ...] = (1, 2)
) -> list[dict[str, float]]:
    """Run every configuration on one cohort of copies; print a table; return the rows."""
    print(
        f"  cohort: {n_trials} copies of the real sample_00 trial ({SAMPLE_00.name}, "
        f"{SAMPLE_00.stat().st_size / 1e6:.1f} MB) in a temporary folder; LocalCluster, "
        "processes, 1 thread each"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="kinchain-batch-bench-") as tmp:
        src = Path(tmp) / "cohort"
        src.mkdir()
        for i in range(n_trials):
            shutil.copyfile(SAMPLE_00, src / f"trial_{i:04d}.c3d")
        for n in workers:
            out = Path(tmp) / f"out_{n}"
            proc = subprocess.run(
                [sys.executable, __file__, CHILD_FLAG, str(n), str(src), str(out)],
                capture_output=True,
                text=True,
                timeout=600,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            if proc.returncode != 0:
                print(f"  {n} worker(s): failed\n{proc.stderr[-2000:]}")
                continue
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(
        f"  {'workers':>7} {'trials':>6} {'ok':>5} {'start-up s':>10} {'run s':>7} "
        f"{'trials/s':>9} {'steady/s':>9} {'driver peak MiB':>15} {'+report MiB':>11} "
        f"{'report s':>8} {'driver CPU s':>12} {'load':>5}"
    )
    for r in rows:
        rate = r["ok"] / r["run_s"] if r["run_s"] > 0 else float("nan")
        r["trials_per_s"] = rate
        print(
            f"  {r['workers']:>7} {r['trials']:>6} {r['ok']:>5} {r['startup_s']:>10.1f} "
            f"{r['run_s']:>7.1f} {rate:>9.2f} {r['steady_per_s']:>9.2f} "
            f"{r['driver_peak_mib']:>15.0f} {r['driver_peak_with_report_mib']:>11.0f} "
            f"{r['report_s']:>8.1f} {r['driver_cpu_s']:>12.1f} {r['load_1min']:>5.2f}"
        )
    by = {int(r["workers"]): r for r in rows}
    if 1 in by and 2 in by:
        overall = by[2]["trials_per_s"] / by[1]["trials_per_s"]
        steady = by[2]["steady_per_s"] / by[1]["steady_per_s"]
        print(
            f"  scaling 2 workers / 1 worker: {overall:.2f}x overall, {steady:.2f}x steady, on "
            f"{os.cpu_count()} CPUs (ideal 2.00x; the driver, the scheduler and each read's "
            "ezc3d child process share the CPUs; 'load' is the 1-min load average at the end)"
        )
    return rows


def main() -> int:
    if CHILD_FLAG in sys.argv[1:]:
        i = sys.argv.index(CHILD_FLAG)
        child(int(sys.argv[i + 1]), Path(sys.argv[i + 2]), Path(sys.argv[i + 3]))
        return 0
    n = int(sys.argv[1]) if len(sys.argv) > 1 else N_TRIALS
    t0 = time.perf_counter()
    bench_batch(n)
    print(f"  batch benchmark wall time: {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
