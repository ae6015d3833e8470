"""Readers and writers: C3D (ezc3d), OpenSim TRC/MOT/STO, subject measurement files.

The public functions, each documented in its module:

- :func:`load_trial` - a :class:`Trial` from ``.c3d`` or ``.trc`` (+ GRF ``.mot``).
- :func:`read_c3d`, :func:`write_c3d_with_outputs` - C3D in and out.
- :func:`plates_from_c3d`, :func:`plate_outputs`, :func:`wrench_from_channels` - force plates.
- :func:`read_mp`, :func:`read_vsk`, :func:`read_subject_file`, :func:`subject_from_values`,
  :func:`subject_from_processing` - subject measurements.
- :func:`read_trc`, :func:`write_trc`, :func:`read_mot`, :func:`write_mot`,
  :func:`read_grf_mot`, :func:`plates_from_grf`, :func:`grf_table`,
  :func:`grf_identifiers`, :func:`read_external_loads` - OpenSim files.
"""

from kinchain.io.c3d import read_c3d
from kinchain.io.c3d_write import write_c3d_with_outputs
from kinchain.io.forceplates import plate_outputs, plates_from_c3d, wrench_from_channels
from kinchain.io.load import load_trial
from kinchain.io.opensim import (
    grf_identifiers,
    grf_table,
    plates_from_grf,
    read_external_loads,
    read_grf_mot,
    read_mot,
    read_trc,
    read_trc_trial,
    to_kinchain,
    to_opensim,
    write_mot,
    write_trc,
)
from kinchain.io.subject import (
    read_mp,
    read_subject_file,
    read_vsk,
    subject_from_processing,
    subject_from_values,
)
from kinchain.io.trial import Event, ForcePlate, SubjectMeasurements, Trial

__all__ = [
    "Event",
    "ForcePlate",
    "SubjectMeasurements",
    "Trial",
    "grf_identifiers",
    "grf_table",
    "load_trial",
    "plate_outputs",
    "plates_from_c3d",
    "plates_from_grf",
    "read_c3d",
    "read_external_loads",
    "read_grf_mot",
    "read_mot",
    "read_mp",
    "read_subject_file",
    "read_trc",
    "read_trc_trial",
    "read_vsk",
    "subject_from_processing",
    "subject_from_values",
    "to_kinchain",
    "to_opensim",
    "wrench_from_channels",
    "write_c3d_with_outputs",
    "write_mot",
    "write_trc",
]
