"""Where the tests find the real data: ``../shared/data`` beside the repository checkout.

A module of its own (not ``conftest``): several folders have a ``conftest.py``, and ``from
conftest import ...`` would pick whichever of them Python imported first.
"""

from __future__ import annotations

from pathlib import Path


def shared_data() -> Path:
    """The read-only real data folder, ``../shared/data`` beside the repository checkout."""
    root = Path(__file__).resolve().parents[1]
    if root.name == "mutants":  # `make mutate` runs the tests from mutmut's copy, checkout/mutants
        root = root.parent
    return root / ".." / "shared" / "data"
