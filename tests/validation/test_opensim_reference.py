"""kinchain's joint moments against OpenSim's inverse dynamics of the gait2354 tutorial trial
(issue 15, item 4): the only independent 3-D reference besides Vicon's Plug-in Gait.

The data (``../shared/data/opensim/gait2354``, opensim-org/opensim-models, Apache-2.0):
``subject01_walk1.trc`` (41 tutorial markers, 60 Hz), ``subject01_walk1_grf.mot`` (one force
column set per foot), the static trial, the scaled model (72.6 kg) and OpenSim's
``inverse_dynamics.sto`` (0.4-1.6 s; coordinates from OpenSim IK, low-passed at 6 Hz).

How kinchain is run on it, with nothing taken from OpenSim's kinematics:

- markers renamed by the packaged map ``opensim-gait2354`` (``--marker-map opensim-gait2354``);
- the walking trial has no lateral knee or ankle markers (the tutorial's static has them, with
  the medial ones): they are reconstructed from the thigh and shank clusters (three markers
  each) by a least-squares rigid fit of each cluster to its mean static pose (Kabsch,
  ``scipy.spatial.transform.Rotation.align_vectors``), the standard cluster technique;
- subject measurements from the static trial: leg length ASIS to medial malleolus, knee and
  ankle widths between the lateral and medial markers less one marker diameter (14 mm, the
  Plug-in Gait default: the tutorial does not state its markers' size); body mass = the sum of
  the scaled model's segment masses (72.6 kg);
- the static calibration from the medial markers (``--static``), markers low-passed at 6 Hz
  as OpenSim's inverse dynamics filtered its coordinates.

Expected differences (different models and joint definitions). OpenSim's generalized forces
act about its joint axes: the gait2354 ankle axis is Inman's oblique talocrural axis, the knee a
one-degree-of-freedom joint whose centre slides with flexion, the hip the first axis (flexion,
pelvis-fixed) of a Z-X-Y sequence with the hip centre where the scaled pelvis puts it. kinchain
follows Plug-in Gait: Davis-regression hip centre, chord-function knee and ankle centres, moments
in the distal segment's frame, Dempster segment parameters. The sagittal ankle moment in stance
is mostly the ground reaction times its lever arm about the ankle, and both models put the ankle
centre near the malleoli: it must agree best. The knee centre differs between the models by a
few millimetres along the shank, so the knee moment is further off. The hip is furthest: the
hip centres differ (a 2 cm antero-posterior shift under body weight is 0.2 N·m/kg), and so do
the thigh's inertia and the axis. Frontal and transverse moments are not compared: the joint
axes differ by definition (oblique ankle axis, pelvis- vs thigh-fixed hip axes).

Measured (right stance 0.63-1.40 s inside the reference window; left stance only its first
0.35 s, 1.25-1.60 s), kinchain X minus OpenSim, N·m/kg:

=====  =======================  =======================  =======================
side   ankle RMS / max / r      knee RMS / max / r       hip RMS / mean / r
=====  =======================  =======================  =======================
right  0.035 / 0.093 / 0.999    0.143 / 0.277 / 0.978    0.263 / -0.226 / 0.937
left   0.020 / 0.034 / 0.998    0.047 / 0.113 / 0.986    0.311 / -0.247 / 0.796
=====  =======================  =======================  =======================

Peak plantar-flexor moment, right: 1.73 (kinchain) vs 1.76 N·m/kg (OpenSim). The bounds below
leave about 50 % over the measured figures for the ankle and knee; for the hip they only ask
that the shape follows (r) and that the offset stays what the hip centres explain.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from kinchain.cli.trial_options import load_inputs
from kinchain.io.opensim import read_mot, read_trc, write_trc
from kinchain.model.marker_map import load_marker_map
from kinchain.process import ProcessOptions, TrialResult, process
from shared_paths import shared_data

DIR = shared_data() / "opensim" / "gait2354"
MARKER_DIAMETER_M = 0.014
#: The low-pass OpenSim's inverse dynamics applied to its coordinates (the setup file), Hz.
CUTOFF_HZ = 6.0
#: (side, OpenSim suffix, first frame, end frame) of the stance compared (kinchain contacts
#: at frames 38-84 right and 75-121 left; the reference ends at frame 96).
STANCES = (("R", "r", 38, 84), ("L", "l", 75, 97))
#: kinchain label, OpenSim coordinate, sign taking OpenSim's generalized force to Plug-in Gait's
#: X (hip and ankle: OpenSim positive = flexion/dorsiflexion, Plug-in Gait positive = extensor /
#: plantar-flexor; knee_angle is negative in flexion, so its moment has Plug-in Gait's sign).
JOINTS = (("Ankle", "ankle_angle", -1.0), ("Knee", "knee_angle", 1.0), ("Hip", "hip_flexion", -1.0))
#: Bounds, N·m/kg (RMS, largest difference) and correlation, per joint.
BOUNDS = {
    "Ankle": {"rms": 0.06, "max": 0.15, "r": 0.99},
    "Knee": {"rms": 0.22, "max": 0.40, "r": 0.95},
    "Hip": {"rms": 0.45, "max": 0.65, "r": 0.75},
}
#: Clusters that carry each reconstructed marker (tutorial labels, without the side prefix).
CLUSTERS = {
    "Knee.Lat": ("Thigh.Upper", "Thigh.Front", "Thigh.Rear"),
    "Ankle.Lat": ("Shank.Upper", "Shank.Front", "Shank.Rear"),
}

pytestmark = pytest.mark.skipif(not DIR.is_dir(), reason="../shared/data/opensim missing")


def _rigid_reconstruct(
    walk: dict[str, np.ndarray], static: dict[str, np.ndarray], target: str, cluster: list[str]
) -> np.ndarray:
    """``target``'s trajectory in ``walk``: its mean static position carried by the cluster's
    least-squares rigid motion (Kabsch) from the mean static pose to each walking frame."""
    ref = np.array([np.nanmean(static[c], axis=0) for c in cluster])
    ref_c = ref.mean(axis=0)
    point = np.nanmean(static[target], axis=0) - ref_c
    frames = np.stack([walk[c] for c in cluster], axis=1)  # (n, k, 3)
    out = np.full((frames.shape[0], 3), np.nan)
    for i, pts in enumerate(frames):
        if np.isfinite(pts).all():
            centre = pts.mean(axis=0)
            rot, _ = Rotation.align_vectors(pts - centre, ref - ref_c)
            out[i] = centre + rot.apply(point)
    return out


def _measurements(static: dict[str, np.ndarray], mass_kg: float) -> dict[str, float]:
    def dist(a: str, b: str) -> float:
        return float(np.linalg.norm(np.nanmean(static[a] - static[b], axis=0)))

    values = {"mass_kg": mass_kg}
    for side, p in (("left", "L."), ("right", "R.")):
        values[f"leg_length_{side}_m"] = dist(p + "ASIS", p + "Ankle.Med")
        values[f"knee_width_{side}_m"] = dist(p + "Knee.Lat", p + "Knee.Med") - MARKER_DIAMETER_M
        values[f"ankle_width_{side}_m"] = dist(p + "Ankle.Lat", p + "Ankle.Med") - MARKER_DIAMETER_M
    return values


def _model_mass() -> float:
    """Body mass, kg: the sum of the scaled model's segment masses."""
    model = ET.parse(DIR / "subject01_simbody.osim").getroot()
    mass = sum(float(m.text or "nan") for m in model.iter("mass"))
    assert mass == pytest.approx(72.6, abs=0.01)
    return mass


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> TrialResult:
    walk, rate, first, _ = read_trc(DIR / "subject01_walk1.trc")
    static, _, _, _ = read_trc(DIR / "subject01_static.trc")
    walk = dict(walk)
    for side in ("R.", "L."):
        for target, cluster in CLUSTERS.items():
            assert side + target not in walk  # absent from the walking trial: reconstructed
            walk[side + target] = _rigid_reconstruct(
                walk, static, side + target, [side + c for c in cluster]
            )
    tmp = tmp_path_factory.mktemp("gait2354")
    trc = tmp / "subject01_walk1_knee_ankle.trc"
    write_trc(trc, walk, rate, first_frame=first)
    mass = _model_mass()
    trial, subject = load_inputs(
        trc,
        grf=DIR / "subject01_walk1_grf.mot",
        marker_map="opensim-gait2354",
        static=DIR / "subject01_static.trc",
        measurements=_measurements(static, mass),
    )
    return process(trial, subject, ProcessOptions(marker_cutoff_hz=CUTOFF_HZ))


def test_the_map_names_every_marker_cgm1_needs() -> None:
    mapping = load_marker_map("opensim-gait2354")
    static, _, _, _ = read_trc(DIR / "subject01_static.trc")
    walk, _, _, _ = read_trc(DIR / "subject01_walk1.trc")
    assert set(mapping) <= set(static)
    needed = {"SACR", "LASI", "RASI"} | {
        s + m for s in "LR" for m in ("THI", "KNE", "TIB", "ANK", "TOE", "HEE", "MEPI", "MED")
    }
    assert needed == set(mapping.values())
    # Only the lateral and medial knee and ankle markers are missing while walking.
    assert {k for k in mapping if k not in walk} == {
        s + m for s in ("L.", "R.") for m in ("Knee.Lat", "Knee.Med", "Ankle.Lat", "Ankle.Med")
    }


def test_stance_on_each_foot_is_used(result: TrialResult) -> None:
    used = {(c.side, c.start, c.end) for c in result.contacts if c.used}
    assert {("right", 38, 84), ("left", 75, 121)} <= used, result.contacts


@pytest.mark.parametrize("joint, coordinate, sign", JOINTS)
def test_sagittal_moments_against_opensim(
    result: TrialResult, joint: str, coordinate: str, sign: float
) -> None:
    table, _ = read_mot(DIR / "inverse_dynamics.sto")
    frames = np.rint(table["time"].to_numpy() * result.trial.point_rate).astype(int)
    mass = _model_mass()
    report = []
    for side, suffix, start, end in STANCES:
        ours = result.outputs[f"{side}{joint}Moment"][frames, 0]
        ref = sign * table[f"{coordinate}_{suffix}_moment"].to_numpy() / mass
        keep = (frames >= start) & (frames < end)
        assert np.isfinite(ours[keep]).all(), f"{side}{joint}: kinchain moment missing in stance"
        diff = ours[keep] - ref[keep]
        rms = float(np.sqrt(np.mean(diff**2)))
        worst = float(np.max(np.abs(diff)))
        r = float(np.corrcoef(ours[keep], ref[keep])[0, 1])
        report.append(f"{side}{joint} rms {rms:.3f} max {worst:.3f} r {r:.3f}")
        b = BOUNDS[joint]
        assert rms <= b["rms"] and worst <= b["max"] and r >= b["r"], report
    if joint == "Ankle":  # the peak plantar-flexor moment of the right stance
        ours = np.nanmax(result.outputs["RAnkleMoment"][38:84, 0])
        ref = -table["ankle_angle_r_moment"].min() / mass
        assert ours == pytest.approx(ref, abs=0.08), (ours, ref)
