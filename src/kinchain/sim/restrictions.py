"""Restrictions of a "what if" simulation: a small typed spec, parsed from strings.

=============================  ====================================================================
spec                           what it models / what it does not
=============================  ====================================================================
``knee_flexion_max=DEG``       A stiff knee (brace, arthrodesis, extension contracture, pain
                               avoidance): the knee cannot flex beyond DEG, as a bound on the
                               knee coordinate over the whole stride; where the bound cuts the
                               measured curve its tracking is relaxed (weight x
                               :data:`RELAXED_WEIGHT`) so that the bound, not the measured
                               curve, shapes the knee (a bound wider than the curve changes
                               nothing in the problem). By default the other joints keep
                               their measured curves; ``SolverSettings.compensation_weight``
                               (``--compensation``) lets them depart from them. It does not
                               model the frontal-plane compensations a locked knee brings (hip
                               hiking, circumduction), the brace's mass or its soft-tissue
                               coupling.
``knee_extension_deficit=DEG`` A flexion contracture: the knee cannot extend to less than DEG of
(``knee_flexion_min=DEG``)     flexion (a lower bound), tracking relaxed as above. It does not
                               model the shortened posterior capsule's passive force.
``ankle_dorsiflexion_max=DEG`` Limited dorsiflexion (tight calf, anterior impingement): an upper
                               bound on the ankle, tracking relaxed. Passive calf stiffness that
                               would cause it is not modelled (the bound is rigid).
``plantarflexor_strength=F``   Reduced push-off: the maximum isometric force of gastrocnemius and
                               soleus is multiplied by F (0 < F <= 1). The kinematics are still
                               tracked, so a weaker push-off shows as higher activation and
                               reserve torque before it shows as changed motion; it does not
                               model atrophy of other muscles or a changed tendon.
``knee_release``               A stiff knee released: the knee tracks a normal knee flexion curve
                               (kinchain's speed-matched normative mean, phase-shifted for the
                               opposite side) instead of the measured one, within the model's
                               full knee range. It shows what a normal knee would change in the
                               rest of the chain, not what surgery or therapy can achieve.
=============================  ====================================================================

Each restriction applies to a side: ``"left"``, ``"right"`` or ``"both"`` (``L``/``R``/``both``
are accepted).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from kinchain.errors import InputError

__all__ = [
    "KINDS",
    "RELAXED_WEIGHT",
    "Restriction",
    "RestrictionKind",
    "SideSpec",
    "parse_restriction",
    "parse_restrictions",
    "parse_side",
]

RestrictionKind = Literal[
    "knee_flexion_max",
    "knee_flexion_min",
    "ankle_dorsiflexion_max",
    "plantarflexor_strength",
    "knee_release",
]
SideSpec = Literal["left", "right", "both"]

#: Tracking weight factor on a coordinate whose bound makes its measured curve unreachable.
RELAXED_WEIGHT = 0.1

#: kind -> (unit, lowest, highest allowed value).
KINDS: dict[str, tuple[str, float, float]] = {
    "knee_flexion_max": ("deg", 0.0, 140.0),
    "knee_flexion_min": ("deg", 0.0, 90.0),
    "ankle_dorsiflexion_max": ("deg", -40.0, 45.0),
    "plantarflexor_strength": ("1", 0.0, 1.0),
    "knee_release": ("", 0.0, 0.0),
}
_ALIASES = {"knee_extension_deficit": "knee_flexion_min", "release": "knee_release"}
_SIDES = {"l": "left", "left": "left", "r": "right", "right": "right", "both": "both", "b": "both"}
_SPEC = re.compile(r"^\s*([a-z_]+)\s*(?:=\s*([^@\s]+))?\s*(?:@\s*([A-Za-z]+))?\s*$")


@dataclass(frozen=True)
class Restriction:
    """One restriction.

    Attributes
    ----------
    kind
        See the module table.
    value
        Degrees for the angle bounds, a factor for ``plantarflexor_strength``, NaN for
        ``knee_release``.
    side
        ``"left"``, ``"right"`` or ``"both"``.
    """

    kind: RestrictionKind
    value: float
    side: SideSpec = "both"

    def sides(self) -> tuple[Literal["left", "right"], ...]:
        """The sides it applies to."""
        if self.side == "both":
            return ("left", "right")
        return (self.side,)

    def label(self) -> str:
        """``"knee_flexion_max=20@left"``: the canonical string (parsed back unchanged)."""
        value = "" if self.kind == "knee_release" else f"={self.value:g}"
        return f"{self.kind}{value}@{self.side}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "value": None if math.isnan(self.value) else self.value,
            "unit": KINDS[self.kind][0],
            "side": self.side,
            "label": self.label(),
        }


def parse_side(text: str, field: str = "side") -> SideSpec:
    """``"L"``/``"left"``/``"R"``/``"right"``/``"both"`` (any case) -> the side.

    Raises
    ------
    InputError
        Naming ``field`` for anything else.
    """
    side = _SIDES.get(text.strip().lower())
    if side is None:
        raise InputError(field, f"side must be L, R or both, got {text!r}")
    return side  # type: ignore[return-value]


def parse_restriction(text: str, side: str = "both") -> Restriction:
    """Parse ``"knee_flexion_max=20"`` (optionally ``"...@L"``, which overrides ``side``).

    Parameters
    ----------
    text
        ``NAME=VALUE`` with NAME one of :data:`KINDS` (or ``knee_extension_deficit``), or
        ``knee_release`` without a value.
    side
        The side when the text does not name one.

    Returns
    -------
    Restriction

    Raises
    ------
    InputError
        With ``source`` ``"restriction.<name>"`` (or ``"restriction"`` when the name itself is
        unknown) and what is wrong: unknown name, missing/non-numeric/out-of-range value.
    """
    match = _SPEC.match(text.lower()) if isinstance(text, str) else None
    if match is None:
        raise InputError(
            "restriction", f"expected NAME=VALUE, e.g. knee_flexion_max=20; got {text!r}"
        )
    name, raw, side_text = match.groups()
    kind = _ALIASES.get(name, name)
    if kind not in KINDS:
        raise InputError(
            "restriction",
            f"unknown restriction {name!r}; known: {', '.join([*KINDS, *_ALIASES])}",
        )
    field = f"restriction.{name}"
    chosen = parse_side(side_text if side_text else side, field)
    unit, lo, hi = KINDS[kind]
    if kind == "knee_release":
        if raw not in (None, "normal"):
            raise InputError(field, f"takes no value (or 'normal'), got {raw!r}")
        return Restriction("knee_release", math.nan, chosen)
    if raw is None:
        raise InputError(field, f"needs a value in {unit}, e.g. {name}={hi / 2:g}")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(field, f"value must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise InputError(field, f"value must be finite, got {raw!r}")
    low_ok = value > lo if kind == "plantarflexor_strength" else value >= lo
    if not (low_ok and value <= hi):
        bracket = "(" if kind == "plantarflexor_strength" else "["
        what = "a factor" if unit == "1" else unit
        raise InputError(
            field, f"value must be in {bracket}{lo:g}, {hi:g}] ({what}), got {value:g}"
        )
    return Restriction(kind, value, chosen)  # type: ignore[arg-type]


def parse_restrictions(
    texts: list[str] | tuple[str, ...], side: str = "both"
) -> tuple[Restriction, ...]:
    """Parse several restrictions; a coordinate bounded twice on one side is an error.

    Raises
    ------
    InputError
        For a bad string, two restrictions of one kind on one side, a knee release with a
        knee bound, or a knee extension deficit at or beyond the knee's flexion cap.
    """
    out = tuple(parse_restriction(t, side) for t in texts)
    seen: set[tuple[str, str]] = set()
    for r in out:
        for s in r.sides():
            key = (r.kind, s)
            if key in seen:
                raise InputError(f"restriction.{r.kind}", f"given twice for the {s} side")
            seen.add(key)
    value = {(r.kind, s): r.value for r in out for s in r.sides()}  # one per (kind, side)
    for s in ("left", "right"):
        if ("knee_release", s) in value and {
            ("knee_flexion_max", s),
            ("knee_flexion_min", s),
        } & value.keys():
            raise InputError(
                "restriction.knee_release", f"contradicts a knee bound on the {s} side"
            )
    for s in ("left", "right"):
        lo, hi = value.get(("knee_flexion_min", s)), value.get(("knee_flexion_max", s))
        if lo is not None and hi is not None and lo >= hi:
            raise InputError(
                "restriction.knee_extension_deficit",
                f"the {s} knee cannot stay at {lo:g} degrees of flexion or more and flex no "
                f"more than {hi:g} (knee_flexion_max)",
            )
    return out
