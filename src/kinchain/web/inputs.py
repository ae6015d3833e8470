"""How the web app reads a visit's inputs: one function for checking an upload and for
analysing it, the same code path as the CLI's ``process``/``analyze``
(:func:`kinchain.cli.trial_options.load_inputs`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kinchain.cli import trial_options as to
from kinchain.io.trial import SubjectMeasurements, Trial
from kinchain.model.gaps import DEFAULT_MAX_GAP_S
from kinchain.process import ProcessOptions


def measurements_of(subject_json: str | None) -> dict[str, float]:
    """The stored typed measurements as SI keys. A visit stored before the trial options
    (migration 0002) holds :func:`kinchain.io.subject.subject_from_values` arguments (all
    lengths per side); they are read as the same typed values."""
    if not subject_json:
        return {}
    data = json.loads(subject_json)
    if "leg_length_m" not in data:
        return {k: float(v) for k, v in data.items()}
    out = {"mass_kg": float(data["mass_kg"])}
    if data.get("height_m") is not None:
        out["height_m"] = float(data["height_m"])
    for name in ("leg_length", "knee_width", "ankle_width"):
        for side in ("left", "right"):
            out[f"{name}_{side}_m"] = float(data[f"{name}_m"][side])
    return out


@dataclass(frozen=True)
class InputPaths:
    """Where one analysis's files were written: the trial and the optional GRF .mot, subject
    file (.mp/.vsk) and static trial."""

    trial: Path
    grf: Path | None = None
    subject_file: Path | None = None
    static: Path | None = None


def read_inputs(
    paths: InputPaths, options: dict[str, Any], measurements: dict[str, float]
) -> tuple[Trial, SubjectMeasurements | None, ProcessOptions]:
    """The trial, subject and processing options of an upload, read exactly as the CLI's
    ``process``/``analyze`` read them (:func:`kinchain.cli.trial_options.load_inputs` and
    :func:`~kinchain.cli.trial_options.process_options`): the subject file, then the C3D's
    PROCESSING values under it, the typed measurements winning value by value, the marker
    diameter, and the static calibration. Used both to check an upload and to analyse it."""
    process_options = to.process_options(
        options.get("max_gap_s", DEFAULT_MAX_GAP_S), options.get("marker_cutoff_hz")
    )
    trial, subject = to.load_inputs(
        paths.trial,
        subject=paths.subject_file,
        grf=paths.grf,
        static=paths.static,
        flat_foot=bool(options.get("flat_foot", False)),
        marker_diameter_mm=options.get("marker_diameter_mm"),
        measurements=measurements,
    )
    return trial, subject, process_options
