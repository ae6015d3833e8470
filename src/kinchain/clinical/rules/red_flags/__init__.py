"""Red-flag sets: each module's ``evaluate(intake)`` returns a :class:`RuleResult` whose
``urgency`` is the floor it sets when a flag fires (the most urgent of the items that fired)."""
