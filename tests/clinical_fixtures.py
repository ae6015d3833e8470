"""What-would-change items shared by the output tests (CLI, web, report, FHIR): built by hand so
that those tests check how an item is shown, not which rule makes it."""

from __future__ import annotations

from kinchain.clinical import Specialist, Urgency, WhatWouldChange

WARMTH = WhatWouldChange(
    field="signs.warmth",
    question="The joint is warm or hot.",
    answer="yes",
    urgency=Urgency.emergency,
    destination=Specialist.emergency_department,
    because="septic arthritis",
    rule_id="test_rule",
)
WHOLE_LEG = WhatWouldChange(
    field="exam.entire_leg_swollen",
    question="Is the whole leg swollen?",
    answer="yes",
    urgency=Urgency.same_day,
    destination=Specialist.same_day_care,
    because="a possible clot in the leg",
    rule_id="test_rule",
)
IV_DRUGS = WhatWouldChange(
    field="history.iv_drug_use",
    question="Have you ever injected drugs?",
    answer="yes",
    urgency=Urgency.emergency,
    destination=Specialist.emergency_department,
    because="a possible infection of the joint",
    rule_id="test_rule",
)
