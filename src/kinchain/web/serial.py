"""One worker thread running a service's background jobs in submission order.

The analyses (:class:`kinchain.web.jobs.JobRunner`) and the simulations
(:class:`kinchain.web.simulations.SimulationRunner`) queue their jobs the same way: keyed by an
integer (a visit, a run), at most one waiting per key, run one at a time by a single thread.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["SerialRunner"]


class SerialRunner(ABC):
    """A single-thread queue of jobs keyed by an integer; subclasses define :meth:`run`.

    Parameters
    ----------
    thread_name
        Prefix of the worker thread's name.
    start
        False: nothing runs (:meth:`submit` is a no-op), for tests that drive :meth:`run`.
    requeue_running
        True: submitting a key whose job is already running queues it once more (the job
        reads state that may have changed since it started); False: a key that is waiting or
        running is not queued again.
    """

    def __init__(self, thread_name: str, *, start: bool, requeue_running: bool) -> None:
        self._pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name) if start else None
        )
        self._futures: dict[int, Future[None]] = {}
        self._lock = threading.Lock()
        self._requeue_running = requeue_running

    @abstractmethod
    def run(self, key: int) -> None:
        """Run the job ``key`` (on the worker thread)."""

    def submit(self, key: int) -> None:
        """Queue the job ``key`` (a no-op if it is already waiting, see ``requeue_running``)."""
        if self._pool is None:
            return
        with self._lock:
            fut = self._futures.get(key)
            if fut is not None and not fut.done():
                if not (self._requeue_running and fut.running()):
                    return
            self._futures[key] = self._pool.submit(self.run, key)

    def unfinished(self) -> list[Future[None]]:
        """The jobs submitted and not finished."""
        with self._lock:
            return [f for f in self._futures.values() if not f.done()]

    def wait(self, timeout: float = 120.0) -> None:
        """Block until every submitted job has finished (tests, benchmarks)."""
        while pending := self.unfinished():
            for f in pending:
                f.result(timeout=timeout)
