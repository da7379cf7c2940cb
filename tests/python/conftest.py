"""Shared helpers for the Python suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import capsign

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
SECRET = "python-test-secret-0123456789"
NOW = 1_700_000_000


def expand(value: Any) -> Any:
    """Expands ``{"repeat": c, "times": n, "then": rest}`` (how the vectors write huge strings)."""
    if isinstance(value, dict):
        if "repeat" in value:
            return value["repeat"] * value["times"] + value["then"]
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def load_vectors(name: str) -> list[dict[str, Any]]:
    vectors = expand(json.loads((VECTORS / name).read_text(encoding="utf-8")))
    assert vectors, f"{name} is empty"
    return vectors


def vector_params(name: str) -> Any:
    """``pytest.mark.parametrize`` over a vectors file, one test per vector id."""
    vectors = load_vectors(name)
    return pytest.mark.parametrize("vector", vectors, ids=[v["id"] for v in vectors])


def vector_verifier(vector: dict[str, Any]) -> capsign.Verifier:
    """The verifier a verify vector describes."""
    i = vector["input"]
    return capsign.Verifier(
        i.get("secret"),
        keys=i.get("keys"),
        public_keys=i.get("public_keys"),
        key_set=i.get("key_set"),
        leeway=i.get("leeway", 0),
        min_secret_len=i.get("min_secret_len"),
    )


def verify_vector(verifier: capsign.Verifier, vector: dict[str, Any]) -> capsign.Grant | None:
    """Runs a verify vector's credentials and request through ``verifier``."""
    i = vector["input"]
    if "check" in i:
        c = i["check"]
        return verifier.check_http(
            capsign.Route(**i["route"]),
            c["method"],
            c["target"],
            c.get("authorization", []),
            fields=c.get("fields"),
            command=c.get("command"),
            now=vector["now"],
        )
    request = dict(i.get("request", {}))
    if "rest" in request:
        request["rest"] = tuple(request["rest"])
    now = vector["now"]
    if "token" in i:
        return verifier.verify_token(i["token"], now=now, **request)
    if "http" in i:
        h = i["http"]
        return verifier.verify_http(
            h["authorization"], h["policy"], h["signature"], now=now, **request
        )
    return verifier.verify(i["policy"], i["signature"], now=now, **request)
