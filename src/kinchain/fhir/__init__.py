"""HL7 FHIR R4 export of a visit (an edge package: nothing else in kinchain imports it).

:func:`build_bundle` turns a gait analysis, a clinical assessment, the intake and a
:class:`PatientInfo` into a FHIR R4 ``collection`` Bundle (JSON-ready dict);
:func:`validate_bundle` returns its problems (empty when valid). See ``docs/fhir.md``.
"""

from __future__ import annotations

from kinchain.fhir.build import PatientInfo, VisitInfo, build_bundle
from kinchain.fhir.codes import FHIR_VERSION, GAIT_SYSTEM, INTAKE_QUESTIONNAIRE
from kinchain.fhir.validate import validate_bundle

__all__ = [
    "FHIR_VERSION",
    "GAIT_SYSTEM",
    "INTAKE_QUESTIONNAIRE",
    "PatientInfo",
    "VisitInfo",
    "build_bundle",
    "validate_bundle",
]
