"""The restriction parser: good strings give typed restrictions, bad ones an InputError naming
the field."""

from __future__ import annotations

import math

import pytest

from kinchain.errors import InputError
from kinchain.sim.restrictions import Restriction, parse_restriction, parse_restrictions


@pytest.mark.parametrize(
    ("text", "side", "expected"),
    [
        ("knee_flexion_max=20", "L", Restriction("knee_flexion_max", 20.0, "left")),
        ("knee_flexion_max = 20.5 @ R", "both", Restriction("knee_flexion_max", 20.5, "right")),
        ("knee_extension_deficit=15", "both", Restriction("knee_flexion_min", 15.0, "both")),
        ("knee_flexion_min=0", "right", Restriction("knee_flexion_min", 0.0, "right")),
        ("ankle_dorsiflexion_max=-5", "l", Restriction("ankle_dorsiflexion_max", -5.0, "left")),
        ("plantarflexor_strength=0.5", "both", Restriction("plantarflexor_strength", 0.5, "both")),
        ("KNEE_FLEXION_MAX=20", "L", Restriction("knee_flexion_max", 20.0, "left")),
    ],
)
def test_good_strings(text: str, side: str, expected: Restriction) -> None:
    assert parse_restriction(text, side) == expected


def test_release_and_label_round_trip() -> None:
    r = parse_restriction("release@L")
    assert r.kind == "knee_release" and math.isnan(r.value) and r.side == "left"
    for text in ("knee_flexion_max=20@left", "plantarflexor_strength=0.5@both", r.label()):
        assert parse_restriction(text).label() == text
    assert parse_restriction("knee_flexion_max=20", "both").sides() == ("left", "right")


@pytest.mark.parametrize(
    ("text", "side", "source", "words"),
    [
        ("knee_flexion_max", "L", "restriction.knee_flexion_max", "needs a value"),
        ("knee_flexion_max=abc", "L", "restriction.knee_flexion_max", "must be a number"),
        ("knee_flexion_max=nan", "L", "restriction.knee_flexion_max", "finite"),
        ("knee_flexion_max=200", "L", "restriction.knee_flexion_max", "[0, 140]"),
        ("knee_flexion_max=-1", "L", "restriction.knee_flexion_max", "[0, 140]"),
        ("plantarflexor_strength=0", "L", "restriction.plantarflexor_strength", "(0, 1]"),
        ("plantarflexor_strength=1.5", "L", "restriction.plantarflexor_strength", "(0, 1]"),
        ("ankle_dorsiflexion_max=60", "L", "restriction.ankle_dorsiflexion_max", "[-40, 45]"),
        ("knee_release=5", "L", "restriction.knee_release", "no value"),
        ("knee_flexion_max=20", "X", "restriction.knee_flexion_max", "L, R or both"),
        ("hip_flexion_max=20", "L", "restriction", "unknown restriction 'hip_flexion_max'"),
        ("20", "L", "restriction", "NAME=VALUE"),
        ("", "L", "restriction", "NAME=VALUE"),
    ],
)
def test_bad_strings_name_the_field(text: str, side: str, source: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_restriction(text, side)
    assert err.value.source == source
    assert words in err.value.problem


def test_contradictions() -> None:
    with pytest.raises(InputError, match="given twice for the left side"):
        parse_restrictions(["knee_flexion_max=20@L", "knee_flexion_max=30@both"])
    with pytest.raises(InputError, match="contradicts a knee bound"):
        parse_restrictions(["knee_flexion_max=20@L", "knee_release@L"])
    both = parse_restrictions(["knee_flexion_max=20@L", "knee_flexion_min=5@L"])
    assert [r.kind for r in both] == ["knee_flexion_max", "knee_flexion_min"]
    with pytest.raises(InputError, match="left knee cannot stay at 30 degrees") as err:
        parse_restrictions(["knee_flexion_max=20", "knee_extension_deficit=30@L"])
    assert err.value.source == "restriction.knee_extension_deficit"
    with pytest.raises(InputError, match="right knee"):
        parse_restrictions(["knee_flexion_max=20@R", "knee_flexion_min=20@R"])
    # on different sides they do not meet
    assert len(parse_restrictions(["knee_flexion_max=20@R", "knee_flexion_min=30@L"])) == 2
