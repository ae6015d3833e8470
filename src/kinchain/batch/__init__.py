"""Cohorts: process and analyse many trials on Dask, resumably, into partitioned Parquet tables
and a cohort report. An edge package: the core never imports it.

>>> from kinchain.batch import load_source, run_batch  # doctest: +SKIP
>>> run_batch(load_source(Path("trials/")), Path("out"), workers=2)  # doctest: +SKIP

The names are loaded on first use, so that ``kinchain.batch.sources`` (read by ``kinchain analyze``
for a session's manifest) does not bring in Dask.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kinchain.batch.runner import BatchSummary, run_batch
    from kinchain.batch.sources import TrialSpec, load_source
    from kinchain.batch.worker import BatchSettings

__all__ = ["BatchSettings", "BatchSummary", "TrialSpec", "load_source", "run_batch"]

_WHERE = {
    "BatchSummary": "kinchain.batch.runner",
    "run_batch": "kinchain.batch.runner",
    "TrialSpec": "kinchain.batch.sources",
    "load_source": "kinchain.batch.sources",
    "BatchSettings": "kinchain.batch.worker",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'kinchain.batch' has no attribute {name!r}")
