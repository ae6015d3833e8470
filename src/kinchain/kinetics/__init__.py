"""Kinetics core: force-plate assignment, body-segment parameters, Newton-Euler inverse dynamics
and joint power, as pure functions over plain arrays.

Conventions (see each function): SI units, time along axis 0, ``(n, 3)`` vectors and
``(n, 3, 3)`` segment-to-lab rotations (columns = segment axes), lab frame Z up, NaN for missing.
Joint moments are net internal moments acting on the distal segment, lab frame; use
:func:`express_in_frame` for a segment frame.

Typical use, per leg::

    assignment = assign_plates(trial.plates, trial.point_rate, trial.n_frames, foot_points)
    grf = assignment.grf["left"]
    foot = SegmentState(segment_parameters("foot", mass, ajc, toe), R_foot, ajc)
    shank = SegmentState(segment_parameters("shank", mass, kjc, ajc), R_shank, kjc)
    thigh = SegmentState(segment_parameters("thigh", mass, hjc, kjc), R_thigh, hjc)
    loads = bottom_up(grf.force, grf.cop, grf.free_moment, foot, shank, thigh,
                      trial.point_rate, swing=swing_mask)
    ankle_power = joint_power(loads.ankle.moment, loads.omega["shank"], loads.omega["foot"])
"""

from kinchain.kinetics.bsip import BSIP_TABLE, SegmentInertia, segment_parameters
from kinchain.kinetics.derivatives import (
    angular_acceleration,
    angular_velocity,
    linear_acceleration,
)
from kinchain.kinetics.filtering import fill_short_gaps, lowpass, resample_to_points
from kinchain.kinetics.newton_euler import (
    JointLoad,
    LegLoads,
    SegmentState,
    bottom_up,
    express_in_frame,
    solve_segment,
)
from kinchain.kinetics.plates import Contact, GroundReaction, PlateAssignment, assign_plates
from kinchain.kinetics.power import component_powers, joint_power, pig_power_vector

__all__ = [
    "BSIP_TABLE",
    "Contact",
    "GroundReaction",
    "JointLoad",
    "LegLoads",
    "PlateAssignment",
    "SegmentInertia",
    "SegmentState",
    "angular_acceleration",
    "angular_velocity",
    "assign_plates",
    "bottom_up",
    "component_powers",
    "express_in_frame",
    "fill_short_gaps",
    "joint_power",
    "linear_acceleration",
    "lowpass",
    "pig_power_vector",
    "resample_to_points",
    "segment_parameters",
    "solve_segment",
]
