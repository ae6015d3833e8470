"""Readers and writers: C3D (ezc3d), OpenSim TRC/MOT/STO, subject measurement files."""

from kinchain.io.trial import Event, ForcePlate, SubjectMeasurements, Trial

__all__ = ["Event", "ForcePlate", "SubjectMeasurements", "Trial"]
