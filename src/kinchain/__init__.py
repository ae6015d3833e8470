"""kinchain: the lower-limb kinetic chain, from gait trials and a clinical intake to an assessment.

kinchain supports and does not replace a clinician's judgement.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "kinchain supports and does not replace a clinician's judgement: every result must be read "
    "by a qualified clinician together with the history and examination."
)

from kinchain.process import ProcessOptions, TrialResult, process, process_trial  # noqa: E402

__all__ = ["DISCLAIMER", "ProcessOptions", "TrialResult", "__version__", "process", "process_trial"]
