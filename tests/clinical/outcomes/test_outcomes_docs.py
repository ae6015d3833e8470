"""docs/outcomes.md records every implemented instrument with its terms of use, its missing-item
rule and every MCID kinchain carries, with the MCID's source."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinchain.clinical.outcomes import INSTRUMENTS

DOC = (Path(__file__).resolve().parents[3] / "docs" / "outcomes.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("inst_id", sorted(INSTRUMENTS))
def test_instrument_is_documented(inst_id: str) -> None:
    inst = INSTRUMENTS[inst_id]
    assert f"`{inst.id}`" in DOC
    section = DOC.split(f"### {inst.id.upper()}", 1)
    assert len(section) == 2, f"no section for {inst.id}"
    body = section[1].split("\n### ", 1)[0]
    assert "Terms of use" in body
    for s in inst.subscales:
        assert s.mcid is not None
        points = f"{s.mcid.points:g}"
        assert points in body, (inst.id, s.id, points)
        author = s.mcid.source.split()[0]
        assert author in body, (inst.id, s.id, author)


def test_left_out_instruments_are_named() -> None:
    left_out = DOC.split("## Left out", 1)[1]
    for name in ("Oxford Knee Score", "KOOS-12", "FAOS"):
        assert name in left_out
