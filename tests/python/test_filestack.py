"""Filestack interoperability, against the real filestack-python from PyPI."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from filestack import Security as FilestackSecurity

import capsign
from capsign import filestack

SEED_APP = Path(__file__).with_name("seed_app") / "app.py"


def reference(policy: dict[str, Any], secret: str) -> dict[str, Any]:
    """filestack-python's own output, in its 2.x shape."""
    sec = FilestackSecurity(policy, secret)
    return {"policy": sec.policy_b64.encode("utf-8"), "signature": sec.signature}


def random_text(rng: random.Random) -> str:
    alphabet = "abcXYZ019 _-./\\\"'*+?()[]{}|^$é☕😀ßΩ\u00a0\u2028"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))


def random_policy(rng: random.Random) -> dict[str, Any]:
    calls = [
        "pick",
        "read",
        "stat",
        "write",
        "writeUrl",
        "store",
        "convert",
        "remove",
        "exif",
        "runWorkflow",
    ]
    policy: dict[str, Any] = {"expiry": rng.randint(0, 2**40)}
    if rng.random() < 0.6:
        policy["call"] = rng.sample(calls, rng.randint(0, len(calls)))
    if rng.random() < 0.5:
        policy["handle"] = random_text(rng).replace("\u2028", "x")
    for field in ("path", "url", "container"):
        if rng.random() < 0.4:
            text = random_text(rng)
            policy[field] = re.escape(text) + rng.choice(["", ".*", "/[0-9]+", r"\d+\.png"])
    if rng.random() < 0.4:
        low = rng.randint(0, 1000)
        policy["minSize"], policy["maxSize"] = low, low + rng.randint(0, 2**30)
    keys = list(policy)
    rng.shuffle(keys)
    return {k: policy[k] for k in keys}


@pytest.mark.parametrize("seed", range(300))
def test_byte_identical_to_filestack_python(seed: int) -> None:
    rng = random.Random(seed)
    policy = random_policy(rng)
    secret = rng.choice(["SECURITY-SECRET", "Z3IYZSH2UJA7VN3QYFVSVCF7PI", "s", "秘密-секрет"])
    assert filestack.security(policy, secret) == reference(policy, secret)


@pytest.mark.parametrize(
    "policy",
    [
        {"expiry": 1700000000},
        {"call": ["store"], "expiry": 1700000000, "path": "^/avatars/[0-9]+/?$"},
        {"expiry": 1562763146, "call": ["read"]},
        {"expiry": 1700000000, "handle": "café-☕-😀-\u00a0"},
        {"expiry": 1700000000, "url": r"https://example\.com/\"[a-z]+\"\d*", "path": r"\w+\\x"},
        {"expiry": 1700000000, "call": ["store", "pick", "read"], "maxSize": 10, "minSize": 1},
    ],
)
def test_known_shapes(policy: dict[str, Any]) -> None:
    assert filestack.security(policy, "SECURITY-SECRET") == reference(policy, "SECURITY-SECRET")
    sec = filestack.Security(policy, "SECURITY-SECRET")
    ref = FilestackSecurity(policy, "SECURITY-SECRET")
    assert (sec.policy_b64, sec.signature, sec.as_url_string()) == (
        ref.policy_b64,
        ref.signature,
        ref.as_url_string(),
    )
    assert "SECURITY-SECRET" not in repr(sec)


def test_docstring_example_of_filestack_python() -> None:
    sec = filestack.Security({"expiry": 1562763146, "call": ["read"]}, "SECURITY-SECRET")
    assert sec.policy_b64 == "eyJjYWxsIjogWyJyZWFkIl0sICJleHBpcnkiOiAxNTYyNzYzMTQ2fQ=="
    assert sec.signature == "89f1325dca54cfce976163fb692bb266f28129525b8c6bb0eeadf4b7d450e2f0"


def test_filestack_output_verifies_in_capsign() -> None:
    policy = {"call": ["pick", "store"], "expiry": int(time.time()) + 60, "path": "/u/.*"}
    ref = FilestackSecurity(policy, "SECURITY-SECRET")
    verifier = capsign.Verifier("SECURITY-SECRET", min_secret_len=15)
    grant = verifier.verify(ref.policy_b64, ref.signature, call="pick", path="/u/cat.png")
    assert grant.policy == policy
    p, s = filestack.parse_security_task(ref.as_url_string())
    assert verifier.verify(p, s).expiry == policy["expiry"]


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"expiry": 1.0}, "expiry"),
        ({"expiry": True}, "expiry"),
        ({"expiry": 1, "calls": ["read"]}, "calls"),
        ({"expiry": 1, "call": "read"}, "call"),
        ({"expiry": 1, "call": ["upload"]}, "call"),
        ({"expiry": 1, "path": "("}, "path"),
        ({"expiry": 1, "minSize": 2, "maxSize": 1}, "minSize"),
        ({"call": ["read"]}, "expiry"),
        ({"expiry": float("nan")}, "policy"),
    ],
)
def test_invalid_policies_are_refused_not_signed(policy: dict[str, Any], field: str) -> None:
    with pytest.raises(capsign.InvalidPolicy) as raised:
        filestack.security(policy, "SECURITY-SECRET")
    assert raised.value.field == field


def test_unserializable_values_raise_type_error() -> None:
    with pytest.raises(TypeError):
        filestack.security({"expiry": 1, "handle": object()}, "s")


def test_empty_secret_is_refused() -> None:
    with pytest.raises(capsign.WeakSecret):
        filestack.security({"expiry": 1}, "")


def test_security_tasks() -> None:
    assert filestack.parse_security_task("security=p:P,s:S") == ("P", "S")
    assert filestack.parse_security_task("signature:S,policy:P") == ("P", "S")
    with pytest.raises(capsign.Malformed):
        filestack.parse_security_task("security=p:P")


def load_seed_app() -> Any:
    spec = importlib.util.spec_from_file_location("seed_app", SEED_APP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["seed_app"] = module
    spec.loader.exec_module(module)
    return module


def test_the_seeds_flask_app_runs_with_only_its_import_changed() -> None:
    source = SEED_APP.read_text(encoding="utf-8")
    assert "from capsign.filestack import security as create_security" in source
    seed = load_seed_app()
    client = seed.app.test_client()
    creds = client.get("/json").get_json()
    assert creds["api_key"] == "YOUR_API_KEY"
    # The helper's output is filestack-python's, byte for byte.
    policy = json.loads(capsign.decode_unverified(creds["policy"]))
    expected = reference(policy, "YOUR_APP_SECRET")
    assert creds["policy"] == expected["policy"].decode("ascii")
    assert creds["signature"] == expected["signature"]
    # Upload-only, 15 minutes.
    grant = capsign.Verifier("YOUR_APP_SECRET", min_secret_len=1).verify(
        creds["policy"], creds["signature"], call="pick"
    )
    assert grant.policy["call"] == ["pick"]
    assert 0 < grant.expiry - time.time() <= 15 * 60
    with pytest.raises(capsign.Denied):
        grant.authorize(call="remove")
    page = client.get("/").get_data(as_text=True)
    assert 'options["security"]["policy"] = "ey' in page
    assert "YOUR_APP_SECRET" not in page
