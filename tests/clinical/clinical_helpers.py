"""Helpers for the clinical tests: build intakes from nested partial dicts."""

from __future__ import annotations

import copy
from typing import Any

from kinchain.clinical.intake import Intake, parse_intake


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``b`` into a copy of ``a``."""
    out = copy.deepcopy(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def intake(sites: list[str] | None = None, **groups: Any) -> Intake:
    """An intake with ``pain.sites`` and the given groups (nested dicts)."""
    data: dict[str, Any] = {"pain": {"sites": sites or ["knee"]}}
    data = merge(data, groups)
    return parse_intake(data)
