"""The two-visit comparison against measurement error and MCID: the error formula on values whose
answer is derived by hand, the timing parameters rebuilt from events, walking speed against
Perera et al. (2006), and the API and page on two analysed visits whose stored analysis is
changed by a known amount; outcome scores against their MCID."""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinchain.store import Store
from kinchain.store.models import Visit
from kinchain.web.compare import (
    change_error,
    page_rows,
    speed_mcid,
    spread,
    stride_timing,
    t95,
)
from kinchain.web.outcomes import save_response

from .conftest import new_patient, new_visit, upload_demo, wait_done

# --- the formula -------------------------------------------------------------------------------


def test_spread_is_mean_sample_sd_and_count_of_finite_values() -> None:
    mean, sd, n = spread([1.0, None, 3.0, float("nan")])
    assert (mean, sd, n) == (2.0, math.sqrt(2.0), 2)
    assert math.isnan(spread([5.0])[1]) and spread([])[2] == 0


def test_change_error_pools_the_two_visits_sds() -> None:
    # A: 1, 3 (var 2, n 2); B: 4, 6, 8 (var 4, n 3). Pooled variance (1*2 + 2*4) / 3 = 10/3;
    # error = t * sqrt(10/3 * (1/2 + 1/3)) = t * 5/3, t = Student's 97.5 % with 3 df, 3.182446
    # (tables: 3.182).
    _, sd_a, n_a = spread([1.0, 3.0])
    _, sd_b, n_b = spread([4.0, 6.0, 8.0])
    assert change_error(sd_a, n_a, sd_b, n_b) == pytest.approx(3.182446305 * 5 / 3, rel=1e-9)


def test_equal_strides_give_the_usual_mdc95() -> None:
    # Equal n and SD: t * sqrt(2) * SEM with SEM = s / sqrt(n); t(14 df) = 2.144787 (tables:
    # 2.145), and with many strides t -> 1.96: the usual MDC95 = 1.96 * sqrt(2) * SEM.
    s, n = 2.5, 8
    assert change_error(s, n, s, n) == pytest.approx(2.144786688 * math.sqrt(2) * s / math.sqrt(n))
    n = 100_000
    assert change_error(s, n, s, n) == pytest.approx(1.96 * math.sqrt(2) * s / math.sqrt(n), 1e-3)
    # 3 and 3 strides: t = 2.776 (4 df), not 1.96: few strides, wider error
    assert change_error(s, 3, s, 3) == pytest.approx(2.776445105 * math.sqrt(2 / 3) * s)


def test_change_error_needs_two_strides_each() -> None:
    assert change_error(1.0, 1, 1.0, 5) is None
    assert change_error(float("nan"), 3, 1.0, 5) is None


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (None, None),
        (0.0, "below"),
        (0.049, "below"),
        (0.05, "small"),
        (-0.07, "small"),
        (0.0999, "small"),
        (0.10, "substantial"),
        (-0.25, "substantial"),
    ],
)
def test_walking_speed_against_perera_2006(delta: float | None, expected: str | None) -> None:
    assert speed_mcid(delta) == expected


# --- timing rebuilt from the stored events -----------------------------------------------------


def _event(kind: str, side: str, frame: float) -> dict[str, Any]:
    return {"kind": kind, "side": side, "frame": frame, "time_s": frame / 100.0, "method": "zeni"}


def _timing_analysis() -> dict[str, Any]:
    """Left strides 0-100 and 100-210 at 100 Hz; left foot off at 60 and 170; right foot off at
    10 and 115, right strike at 50 and 160. By hand, stride 1: 1.00 s, stance 60 %, opposite
    foot off 10 %, opposite strike 50 %, single support 40 %, double support 20 %, step 0.50 s;
    stride 2 (110 frames): 1.10 s, stance 70/110, opposite foot off 15/110, opposite strike
    60/110, step 0.50 s."""
    events = [
        _event("foot_strike", "left", 0),
        _event("foot_off", "right", 10),
        _event("foot_strike", "right", 50),
        _event("foot_off", "left", 60),
        _event("foot_strike", "left", 100),
        _event("foot_off", "right", 115),
        _event("foot_strike", "right", 160),
        _event("foot_off", "left", 170),
        _event("foot_strike", "left", 210),
    ]
    stance = [60.0, 7000 / 110]
    means = {
        "stride_time_s": (1.0 + 1.1) / 2,
        "step_time_s": 0.5,
        "cadence_steps_min": (120.0 + 120.0 / 1.1) / 2,
        "stance_pct": sum(stance) / 2,
        "swing_pct": 100 - sum(stance) / 2,
        "foot_off_pct": sum(stance) / 2,
        "opposite_foot_off_pct": (10.0 + 1500 / 110) / 2,
        "opposite_foot_strike_pct": (50.0 + 6000 / 110) / 2,
        "single_support_pct": (40.0 + 4500 / 110) / 2,
        "double_support_pct": (20.0 + (1500 + 1000) / 110) / 2,
        "speed_m_s": 1.2,
    }
    return {
        "trial": {"point_rate_hz": 100.0},
        "events": events,
        "strides": [
            {"side": "left", "start_frame": 0.0, "end_frame": 100.0, "features": {}},
            {"side": "left", "start_frame": 100.0, "end_frame": 210.0, "features": {}},
        ],
        "spatiotemporal": {"left": means, "right": {}, "strides": {"left": 2, "right": 0}},
    }


def test_stride_timing_rebuilds_each_stride_from_the_events() -> None:
    t = stride_timing(_timing_analysis(), "left")
    assert t["stride_time_s"] == pytest.approx([1.0, 1.1])
    assert t["step_time_s"] == pytest.approx([0.5, 0.5])
    assert t["stance_pct"] == pytest.approx([60.0, 7000 / 110])
    assert t["single_support_pct"] == pytest.approx([40.0, 4500 / 110])
    assert t["double_support_pct"] == pytest.approx([20.0, 2500 / 110])
    assert "speed_m_s" not in t  # needs marker positions
    assert stride_timing(_timing_analysis(), "right") == {}


def test_stride_timing_refuses_values_that_do_not_reproduce_the_stored_mean() -> None:
    j = _timing_analysis()
    j["spatiotemporal"]["left"]["stance_pct"] += 0.5  # e.g. a pooled session's other trials
    t = stride_timing(j, "left")
    assert "stance_pct" not in t and "stride_time_s" in t
    j["strides"][1]["end_frame"] = 205.0  # a stride the events do not make
    assert stride_timing(j, "left") == {}


# --- the API and the page on two analysed visits -----------------------------------------------


def _visible(markup: str) -> str:
    no_script = re.sub(r"<script.*?</script>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", no_script)))


def test_compare_shows_change_against_measurement_error_and_mcid(
    client: TestClient, csrf: dict[str, str], store: Store
) -> None:
    pid = new_patient(client, csrf)
    a = new_visit(client, csrf, pid, "before")
    b = new_visit(client, csrf, pid, "after")
    for vid in (a, b):
        assert upload_demo(client, csrf, vid).status_code == 202
    for vid in (a, b):
        assert wait_done(client, vid)["status"] == "done"
    # Both visits hold the same trial. In B, every left stride's peak knee flexion in swing is
    # raised by `shift`, so the change is `shift` and the SDs (hence the error) are A's; the left
    # walking speed is raised by 0.10 m/s. Pain (0-10) 7 at A and 4 at B: -3 points reaches the
    # NPRS MCID of 2 points (Farrar 2001): improved.
    feature = "knee_flexion_swing_peak_deg"
    with store.session() as db:
        va, vb = db.get(Visit, a), db.get(Visit, b)
        assert va is not None and vb is not None and vb.analysis_json is not None
        ja = json.loads(vb.analysis_json)
        left = [s["features"][feature] for s in ja["strides"] if s["side"] == "left"]
        _, sd, n = spread(left)
        assert n >= 2
        error = t95(2 * n - 2) * math.sqrt(2.0 / n) * sd
        shift = 2.0 * error
        jb = json.loads(vb.analysis_json)
        for s in jb["strides"]:
            if s["side"] == "left":
                s["features"][feature] += shift
        speed = float(jb["spatiotemporal"]["left"]["speed_m_s"])
        jb["spatiotemporal"]["left"]["speed_m_s"] = speed + 0.10
        speeds = []  # each usable left stride 0.10 m/s faster too: the per-stride SD is kept
        for s in jb["spatiotemporal"]["per_stride"]:
            if s["side"] == "left" and s["usable"]:
                speeds.append(s["speed_m_s"])
                s["speed_m_s"] += 0.10
        _, sd_speed, n_speed = spread(speeds)
        speed_error = t95(2 * n_speed - 2) * math.sqrt(2.0 / n_speed) * sd_speed
        vb.analysis_json = json.dumps(jb)
        save_response(db, va, "nprs", {"pain": 7}, "clinician")
        save_response(db, vb, "nprs", {"pain": 4}, "patient")

    cmp = client.get(f"/api/v1/patients/{pid}/compare", params={"a": a, "b": b}).json()
    measures = {(r["side"], r["parameter"]): r for r in cmp["measures"]}
    knee_l, knee_r = measures[("left", feature)], measures[("right", feature)]
    assert knee_l["change"] == pytest.approx(shift)
    assert knee_l["error"] == pytest.approx(error)
    assert (knee_l["n_a"], knee_l["n_b"]) == (n, n)
    assert knee_l["beyond_error"] is True
    assert knee_r["change"] == pytest.approx(0.0) and knee_r["beyond_error"] is False
    ankle = measures[("left", "ankle_dorsiflexion_stance_peak_deg")]
    assert ankle["change"] == pytest.approx(0.0) and ankle["error"] is None  # no per-stride data

    spatio = {(r["side"], r["parameter"]): r for r in cmp["spatiotemporal"]}
    stance = spatio[("left", "stance_pct")]
    assert stance["error"] is not None and stance["error"] > 0
    assert stance["n_a"] == ja["spatiotemporal"]["strides"]["left"]
    assert stance["beyond_error"] is False  # same trial: no change
    speed_row = spatio[("left", "speed_m_s")]
    assert speed_row["change"] == pytest.approx(0.10)
    # from each stride's speed (analysis.json's spatiotemporal.per_stride)
    assert speed_row["error"] == pytest.approx(speed_error)
    assert speed_row["beyond_error"] is (0.10 > speed_error)
    assert speed_row["mcid_class"] == "substantial"
    assert speed_row["mcid"]["small"] == 0.05 and "Perera" in speed_row["mcid"]["source"]
    assert spatio[("right", "speed_m_s")]["mcid_class"] == "below"

    (pain,) = cmp["outcomes"]
    assert (pain["instrument"], pain["before"], pain["after"]) == ("nprs", 7, 4)
    assert pain["delta"] == pytest.approx(-3.0)
    assert pain["classification"] == "improved" and pain["mcid"]["points"] == 2.0

    page = client.get(f"/patients/{pid}/compare", params={"a": a, "b": b})
    assert page.status_code == 200
    text = _visible(page.text)
    assert "Peak knee flexion in swing, °" in text
    assert "Walking speed, m/s" in text
    assert "beyond measurement error" in text and "within measurement error" in text
    assert "substantial change (≥ 0.10 m/s)" in text
    assert "How to read the changes" in text
    assert "improved" in text and "Pain" in text
    # Plain labels only: no internal names on the page.
    assert not re.search(r"\b[a-z]+(_[a-z0-9]+)+\b", text), re.findall(
        r"\b[a-z]+(?:_[a-z0-9]+)+\b", text
    )


def test_page_rows_group_each_measure_left_then_right() -> None:
    def row(side: str, name: str, error: float | None) -> dict[str, Any]:
        return {
            "side": side,
            "parameter": name,
            "label": name.title(),
            "unit": "deg",
            "a": 1.0,
            "b": 2.0,
            "change": 1.0,
            "error": error,
            "n_a": 3,
            "n_b": 1 if error is None else 3,
            "beyond_error": None if error is None else 1.0 > error,
            "mcid_class": None,
        }

    rows = page_rows(
        [row("right", "x", 0.5), row("left", "y", None), row("left", "x", 2.0)], ["x", "y"]
    )
    assert [(r["measure"], r["side"]) for r in rows] == [
        ("X, °", "Left"),
        ("X, °", "Right"),
        ("Y, °", "Left"),
    ]
    assert rows[0]["verdict"] == "within measurement error" and rows[0]["error"] == "± 2.0"
    assert rows[1]["verdict"] == "beyond measurement error"
    assert rows[2]["error"] == "not available: fewer than 2 strides"


def test_page_rows_show_no_signed_zero() -> None:
    row = {
        "side": "left",
        "parameter": "speed_m_s",
        "label": "Walking speed",
        "unit": "m/s",
        "a": 1.4601,
        "b": 1.4599,
        "change": -0.0002,
        "error": None,
        "n_a": None,
        "n_b": None,
        "beyond_error": None,
        "mcid_class": "below",
        "mcid": {"small": 0.05, "substantial": 0.10},
    }
    (shown,) = page_rows([row], ["speed_m_s"])
    assert (shown["a"], shown["b"], shown["change"]) == ("1.46", "1.46", "0.00")
    assert shown["error"] == "not available (not stored per stride)"
    assert shown["mcid"] == "below the smallest meaningful change (0.05 m/s)"


def test_per_stride_spatiotemporal_values_are_used_when_the_analysis_holds_them() -> None:
    from kinchain.web.compare import _spatio_rows

    # Speeds A 1.0, 1.1, 1.2 and B 1.3, 1.4, 1.5 m/s: both variances 0.01, pooled 0.01, so the
    # error is t(4 df) * sqrt(0.01 * (1/3 + 1/3)) = 2.776445 * 0.1 * sqrt(2/3) m/s; the change
    # 0.30 m/s exceeds it and is substantial (>= 0.10 m/s, Perera 2006). The unusable stride
    # does not count.
    def analysis(speeds: list[float]) -> dict[str, Any]:
        rows = [{"side": "left", "usable": True, "speed_m_s": v} for v in speeds]
        rows.append({"side": "left", "usable": False, "speed_m_s": 9.0})
        return {
            "spatiotemporal": {
                "left": {"speed_m_s": sum(speeds) / len(speeds)},
                "right": {},
                "units": {"speed_m_s": "m/s"},
                "per_stride": rows,
            },
            "strides": [],
            "events": [],
        }

    (row,) = _spatio_rows(analysis([1.0, 1.1, 1.2]), analysis([1.3, 1.4, 1.5]))
    assert row["change"] == pytest.approx(0.30)
    assert row["error"] == pytest.approx(2.776445105 * 0.1 * math.sqrt(2 / 3))
    assert (row["n_a"], row["n_b"]) == (3, 3)
    assert row["beyond_error"] is True and row["mcid_class"] == "substantial"
    assert row["error_from"] == "per-stride values"


def test_stance_peak_reads_the_mean_curve_up_to_foot_off() -> None:
    from kinchain.web.compare import stance_peak

    # Curve value = its % of the stride, except a peak of 30 at 20 % and a gap at 10 %; foot off
    # at 15.6 % reads 0..15 %: the maximum is 15. With foot off at 25 % the peak at 20 % wins.
    values: list[float | None] = [float(i) for i in range(101)]
    values[20], values[10] = 30.0, None
    curves = {"panels": [{"id": "AnkleAngles_0", "left": values, "right": None}]}
    assert stance_peak(curves, "AnkleAngles_0", "left", 15.6) == 15.0
    assert stance_peak(curves, "AnkleAngles_0", "left", 25.0) == 30.0
    assert stance_peak(curves, "AnkleAngles_0", "right", 60.0) is None
    assert stance_peak(curves, "AnkleAngles_0", "left", None) is None
    assert stance_peak(None, "AnkleAngles_0", "left", 60.0) is None
