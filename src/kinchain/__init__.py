"""kinchain: the lower-limb kinetic chain, from gait trials and a clinical intake to an assessment.

kinchain supports and does not replace a clinician's judgement.

The public API is imported lazily, so that ``import kinchain.clinical`` does not load the
movement side (NumPy, SciPy, ezc3d)::

    import kinchain
    result = kinchain.process_trial("trial.c3d")
    analysis = kinchain.analyze(result)
    assessment = kinchain.assess(intake)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

DISCLAIMER = (
    "kinchain supports and does not replace a clinician's judgement: every result must be read "
    "by a qualified clinician together with the history and examination."
)

_LAZY = {
    "ProcessOptions": "kinchain.process",
    "TrialResult": "kinchain.process",
    "process": "kinchain.process",
    "process_trial": "kinchain.process",
    "GaitAnalysis": "kinchain.analysis",
    "analyze": "kinchain.analysis",
    "assess": "kinchain.clinical",
}

if TYPE_CHECKING:
    from kinchain.analysis import GaitAnalysis, analyze
    from kinchain.clinical import assess
    from kinchain.process import ProcessOptions, TrialResult, process, process_trial


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kinchain' has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "DISCLAIMER",
    "GaitAnalysis",
    "ProcessOptions",
    "TrialResult",
    "__version__",
    "analyze",
    "assess",
    "process",
    "process_trial",
]
