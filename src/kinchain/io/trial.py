"""The in-memory gait trial every reader builds and the model consumes.

Conventions
-----------
- SI units: positions in metres, forces in newtons, moments in newton-metres, time in seconds.
- Arrays have time along axis 0: points and vectors are ``(n_frames, 3)``.
- Missing samples are NaN, never 0.
- The laboratory frame is the file's own, converted once on read so that +Z points up (C3D gait
  labs already use +Z; OpenSim files are Y-up and are rotated by the reader, which records it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]


@dataclass(frozen=True)
class ForcePlate:
    """One force platform's output at the analog rate, in the lab frame.

    Attributes
    ----------
    force
        Ground reaction force acting on the subject, N, ``(n_analog, 3)``, lab frame.
    moment_at_origin
        Moment of the reaction about the plate's surface centre, N·m, ``(n_analog, 3)``, lab frame.
    cop
        Centre of pressure on the plate surface, m, ``(n_analog, 3)``, lab frame; NaN where the
        vertical force is below ``cop_threshold_n``.
    free_moment
        Free (vertical) moment about the centre of pressure, N·m, ``(n_analog, 3)``, lab frame;
        NaN where the centre of pressure is undefined.
    corners
        The four surface corners, m, ``(4, 3)``, lab frame, in the order the file gives.
    plate_type
        C3D FORCE_PLATFORM:TYPE (2, 3 or 4).
    index
        Zero-based number of the plate in the file.
    """

    force: FloatArray
    moment_at_origin: FloatArray
    cop: FloatArray
    free_moment: FloatArray
    corners: FloatArray
    plate_type: int
    index: int
    cop_threshold_n: float = 20.0

    @property
    def centre(self) -> FloatArray:
        """Centre of the plate surface, m, ``(3,)``, lab frame."""
        return np.asarray(self.corners.mean(axis=0), dtype=np.float64)


@dataclass(frozen=True)
class Event:
    """A gait event stored in a file.

    Attributes
    ----------
    label
        ``"Foot Strike"``, ``"Foot Off"`` or another label as stored.
    context
        ``"Left"``, ``"Right"`` or ``"General"`` as stored.
    time_s
        Time in seconds from the start of the recording's clock (as stored in the file).
    frame
        Zero-based index into the trial's point arrays (rounded), or -1 when outside the trial.
    """

    label: str
    context: str
    time_s: float
    frame: int


@dataclass(frozen=True)
class SubjectMeasurements:
    """Anthropometric measurements Plug-in Gait needs, in SI units.

    Attributes
    ----------
    mass_kg
        Body mass, kg (required for kinetics).
    height_m
        Standing height, m (optional, informative).
    leg_length_m
        ``{"left": ..., "right": ...}`` ASIS to medial malleolus, m.
    knee_width_m, ankle_width_m
        Medio-lateral widths, m, per side.
    asis_trochanter_m
        ASIS to greater-trochanter distance, m, per side, or None for the Davis regression.
    inter_asis_m
        Inter-ASIS distance, m, or None to compute it from the markers.
    marker_diameter_m
        Marker diameter, m (Plug-in Gait default 14 mm).
    tibial_torsion_deg, thigh_rotation_deg, shank_rotation_deg, static_plantar_flexion_deg,
    static_rotation_offset_deg
        Static-calibration offsets per side in degrees (0 when no static trial was processed).
    ankle_abadd_deg
        Ankle abduction/adduction offset per side, degrees (Nexus ``LAnkleAbAdd``; 0 if absent):
        turns the ankle joint centre about the anterior axis through the ankle marker.
    source
        Where the measurements came from (file path, "C3D PROCESSING group", "arguments").
    """

    mass_kg: float
    leg_length_m: dict[str, float]
    knee_width_m: dict[str, float]
    ankle_width_m: dict[str, float]
    height_m: float | None = None
    asis_trochanter_m: dict[str, float] | None = None
    inter_asis_m: float | None = None
    marker_diameter_m: float = 0.014
    tibial_torsion_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    thigh_rotation_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    shank_rotation_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    static_plantar_flexion_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    static_rotation_offset_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    ankle_abadd_deg: dict[str, float] = field(
        default_factory=lambda: {"left": 0.0, "right": 0.0}
    )
    source: str = "arguments"


@dataclass(frozen=True)
class Trial:
    """A gait trial: markers, force plates, events and (optionally) subject measurements.

    Attributes
    ----------
    path
        The file it came from (for messages and provenance).
    markers
        Marker label -> position, m, ``(n_frames, 3)``, lab frame, NaN in gaps. Labels are stripped
        of any ``Subject:`` prefix.
    point_rate
        Marker sampling rate, Hz.
    first_frame
        The file's first frame number (1-based as C3D stores it).
    plates
        Force platforms, at ``analog_rate``.
    analog_rate
        Analog sampling rate, Hz (0 when the trial has no analog data).
    events
        Events stored in the file, sorted by time.
    subject
        Measurements found in or beside the file, or None.
    other_points
        Stored non-marker points (model outputs of another program, e.g. ``LKneeAngles``), in the
        units the file stores, ``(n_frames, 3)``; kept for comparison, never used as input.
    other_point_units
        Label -> unit string as stored (e.g. ``"deg"``, ``"Nmm"``).
    analogs
        Analog channel label -> scaled values (offset, per-channel and general scale applied) at
        ``analog_rate``, in the units the file states.
    analog_units
        Analog channel label -> unit string as stored.
    sha256
        Hash of the input file's bytes (provenance).
    """

    path: str
    markers: dict[str, FloatArray]
    point_rate: float
    first_frame: int
    plates: tuple[ForcePlate, ...] = ()
    analog_rate: float = 0.0
    events: tuple[Event, ...] = ()
    subject: SubjectMeasurements | None = None
    other_points: dict[str, FloatArray] = field(default_factory=dict)
    other_point_units: dict[str, str] = field(default_factory=dict)
    analogs: dict[str, FloatArray] = field(default_factory=dict)
    analog_units: dict[str, str] = field(default_factory=dict)
    sha256: str = ""

    @property
    def n_frames(self) -> int:
        """Number of marker frames."""
        if not self.markers:
            return 0
        return int(next(iter(self.markers.values())).shape[0])

    @property
    def time_s(self) -> FloatArray:
        """Time of each marker frame from the trial's first frame, s, ``(n_frames,)``."""
        return np.arange(self.n_frames, dtype=np.float64) / self.point_rate
