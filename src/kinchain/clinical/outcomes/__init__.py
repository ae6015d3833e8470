"""Patient-reported outcome measures over time: pain (NPRS 0-10) and validated questionnaires
scored exactly as published, with their missing-item rules and MCIDs (issue 12 item 4).

Public API::

    from kinchain.clinical.outcomes import INSTRUMENTS, change
    before = INSTRUMENTS["koos"].score({"P1": 2, ...})
    after = INSTRUMENTS["koos"].score({...})
    change(before, after).subscales["pain"].classification

Instruments, licences, scoring rules and sources: ``docs/outcomes.md``.
"""

from kinchain.clinical.outcomes.base import (
    Direction,
    Instrument,
    Item,
    Mcid,
    OutcomeChange,
    OutcomeScore,
    Subscale,
    SubscaleChange,
    SubscaleScore,
    change,
)
from kinchain.clinical.outcomes.faam import FAAM
from kinchain.clinical.outcomes.koos import KOOS
from kinchain.clinical.outcomes.lefs import LEFS
from kinchain.clinical.outcomes.nprs import NPRS, score_pain

INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (KOOS, FAAM, LEFS, NPRS)}
"""Every implemented instrument by id."""

__all__ = [
    "FAAM",
    "INSTRUMENTS",
    "KOOS",
    "LEFS",
    "NPRS",
    "Direction",
    "Instrument",
    "Item",
    "Mcid",
    "OutcomeChange",
    "OutcomeScore",
    "Subscale",
    "SubscaleChange",
    "SubscaleScore",
    "change",
    "score_pain",
]
