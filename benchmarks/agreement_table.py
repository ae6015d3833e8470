"""Print the agreement of kinchain with the Plug-in Gait references as a Markdown table.

Run: ``.venv/bin/python benchmarks/agreement_table.py`` (the figures the README quotes).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp, subject_from_values
from kinchain.process import process
from kinchain.validation import Agreement, agreement

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "c3d-org"


def _cases() -> dict[str, dict[str, Agreement]]:
    s00 = read_c3d(DATA / "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    subj = replace(read_mp(DATA / "sample_09/42798.mp"), marker_diameter_m=0.025)
    s09 = read_c3d(DATA / "sample_09/VER4C3D.c3d", subject=subj)
    ref09 = read_c3d(DATA / "sample_09/PlugInC3D.c3d")
    raw03 = read_c3d(DATA / "sample_03/gait-raw.c3d")
    m = raw03.markers
    legs = {
        s: float(np.nanmedian(np.linalg.norm(m[p + "ASI"] - m[p + "ANK"], axis=1)))
        for s, p in (("left", "L"), ("right", "R"))
    }
    subj03 = subject_from_values(
        mass_kg=70.0, leg_length_m=legs, knee_width_m=0.10, ankle_width_m=0.07
    )
    return {
        "sample_00 (CGM24 file)": agreement(process(s00), s00),
        "sample_09 (VER4C3D + .mp)": agreement(process(s09), ref09),
        "sample_03 (gait-raw, assumed)": agreement(
            process(raw03, subj03, kinetics=False), read_c3d(DATA / "sample_03/gait-pig.c3d")
        ),
    }


def main() -> None:
    cases = _cases()
    print("| quantity | " + " | ".join(cases) + " |")
    print("|---|" + "---|" * len(cases))
    labels = [
        f"{s}{q}"
        for q in (
            "PelvisAngles",
            "HipAngles",
            "KneeAngles",
            "AnkleAngles",
            "FootProgressAngles",
            "HipMoment",
            "KneeMoment",
            "AnkleMoment",
            "HipPower",
            "KneePower",
            "AnklePower",
        )
        for s in "LR"
    ]
    for label in labels:
        cells = []
        for agree in cases.values():
            a = agree.get(label)
            if a is None:
                cells.append("–")
            elif label.endswith("Power"):
                cells.append(f"{a.rms[2]:.3f}")
            else:
                cells.append(" / ".join(f"{v:.2f}" for v in a.rms))
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
