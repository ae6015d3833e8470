"""Run simulations in a separate process with a time limit and a progress callback.

:func:`simulate` solves one problem; :func:`whatif` solves the baseline and then each restricted
problem warm-started from the baseline solution, and compares them. Each solve runs in its own
Python process (``python -m kinchain.sim._worker``): OpenSim's solver cannot be interrupted
from Python, so a solve past ``settings.time_limit_s`` is killed (with its process group) and
:class:`~kinchain.sim.results.SimulationTimeout` names the limit. IPOPT's iteration lines are
read from the process's output (through a pseudo-terminal where there is one, so that they
arrive line by line) and passed to ``progress(iteration)``.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinchain.errors import ProcessingError
from kinchain.sim.model import require_opensim
from kinchain.sim.problem import SolverSettings, tracked_reference
from kinchain.sim.restrictions import Restriction
from kinchain.sim.results import (
    Comparison,
    Simulation,
    SimulationTimeout,
    compare,
    simulation_from_raw,
)
from kinchain.sim.stride import StrideData, stride_data
from kinchain.sim.validity import BaselineNotValid, baseline_problems

if TYPE_CHECKING:
    from kinchain.analysis import GaitAnalysis
    from kinchain.gait.cycles_types import Side

__all__ = ["Progress", "WhatIf", "simulate", "whatif"]

#: ``progress(label, iteration)``: called on each IPOPT iteration of the solve named ``label``
#: (counted across both solver stages, so it only goes up).
Progress = Callable[[str, int], None]
_ITERATION = re.compile(rb"^\s*(\d+)r?\s+[-+]?\d\.\d+e[-+]\d+\s")


@dataclass(frozen=True)
class WhatIf:
    """A baseline and its restricted variants, with their comparisons.

    Attributes
    ----------
    baseline
        The simulation of the measured stride.
    restricted
        One simulation per scenario, in the order given.
    comparisons
        ``compare(baseline, r)`` for each of :attr:`restricted`.
    """

    baseline: Simulation
    restricted: tuple[Simulation, ...]
    comparisons: tuple[Comparison, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "baseline": self.baseline.to_dict(),
            "restricted": [r.to_dict() for r in self.restricted],
            "comparisons": [c.to_dict() for c in self.comparisons],
        }


def _run(
    job: dict[str, object], label: str, limit_s: float, progress: Progress | None
) -> dict[str, object]:
    folder = Path(str(job["folder"]))
    folder.mkdir(parents=True, exist_ok=True)
    job_path = folder / "job.pkl"
    job_path.write_bytes(pickle.dumps(job))
    cmd = [sys.executable, "-m", "kinchain.sim._worker", str(job_path), str(os.getpid())]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    master: int | None = None
    try:
        import pty

        master, slave = pty.openpty()
        proc = subprocess.Popen(
            cmd,
            stdout=slave,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
            start_new_session=True,
        )
        os.close(slave)
        fd = master
    except (ImportError, OSError):
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
            start_new_session=True,
        )
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
    log = folder / "solver.log"
    start = time.monotonic()
    with log.open("wb") as out:
        try:
            _follow(proc, fd, out, label, limit_s, start, progress)
        except BaseException:  # a timeout, an interrupt, an error here: never leave a solver
            _kill(proc)
            raise
        finally:
            if master is not None:
                os.close(master)
    proc.wait()
    raw_path = folder / "raw.pkl"
    if not raw_path.exists():
        error = folder / "error.txt"
        detail = (
            error.read_text().splitlines()[0] if error.exists() else f"exit code {proc.returncode}"
        )
        raise ProcessingError(
            f"simulation {label!r} failed in the solver process: {detail} (log: {log})"
        )
    raw: dict[str, object] = pickle.loads(raw_path.read_bytes())
    return raw


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def simulate(
    stride: StrideData,
    restrictions: Sequence[Restriction] = (),
    *,
    settings: SolverSettings | None = None,
    guess: str | Path | None = None,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
) -> Simulation:
    """Solve one tracking problem of ``stride`` in a separate process.

    Parameters
    ----------
    stride
        From :func:`kinchain.sim.stride_data`.
    restrictions
        Empty for the baseline; see :mod:`kinchain.sim.restrictions`.
    settings
        Solver settings (default :class:`SolverSettings`; ``SolverSettings.coarse()`` for a
        quick preview).
    guess
        A Moco solution file to start from (usually the baseline's
        :attr:`Simulation.solution_path`).
    workdir
        Where the job, its log and solution go (a new temporary folder by default; kept); the
        solver process runs there (Moco writes a ``delete_this_to_stop_optimization*`` file into
        its working folder).
    progress
        Called with ``(label, iteration)`` on each solver iteration.

    Returns
    -------
    Simulation
        Only a converged solution.

    Raises
    ------
    kinchain.errors.ProcessingError
        Without OpenSim (saying ``pip install "kinchain[sim]"``), or when the solver process
        fails; :class:`~kinchain.sim.results.SimulationNotConverged` when IPOPT stops without
        converging; :class:`~kinchain.sim.results.SimulationTimeout` past the time limit.
    kinchain.errors.InputError
        For a release restriction without a normal knee curve.
    """
    require_opensim()
    settings = settings or SolverSettings()
    restrictions = tuple(restrictions)
    reference = tracked_reference(stride, restrictions)
    label = ", ".join(r.label() for r in restrictions) or "baseline"
    folder = (
        Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="kinchain-sim-"))
    )
    job = {
        "stride": stride,
        "restrictions": restrictions,
        "settings": settings,
        "folder": str(folder),
        "guess": Path(guess).resolve() if guess is not None else None,
    }
    raw = _run(job, label, settings.time_limit_s, progress)
    return simulation_from_raw(
        raw,
        stride,
        restrictions,
        dataclasses.asdict(settings),
        reference,
        warm_start=guess is not None,
    )


def whatif(
    source: GaitAnalysis | StrideData,
    scenarios: Sequence[Sequence[Restriction]],
    *,
    side: Side = "left",
    settings: SolverSettings | None = None,
    guess: str | Path | None = None,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
    require_valid_baseline: bool = True,
) -> WhatIf:
    """Baseline and restricted simulations of one representative stride, compared.

    Parameters
    ----------
    source
        An analysed trial (the stride of ``side`` is chosen with
        :func:`kinchain.sim.stride.choose_stride`) or a ready :class:`StrideData`.
    scenarios
        Each a set of restrictions solved together, e.g.
        ``[parse_restrictions(["knee_flexion_max=20"], side="L")]``.
    side
        The stride's side (when ``source`` is an analysis).
    settings, workdir, progress
        As in :func:`simulate`; each scenario is warm-started from the baseline solution.
    guess
        A solution file to start the *baseline* from (e.g. an earlier baseline of the same
        trial); None starts from the tracked kinematics.
    require_valid_baseline
        Refuse to simulate the restrictions when the baseline misses the measured stride by
        more than the tolerances of :mod:`kinchain.sim.validity` (the default, and what the
        command, the web app and batch runs do). False only to study the model itself: the
        comparisons are then not predictions.

    Returns
    -------
    WhatIf

    Raises
    ------
    As :func:`simulate`; the baseline failing stops everything.
    kinchain.sim.validity.BaselineNotValid
        When the baseline converged but misses the measured stride by more than the
        tolerances of :mod:`kinchain.sim.validity`: then no restriction is simulated.
    """
    stride = source if isinstance(source, StrideData) else stride_data(source, side)
    root = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="kinchain-sim-"))
    base = simulate(
        stride, (), settings=settings, guess=guess, workdir=root / "baseline", progress=progress
    )
    problems = baseline_problems(base)
    if problems and require_valid_baseline:
        raise BaselineNotValid(base, problems)
    restricted: list[Simulation] = []
    for k, scenario in enumerate(scenarios):
        restricted.append(
            simulate(
                stride,
                tuple(scenario),
                settings=settings,
                guess=base.solution_path,
                workdir=root / f"scenario_{k + 1}",
                progress=progress,
            )
        )
    return WhatIf(base, tuple(restricted), tuple(compare(base, r) for r in restricted))


def _follow(
    proc: subprocess.Popen[bytes],
    fd: int,
    out: Any,
    label: str,
    limit_s: float,
    start: float,
    progress: Progress | None,
) -> None:
    """Copy the solver's output to ``out``, report iterations, stop it past the time limit."""
    iterations = 0
    offset = 0  # a second solver stage counts from 0 again: keep the count going up
    last = 0
    buffer = b""
    while True:
        remaining = limit_s - (time.monotonic() - start)
        if remaining <= 0:
            _kill(proc)
            raise SimulationTimeout(label, limit_s, iterations)
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # pty closed: the process ended
                chunk = b""
            if not chunk:
                if proc.poll() is not None or proc.wait(timeout=max(remaining, 0.1)) is not None:
                    break
                continue
            out.write(chunk)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                match = _ITERATION.match(line)
                if match:
                    number = int(match.group(1))
                    if number < last:
                        offset += last
                    last = number
                    iterations = offset + number
                    if progress is not None:
                        progress(label, iterations)
        elif proc.poll() is not None:
            break
