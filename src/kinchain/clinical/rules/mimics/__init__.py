"""Screening for leg-pain mimics: conditions outside the knee and ankle's joints, bones, tendons
and nerves that present as a painful, swollen or weak leg (a clot in the leg or lung, a stroke,
a skin infection, an arterial problem, muscle breakdown, a sickle cell crisis, endocarditis, a
complication of an operation, polymyalgia rheumatica or giant-cell arteritis, a diabetic foot).

Each module's ``evaluate(intake)`` returns a red-flag style :class:`RuleResult` built with
:func:`kinchain.clinical.rules.red_flags._flag.flag_result` from patient-answerable items (no
examination needed), with its published source, and names the cause it points to in ``CAUSE``.
They run before the musculoskeletal reasoning and set an urgency floor like the red flags.
"""
