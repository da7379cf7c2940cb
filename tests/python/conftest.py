"""Shared helpers for the Python suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SECRET = "python-test-secret-0123456789"
NOW = 1_700_000_000


def load_vectors(name: str) -> list[dict[str, Any]]:
    vectors = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert vectors, f"{name} is empty"
    return vectors


def vector_params(name: str) -> Any:
    """``pytest.mark.parametrize`` over a vectors file, one test per vector id."""
    vectors = load_vectors(name)
    return pytest.mark.parametrize("vector", vectors, ids=[v["id"] for v in vectors])
