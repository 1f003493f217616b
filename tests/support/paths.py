"""Where the tests' own files are: the data they read, the pictures they leave, the repository."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
ARTIFACTS = TESTS / "artifacts"
ROOT = TESTS.parent
