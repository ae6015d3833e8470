"""The driver: stream trials to a Dask cluster with a bounded window, commit each one, resume.

Only paths go to the workers and only a small summary comes back, and at most ``window``
trials are in flight, so the driver's memory does not grow with the cohort. See
:mod:`kinchain.batch.store` for what "committed" means.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from distributed import Client, Future, LocalCluster, as_completed

from kinchain.batch.sources import TrialSpec, iter_hashed
from kinchain.batch.store import Ledger, clean_temporaries, table_path
from kinchain.batch.worker import BatchSettings, commit_error, run_trial
from kinchain.errors import InputError


class Progress(Protocol):
    """What the runner tells its caller (the CLI draws a progress bar from it)."""

    def start(self, total: int, where: str) -> None: ...

    def advance(self, trial_id: str, status: str) -> None: ...


class _Silent:
    def start(self, total: int, where: str) -> None:
        pass

    def advance(self, trial_id: str, status: str) -> None:
        pass


@dataclass
class BatchSummary:
    """Counts of one run."""

    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False
    run_id: str = ""
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return self.ok + self.failed


def _outputs_exist(out: Path, spec: TrialSpec) -> bool:
    return table_path(out, "trials", spec.group, spec.trial_id).is_file()


def open_client(
    stack: ExitStack, *, workers: int, scheduler: str | None, connect_timeout_s: float = 30.0
) -> tuple[Client, int]:
    """A client on an existing scheduler, or on a new LocalCluster of ``workers`` processes with
    one thread each; returns it and the number of worker threads."""
    if scheduler:
        try:
            client = stack.enter_context(Client(scheduler, timeout=connect_timeout_s))
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("--scheduler", f"cannot connect to {scheduler}: {exc}") from None
        threads = sum(client.nthreads().values()) or 1
        return client, threads
    cluster = stack.enter_context(
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    )
    client = stack.enter_context(Client(cluster))
    return client, workers


def run_batch(
    specs: list[TrialSpec],
    out: Path,
    *,
    settings: BatchSettings | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    window: int | None = None,
    retries: int = 2,
    force: bool = False,
    progress: Progress | None = None,
    connect_timeout_s: float = 30.0,
) -> BatchSummary:
    """Run every trial not already committed with the same input and parameters.

    Parameters
    ----------
    specs
        The trials (from :func:`kinchain.batch.sources.load_source`).
    out
        Output folder (created; shared with the workers: they write into it).
    settings
        Processing parameters (default :class:`BatchSettings`).
    workers
        LocalCluster worker processes (ignored with ``scheduler``).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:port``).
    window
        Most trials in flight at once (default: twice the worker threads).
    retries
        Times the scheduler reruns a task whose worker died or raised.
    force
        Rerun every trial, even committed ones.
    progress
        Told the total and each trial's outcome (the CLI draws a progress bar).
    connect_timeout_s
        How long to try to reach ``scheduler``, s.

    A ``KeyboardInterrupt`` cancels the trials in flight, closes the cluster and is re-raised;
    everything committed before stays.
    """
    settings = settings or BatchSettings()
    progress = progress or _Silent()
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    clean_temporaries(out)
    params_hash = settings.params_hash()
    ledger = Ledger(out)
    summary = BatchSummary(total=len(specs), run_id=uuid.uuid4().hex[:12])
    with ExitStack() as stack:
        stack.callback(ledger.close)
        client, threads = open_client(
            stack, workers=workers, scheduler=scheduler, connect_timeout_s=connect_timeout_s
        )
        where = scheduler or f"LocalCluster, {workers} worker process(es)"
        progress.start(len(specs), where)
        limit = max(1, window or 2 * threads)
        todo: Iterator[TrialSpec] = iter_hashed(specs)
        inflight: dict[str, tuple[Future, TrialSpec]] = {}
        queue = as_completed()

        def submit_next() -> bool:
            for spec in todo:
                if (
                    not force
                    and ledger.is_done(
                        spec.trial_id, spec.input_sha256, params_hash, spec.spec_hash()
                    )
                    and _outputs_exist(out, spec)
                ):
                    summary.skipped += 1
                    progress.advance(spec.trial_id, "skipped")
                    continue
                fut = client.submit(
                    run_trial,
                    spec,
                    str(out),
                    settings,
                    params_hash,
                    key=f"kinchain-trial-{uuid.uuid4().hex}",
                    retries=retries,
                    pure=False,
                )
                inflight[str(fut.key)] = (fut, spec)
                queue.add(fut)
                return True
            return False

        try:
            for _ in range(limit):
                if not submit_next():
                    break
            for fut in queue:
                _, spec = inflight.pop(str(fut.key))
                result = _collect(fut, out, spec, params_hash)
                ledger.commit(
                    {
                        "trial_id": spec.trial_id,
                        "input_sha256": spec.input_sha256,
                        "params_hash": params_hash,
                        "spec_hash": spec.spec_hash(),
                        "status": result["status"],
                        "run_id": summary.run_id,
                    }
                )
                if result["status"] == "ok":
                    summary.ok += 1
                else:
                    summary.failed += 1
                    summary.failures.append(result)
                progress.advance(spec.trial_id, result["status"])
                fut.release()
                submit_next()
        except KeyboardInterrupt:
            summary.interrupted = True
            pending = [f for f, _ in inflight.values()]
            if pending:
                client.cancel(pending, force=True)
            raise
        finally:
            queue.clear()
    return summary


def _collect(fut: Future, out: Path, spec: TrialSpec, params_hash: str) -> dict[str, Any]:
    """The task's summary, or, if the task itself failed after its retries (a worker killed
    each time, a write error), an errors row written by the driver."""
    try:
        result: dict[str, Any] = fut.result()
        return result
    except Exception as exc:
        summary = commit_error(out, spec, params_hash, "worker", exc)
        return {"trial_id": spec.trial_id, **summary}
