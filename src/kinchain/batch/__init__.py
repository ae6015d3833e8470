"""Cohorts: process and analyse many trials on Dask, resumably, into partitioned Parquet tables
and a cohort report. An edge package: the core never imports it.

>>> from kinchain.batch import load_source, run_batch  # doctest: +SKIP
>>> run_batch(load_source(Path("trials/")), Path("out"), workers=2)  # doctest: +SKIP
"""

from kinchain.batch.runner import BatchSummary, run_batch
from kinchain.batch.sources import TrialSpec, load_source
from kinchain.batch.worker import BatchSettings

__all__ = ["BatchSettings", "BatchSummary", "TrialSpec", "load_source", "run_batch"]
