"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path


def shared_data() -> Path:
    """The read-only real data folder, ``../shared/data`` beside the repository checkout."""
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
