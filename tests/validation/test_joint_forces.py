"""Joint forces against the Plug-in Gait forces stored in the c3d.org files, every component
(issue 15 item 1). The forces used to be laid out with the moments' component table, which
swapped and negated components (sample_00 left knee 3.05 / 2.08 N/kg RMS in X / Y, ankle
8.1 / 1.7 / 10.0, against Vicon's ranges of 5.1 / 2.2 and 12.8 / 1.5 / 5.2).

Bounds: the agreement measured on each trial's plate stance, with margin. sample_09's left hip
and knee forces agree less (0.1-0.5 N/kg) for the reason its left hip moment does: Plug-in
Gait's left stance alternates frame to frame, and the forces carry segment accelerations.
"""

from __future__ import annotations

from dataclasses import replace

from kinchain.io.c3d import read_c3d
from kinchain.io.subject import read_mp
from kinchain.process import process
from kinchain.validation import agreement
from shared_paths import shared_data

C3D = shared_data() / "c3d-org"

#: label -> per-component bound, N/kg. Measured (segment accelerations by the two-step central
#: difference, issue 15 item 3): ankle 0.055/0.293/0.036, knee 0.050/0.108/0.055, hip
#: 0.033/0.021/0.055.
SAMPLE00 = {
    "LAnkleForce": (0.10, 0.40, 0.08),
    "LKneeForce": (0.08, 0.16, 0.08),
    "LHipForce": (0.06, 0.04, 0.08),
}
#: Measured: right ankle 0.057/0.197/0.064, knee 0.067/0.079/0.066, hip 0.074/0.070/0.073 (with
#: the one-step second difference they were 0.08-0.52); left ankle 0.103/0.286/0.212, knee
#: 0.389/0.175/0.149, hip 0.467/0.188/0.128: Plug-in Gait's left stance alternates frame to
#: frame (test_plugin_gait_agreement.test_sample09_left_stance_reference_is_rougher).
SAMPLE09 = {
    "LAnkleForce": (0.15, 0.40, 0.30),
    "RAnkleForce": (0.10, 0.30, 0.10),
    "LKneeForce": (0.55, 0.25, 0.20),
    "RKneeForce": (0.10, 0.12, 0.10),
    "LHipForce": (0.65, 0.28, 0.20),
    "RHipForce": (0.11, 0.11, 0.11),
}


def _check(agree, bounds) -> None:  # type: ignore[no-untyped-def]
    for label, bound in bounds.items():
        assert label in agree, f"{label}: not compared (no common valid frame?)"
        a = agree[label]
        assert a.n_frames > 30, (label, a.n_frames)
        for k in range(3):
            assert a.rms[k] <= bound[k], f"{label} {'XYZ'[k]}: {a.rms[k]:.3f} N/kg RMS"


def test_sample00_joint_forces_every_component() -> None:
    trial = read_c3d(C3D / "sample_00/pyCGM2 lower limb CGM24 Walking01.c3d")
    agree = agreement(process(trial), trial, list(SAMPLE00))
    _check(agree, SAMPLE00)


def test_sample09_joint_forces_every_component() -> None:
    folder = C3D / "sample_09"
    subject = replace(read_mp(folder / "42798.mp"), marker_diameter_m=0.025)
    trial = read_c3d(folder / "VER4C3D.c3d", subject=subject)
    agree = agreement(process(trial), read_c3d(folder / "PlugInC3D.c3d"), list(SAMPLE09))
    _check(agree, SAMPLE09)
