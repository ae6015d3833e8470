"""kinchain's clinical engine: a structured intake for knee/ankle pain, red flags, published
decision rules and criteria (one module each under :mod:`kinchain.clinical.rules`), urgency, ranked
causes, specialist, tests and the reasons for each.

It supports and does not replace clinical judgement (:data:`kinchain.DISCLAIMER`).

Public API::

    from kinchain.clinical import assess, parse_intake, Intake, ClinicalAssessment
    result = assess(parse_intake(json_text))
"""

from kinchain.clinical.engine import assess, run_rules
from kinchain.clinical.intake import (
    GaitFindingEvidence,
    Intake,
    intake_json_schema,
    parse_intake,
)
from kinchain.clinical.result import (
    CauseAssessment,
    CauseId,
    ClinicalAssessment,
    Question,
    Reason,
    RedFlag,
    Referral,
    Specialist,
    TestRecommendation,
    WhatWouldChange,
)
from kinchain.clinical.rules.base import RuleItem, RuleResult, Urgency

__all__ = [
    "CauseAssessment",
    "CauseId",
    "ClinicalAssessment",
    "GaitFindingEvidence",
    "Intake",
    "Question",
    "Reason",
    "RedFlag",
    "Referral",
    "RuleItem",
    "RuleResult",
    "Specialist",
    "TestRecommendation",
    "Urgency",
    "WhatWouldChange",
    "assess",
    "intake_json_schema",
    "parse_intake",
    "run_rules",
]
