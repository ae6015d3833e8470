"""End-to-end check of the kinetics core against Vicon Plug-in Gait on a real trial.

The segment model is not ours here: the segment frames and joint centres come from the Plug-in
Gait "bone" outputs stored in the same file (``LFEO/A/L/P``, ``LTIO/...``, ``LFOO/...``: origin
plus points along the x, y, z axes). With them, our plate assignment, Plug-in Gait BSIP,
Newton-Euler chain and power are compared with Vicon's own ``LAnkleMoment``, ``LKneeMoment`` and
``LAnklePower`` (stored per kg; "Nmm" moments are N·mm/kg) over the left stance on the plate.
Observed mapping (distal segment frame, internal moments): Vicon ankle X = +our foot-frame y;
Vicon knee X = -our shank-frame y.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinchain.io.trial import ForcePlate
from kinchain.kinetics import (
    SegmentState,
    assign_plates,
    bottom_up,
    express_in_frame,
    joint_power,
    segment_parameters,
)
from shared_paths import shared_data

SAMPLE_00 = shared_data() / "c3d-org/sample_00/pyCGM2 lower limb CGM24 Walking01.c3d"


@pytest.mark.skipif(not SAMPLE_00.exists(), reason="shared sample data not available")
def test_left_stance_matches_plug_in_gait() -> None:
    ezc3d = pytest.importorskip("ezc3d")
    c = ezc3d.c3d(str(SAMPLE_00), extract_forceplat_data=True)
    labels = [s.split(":")[-1] for s in c["parameters"]["POINT"]["LABELS"]["value"]]
    pts = c["data"]["points"][:3].transpose(2, 1, 0) / 1000.0  # mm -> m (and N·mm -> N·m)
    n, rate = pts.shape[0], float(c["parameters"]["POINT"]["RATE"]["value"][0])
    mass = float(c["parameters"]["PROCESSING"]["Bodymass"]["value"][0])

    def p(name: str) -> np.ndarray:
        return np.asarray(pts[:, labels.index(name)])

    pf = c["data"]["platform"][0]
    force = pf["force"].T
    loaded = (force[:, 2] > 20.0)[:, None]
    plate = ForcePlate(
        force=force,
        moment_at_origin=pf["moment"].T / 1000.0,
        cop=np.where(loaded, pf["center_of_pressure"].T / 1000.0, np.nan),
        free_moment=np.where(loaded, pf["Tz"].T / 1000.0, np.nan),
        corners=pf["corners"].T / 1000.0,
        plate_type=2,
        index=0,
    )
    feet = {
        side: {"heel": p(s + "HEE"), "toe": p(s + "TOE"), "ankle": p(s + "ANK")}
        for side, s in (("left", "L"), ("right", "R"))
    }
    grf = assign_plates([plate], rate, n, feet).grf["left"]

    def bone(seg: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        o = p(seg + "O")
        axes = [p(seg + k) - o for k in "ALP"]
        R = np.stack([a / np.linalg.norm(a, axis=1, keepdims=True) for a in axes], axis=2)
        return R, o, p(seg + "P")

    R_foot, toe, _ = bone("LFO")
    R_shank, ajc, _ = bone("LTI")
    R_thigh, kjc, hjc = bone("LFE")
    foot = SegmentState(segment_parameters("foot", mass, ajc, toe), R_foot, ajc)
    shank = SegmentState(segment_parameters("shank", mass, kjc, ajc), R_shank, kjc)
    thigh = SegmentState(segment_parameters("thigh", mass, hjc, kjc), R_thigh, hjc)
    loads = bottom_up(
        grf.force, grf.cop, grf.free_moment, foot, shank, thigh, rate, swing=~grf.on_plate
    )

    on = np.flatnonzero(grf.on_plate)
    st = slice(on[0] + 2, on[-1] - 1)  # stance, away from the contact edges
    ankle = express_in_frame(loads.ankle.moment, R_foot)[st, 1] / mass
    knee = -express_in_frame(loads.knee.moment, R_shank)[st, 1] / mass
    vic_ankle, vic_knee = p("LAnkleMoment")[st, 0], p("LKneeMoment")[st, 0]
    assert np.corrcoef(ankle, vic_ankle)[0, 1] > 0.99
    assert np.max(ankle) == pytest.approx(np.max(vic_ankle), rel=0.02)
    assert np.corrcoef(knee, vic_knee)[0, 1] > 0.98
    assert np.max(np.abs(knee)) == pytest.approx(np.max(np.abs(vic_knee)), rel=0.1)

    power = joint_power(loads.ankle.moment, loads.omega["shank"], loads.omega["foot"])[st] / mass
    vic_power = p("LAnklePower")[st, 2] * 1000.0  # stored as W/kg; undo the /1000 above
    assert np.corrcoef(power, vic_power)[0, 1] > 0.98
    # Peak measured 4.45 against Vicon's 4.01 W/kg with forces averaged over windows centred on
    # the frame times (4.24 with the frame's own block, which lags by half a frame): this check
    # uses Vicon's exported bone axes, not kinchain's model; tests/validation holds the
    # pipeline to the 0.25 W/kg RMS target (0.12 measured on this trial).
    assert np.max(power) == pytest.approx(np.max(vic_power), rel=0.12)
