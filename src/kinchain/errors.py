"""The one error hierarchy of kinchain.

Every error meant for a person names *where* (a file, a field, a marker) and *what* is wrong.
The CLI maps :class:`InputError` to exit code 2 and a one-line message; the web API maps it to
an HTTP 4xx response with a JSON body.
"""

from __future__ import annotations


class KinchainError(Exception):
    """Base class of every error kinchain raises on purpose."""


class InputError(KinchainError):
    """Bad input: an unreadable, truncated or inconsistent file, a missing marker or measurement,
    an out-of-range or contradictory answer.

    Parameters
    ----------
    source
        The file path or field name the problem is in (``"gait.c3d"``, ``"subject.mass_kg"``).
    problem
        A short, plain-language description of what is wrong.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class ProcessingError(KinchainError):
    """The input was readable but a result could not be computed from it (for example no valid
    frame of a segment), with the reason."""
