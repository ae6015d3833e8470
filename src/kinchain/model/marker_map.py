"""Renaming another marker set's labels to the Plug-in Gait names the model expects."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

from kinchain.errors import InputError
from kinchain.io.trial import Trial

#: Marker maps shipped with kinchain, by name (``--marker-map NAME``).
BUILTIN_MAPS = ("opensim-rajagopal", "opensim-gait2354")


def load_marker_map(name_or_path: str | Path) -> dict[str, str]:
    """A marker map: a built-in name or a JSON file ``{"map": {"file label": "PiG label"}}``.

    Raises
    ------
    InputError
        Unreadable file, bad JSON, or a map that is not label -> label strings.
    """
    source = str(name_or_path)
    try:
        if source in BUILTIN_MAPS:
            text = (
                resources.files("kinchain.data.marker_maps")
                .joinpath(f"{source}.json")
                .read_text(encoding="utf-8")
            )
        else:
            text = Path(source).read_text(encoding="utf-8")
        payload = json.loads(text)
    except OSError as exc:
        raise InputError(source, f"cannot read the marker map ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(source, f"marker map is not valid JSON (line {exc.lineno})") from None
    mapping = payload.get("map") if isinstance(payload, dict) else None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise InputError(source, 'marker map needs a "map" object of label -> label strings')
    return dict(mapping)


def apply_marker_map(trial: Trial, mapping: dict[str, str]) -> Trial:
    """The trial with markers renamed by ``mapping`` (labels not in the map are kept).

    Raises
    ------
    InputError
        Two labels mapped to the same name, or a mapped name clashing with a kept label.
    """
    targets = list(mapping.values())
    dupes = sorted({t for t in targets if targets.count(t) > 1})
    if dupes:
        raise InputError(trial.path, f"marker map sends several labels to {', '.join(dupes)}")
    renamed: dict[str, object] = {}
    for label, values in trial.markers.items():
        new = mapping.get(label, label)
        if new in renamed:
            raise InputError(trial.path, f"marker map: {new} exists already in the trial")
        renamed[new] = values
    return replace(trial, markers=renamed)  # type: ignore[arg-type]
