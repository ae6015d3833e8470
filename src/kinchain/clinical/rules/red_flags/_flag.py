"""Builder shared by the red-flag modules: items with their own urgency, any fired item fires the
flag, the flag's urgency is the most urgent fired item."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from kinchain.clinical.rules.base import (
    RuleItem,
    RuleResult,
    Tri,
    Urgency,
    as_outcome,
    flag_rule_result,
    max_urgency,
    rule_item,
)


@dataclass(frozen=True)
class FlagItem:
    """One red-flag feature: id, label, three-valued truth, urgency when fired, fields read."""

    id: str
    label: str
    fired: Tri
    urgency: Urgency
    fields: tuple[str, ...]


def item_level(item: RuleItem) -> Urgency | None:
    """The urgency a flag item carries in its label ("... [same_day]", as :func:`flag_result`
    writes it), or None for an item without one."""
    return _label_level(item.label)


@functools.lru_cache(maxsize=4096)
def _label_level(label: str) -> Urgency | None:
    """:func:`item_level` of a label (labels repeat: remembered)."""
    _, sep, tail = label.rpartition(" [")
    if not sep or not tail.endswith("]"):
        return None
    try:
        return Urgency(tail[:-1])
    except ValueError:
        return None


def item_text(item: RuleItem) -> str:
    """A flag item's label without its urgency suffix."""
    return item.label.rpartition(" [")[0] if item_level(item) is not None else item.label


def flag_result(
    rule_id: str,
    name: str,
    citation: str,
    evidence: str,
    items: list[FlagItem],
    action: str,
    prefix: str = "RED FLAG ",
    assumed: list[str] | None = None,
) -> RuleResult:
    """The red flag's result: positive when any item fired, negative when all are known absent.

    ``assumed`` names the unknown fields a cautious reading filled in (an unknown duration read
    as short, an unknown age as possibly 50 or over): the result then stands for the urgency,
    but its ``robust_truth`` is None, so that the cause ranking's worst-case bounds stay
    monotone in information."""
    fired = [it for it in items if it.fired is True]
    unknown = [it for it in items if it.fired is None]
    rule_items = [
        rule_item(it.id, f"{it.label} [{it.urgency.value}]", it.fired, it.fields) for it in items
    ]
    missing: list[str] = []
    level = max_urgency(it.urgency for it in fired)
    for it in unknown:
        if not fired or it.urgency.rank > level.rank:
            missing.extend(f for f in it.fields if f not in missing)
    if fired:
        text = f"{prefix}{name}: " + "; ".join(it.label for it in fired) + f". {action}"
        return flag_rule_result(
            rule_id=rule_id,
            name=name,
            citation=citation,
            evidence=evidence,
            applies=True,
            outcome="positive",
            items=rule_items,
            urgency=level,
            interpretation=text,
            missing=missing,
            applicability_unknown=list(assumed or []),
        )
    outcome = "indeterminate" if unknown else "negative"
    text = (
        f"{name}: not excluded; ask: " + ", ".join(missing)
        if unknown
        else f"{name}: no red-flag feature."
    )
    return flag_rule_result(
        rule_id=rule_id,
        name=name,
        citation=citation,
        evidence=evidence,
        applies=True,
        outcome=as_outcome(outcome),
        items=rule_items,
        interpretation=text,
        missing=missing,
    )
