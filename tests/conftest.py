"""Shared test configuration; the data path helper lives in ``shared_paths``."""

from __future__ import annotations

import sys
from pathlib import Path

# The tests folder on the path, so every test (in any sub-folder) can import shared_paths.
sys.path.insert(0, str(Path(__file__).resolve().parent))
