"""A lab's own normative reference (issue 10): weighted statistics, classes, GPS reference and the
JSON round trip on synthetic strides whose answers are derived by hand, and on a real trial
(sample_00) given twice."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from kinchain.errors import InputError
from kinchain.gait.cycles_types import N_POINTS, Cycle, CycleSet, Side
from kinchain.gait.normative import (
    load_normative,
    load_normative_classes,
    load_reference,
    normative_for_speed,
    normative_to_json,
    save_normative,
)
from kinchain.gait.norms_build import (
    SINGLE_CLASS,
    ReferenceTrial,
    build_norms,
    load_norms,
    norms_to_json,
    reference_trial,
    weighted_mean_sd,
)
from kinchain.gait.spatiotemporal import PARAMETER_UNITS, StrideParameters
from shared_paths import shared_data

ANGLES = ("PelvisAngles", "HipAngles", "KneeAngles", "AnkleAngles", "FootProgressAngles")
PREFIX = {"left": "L", "right": "R"}
LEG_M = 0.9
# Schwartz 2008 classes: v* = v / sqrt(9.81 * 0.9); 1.3 m/s -> 0.4374 (Free), 1.6 -> 0.538 (Fast)
FREE_M_S = 1.3
FAST_M_S = 1.6


def _stride(side: Side, start: float, speed: float, **values: float) -> StrideParameters:
    params = {k: math.nan for k in PARAMETER_UNITS}
    params.update(speed_m_s=speed, dimensionless_speed=speed / math.sqrt(9.81 * LEG_M))
    params.update(values)
    return StrideParameters(side=side, start=start, end=start + 100.0, **params)


def _trial(
    trial_id: str,
    values: dict[Side, list[float]],
    *,
    speed: float = FREE_M_S,
    subject: str | None = None,
    kinetics: dict[Side, list[bool]] | None = None,
    shape: np.ndarray | None = None,
) -> ReferenceTrial:
    """Strides whose every angle curve is ``value + shape`` (degrees) and whose KneeMoment is
    ``value / 10`` N·m/kg; cadence = 100 + value steps/min, opposite foot strike 50 + value %."""
    base = np.zeros((N_POINTS, 3)) if shape is None else shape
    cycles: dict[Side, CycleSet] = {}
    strides: list[StrideParameters] = []
    for side, vals in values.items():
        kin = (kinetics or {}).get(side, [True] * len(vals))
        cyc = tuple(
            Cycle(side, 100.0 * i, 100.0 * (i + 1), foot_off=100.0 * i + 60, kinetics_valid=k)
            for i, k in enumerate(kin)
        )
        curves = {PREFIX[side] + name: np.stack([base + v for v in vals]) for name in ANGLES}
        curves[PREFIX[side] + "KneeMoment"] = np.stack(
            [np.full((N_POINTS, 3), v / 10.0) for v in vals]
        )
        cycles[side] = CycleSet(side, cyc, curves)
        strides += [
            _stride(
                side, 100.0 * i, speed, cadence_steps_min=100.0 + v, opposite_foot_strike_pct=50 + v
            )
            for i, v in enumerate(vals)
        ]
    return reference_trial(
        trial_id,
        cycles,
        strides,
        speeds_m_s=[speed, speed],
        leg_lengths_m=[LEG_M, LEG_M],
        subject_id=subject,
    )


# --------------------------------------------------------------------------------------------
# weighted statistics


def test_equal_weights_give_the_sample_mean_and_sd() -> None:
    x = np.random.default_rng(3).normal(size=(7, 4, 3))
    mean, sd, count = weighted_mean_sd(x, np.ones(7))
    np.testing.assert_allclose(mean, x.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(sd, x.std(axis=0, ddof=1), atol=1e-12)
    assert np.all(count == 7)


def test_subject_weights_by_hand() -> None:
    # Subject A: three strides at 0; subject B: one stride at 6. Each subject weighs 1/2:
    # mean 3; V1 = 1, V2 = 3 (1/6)^2 + (1/2)^2 = 1/3, sum w (x - m)^2 = 9, SD^2 = 9 / (2/3).
    x = np.array([0.0, 0.0, 0.0, 6.0])
    mean, sd, _ = weighted_mean_sd(x, np.array([1 / 3, 1 / 3, 1 / 3, 1.0]))
    assert float(mean) == pytest.approx(3.0)
    assert float(sd) == pytest.approx(math.sqrt(13.5))


def test_nan_samples_are_left_out_point_by_point() -> None:
    x = np.array([[1.0, np.nan], [3.0, 5.0], [5.0, np.nan]])
    mean, sd, count = weighted_mean_sd(x, np.ones(3))
    assert mean.tolist() == [3.0, 5.0]
    assert sd[0] == pytest.approx(2.0)
    assert np.isnan(sd[1])  # one sample: no SD
    assert count.tolist() == [3, 1]


# --------------------------------------------------------------------------------------------
# building on synthetic strides


def test_two_copies_of_one_trial_have_sd_zero_and_its_mean() -> None:
    shape = np.linspace(-10.0, 50.0, N_POINTS)[:, None] * np.array([1.0, 0.2, -0.1])
    copy = {"left": [2.0], "right": [2.0]}  # one stride per side, the same curves
    trials = [_trial("a", copy, shape=shape), _trial("b", copy, shape=shape)]
    built = build_norms(trials, min_strides=2)
    c = built.classes["Free"]
    for name in ANGLES:
        np.testing.assert_allclose(c.normative.mean[name], shape + 2.0, atol=1e-12)
        np.testing.assert_array_equal(c.normative.sd[name], 0.0)
    assert c.n_strides == 4 and c.n_trials == 2 and c.n_subjects is None
    # every stride is the mean: GPS 0
    assert c.gps_reference.n == 4 and c.gps_reference.max == pytest.approx(0.0, abs=1e-12)


def test_strides_pooled_over_sides_and_trials_weighted_equally_without_subject_ids() -> None:
    trials = [
        _trial("a", {"left": [0.0, 2.0], "right": [4.0]}),
        _trial("b", {"left": [6.0], "right": [8.0]}),
    ]
    built = build_norms(trials, min_strides=5)
    c = built.classes["Free"]
    x = np.array([0.0, 2.0, 4.0, 6.0, 8.0])
    np.testing.assert_allclose(c.normative.mean["KneeAngles"], 4.0)
    np.testing.assert_allclose(c.normative.sd["KneeAngles"], np.std(x, ddof=1))
    np.testing.assert_allclose(c.normative.mean["KneeMoment"], 0.4)
    stp = c.normative.spatiotemporal["cadence_steps_min"]
    assert (stp.mean, stp.sd) == pytest.approx((104.0, np.std(x, ddof=1)))
    # the Schwartz sets' name for opposite foot strike, which the report reads
    alias = c.normative.spatiotemporal["opposite_foot_contact_pct"]
    assert (alias.mean, alias.unit) == (pytest.approx(54.0), "% of stride")
    assert "step_width_m" not in c.normative.spatiotemporal  # no finite values: left out
    # GPS of a stride whose 9 variables all differ by d from the mean is |d|
    gps = sorted(s.gps for s in c.gps_reference.strides)
    assert gps == pytest.approx([0.0, 2.0, 2.0, 4.0, 4.0])
    assert c.gps_reference.mean == pytest.approx(2.4)
    assert c.gps_reference.sd == pytest.approx(np.std([0, 2, 2, 4, 4], ddof=1))
    assert "stride" == built.provenance["parameters"]["weighting"]


def test_each_subject_weighs_the_same_when_ids_are_known() -> None:
    trials = [
        _trial("a", {"left": [0.0, 0.0], "right": [0.0]}, subject="s1"),
        _trial("b", {"left": [6.0]}, subject="s2"),
    ]
    c = build_norms(trials, min_strides=4).classes["Free"]
    np.testing.assert_allclose(c.normative.mean["HipAngles"], 3.0)
    np.testing.assert_allclose(c.normative.sd["HipAngles"], math.sqrt(13.5))
    assert c.n_subjects == 2
    assert "2 subjects" in c.normative.source and "each subject weighted equally" in (
        c.normative.source
    )
    assert c.normative.source.startswith("built by kinchain norms build from 2 trials")


def test_moments_come_only_from_strides_with_valid_kinetics() -> None:
    trials = [
        _trial(
            "a",
            {"left": [0.0, 10.0, 20.0], "right": [30.0, 40.0]},
            kinetics={"left": [True, False, True], "right": [False, True]},
        )
    ]
    built = build_norms(trials, min_strides=3)
    c = built.classes["Free"]
    np.testing.assert_allclose(c.normative.mean["KneeMoment"], (0.0 + 2.0 + 4.0) / 3)
    assert c.n_strides_by_variable == {
        **{name: 5 for name in ANGLES},
        "KneeMoment": 3,
    }
    # with 4 strides needed the moment curve is left out, with a note naming it
    built4 = build_norms(trials, min_strides=4)
    assert "KneeMoment" not in built4.classes["Free"].normative.mean
    assert any("KneeMoment (3)" in n for n in built4.notes)


def test_a_curve_without_two_valid_strides_at_every_point_is_left_out() -> None:
    t = _trial("a", {"left": [0.0, 1.0]})
    t.cycles["left"].curves["LKneeMoment"][0, 50:, :] = np.nan  # invalid after mid-stride
    built = build_norms([t], min_strides=2)
    assert "KneeMoment" not in built.classes["Free"].normative.mean
    assert "KneeAngles" in built.classes["Free"].normative.mean
    assert any(
        "fewer than 2 strides with valid values" in n and "KneeMoment" in n for n in built.notes
    )
    t.cycles["left"].curves["LKneeMoment"][0, 50:, 1:] = 0.0  # Y and Z valid again
    kept = build_norms([t], min_strides=2).classes["Free"].normative
    assert kept.available["KneeMoment"] == (False, True, True)
    assert np.isnan(kept.mean["KneeMoment"][:, 0]).all()


def test_trials_go_to_their_schwartz_class_and_small_classes_are_left_out() -> None:
    trials = [
        _trial("free", {"left": [0.0, 1.0, 2.0], "right": [3.0, 4.0]}, speed=FREE_M_S),
        _trial("fast", {"left": [10.0], "right": [11.0]}, speed=FAST_M_S),
    ]
    built = build_norms(trials, min_strides=2)
    assert list(built.classes) == ["Free", "Fast"]  # most strides first
    assert built.classes["Fast"].trials == ("fast",)
    assert built.classes["Fast"].normative.dimensionless_speed_range == (0.5, 0.636)
    built5 = build_norms(trials, min_strides=5)
    assert list(built5.classes) == ["Free"]
    assert any(n.startswith("class Fast: 2 usable strides") for n in built5.notes)
    single = build_norms(trials, classes="single", min_strides=5)
    assert list(single.classes) == [SINGLE_CLASS]
    assert single.classes[SINGLE_CLASS].normative.speed_class is None
    assert single.classes[SINGLE_CLASS].n_strides == 7
    with pytest.raises(InputError, match=r"no usable strides.*Free 5, Fast 2"):
        build_norms(trials, min_strides=6)


def test_bad_parameters_are_one_line_input_errors() -> None:
    t = _trial("a", {"left": [0.0, 1.0]})
    with pytest.raises(InputError, match="min_strides"):
        build_norms([t], min_strides=1)
    with pytest.raises(InputError, match="speed_class"):
        build_norms([t], speed_class="Brisk")
    with pytest.raises(InputError, match="given twice"):
        build_norms([t, t], min_strides=2)
    with pytest.raises(InputError, match="no reference trials"):
        build_norms([])


def test_json_round_trip(tmp_path: Path) -> None:
    trials = [
        _trial("free", {"left": [0.0, 1.0, 2.0], "right": [3.0, 4.0]}, subject="s1"),
        _trial("fast", {"left": [10.0, 12.0], "right": [11.0]}, speed=FAST_M_S, subject="s2"),
    ]
    built = build_norms(trials, min_strides=2, name="My lab")
    path = tmp_path / "norms.json"
    path.write_text(json.dumps(norms_to_json(built), allow_nan=False), encoding="utf-8")

    top = load_normative(path)  # the top level: the class with most strides
    _assert_same_set(top, built.classes["Free"].normative)
    back = load_norms(path)
    assert list(back.classes) == list(built.classes)
    for name, c in built.classes.items():
        b = back.classes[name]
        _assert_same_set(b.normative, c.normative)
        assert (b.n_subjects, b.n_trials, b.n_strides) == (c.n_subjects, c.n_trials, c.n_strides)
        assert b.n_strides_by_variable == c.n_strides_by_variable
        assert b.trials == c.trials
        assert b.gps_reference == c.gps_reference
    assert back.notes == built.notes
    assert [i["trial"] for i in back.provenance["inputs"]] == ["free", "fast"]


def test_the_gps_reference_travels_with_the_set_analyze_loads(tmp_path: Path) -> None:
    trials = [_trial("a", {"left": [0.0, 2.0], "right": [4.0]}), _trial("b", {"left": [6.0]})]
    built = build_norms(trials, min_strides=4)
    c = built.classes["Free"]
    # strides 0, 2, 4, 6 against mean 3: GPS 3, 1, 1, 3
    assert c.normative.gps_reference == pytest.approx(
        {"n": 4.0, "mean": 2.0, "sd": np.std([3, 1, 1, 3], ddof=1), "median": 2.0, "max": 3.0}
    )
    path = tmp_path / "norms.json"
    path.write_text(json.dumps(norms_to_json(built)), encoding="utf-8")
    assert load_normative(path).gps_reference == c.normative.gps_reference
    again = tmp_path / "again.json"
    save_normative(load_normative(path), again)  # a plain save keeps the summary
    assert load_normative(again).gps_reference == c.normative.gps_reference
    assert load_reference("schwartz2008-free").gps_reference is None
    data = json.loads(path.read_text(encoding="utf-8"))
    data["gps_reference"] = {"mean": "wide"}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="gps_reference"):
        load_normative(path)


def test_loading_a_plain_normative_file_as_built_norms_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({"format": "kinchain-normative/1"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"build\.format"):
        load_norms(path)


def _assert_same_set(a: object, b: object) -> None:
    for attr in ("name", "source", "population", "speed_class", "dimensionless_speed_range"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert a.available == b.available  # type: ignore[attr-defined]
    assert a.units == b.units  # type: ignore[attr-defined]
    assert a.spatiotemporal == b.spatiotemporal  # type: ignore[attr-defined]
    assert set(a.mean) == set(b.mean)  # type: ignore[attr-defined]
    for var in a.mean:  # type: ignore[attr-defined]
        np.testing.assert_array_equal(a.mean[var], b.mean[var])  # type: ignore[attr-defined]
        np.testing.assert_array_equal(a.sd[var], b.sd[var])  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# a real trial given twice

SAMPLE_00 = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"


@pytest.mark.skipif(not SAMPLE_00.is_file(), reason="shared data not available")
def test_real_trial_twice_mean_is_its_stride_mean_and_sd_follows() -> None:
    from kinchain.analysis import analyze
    from kinchain.io.load import load_trial
    from kinchain.process import process

    result = process(load_trial(SAMPLE_00))
    gait = analyze(result)
    st = gait.spatiotemporal

    def ref(trial_id: str) -> ReferenceTrial:
        return reference_trial(
            trial_id,
            gait.cycles,
            st.strides,
            speeds_m_s=[st.left.speed_m_s, st.right.speed_m_s],
            leg_lengths_m=[st.left.leg_length_m, st.right.leg_length_m],
            input_sha256=result.trial.sha256,
        )

    one = build_norms([ref("a")])
    two = build_norms([ref("a"), ref("b")])
    assert list(one.classes) == list(two.classes)
    cls = next(iter(one.classes))
    # the class is the one analyze matches the same trial with (sample_00: v* 0.5008, Fast)
    assert gait.normative is not None and cls == gait.normative.speed_class == "Fast"
    c1, c2 = one.classes[cls], two.classes[cls]
    for name in ANGLES:
        strides = np.concatenate(
            [gait.cycles[s].curves[PREFIX[s] + name][gait.cycles[s].usable()] for s in PREFIX]
        )
        n = strides.shape[0]
        assert n == c1.n_strides and 2 * n == c2.n_strides
        np.testing.assert_allclose(c1.normative.mean[name], strides.mean(axis=0), atol=1e-9)
        np.testing.assert_allclose(c2.normative.mean[name], strides.mean(axis=0), atol=1e-9)
        np.testing.assert_allclose(c1.normative.sd[name], strides.std(axis=0, ddof=1), atol=1e-9)
        # the same strides twice: SD^2 = 2 S / (2n - 1) against S / (n - 1) once
        np.testing.assert_allclose(
            c2.normative.sd[name],
            c1.normative.sd[name] * math.sqrt(2 * (n - 1) / (2 * n - 1)),
            atol=1e-9,
        )
    assert two.provenance["inputs"][0]["sha256"] == result.trial.sha256


# --------------------------------------------------------------------------------------------
# analyze --normative with a lab file of several speed classes (issue 10, lab norms)


def test_every_class_of_a_lab_file_is_loaded_and_the_patients_speed_picks_one(
    tmp_path: Path,
) -> None:
    """Before, ``analyze --normative norms.json`` used the file's top class (the one with most
    strides) whatever the patient's speed. The classes' v* ranges are Schwartz 2008's: with a
    0.9 m leg, 1.3 m/s is v* 0.437 (Free, [0.363, 0.5)) and 1.6 m/s 0.538 (Fast, [0.5, 0.636))."""
    trials = [
        _trial("free", {"left": [0.0, 1.0, 2.0], "right": [3.0, 4.0]}),
        _trial("fast", {"left": [10.0, 12.0], "right": [11.0]}, speed=FAST_M_S),
    ]
    built = build_norms(trials, min_strides=2, name="My lab")
    path = tmp_path / "norms.json"
    path.write_text(json.dumps(norms_to_json(built), allow_nan=False), encoding="utf-8")
    sets = load_normative_classes(path)
    assert list(sets) == ["Free", "Fast"]
    for name, c in built.classes.items():
        _assert_same_set(sets[name], c.normative)
    assert normative_for_speed(sets, FREE_M_S, LEG_M).speed_class == "Free"
    assert normative_for_speed(sets, FAST_M_S, LEG_M).speed_class == "Fast"
    # v* 0.74 lies above every class: the nearest (Fast); slower than all: Free
    assert normative_for_speed(sets, 2.2, LEG_M).speed_class == "Fast"
    assert normative_for_speed(sets, 0.5, LEG_M).speed_class == "Free"
    # speed unknown: the file's first class
    assert normative_for_speed(sets, math.nan, LEG_M).speed_class == "Free"
    # a plain file is one class
    plain = tmp_path / "plain.json"
    save_normative(built.classes["Fast"].normative, plain)
    assert list(load_normative_classes(plain)) == ["Fast"]
    with pytest.raises(InputError, match="no normative set"):
        normative_for_speed({}, FREE_M_S, LEG_M)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["other_speed_classes"]["Fast"]["variables"] = {}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"speed class Fast.*variables"):
        load_normative_classes(path)


def test_analyze_uses_the_lab_class_matching_the_trial_speed(tmp_path: Path) -> None:
    """The demo trial analysed against a two-class lab file made of two copies of one real
    set (Schwartz Free and Fast curves under lab names): the comparison names the class whose
    range holds the trial's own dimensionless speed, whichever class is on top."""
    from kinchain.analysis import analyze
    from kinchain.gait.normative import dimensionless_speed, load_schwartz2008
    from kinchain.io.c3d import read_c3d
    from kinchain.process import process

    demo = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"
    result = process(read_c3d(demo))
    st = analyze(result).spatiotemporal
    v = float(np.mean([st.left.speed_m_s, st.right.speed_m_s]))
    leg = float(np.mean([st.left.leg_length_m, st.right.leg_length_m]))
    schwartz = load_schwartz2008()
    mine = next(k for k, s in schwartz.items() if s is normative_for_speed(schwartz, v, leg))
    other = next(k for k in schwartz if k != mine)
    for top in (mine, other):
        rest = other if top == mine else mine
        data = normative_to_json(schwartz[top]) | {
            "other_speed_classes": {rest: normative_to_json(schwartz[rest])}
        }
        path = tmp_path / f"lab-{top}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        comp = analyze(result, normative=path).comparison
        assert comp is not None and comp.speed_class == mine
        low, high = comp.dimensionless_speed_range or (0.0, 0.0)
        assert low <= dimensionless_speed(v, leg) < high
