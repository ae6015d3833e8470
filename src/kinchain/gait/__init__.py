"""Gait analysis: events, strides (cycles), time normalisation and spatiotemporal parameters.

Typical use on a processed trial::

    from kinchain.gait import detect_events, segment_cycles, spatiotemporal

    events = detect_events(result)               # force plates where clean, else Zeni et al. 2008
    cycles = segment_cycles(result, events)      # {"left": CycleSet, "right": CycleSet}
    params = spatiotemporal(result, events, cycles)

The shared result types live in :mod:`kinchain.gait.cycles_types`.
"""

from kinchain.gait import cycles_types
from kinchain.gait.cycles import segment_cycles, strides, time_normalise
from kinchain.gait.cycles_types import N_POINTS, Cycle, CycleSet, EventKind, GaitEvent, Side
from kinchain.gait.events import (
    EventDetector,
    EventDisagreement,
    FootVelocityDetector,
    ForcePlateDetector,
    GaitEvents,
    MethodAgreement,
    ZeniDetector,
    c3d_events,
    detect_events,
    foot_velocity_events,
    kinematic_events,
    match_events,
    plate_events,
    threshold_events,
    zeni_events,
)
from kinchain.gait.normative import (
    GPS_VARIABLES,
    NormativeComparison,
    NormativeSet,
    compare,
    dimensionless_speed,
    load_normative,
    load_normative_classes,
    load_schwartz2008,
    normative_for_speed,
    schwartz_for_speed,
    select_speed_class,
)
from kinchain.gait.spatiotemporal import (
    PARAMETER_UNITS,
    SideSpatiotemporal,
    Spatiotemporal,
    StrideParameters,
    spatiotemporal,
    symmetry_index,
)

__all__ = [
    "GPS_VARIABLES",
    "N_POINTS",
    "PARAMETER_UNITS",
    "Cycle",
    "CycleSet",
    "EventDetector",
    "EventDisagreement",
    "EventKind",
    "FootVelocityDetector",
    "ForcePlateDetector",
    "GaitEvent",
    "GaitEvents",
    "MethodAgreement",
    "NormativeComparison",
    "NormativeSet",
    "Side",
    "SideSpatiotemporal",
    "Spatiotemporal",
    "StrideParameters",
    "ZeniDetector",
    "c3d_events",
    "compare",
    "cycles_types",
    "detect_events",
    "dimensionless_speed",
    "foot_velocity_events",
    "kinematic_events",
    "load_normative",
    "load_normative_classes",
    "load_schwartz2008",
    "match_events",
    "normative_for_speed",
    "plate_events",
    "schwartz_for_speed",
    "segment_cycles",
    "select_speed_class",
    "spatiotemporal",
    "strides",
    "symmetry_index",
    "threshold_events",
    "time_normalise",
    "zeni_events",
]
