"""kinchain benchmarks (``make bench``): wall-clock throughput on real gait data.

Prints one report with these parts:

1. End to end per trial, C3D file -> per-frame table (``process_trial(path).to_frame()``),
   median of 5 runs after one warm-up, on three c3d.org trials; read time (``read_c3d`` with
   ezc3d isolated in a child process, the default, and in-process with ``isolate=False``) and
   compute time (``process`` + ``to_frame`` on the already-read trial) reported separately.
2. Inverse dynamics alone: ``kinetics.newton_euler.bottom_up`` for the left and the right leg
   on 100,000 frames made by ``np.tile`` of sample_00's modelled per-frame arrays (segment
   rotations, joint centres, per-foot ground reaction, swing mask), wired as in
   ``kinchain.process._kinetics``; median of 5.
3. The whole pipeline (``process`` + ``to_frame``) on a 100,000-frame Trial made by ``np.tile``
   of sample_00's markers and force-plate arrays, in a child process: wall time, tracemalloc
   peak and the child's ru_maxrss.
4. The peer: OpenSim 4.6's InverseDynamicsTool on OpenSim's own gait2354 subject01 example,
   and the ratio of kinchain's to OpenSim's inverse-dynamics frames per second. The two solve
   different models (OpenSim: 23-dof whole body; kinchain: two 3-segment legs): the ratio
   compares throughput, not results.
5. ``analyze`` per trial, without and with the report rendered and written; median of 3.
   5b: ``segment_cycles`` (strides and the outlier rule) on a 100,000-frame tiled trial.
   5c: the demo trial from C3D to analysis.json + HTML report, and with the PDF, stage by stage.
6. CLI start-up: ``kinchain --version`` and ``kinchain assess`` on an example intake, each a
   fresh process, against a bare ``python -c pass`` measured in the same run; median of 10.
   6b: the clinical assessment in-process.
7. Scaling: ``kinchain process`` and ``kinchain analyze`` as commands on sample_00 tiled to 1k,
   10k, 30k and 65k frames (median of 3 up to 10k): time, peak memory, memory per frame and
   over the file's size.
8. Cohort batch on Dask, and the web service open loop (``benchmarks/web_bench.py``).

Last, the goals of issue 13, each with this run's figure and whether it is met.

Tiled data repeat the trial end to end, so derivatives are wrong at the seams: the tiled runs
measure speed, not biomechanics. OpenSim is optional (``pip install -e '.[bench]'``); without
it parts 1-3 still run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import kinchain
from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp, subject_from_values
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.kinetics.bsip import segment_parameters
from kinchain.kinetics.newton_euler import SegmentState, bottom_up
from kinchain.kinetics.plates import assign_plates
from kinchain.model.cgm1 import SIDES
from kinchain.process import ProcessOptions, TrialResult, process

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
DATA = (ROOT / ".." / "shared" / "data").resolve()
C3D = DATA / "c3d-org"
SAMPLE_00 = C3D / "sample_00" / "pyCGM2 lower limb CGM24 Walking01.c3d"
SAMPLE_09 = C3D / "sample_09" / "VER4C3D.c3d"
SAMPLE_09_MP = C3D / "sample_09" / "42798.mp"
SAMPLE_03 = C3D / "sample_03" / "gait-raw.c3d"
GAIT2354 = DATA / "opensim" / "gait2354"

RUNS = 5
TILED_FRAMES = 100_000
OPENSIM_TILES = 50  # the 73-frame OpenSim trial repeated 50 times: 3,650 frames
OPENSIM_TILED_RUNS = 3
CHILD_FLAG = "--tiled-pipeline-child"
# C3D frame counts are 16-bit in the header: <= 65,535
SCALING_FRAMES = (1_000, 10_000, 30_000, 65_000)

#: The goals of issue 13, filled in by the parts that measure them and printed last:
#: row -> (measured, goal, met (None: not measured), how / why not).
GOALS: dict[str, tuple[str, str, bool | None, str]] = {}


def goal(row: str, measured: str, target: str, met: bool | None, note: str = "") -> None:
    GOALS[row] = (measured, target, met, note)


WIDTH = 100


# ---------------------------------------------------------------------------------------------
# helpers


def timed(fn: Callable[[], T], runs: int = RUNS, warmup: int = 1) -> tuple[float, T]:
    """Median wall time (s) of ``runs`` calls after ``warmup`` untimed calls; the last result."""
    result: T | None = None
    for _ in range(warmup):
        result = fn()
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    assert result is not None
    return statistics.median(times), result


def tile_rows(a: NDArray[Any], n: int) -> NDArray[Any]:
    """``a`` repeated along axis 0 (``np.tile``) and cut to ``n`` rows, C-contiguous."""
    reps = math.ceil(n / a.shape[0])
    return np.ascontiguousarray(np.tile(a, (reps,) + (1,) * (a.ndim - 1))[:n])


def tiled_trial(trial: Trial, n_frames: int) -> Trial:
    """The trial's markers and force-plate arrays tiled to ``n_frames`` marker frames.

    Events, stored model outputs and raw analog channels are dropped (``process`` does not
    read them); plate arrays keep their analog samples per marker frame.
    """
    markers = {k: tile_rows(v, n_frames) for k, v in trial.markers.items()}
    plates = []
    for p in trial.plates:
        spf = p.force.shape[0] // trial.n_frames
        n_analog = n_frames * spf
        plates.append(
            dataclasses.replace(
                p,
                force=tile_rows(p.force, n_analog),
                moment_at_origin=tile_rows(p.moment_at_origin, n_analog),
                cop=tile_rows(p.cop, n_analog),
                free_moment=tile_rows(p.free_moment, n_analog),
            )
        )
    return dataclasses.replace(
        trial,
        path=f"{trial.path} (tiled to {n_frames} frames)",
        markers=markers,
        plates=tuple(plates),
        events=(),
        other_points={},
        other_point_units={},
        analogs={},
        analog_units={},
    )


@contextlib.contextmanager
def quiet_fds() -> Iterator[None]:
    """Silence C/C++ writes to stdout and stderr (OpenSim prints model summaries)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def rule(title: str = "") -> None:
    print()
    print(("== " + title + " ").ljust(WIDTH, "=") if title else "=" * WIDTH)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.1f}"


def fps(frames: float, seconds: float) -> str:
    return f"{frames / seconds:12,.0f}"


def load_note() -> str:
    """The 1/5/15-minute load averages: other processes on a small machine skew wall times."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unavailable"
    return (
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs "
        "(above ~1: other processes shared the CPUs during the timings)"
    )


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# ---------------------------------------------------------------------------------------------
# 1. per-trial end to end


@dataclasses.dataclass(frozen=True)
class TrialCase:
    name: str
    path: Path
    subject: SubjectMeasurements | None
    kinetics: bool
    note: str


def trial_cases() -> list[TrialCase]:
    sub09 = dataclasses.replace(read_mp(SAMPLE_09_MP), marker_diameter_m=0.025)
    sub03 = subject_from_values(mass_kg=70, leg_length_m=0.9, knee_width_m=0.1, ankle_width_m=0.07)
    return [
        TrialCase("sample_00 Walking01", SAMPLE_00, None, True, "subject from PROCESSING"),
        TrialCase("sample_09 VER4C3D", SAMPLE_09, sub09, True, "42798.mp, 25 mm markers"),
        TrialCase("sample_03 gait-raw", SAMPLE_03, sub03, False, "kinematics only, 70 kg"),
    ]


def end_to_end(case: TrialCase) -> Callable[[], Any]:
    if case.kinetics:
        return lambda: kinchain.process_trial(case.path, subject=case.subject).to_frame()
    return lambda: process(read_c3d(case.path), case.subject, kinetics=False).to_frame()


def bench_trials() -> TrialResult:
    """Part 1; returns sample_00's result for part 2."""
    rule("1. End to end per trial: C3D file -> per-frame table (median of 5, after 1 warm-up)")
    print(
        "end-to-end = kinchain.process_trial(path).to_frame()\n"
        "             (sample_03: read_c3d + process(kinetics=False) + to_frame)\n"
        "read iso   = read_c3d(path): ezc3d parses in a child process (the default; guards "
        "against\n             ezc3d crashes)\n"
        "read in-p  = read_c3d(path, isolate=False): ezc3d in this process\n"
        "compute    = process(trial) + to_frame() on the already-read trial"
    )
    head = (
        f"{'trial':<20}{'frames':>7}{'Hz':>5}{'plates':>7}{'kin':>5}"
        f"{'end-to-end ms':>14}{'read iso ms':>12}{'read in-p ms':>13}{'compute ms':>11}"
        f"{'frames/s e2e':>13}"
    )
    print()
    print(head)
    print("-" * len(head))
    sample00: TrialResult | None = None
    notes = []
    for case in trial_cases():
        t_e2e, table = timed(end_to_end(case))
        t_iso, trial = timed(functools.partial(read_c3d, case.path, subject=case.subject))
        t_inp, _ = timed(
            functools.partial(read_c3d, case.path, subject=case.subject, isolate=False)
        )
        t_cmp, result = timed(functools.partial(_compute, trial, case.subject, case.kinetics))
        if case.path == SAMPLE_00:
            sample00 = result
        n = trial.n_frames
        print(
            f"{case.name:<20}{n:>7}{trial.point_rate:>5.0f}{len(trial.plates):>7}"
            f"{'yes' if case.kinetics else 'no':>5}"
            f"{ms(t_e2e):>14}{ms(t_iso):>12}{ms(t_inp):>13}{ms(t_cmp):>11}{fps(n, t_e2e):>13}"
        )
        notes.append(f"{case.name}: {case.note}; table {table.shape[0]} x {table.shape[1]}")
    print()
    for note in notes:
        print("  " + note)
    assert sample00 is not None
    return sample00


def _compute(trial: Trial, subject: SubjectMeasurements | None, kinetics: bool) -> TrialResult:
    result = process(trial, subject, kinetics=kinetics)
    result.to_frame()
    return result


# ---------------------------------------------------------------------------------------------
# 2. inverse dynamics core on tiled arrays


def id_inputs(result: TrialResult, n_frames: int) -> dict[str, dict[str, Any]]:
    """Per side: the arguments of ``bottom_up``, wired as ``process._kinetics`` does, with every
    per-frame array tiled (``np.tile``) to ``n_frames``."""
    trial, model = result.trial, result.model
    options = ProcessOptions()
    j, seg = model.joints, model.segments
    feet = {
        s: {
            "heel": j.get(f"{s}_heel", j[f"{s}_ankle"]),
            "toe": j[f"{s}_toe"],
            "ankle": j[f"{s}_ankle"],
        }
        for s in SIDES
    }
    assignment = assign_plates(
        trial.plates,
        trial.point_rate,
        model.n_frames,
        feet,
        threshold_n=options.force_threshold_n,
        analog_rate=trial.analog_rate or None,
    )
    mass = model.subject.mass_kg
    out: dict[str, dict[str, Any]] = {}
    for side in SIDES:
        grf = assignment.grf[side]
        z_heel, z_toe = feet[side]["heel"][:, 2], feet[side]["toe"][:, 2]
        with np.errstate(invalid="ignore"):
            swing = (
                (z_heel > np.nanmin(z_heel) + options.swing_clearance_m)
                & (z_toe > np.nanmin(z_toe) + options.swing_clearance_m)
                & ~grf.on_plate
            )
        t = {k: tile_rows(j[f"{side}_{k}"], n_frames) for k in ("ankle", "toe", "knee", "hip")}
        rot = {k: tile_rows(seg[f"{side}_{k}"].R, n_frames) for k in ("foot", "shank", "thigh")}
        out[side] = {
            "grf_force": tile_rows(grf.force, n_frames),
            "cop": tile_rows(grf.cop, n_frames),
            "free_moment": tile_rows(grf.free_moment, n_frames),
            "foot": SegmentState(
                segment_parameters("foot", mass, t["ankle"], t["toe"]), rot["foot"], t["ankle"]
            ),
            "shank": SegmentState(
                segment_parameters("shank", mass, t["knee"], t["ankle"]), rot["shank"], t["knee"]
            ),
            "thigh": SegmentState(
                segment_parameters("thigh", mass, t["hip"], t["knee"]), rot["thigh"], t["hip"]
            ),
            "rate_hz": trial.point_rate,
            "swing": tile_rows(swing, n_frames),
        }
    return out


def bench_inverse_dynamics(sample00: TrialResult) -> float:
    """Part 2; returns kinchain ID frames/s (both legs)."""
    rule(f"2. Inverse dynamics: bottom_up, left + right legs, {TILED_FRAMES:,} frames")
    inputs = id_inputs(sample00, TILED_FRAMES)

    def both_legs() -> int:
        loads = [bottom_up(**inputs[side]) for side in SIDES]
        return int(sum(np.isfinite(ld.hip.moment).all(axis=1).sum() for ld in loads))

    t, finite = timed(both_legs)
    rate = TILED_FRAMES / t
    n0 = sample00.trial.n_frames
    small = id_inputs(sample00, n0)
    finite0 = sum(
        int(np.isfinite(bottom_up(**small[s]).hip.moment).all(axis=1).sum()) for s in SIDES
    )
    print(
        f"method: np.tile of sample_00's modelled per-frame arrays ({sample00.trial.n_frames} "
        f"frames -> {TILED_FRAMES:,}):\n"
        "foot/shank/thigh rotations, ankle/toe/knee/hip centres, per-foot GRF/COP/free moment "
        "from assign_plates,\nswing mask; segment_parameters computed before timing; "
        "timed = bottom_up(left) + bottom_up(right),\nmedian of 5 after 1 warm-up."
    )
    print()
    print(f"  time for {TILED_FRAMES:,} frames, both legs : {ms(t).strip()} ms")
    print(f"  kinchain ID throughput               : {rate:,.0f} frames/s (both legs per frame)")
    print(f"  per leg-frame                        : {2 * rate:,.0f} leg-frames/s")
    print(
        f"  leg-frames with finite hip moment    : {finite / (2 * TILED_FRAMES):.1%} "
        f"(untiled trial: {finite0 / (2 * n0):.1%}; the rest are NaN as in process():\n"
        "    neither clean plate contact nor swing; NaN frames cost the same arithmetic)"
    )
    return rate


def kinchain_at_frames(sample00: TrialResult) -> Callable[[int], tuple[float, float]]:
    """A function measuring, on ``n`` frames tiled from sample_00, kinchain's ID core
    (``bottom_up`` both legs, median of 5) and its whole pipeline (``process`` + ``to_frame``,
    median of 3), in frames/s."""

    def at(n: int) -> tuple[float, float]:
        inputs = id_inputs(sample00, n)
        t_id, _ = timed(lambda: [bottom_up(**inputs[side]) for side in SIDES])
        big = tiled_trial(sample00.trial, n)
        t_pipe, _ = timed(lambda: process(big).to_frame(), runs=3)
        return n / t_id, n / t_pipe

    return at


# ---------------------------------------------------------------------------------------------
# 3. whole pipeline on a tiled trial, in a child process


def tiled_pipeline_child() -> None:
    """Runs in the child: prints one JSON line of measurements."""
    warnings.simplefilter("ignore")
    trial = read_c3d(SAMPLE_00, isolate=False)
    big = tiled_trial(trial, TILED_FRAMES)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = process(big)
    t1 = time.perf_counter()
    table = result.to_frame()
    t2 = time.perf_counter()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    shape = table.shape
    del result, table
    tracemalloc.start()
    t3 = time.perf_counter()
    process(big).to_frame()
    t4 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    in_bytes = sum(v.nbytes for v in big.markers.values()) + sum(
        p.force.nbytes + p.moment_at_origin.nbytes + p.cop.nbytes + p.free_moment.nbytes
        for p in big.plates
    )
    print(
        json.dumps(
            {
                "process_s": t1 - t0,
                "to_frame_s": t2 - t1,
                "traced_s": t4 - t3,
                "tracemalloc_peak_b": peak,
                "rss_before_kb": rss_before,
                "rss_after_kb": rss_after,
                "input_b": in_bytes,
                "shape": list(shape),
                "n_markers": len(big.markers),
                "n_plates": len(big.plates),
            }
        )
    )


def bench_tiled_pipeline() -> float | None:
    """Part 3; returns whole-pipeline frames/s, or None if the child failed."""
    rule(f"3. Whole pipeline on a tiled {TILED_FRAMES:,}-frame Trial (child process)")
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), CHILD_FLAG],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  FAILED (exit {proc.returncode}): {proc.stderr.strip()[-600:]}")
        return None
    r = json.loads(lines[-1])
    total = r["process_s"] + r["to_frame_s"]
    mib = 1024.0 * 1024.0
    print(
        "method: read sample_00 in-process, np.tile of every marker array and of each plate's "
        "force/moment/\n"
        f"COP/free moment (analog rate kept) to {TILED_FRAMES:,} frames, Trial built with "
        "dataclasses.replace (events,\n"
        "stored outputs and raw analogs dropped); timed = process(trial) + to_frame(), one "
        "run. Peak memory:\n"
        "tracemalloc during a second run (allocations by process + to_frame only, input "
        "excluded) and the\nchild's ru_maxrss (whole process: interpreter, imports, input)."
    )
    print()
    print(
        f"  input: {r['n_markers']} markers, {r['n_plates']} plate(s), "
        f"{r['input_b'] / mib:,.0f} MiB of arrays; output table {r['shape'][0]:,} x "
        f"{r['shape'][1]}"
    )
    print(f"  process()                : {r['process_s']:8.2f} s")
    print(f"  to_frame()               : {r['to_frame_s']:8.2f} s")
    print(f"  pipeline total           : {total:8.2f} s = {TILED_FRAMES / total:,.0f} frames/s")
    print(
        f"  tracemalloc peak         : {r['tracemalloc_peak_b'] / mib:8,.0f} MiB "
        f"(run under tracemalloc took {r['traced_s']:.2f} s)"
    )
    print(
        f"  child ru_maxrss          : {r['rss_after_kb'] / 1024:8,.0f} MiB "
        f"({r['rss_before_kb'] / 1024:,.0f} MiB before process(), after reading + tiling)"
    )
    return TILED_FRAMES / total


# ---------------------------------------------------------------------------------------------
# 5. analyze per trial, without and with the report


def bench_analyze() -> None:
    """Part 5: ``analyze`` on each processed trial, then with the report rendered (HTML, PDF,
    JSON in memory) and written (``write_report`` into a temporary folder); median of 3."""
    from kinchain.analysis import analyze
    from kinchain.errors import KinchainError
    from kinchain.report import render_report, write_report

    rule("5. analyze per trial, without and with the report (median of 3, after 1 warm-up)")
    print(
        "analyze  = kinchain.analysis.analyze(result) on the processed trial (events, strides,\n"
        "           spatiotemporal, normative comparison, findings)\n"
        "+ report = analyze + render_report (figures, HTML, PDF, JSON) + write_report"
    )
    head = f"{'trial':<20}{'kin':>5}{'analyze ms':>12}{'+ report ms':>13}{'report share':>14}"
    print()
    print(head)
    print("-" * len(head))
    for case in trial_cases():
        trial = read_c3d(case.path, subject=case.subject)
        result = process(trial, case.subject, kinetics=case.kinetics)
        try:
            t_an, _ = timed(functools.partial(analyze, result), runs=3)
        except KinchainError as exc:
            print(f"{case.name:<20}  analyze not possible: {exc}")
            continue
        with tempfile.TemporaryDirectory() as tmp:

            def with_report(r: TrialResult = result, out: str = tmp) -> Any:
                return write_report(render_report(analyze(r)), out)

            t_rep, _ = timed(with_report, runs=3)
        print(
            f"{case.name:<20}{'yes' if case.kinetics else 'no':>5}{ms(t_an):>12}"
            f"{ms(t_rep):>13}{(t_rep - t_an) / t_rep * 100:>13.0f}%"
        )


# ---------------------------------------------------------------------------------------------
# 5b. strides and outliers on a long trial


def bench_long_cycles() -> None:
    """Part 5b: ``segment_cycles`` (strides, time normalisation, validity, the outlier rule) on
    a 100,000-frame Trial tiled from sample_00, with sample_00's detected events repeated at
    each tile (what a detector finds on the tiled trial); median of 3."""
    from kinchain.gait.cycles import segment_cycles
    from kinchain.gait.events import detect_events

    rule("5b. segment_cycles on a 100,000-frame tiled trial (median of 3, after 1 warm-up)")
    trial = read_c3d(SAMPLE_00)
    one = detect_events(process(trial, None)).events
    long = process(tiled_trial(trial, TILED_FRAMES), None)
    events = [
        dataclasses.replace(
            e,
            frame=e.frame + k * trial.n_frames,
            time_s=e.time_s + k * trial.n_frames / trial.point_rate,
        )
        for k in range(TILED_FRAMES // trial.n_frames + 1)
        for e in one
        if e.frame + k * trial.n_frames < TILED_FRAMES - 1
    ]
    t, cycles = timed(functools.partial(segment_cycles, long, events), runs=3)
    counts = ", ".join(f"{side} {len(c.cycles)}" for side, c in cycles.items())
    print(f"{len(events)} events, strides {counts}: {ms(t)} ms")


# ---------------------------------------------------------------------------------------------
# The import floor of a command: the libraries it loads, imported alone in a fresh process

_LIST_MODULES = (
    "import json, sys\n"
    "from kinchain.cli.main import main\n"
    "sys.argv = ['kinchain', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "names = [m for m in list(sys.modules) if m.split('.')[0] not in sys.stdlib_module_names"
    " and m.split('.')[0] != 'kinchain' and not m.startswith('__')]\n"
    "sys.stderr.write(json.dumps(names))\n"
)

_IMPORT_ALL = (
    "import importlib, json, sys, time\n"
    "names = json.loads(sys.stdin.read())\n"
    "t = time.perf_counter()\n"
    "for name in names:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except Exception:\n"
    "        pass\n"
    "print(time.perf_counter() - t)\n"
)


@dataclasses.dataclass(frozen=True)
class ImportFloor:
    """What a command's third-party libraries cost to import, without any of kinchain."""

    seconds: float
    """Median wall time of importing them in a fresh interpreter (start-up excluded), s."""
    packages: tuple[str, ...]
    """Their top-level packages, largest first by module count."""

    def describe(self) -> str:
        shown = ", ".join(self.packages[:6])
        more = f" and {len(self.packages) - 6} more" if len(self.packages) > 6 else ""
        return f"its libraries ({shown}{more}) take {self.seconds * 1000:.0f} ms to import alone"


def import_floor(args: list[str], runs: int = 5) -> ImportFloor:
    """The third-party modules ``kinchain ARGS`` loads (found by running it once in a child), then
    the median time a fresh interpreter takes to import exactly those modules, in the same order,
    without kinchain: the part of the command's start-up that kinchain's own code cannot remove
    while it uses these libraries."""
    listed = subprocess.run(
        [sys.executable, "-c", _LIST_MODULES, *args], capture_output=True, text=True, check=False
    )
    names: list[str] = json.loads(listed.stderr.strip().splitlines()[-1])
    counts: dict[str, int] = {}
    for n in names:
        counts[n.split(".")[0]] = counts.get(n.split(".")[0], 0) + 1
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_ALL],
            input=json.dumps(names),
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout))
    packages = tuple(sorted(counts, key=lambda k: -counts[k]))
    return ImportFloor(statistics.median(times), packages)


# ---------------------------------------------------------------------------------------------
# 6. CLI start-up


# The worked example of the README (a gout flare): a complete intake, no gait trial.
EXAMPLE_INTAKE: dict[str, Any] = {
    "answered_by": "clinician",
    "demographics": {"age_years": 55, "sex": "male"},
    "pain": {
        "sites": ["foot"],
        "side": "right",
        "first_mtp": "yes",
        "onset": "sudden",
        "duration_days": 1,
    },
    "trauma": {"injury": "no"},
    "signs": {"swelling": "yes", "warmth": "yes", "redness": "yes", "fever": "no"},
    "function": {"restricted_movement": "no"},
    "episode": {"max_pain_within_24h": "yes", "cannot_bear_touch": "yes"},
    "labs": {"urate": 420},
}
CLI_RUNS = 10


def bench_cli_startup() -> None:
    """Part 6: wall time of ``kinchain --version`` and ``kinchain assess`` on the README's
    example intake, each a fresh process, against a bare ``python -c pass`` measured in the same
    run (the interpreter's own start-up); median of 10 after one warm-up run."""
    rule(f"6. CLI start-up (fresh process each, median of {CLI_RUNS}, after 1 warm-up)")
    script = Path(sys.executable).with_name("kinchain")
    kinchain_cmd = (
        [str(script)] if script.is_file() else [sys.executable, "-m", "kinchain.cli.main"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        intake = Path(tmp) / "intake.json"
        intake.write_text(json.dumps(EXAMPLE_INTAKE), encoding="utf-8")
        cases = (
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("kinchain --version", [*kinchain_cmd, "--version"]),
            ("kinchain assess INTAKE.json", [*kinchain_cmd, "assess", str(intake)]),
            (
                "kinchain assess INTAKE.json --json",
                [*kinchain_cmd, "assess", str(intake), "--json"],
            ),
        )

        def run(cmd: list[str]) -> Callable[[], int]:
            def once() -> int:
                done = subprocess.run(cmd, capture_output=True, check=False)
                if done.returncode != 0:
                    raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}")
                return done.returncode

            return once

        floor = import_floor(["assess", str(intake)])
        head = f"{'command':<36}{'ms':>9}{'- python ms':>13}"
        print(head)
        print("-" * len(head))
        bare = 0.0
        for name, cmd in cases:
            t, _ = timed(run(cmd), runs=CLI_RUNS)
            bare = t if name == "python -c pass" else bare
            extra = "" if name == "python -c pass" else f"{ms(t - bare):>13}"
            print(f"{name:<36}{ms(t)}{extra}")
            if name == "kinchain --version":
                goal(
                    f"CLI start-up: {name}",
                    f"{t * 1000:.0f} ms",
                    "< 150 ms",
                    t < 0.15,
                    f"bare Python {bare * 1000:.0f} ms in the same run",
                )
            elif name == "kinchain assess INTAKE.json":
                goal(
                    f"CLI start-up: {name}",
                    f"{t * 1000:.0f} ms",
                    "< 150 ms",
                    t < 0.15,
                    f"bare Python {bare * 1000:.0f} ms; {floor.describe()} in the same run",
                )
        print(f"  {floor.describe()}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("PYTHONDONTWRITEBYTECODE is set: kinchain's modules are compiled on every start.")


# ---------------------------------------------------------------------------------------------
# 4. OpenSim InverseDynamicsTool and its solver


OSIM_FILES = (
    "subject01_simbody.osim",
    "subject01_walk1_ik.mot",
    "subject01_walk1_grf.mot",
    "subject01_walk1_grf.xml",
    "subject01_Setup_InverseDynamics.xml",
)
OSIM_CUTOFF_HZ = 6.0  # lowpass_cutoff_frequency_for_coordinates of the example's setup XML


@dataclasses.dataclass(frozen=True)
class OsimInputs:
    """IK coordinates and the external-loads XML (with an absolute GRF path) of one run."""

    ik: Path
    loads_xml: Path
    times: NDArray[np.float64]


def read_mot(path: Path) -> tuple[list[str], NDArray[np.float64]]:
    """Column labels and numeric rows of an OpenSim .mot/.sto file."""
    lines = path.read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.strip().lower() == "endheader")
    return lines[k + 1].split(), np.loadtxt(lines[k + 2 :], ndmin=2)


def write_mot(path: Path, name: str, labels: list[str], data: NDArray[np.float64]) -> None:
    with path.open("w") as f:
        f.write(
            f"{name}\nversion=1\nnRows={data.shape[0]}\nnColumns={data.shape[1]}\n"
            "inDegrees=yes\nendheader\n"
        )
        f.write("\t".join(labels) + "\n")
        np.savetxt(f, data, fmt="%.8f", delimiter="\t")


def loads_xml(osim: Any, grf_mot: Path, out: Path) -> Path:
    """The example's external-loads XML pointing at ``grf_mot`` by absolute path."""
    loads = osim.ExternalLoads(str(GAIT2354 / "subject01_walk1_grf.xml"), True)
    loads.setDataFileName(str(grf_mot))
    loads.printToXML(str(out))
    return out


def tiled_inputs(osim: Any, work: Path, tiles: int) -> OsimInputs:
    """The example's IK (60 Hz) and GRF (600 Hz) tiled ``tiles`` times with continuing times.

    ``np.tile`` of the IK rows, and of the GRF rows over the same time span with the same
    period, then the time column rewritten.
    """
    ik_labels, ik = read_mot(GAIT2354 / "subject01_walk1_ik.mot")
    grf_labels, grf = read_mot(GAIT2354 / "subject01_walk1_grf.mot")
    dt = float(np.median(np.diff(ik[:, 0])))
    n = ik.shape[0]
    t0, period = float(ik[0, 0]), n * dt
    ik_t = tile_rows(ik, n * tiles)
    ik_t[:, 0] = t0 + np.arange(n * tiles) * dt
    span = grf[(grf[:, 0] >= t0 - 1e-6) & (grf[:, 0] < t0 + period - 1e-6)]
    grf_t = tile_rows(span, span.shape[0] * tiles)
    grf_t[:, 0] = np.repeat(np.arange(tiles) * period, span.shape[0]) + np.tile(span[:, 0], tiles)
    write_mot(work / "ik_tiled.mot", "Coordinates", ik_labels, ik_t)
    write_mot(work / "grf_tiled.mot", "grf_tiled", grf_labels, grf_t)
    xml = loads_xml(osim, work / "grf_tiled.mot", work / "grf_tiled.xml")
    return OsimInputs(work / "ik_tiled.mot", xml, ik_t[:, 0].copy())


def run_tool(osim: Any, inputs: OsimInputs, out: Path) -> Path:
    """InverseDynamicsTool configured as the example's setup XML (muscles excluded, 6 Hz)."""
    with quiet_fds():
        tool = osim.InverseDynamicsTool()
        tool.setModelFileName(str(GAIT2354 / "subject01_simbody.osim"))
        tool.setCoordinatesFileName(str(inputs.ik))
        tool.setExternalLoadsFileName(str(inputs.loads_xml))
        tool.setLowpassCutoffFrequency(OSIM_CUTOFF_HZ)
        tool.setStartTime(float(inputs.times[0]))
        tool.setEndTime(float(inputs.times[-1]))
        excluded = osim.ArrayStr()
        excluded.append("Muscles")
        tool.setExcludedForces(excluded)
        tool.setResultsDir(str(out))
        tool.setOutputGenForceFileName("inverse_dynamics.sto")
        if not tool.run():
            raise RuntimeError("InverseDynamicsTool.run() returned False")
    return out / "inverse_dynamics.sto"


def q_order(model: Any, state: Any) -> list[str]:
    """Coordinate names in the state's Q order (found by nudging each coordinate)."""
    coords = model.getCoordinateSet()
    names = [""] * state.getNQ()
    for i in range(coords.getSize()):
        c = coords.get(i)
        before = np.array([state.getQ().get(k) for k in range(state.getNQ())])
        c.setValue(state, c.getValue(state) + 0.1, False)
        after = np.array([state.getQ().get(k) for k in range(state.getNQ())])
        c.setValue(state, c.getValue(state) - 0.1, False)
        names[int(np.argmax(np.abs(after - before)))] = c.getName()
    return names


def solver_core(osim: Any, inputs: OsimInputs, runs: int) -> tuple[float, list[str], Any]:
    """OpenSim's inverse-dynamics core, set up as InverseDynamicsTool.run() does.

    Outside the timer: load the model, add the external loads, switch muscles off, read the
    IK, degrees -> radians, pad, 6 Hz IIR low-pass, quintic GCV splines (ordered by Q index).
    Timed: ``InverseDynamicsSolver.solve(state, splines, t)`` for every frame (q, u, udot from
    the splines, then Simbody's inverse dynamics with the external loads), median of ``runs``.
    Returns the time, the coordinate names in output order and the last run's ``(n, nu)``
    generalised forces.
    """
    with quiet_fds():
        model = osim.Model(str(GAIT2354 / "subject01_simbody.osim"))
        model.addModelComponent(osim.ExternalLoads(str(inputs.loads_xml), True))
        forces = model.updForceSet()
        for i in range(forces.getSize()):
            if osim.Muscle.safeDownCast(forces.get(i)) is not None:
                forces.get(i).set_appliesForce(False)
        state = model.initSystem()
        storage = osim.Storage(str(inputs.ik))
        model.getSimbodyEngine().convertDegreesToRadians(storage)
        storage.pad(storage.getSize() // 2)
        storage.lowpassIIR(OSIM_CUTOFF_HZ)
        splines = osim.GCVSplineSet(5, storage)
    names = q_order(model, state)
    functions = osim.FunctionSet()
    for name in names:
        functions.cloneAndAppend(splines.get(splines.getIndex(name)))
    solver = osim.InverseDynamicsSolver(model)
    times = [float(t) for t in inputs.times]

    def solve_all() -> list[Any]:
        return [solver.solve(state, functions, t) for t in times]

    t, vectors = timed(solve_all, runs=runs)
    values = np.array([[v.get(k) for k in range(v.size())] for v in vectors])
    return t, names, values


def compare_sto(sto: Path, names: list[str], values: NDArray[np.float64], ref: Path) -> str:
    """One line: largest |difference| between ``values`` (columns ``names``) and an .sto file."""
    labels, data = read_mot(ref)
    cols = [next(i for i, lab in enumerate(labels) if lab.rsplit("_", 1)[0] == n) for n in names]
    n = min(values.shape[0], data.shape[0])
    diff = np.abs(values[:n] - data[:n, cols]).max(axis=0)
    worst = int(np.argmax(diff))
    peak = float(np.abs(data[:, cols[worst]]).max())
    return (
        f"largest |diff| {diff[worst]:.2g} on {names[worst]} (peak {peak:.0f}), "
        f"median over columns {np.median(diff):.2g}"
    )


def sto_values(sto: Path) -> tuple[list[str], NDArray[np.float64]]:
    """Coordinate names and generalised forces of an ID .sto (time column dropped)."""
    labels, data = read_mot(sto)
    return [lab.rsplit("_", 1)[0] for lab in labels[1:]], data[:, 1:]


def bench_opensim(kinchain_at: Callable[[int], tuple[float, float]]) -> list[str]:
    """Part 4; returns lines for the summary. ``kinchain_at(n)`` measures kinchain's inverse
    dynamics core and whole pipeline on ``n`` frames (frames/s), called in this part's run on
    the same frame count as OpenSim's tiled trial, so the ratios compare like with like."""
    rule("4. Peer: OpenSim 4.6 inverse dynamics, gait2354 subject01_walk1")
    try:
        import opensim as osim
    except ImportError as exc:
        print(f"  OpenSim is not installed here ({exc}); the comparison is skipped.")
        print("  Install the bench extra and rerun:  pip install -e '.[bench]'")
        print("  (with this repo's venv: .venv/bin/pip install -e '.[bench]')")
        return ["OpenSim: not installed -> pip install -e '.[bench]'"]
    print(
        f"opensim {osim.__version__}: model subject01_simbody.osim (gait2354, 23 dof whole "
        "body; muscles excluded),\nIK subject01_walk1_ik.mot (73 frames, 60 Hz), GRF "
        "subject01_walk1_grf.mot via subject01_walk1_grf.xml,\n6 Hz coordinate low-pass, "
        "as the example's subject01_Setup_InverseDynamics.xml."
    )
    try:
        osim.Logger.setLevelString("error")
        with tempfile.TemporaryDirectory(prefix="kinchain-bench-osim-") as tmp:
            work = Path(tmp)
            for name in OSIM_FILES:
                shutil.copy(GAIT2354 / name, work / name)
            shipped_runs = iter(range(RUNS + 1))

            def shipped() -> Path:
                out = work / f"shipped_{next(shipped_runs)}"
                with contextlib.chdir(work), quiet_fds():
                    tool = osim.InverseDynamicsTool("subject01_Setup_InverseDynamics.xml")
                    tool.setResultsDir(str(out))
                    if not tool.run():
                        raise RuntimeError("InverseDynamicsTool.run() returned False")
                return out / "inverse_dynamics.sto"

            t_ship, ship_sto = timed(shipped)
            n_ship = read_mot(ship_sto)[1].shape[0]
            vs_ref = compare_sto(ship_sto, *sto_values(ship_sto), GAIT2354 / "inverse_dynamics.sto")
            one = OsimInputs(
                work / "subject01_walk1_ik.mot",
                loads_xml(osim, work / "subject01_walk1_grf.mot", work / "grf_abs.xml"),
                read_mot(work / "subject01_walk1_ik.mot")[1][:, 0],
            )
            _, core_names, core_one = solver_core(osim, one, runs=1)
            core_vs_tool = compare_sto(ship_sto, core_names, core_one, ship_sto)

            tiled = tiled_inputs(osim, work, OPENSIM_TILES)
            tool_runs = iter(range(OPENSIM_TILED_RUNS))
            t_tool, tool_sto = timed(
                lambda: run_tool(osim, tiled, work / f"tiled_{next(tool_runs)}"),
                runs=OPENSIM_TILED_RUNS,
                warmup=0,
            )
            n_tile = read_mot(tool_sto)[1].shape[0]
            t_core, _, core_tiled = solver_core(osim, tiled, runs=RUNS)
            # kinchain on the same number of frames, now, between the OpenSim runs' timings
            kin_id_fps, kin_pipeline_fps = kinchain_at(n_tile)
    except Exception as exc:
        print(f"  OpenSim could not run here: {type(exc).__name__}: {exc}")
        return [f"OpenSim: failed to run ({type(exc).__name__}: {exc})"]
    fps_ship, fps_tool = n_ship / t_ship, n_tile / t_tool
    fps_core = core_tiled.shape[0] / t_core
    print()
    print(
        f"  a) InverseDynamicsTool from the setup XML, {n_ship} frames, temp dir of copies, "
        f"median of {RUNS}:"
    )
    print(f"     {ms(t_ship).strip()} ms = {fps_ship:,.0f} frames/s (mostly loading the model)")
    print(
        "     vs the inverse_dynamics.sto shipped with the example (an earlier OpenSim run's "
        "output; N·m or N):"
    )
    print(f"     {vs_ref}")
    print(
        f"  b) InverseDynamicsTool on the trial np.tile'd {OPENSIM_TILES}x in time "
        f"({n_tile:,} frames), median of {OPENSIM_TILED_RUNS}:"
    )
    print(
        f"     {t_tool:.2f} s = {fps_tool:,.0f} frames/s (model load, read, filter, GCV "
        "splines, solve, write .sto)"
    )
    print(
        f"  c) solver core on the same {core_tiled.shape[0]:,} frames, median of {RUNS}: "
        "InverseDynamicsSolver.solve(state,"
    )
    print(
        "     splines, t) per frame from a Python loop, set up as the tool does (model, "
        "loads, filter,\n     splines outside the timer):"
    )
    print(f"     {t_core:.2f} s = {fps_core:,.0f} frames/s")
    print(f"     same core on the 73-frame trial vs the tool's output (a): {core_vs_tool}")
    print()
    print(
        f"  kinchain / OpenSim, frames per second on the same {n_tile:,} frames in this run "
        "(kinchain: sample_00\n  tiled; both legs per kinchain frame; whole body per OpenSim "
        "frame):"
    )
    ratios = [
        ("kinchain ID core bottom_up L+R", kin_id_fps, "OpenSim ID solver core (c)", fps_core),
        ("kinchain ID core bottom_up L+R", kin_id_fps, "OpenSim InverseDynamicsTool (b)", fps_tool),
        (
            "kinchain process + to_frame",
            kin_pipeline_fps,
            "OpenSim InverseDynamicsTool (b)",
            fps_tool,
        ),
    ]
    summary = []
    for kname, kfps, oname, ofps in ratios:
        line = f"{kname:<31}{kfps:>10,.0f} / {oname:<32}{ofps:>7,.0f} = {kfps / ofps:>7,.1f}x"
        print("  " + line)
        summary.append(line)
    print(
        "  NOTE: different models, so this compares throughput, not agreement: OpenSim solves "
        "the 23-dof whole-body\n"
        "  gait2354 model (generalised forces at every joint, from IK coordinates); kinchain "
        "a 3-segment Newton-Euler\n"
        "  chain per leg (foot, shank, thigh) from marker-based segment poses."
    )
    return summary


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# 5c. The report path of the demo trial, stage by stage (issue 13's first two rows)


def bench_report_path() -> None:
    """Part 5c: C3D file -> analysis.json + HTML report (no PDF), and the same with the PDF, on
    the demo trial (sample_00), median of 5 after one warm-up, in this process: read (isolated
    parse), process, analyze, figures, document, HTML, JSON, PDF."""
    from datetime import datetime

    from kinchain.analysis import analyze
    from kinchain.report import render_figures
    from kinchain.report.content import build_document
    from kinchain.report.html import render_html
    from kinchain.report.pdf import render_pdf

    rule("5c. Demo trial: C3D -> analysis.json + HTML report, and + PDF (median of 5)")
    stages: dict[str, list[float]] = {}

    def once() -> None:
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            stages.setdefault(name, []).append(now - clock)
            clock = now

        trial = read_c3d(SAMPLE_00)
        lap("read C3D")
        result = process(trial)
        lap("process")
        gait = analyze(result)
        lap("analyze")
        figures = render_figures(gait)
        lap("figures")
        doc = build_document(gait, None, generated=datetime.now().astimezone())
        lap("document")
        render_html(doc, figures)
        lap("HTML")
        json.dumps(gait.to_dict(), allow_nan=False)
        lap("analysis.json")
        render_pdf(doc, figures)
        lap("PDF")

    once()
    stages.clear()
    for _ in range(RUNS):
        once()
    med = {k: statistics.median(v) for k, v in stages.items()}
    for k, v in med.items():
        print(f"  {k:<16}{ms(v)} ms")
    no_pdf = sum(v for k, v in med.items() if k != "PDF")
    with_pdf = no_pdf + med["PDF"]
    print(f"  {'total, no PDF':<16}{ms(no_pdf)} ms")
    print(f"  {'total with PDF':<16}{ms(with_pdf)} ms")
    goal(
        "C3D -> analysis.json + HTML report, demo",
        f"{no_pdf * 1000:.0f} ms",
        "< 250 ms",
        no_pdf < 0.25,
        f"figures {med['figures'] * 1000:.0f} ms of it",
    )
    goal(
        "the same with the PDF",
        f"{with_pdf * 1000:.0f} ms",
        "< 500 ms",
        with_pdf < 0.5,
        f"PDF {med['PDF'] * 1000:.0f} ms",
    )


# ---------------------------------------------------------------------------------------------
# 6c. `kinchain analyze` on the demo trial as a command

ANALYZE_RUNS = 3


def bench_analyze_command() -> None:
    """Part 6c: ``kinchain analyze DEMO --out DIR`` (HTML, PDF, tables, annotated C3D) as a
    fresh process, median of 3 after one warm-up, against the import time of the libraries it
    loads (:func:`import_floor`) measured in the same run."""
    rule(f"6c. kinchain analyze on the demo trial as a command (median of {ANALYZE_RUNS})")
    script = Path(sys.executable).with_name("kinchain")
    with tempfile.TemporaryDirectory(prefix="kinchain-bench-analyze-") as tmp:
        out = Path(tmp) / "out"
        args = ["analyze", str(SAMPLE_00), "--out", str(out)]
        floor = import_floor([*args[:-1], str(Path(tmp) / "floor")])
        _measure_command([str(script), *args])
        runs = [_measure_command([str(script), *args]) for _ in range(ANALYZE_RUNS)]
    wall = statistics.median(t for t, _ in runs)
    rss = statistics.median(m for _, m in runs)
    print(f"  kinchain analyze: {wall:.2f} s, peak RSS {rss:.0f} MiB")
    print(f"  {floor.describe()}")
    goal(
        "kinchain analyze as a command, demo",
        f"{wall:.2f} s, {rss:.0f} MiB",
        "< 1 s",
        wall < 1.0,
        f"{floor.describe()} (the work itself: part 5c)",
    )


# ---------------------------------------------------------------------------------------------
# 6b. The clinical engine in-process


def bench_clinical_engine() -> None:
    """Part 6b: ``kinchain.clinical.assess`` on the README's example intake, in-process, median
    over 200 runs after 20 warm-ups."""
    from kinchain.clinical import parse_intake
    from kinchain.clinical.causes import rank_causes
    from kinchain.clinical.engine import assess, run_rules, what_would_change

    rule("6b. Clinical assessment in-process (median of 200)")
    intake = parse_intake(EXAMPLE_INTAKE)
    for _ in range(20):
        assess(intake)
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        assess(intake)
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    print(f"  assess(intake): {t * 1000:.2f} ms")
    # its parts, each alone on the same intake
    results = run_rules(intake)
    by_id = {r.rule_id: r for r in results}
    final = assess(intake)
    parts = {
        "the rules": lambda: run_rules(intake),
        "ranking the causes": lambda: rank_causes(intake, by_id),
        "what would change": lambda: what_would_change(intake, results, final.urgency),
    }
    spent = {}
    for name, fn in parts.items():
        spent[name], _ = timed(fn, runs=200, warmup=20)
        print(f"  {name:<20}{spent[name] * 1000:.2f} ms")
    split = ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in spent.items())
    calls, empty = _call_floor(lambda: assess(intake))
    print(
        f"  Python function calls per assessment: {calls:,}; an empty function call here: "
        f"{empty * 1e9:.0f} ns, so the calls alone take {calls * empty * 1000:.2f} ms"
    )
    goal(
        "clinical assessment in-process",
        f"{t * 1000:.2f} ms",
        "< 0.2 ms",
        t < 0.0002,
        f"of it {split}: {len(results)} rules, each returning its explained items, and the "
        "what-would-change probes (added after this goal was set) that re-run the rules "
        f"missing an answer once per answer tried. One assessment makes {calls:,} Python "
        f"function calls; at {empty * 1e9:.0f} ns for an empty call on this machine the calls "
        f"alone take {calls * empty * 1000:.2f} ms, and one assessment runs on one core",
    )


def _call_floor(fn: Callable[[], object]) -> tuple[int, float]:
    """The Python function calls one ``fn()`` makes (counted by cProfile, builtins included)
    and the time of one call of an empty Python function on this machine (s, best of 5)."""
    import cProfile
    import pstats
    import timeit

    prof = cProfile.Profile()
    prof.runcall(fn)
    calls = int(pstats.Stats(prof).total_calls)  # type: ignore[attr-defined]

    def empty() -> None:
        return None

    n = 1_000_000
    best = min(timeit.repeat(empty, number=n, repeat=5))
    return calls, best / n


# ---------------------------------------------------------------------------------------------
# 7. Scaling: the commands on 1k, 10k, 30k and 65k frames


def write_tiled_c3d(src: Path, n_frames: int, dst: Path) -> None:
    """``src`` with its points and analog samples repeated end to end to ``n_frames`` frames
    (ezc3d), written to ``dst``; events and processed outputs are kept as they are."""
    import ezc3d

    c = ezc3d.c3d(str(src))
    pts = c["data"]["points"]
    analogs = c["data"]["analogs"]
    n0 = pts.shape[2]
    reps = -(-n_frames // n0)
    ratio = analogs.shape[2] // n0
    c["data"]["points"] = np.tile(pts, (1, 1, reps))[:, :, :n_frames]
    c["data"]["analogs"] = np.tile(analogs, (1, 1, reps))[:, :, : n_frames * ratio]
    if "meta_points" in c["data"]:
        del c["data"]["meta_points"]
    c.write(str(dst))


_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "print(done.returncode, time.perf_counter() - t,"
    " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _measure_command(cmd: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of ``cmd`` as a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True
    )
    code, wall, rss_kb = out.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {code}")
    return float(wall), float(rss_kb) / 1024.0


def _median_command(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall time (s) and the largest peak resident memory (MiB) of ``runs`` runs of
    ``cmd``, each a fresh process."""
    measured = [_measure_command(cmd) for _ in range(runs)]
    return statistics.median(t for t, _ in measured), max(m for _, m in measured)


def bench_scaling() -> None:
    """Part 7: ``kinchain process FILE`` and ``kinchain analyze FILE`` (no PDF skipped: the
    command writes both) on sample_00 tiled to 1,000, 10,000, 30,000 and 65,000 frames, each a
    fresh process: wall time, peak resident memory, memory per frame (the rise between the two
    largest sizes over the frames added) and peak memory over the file's size."""
    rule(
        "7. Scaling of the commands: 1k, 10k, 30k, 65k frames (sample_00 tiled; median of 3 "
        "runs up to 10k, after one unmeasured run)"
    )
    script = Path(sys.executable).with_name("kinchain")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kinchain-bench-scaling-") as tmp:
        base = Path(tmp)
        bare = _measure_command([sys.executable, "-c", "import kinchain.process, pandas"])[1]
        for n in SCALING_FRAMES:
            src = base / f"tiled_{n}.c3d"
            write_tiled_c3d(SAMPLE_00, n, src)
            size = src.stat().st_size / 2**20
            process = [str(script), "process", str(src), "-o", str(base / f"p{n}")]
            analyze = [str(script), "analyze", str(src), "-o", str(base / f"a{n}")]
            if n == SCALING_FRAMES[0]:  # the first commands of the part: caches warmed, unused
                _measure_command(process)
                _measure_command(analyze)
            # the sizes where the ~2 s start-up dominates, and one slow run shows: median of 3
            runs = 3 if n <= 10_000 else 1
            t_p, m_p = _median_command(process, runs)
            t_a, m_a = _median_command(analyze, runs)
            rows.append((n, size, t_p, m_p, t_a, m_a))
            src.unlink()
    print(f"  interpreter + kinchain.process and pandas imported: {bare:.0f} MiB")
    head = f"  {'frames':>7}{'file MiB':>10}{'process s':>11}{'MiB':>7}{'x file':>8}"
    print(head + f"{'analyze s':>11}{'MiB':>7}{'x file':>8}")
    for n, size, t_p, m_p, t_a, m_a in rows:
        print(
            f"  {n:>7,}{size:>10.1f}{t_p:>11.2f}{m_p:>7.0f}{(m_p - bare) / size:>8.1f}"
            f"{t_a:>11.2f}{m_a:>7.0f}{(m_a - bare) / size:>8.1f}"
        )
    (n1, s1, tp1, mp1, ta1, ma1), (n2, s2, tp2, mp2, ta2, ma2) = rows[-2], rows[-1]
    per_frame = (mp2 - mp1) * 1024 / (n2 - n1)
    file_per_frame = (s2 - s1) * 1024 / (n2 - n1)
    print(
        f"  memory per frame ({n1:,} -> {n2:,}): process {per_frame:.1f} KiB, analyze "
        f"{(ma2 - ma1) * 1024 / (n2 - n1):.1f} KiB; the file {file_per_frame:.1f} KiB"
    )
    print(
        f"  time per frame ({n1:,} -> {n2:,}): process {(tp2 - tp1) / (n2 - n1) * 1e6:.0f} us, "
        f"analyze {(ta2 - ta1) / (n2 - n1) * 1e6:.0f} us"
    )
    ratio = (mp2 - bare) / s2
    goal(
        f"kinchain process memory, {n2:,} frames",
        f"{mp2:.0f} MiB peak, {ratio:.1f}x the file above start-up",
        "< 3x the input file",
        ratio < 3.0,
        f"{per_frame:.1f} KiB per frame",
    )
    # linear: the time per added frame is the same from 10k to 30k as from 30k to 65k (below
    # 10k the start-up, ~2 s, dominates and one slow run moves the slope by half)
    n0, ta0 = rows[1][0], rows[1][4]
    slope_small = (ta1 - ta0) / (n1 - n0)
    slope_big = (ta2 - ta1) / (n2 - n1)
    times = " / ".join(f"{r[4]:.1f}" for r in rows)
    sizes = " / ".join(f"{r[0]:,}" for r in rows)
    goal(
        "analyze on long trials",
        f"{times} s at {sizes} frames",
        "linear",
        slope_big < 1.5 * slope_small,
        f"time per added frame {slope_small * 1e6:.0f} us ({n0:,} -> {n1:,}) then "
        f"{slope_big * 1e6:.0f} us ({n1:,} -> {n2:,})",
    )


def print_goals() -> None:
    """The goals of issue 13 with what this run measured."""
    rule("goals (issue 13)")
    for row, (measured, target, met, note) in GOALS.items():
        mark = "not measured" if met is None else ("met" if met else "NOT met")
        print(f"  {row}: {mark}")
        print(f"      measured {measured}; goal {target}" + (f"; {note}" if note else ""))


def main() -> int:
    if CHILD_FLAG in sys.argv[1:]:
        tiled_pipeline_child()
        return 0
    warnings.simplefilter("ignore")
    if not SAMPLE_00.is_file():
        print(f"benchmark data not found: {SAMPLE_00} (expected ../shared/data beside the repo)")
        return 1
    start = time.perf_counter()
    rule("kinchain benchmark")
    print(
        f"kinchain {kinchain.__version__}, Python {platform.python_version()}, numpy "
        f"{np.__version__}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
        f"({cpu_name()})\ndata: {DATA}\n{load_note()}"
    )
    sample00 = bench_trials()
    kin_id_fps = bench_inverse_dynamics(sample00)
    kin_pipe_fps = bench_tiled_pipeline()
    summary = bench_opensim(kinchain_at_frames(sample00))
    bench_analyze()
    bench_report_path()
    bench_long_cycles()
    bench_cli_startup()
    bench_analyze_command()
    bench_clinical_engine()
    bench_scaling()
    bench_cohort_batch()
    bench_web_service()
    rule("summary")
    print(f"  kinchain ID core (bottom_up, both legs): {kin_id_fps:,.0f} frames/s")
    if kin_pipe_fps is not None:
        print(f"  kinchain whole pipeline (tiled Trial) : {kin_pipe_fps:,.0f} frames/s")
    for line in summary:
        print("  " + line)
    print_goals()
    one, five, _ = os.getloadavg()
    print(
        f"  bench wall time: {time.perf_counter() - start:.0f} s; load average now "
        f"{one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"
    )
    return 0


# ---------------------------------------------------------------------------------------------
# Cohort batch on Dask (benchmarks/batch_bench.py): trials/s with 1 and 2 LocalCluster workers.


def bench_cohort_batch() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from batch_bench import bench_batch

    rule("cohort batch (kinchain batch on Dask)")
    bench_batch()


# ---------------------------------------------------------------------------------------------
# Web service (benchmarks/web_bench.py): req/s and p99 of the intake assessment endpoint and a
# report page under a bounded loopback load from a second process; upload-to-report time.


def bench_web_service() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from web_bench import bench_web

    rule("web service (kinchain serve --workers, open loop, loopback)")
    for run in bench_web():
        for key, label in (("assess", "assess"), ("visit_page", "visit page")):
            by_rate = {round(x["rate"]): x for x in run[key]}
            at = by_rate.get(200)
            if at is not None:
                goal(
                    f"web {label} p99 at 200 req/s, {run['database']}",
                    f"{at['p99_ms']:.0f} ms ({at['achieved_rps']:.0f} req/s answered)",
                    "< 50 ms",
                    at["p99_ms"] < 50.0 and not at["errors"],
                    f"{run['workers']} server processes; {_cpu_budget(by_rate[min(by_rate)])}",
                )


def _cpu_budget(x: dict[str, Any]) -> str:
    """What 200 requests a second cost in CPUs, from the CPU time per request of a run."""
    server, client = x["server_cpu_ms_per_request"], x["client_cpu_ms_per_request"]
    if server is None:
        return "the load generator shares the CPUs"
    need = (server + client) * 200 / 1000
    return (
        f"at {x['rate']:.0f} req/s each request took {server:.1f} ms of the server's CPU and "
        f"{client:.1f} ms of the load generator's, so 200 req/s needs {need:.1f} CPUs of the "
        f"{os.cpu_count()} they share"
    )


if __name__ == "__main__":
    sys.exit(main())
