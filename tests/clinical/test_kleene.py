"""Kleene three-valued AND / OR of the rules (True, False, None = unknown), checked against their
truth tables on every tuple of up to four values: the answer is decided by a False (AND) or a
True (OR) anywhere, otherwise unknown when any value is unknown."""

from __future__ import annotations

import itertools

import pytest

from kinchain.clinical.rules.base import Tri, t_and, t_not, t_or

VALUES: tuple[Tri, ...] = (True, False, None)
RANK = {False: 0, None: 1, True: 2}  # Kleene's order: AND is the minimum, OR the maximum


@pytest.mark.parametrize("n", range(5))
def test_and_or_are_the_minimum_and_maximum_of_kleenes_order(n: int) -> None:
    by_rank = {v: k for k, v in RANK.items()}
    for combo in itertools.product(VALUES, repeat=n):
        expected_and = by_rank[min((RANK[v] for v in combo), default=2)]
        expected_or = by_rank[max((RANK[v] for v in combo), default=0)]
        assert t_and(*combo) is expected_and, combo
        assert t_or(*combo) is expected_or, combo


def test_not_keeps_unknown() -> None:
    assert (t_not(True), t_not(False), t_not(None)) == (False, True, None)
