"""The driver: stream trials to a Dask cluster with a bounded window, commit each one, resume.

Only paths go to the workers and only a small summary comes back, and at most ``window``
trials are in flight, so the driver's memory does not grow with the cohort. See
:mod:`kinchain.batch.store` for what "committed" means.

The driver never waits forever: when no trial of the batch finishes or runs on a worker for
``stall_timeout_s`` (every worker killed and not restarted, workers paused, a lost scheduler),
it records the outstanding trials in ``errors/`` with stage ``worker``, without ledger lines
(so the next run does them), and raises :class:`ClusterStalled`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from distributed import Client, Future, LocalCluster, wait

from kinchain.batch.sources import TrialSpec, with_hashes
from kinchain.batch.store import Ledger, clean_temporaries, output_lock, table_path
from kinchain.batch.worker import BatchSettings, commit_error, run_trial
from kinchain.errors import InputError, KinchainError

log = logging.getLogger(__name__)

#: Default of ``stall_timeout_s`` (``--stall-timeout``), s: long enough for a nanny to restart
#: a worker or a job queue to start one, short enough not to leave a run hanging unnoticed.
STALL_TIMEOUT_S = 300.0


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
    stalled: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return self.ok + self.failed


class ClusterStalled(KinchainError):
    """No trial of the batch finished or ran on a worker for ``stall_timeout_s``.

    ``reason`` is one line (what was seen, for how long); ``summary`` the run's counts, with
    ``stalled`` trials recorded in ``errors/`` (stage ``worker``) and left for the next run.
    """

    def __init__(self, reason: str, summary: BatchSummary | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.summary = summary


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
    stall_timeout_s: float | None = STALL_TIMEOUT_S,
    note: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Run every trial not already committed with the same input and parameters.

    Parameters
    ----------
    specs
        The trials (from :func:`kinchain.batch.sources.load_source`).
    out
        Output folder (created; shared with the workers: they write into it). Held with
        :func:`kinchain.batch.store.output_lock` for the run.
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
    stall_timeout_s
        Longest time, s, with no trial of the batch finishing or running on a worker (no
        worker connected, workers paused or busy with others, the scheduler unreachable)
        before the batch gives up with :class:`ClusterStalled`; None or 0 waits forever.
    note
        Told one-line notes (a stale lock taken over, a torn ledger line repaired); default:
        logged as warnings.

    Raises
    ------
    ClusterStalled
        After recording every outstanding trial (in flight or not yet submitted, and not
        already committed) in ``errors/`` with stage ``worker``; they have no ledger line, so
        the same call with a working cluster runs them.
    InputError
        ``out`` is in use by another batch, or ``scheduler`` cannot be reached.

    A ``KeyboardInterrupt`` cancels the trials in flight, closes the cluster and is re-raised;
    everything committed before stays.
    """
    settings = settings or BatchSettings()
    progress = progress or _Silent()
    tell = note or log.warning
    out = out.resolve()
    params_hash = settings.params_hash()
    summary = BatchSummary(total=len(specs), run_id=uuid.uuid4().hex[:12])
    with ExitStack() as stack:
        stack.enter_context(output_lock(out, note=tell))
        clean_temporaries(out)
        ledger = Ledger(out)
        stack.callback(ledger.close)
        repaired = ledger.open()
        if repaired:
            tell(f"{ledger.path}: {repaired}")
        client, threads = open_client(
            stack, workers=workers, scheduler=scheduler, connect_timeout_s=connect_timeout_s
        )
        where = scheduler or f"LocalCluster, {workers} worker process(es)"
        progress.start(len(specs), where)
        limit = max(1, window or 2 * threads)
        # Hashed lazily, one trial at a time (bounded memory, early start); ``not_reached``
        # holds the trials not hashed yet.
        not_reached: Iterator[TrialSpec] = iter(specs)
        todo: Iterator[TrialSpec] = (with_hashes(s) for s in not_reached)
        inflight: dict[str, tuple[Future, TrialSpec]] = {}

        def already_done(spec: TrialSpec) -> bool:
            return (
                not force
                and ledger.is_done(spec.trial_id, spec.input_sha256, params_hash, spec.spec_hash())
                and _outputs_exist(out, spec)
            )

        def submit_next() -> bool:
            for spec in todo:
                if already_done(spec):
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
                return True
            return False

        def finish(fut: Future) -> None:
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

        timeout = stall_timeout_s or None
        poll_s = 1.0 if timeout is None else min(1.0, max(0.05, timeout / 10))
        try:
            for _ in range(limit):
                if not submit_next():
                    break
            last_progress = time.monotonic()
            while inflight:
                done, lost = _wait_some([f for f, _ in inflight.values()], poll_s)
                if lost:  # every future of the client was cancelled: none will finish
                    reason = f"cluster lost: the connection to the Dask scheduler ({where}) broke"
                elif done:
                    for fut in done:
                        finish(fut)
                        submit_next()
                    last_progress = time.monotonic()
                    continue
                else:
                    n_threads, running = _cluster_state(client, set(inflight), poll_s + 5.0)
                    now = time.monotonic()
                    if running:
                        last_progress = now
                    if timeout is None or now - last_progress < timeout:
                        continue
                    reason = _stall_reason(n_threads, where, timeout)
                _give_up(
                    client,
                    inflight,
                    not_reached,
                    lambda spec: not force and spec.trial_id in ledger.entries,
                    out,
                    params_hash,
                    reason,
                    summary,
                )
                raise ClusterStalled(reason, summary)
        except KeyboardInterrupt:
            summary.interrupted = True
            pending = [f for f, _ in inflight.values()]
            if pending:
                client.cancel(pending, force=True)
            raise
    return summary


def _wait_some(futures: list[Future], timeout_s: float) -> tuple[list[Future], bool]:
    """The futures done within ``timeout_s`` (at least one, unless none finished), and whether
    any was cancelled under us (the client lost its scheduler: they will never finish)."""
    try:
        wait(futures, timeout=timeout_s, return_when="FIRST_COMPLETED")
    except TimeoutError:
        return [], False
    except CancelledError:
        pass
    done = [f for f in futures if f.done() and not f.cancelled()]
    return done, any(f.cancelled() for f in futures)


def _stall_reason(n_threads: int | None, where: str, timeout_s: float) -> str:
    if n_threads is None:
        seen = f"the scheduler ({where}) did not answer"
    elif n_threads == 0:
        seen = f"no Dask worker connected ({where})"
    else:
        seen = f"no trial running on the {n_threads} worker thread(s) ({where})"
    return f"cluster stalled: {seen} for {timeout_s:g} s"


def _cluster_state(client: Client, keys: set[str], timeout_s: float) -> tuple[int | None, bool]:
    """The scheduler's worker threads (None when it did not answer) and whether any of
    ``keys`` is processing on a worker."""
    if client.scheduler is None:
        return None, False
    try:
        n_threads = sum(client.nthreads(callback_timeout=timeout_s).values())
        processing = client.sync(
            client.scheduler.processing, workers=None, callback_timeout=timeout_s
        )
    except Exception:  # a lost or frozen scheduler: no progress, which the timeout bounds
        return None, False
    running = any(str(k) in keys for ks in processing.values() for k in ks)
    return n_threads, running


def _give_up(
    client: Client,
    inflight: dict[str, tuple[Future, TrialSpec]],
    not_reached: Iterator[TrialSpec],
    committed_before: Callable[[TrialSpec], bool],
    out: Path,
    params_hash: str,
    reason: str,
    summary: BatchSummary,
) -> None:
    """Cancel the trials in flight and record them, and those not reached yet (except the ones
    with a ledger line from an earlier run: the next run checks those), in ``errors/`` with
    stage ``worker`` and no ledger line. Trials not reached are not read (a large cohort on a
    slow file system stops at once), so their rows have no ``input_sha256``."""
    pending = [f for f, _ in inflight.values()]
    try:
        client.cancel(pending, force=True)
    except Exception:  # the scheduler may be gone; the futures die with the client
        pass
    error = ClusterStalled(f"not finished: {reason}; re-run the same command to resume")
    outstanding = [spec for _, spec in inflight.values()]
    inflight.clear()
    outstanding += [spec for spec in not_reached if not committed_before(spec)]
    for spec in outstanding:
        commit_error(out, spec, params_hash, "worker", error)
    summary.stalled = len(outstanding)


def _collect(fut: Future, out: Path, spec: TrialSpec, params_hash: str) -> dict[str, Any]:
    """The task's summary, or, if the task itself failed after its retries (a worker killed
    each time, a write error), an errors row written by the driver."""
    try:
        result: dict[str, Any] = fut.result()
        return result
    except Exception as exc:
        summary = commit_error(out, spec, params_hash, "worker", exc)
        return {"trial_id": spec.trial_id, **summary}
