"""One entry point: :func:`load_trial` picks the reader from the file extension."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kinchain.errors import InputError
from kinchain.io.c3d import read_c3d
from kinchain.io.opensim import read_trc_trial
from kinchain.io.subject import read_subject_file
from kinchain.io.trial import SubjectMeasurements, Trial

TRIAL_SUFFIXES = (".c3d", ".trc")


def load_trial(
    path: str | Path,
    *,
    subject: SubjectMeasurements | None = None,
    subject_file: str | Path | None = None,
    grf_path: str | Path | None = None,
) -> Trial:
    """Read a gait trial from a ``.c3d`` file or a ``.trc`` file with an optional GRF ``.mot``.

    Parameters
    ----------
    path
        The trial (extension ``.c3d`` or ``.trc``, any case).
    subject
        Measurements to use; they win over a subject file and over the C3D PROCESSING group.
    subject_file
        A Vicon ``.mp`` or ``.vsk`` file, used when ``subject`` is None (it wins over the
        PROCESSING group).
    grf_path
        OpenSim GRF ``.mot`` for a ``.trc`` trial (a C3D carries its own plates).

    Returns
    -------
    Trial
        See :func:`kinchain.io.c3d.read_c3d` and :func:`kinchain.io.opensim.read_trc_trial`.

    Raises
    ------
    InputError
        Unknown extension, a GRF file given with a C3D, or any reader error.
    """
    p = Path(path)
    if subject is None and subject_file is not None:
        subject = read_subject_file(subject_file)
    suffix = p.suffix.lower()
    if suffix == ".c3d":
        if grf_path is not None:
            raise InputError(str(grf_path), "a GRF file is only read with a .trc trial")
        trial = read_c3d(p, subject=subject)
    elif suffix == ".trc":
        trial = read_trc_trial(p, grf_path=grf_path, subject=subject)
    else:
        raise InputError(
            str(p), f"unknown trial type {suffix or '(no extension)'!r}; expected .c3d or .trc"
        )
    if subject is not None and trial.subject is not subject:
        trial = dataclasses.replace(trial, subject=subject)
    return trial
