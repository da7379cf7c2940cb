"""Every vector in tests/vectors/, through the Python API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import capsign
import capsign.stores
from capsign import filestack
from conftest import load_vectors, vector_params, vector_verifier, verify_vector


def check(vector: dict[str, Any], run: Callable[[], Any]) -> None:
    expected = vector["expected"]
    if "ok" in expected:
        assert run() == expected["ok"]
        return
    with pytest.raises(capsign.CapsignError) as raised:
        run()
    error = raised.value
    assert error.code == expected["error"], str(error)
    assert type(error) is capsign.exceptions.BY_CODE[expected["error"]]
    if "field" in expected:
        assert error.field == expected["field"]
    if "position" in expected:
        assert error.position == expected["position"]


def grant_summary(grant: capsign.Grant | None) -> dict[str, Any] | None:
    if grant is None:
        return None
    return {
        "policy": grant.policy,
        "expiry": grant.expiry,
        "kid": grant.kid,
        "matched": grant.matched,
    }


def run_verify(vector: dict[str, Any]) -> None:
    check(vector, lambda: grant_summary(verify_vector(vector_verifier(vector), vector)))


@vector_params("verify.json")
def test_verify(vector: dict[str, Any]) -> None:
    run_verify(vector)


@vector_params("attacks.json")
def test_attack(vector: dict[str, Any]) -> None:
    run_verify(vector)


@vector_params("http.json")
def test_http(vector: dict[str, Any]) -> None:
    run_verify(vector)


@vector_params("issue.json")
def test_issue(vector: dict[str, Any]) -> None:
    i = vector["input"]

    def run() -> Any:
        key = capsign.SigningKey(i["signing_key"]) if "signing_key" in i else None
        signer = capsign.Signer(
            i.get("secret"), signing_key=key, kid=i["kid"], min_secret_len=i.get("min_secret_len")
        )
        creds = signer.issue(now=vector["now"], **i["claims"])
        return {
            "policy": creds.policy,
            "signature": creds.signature,
            "token": creds.token,
            "expiry": creds.expiry,
            "json": capsign.decode_unverified(creds.policy),
        }

    check(vector, run)


@vector_params("filestack.json")
def test_filestack(vector: dict[str, Any]) -> None:
    i = vector["input"]

    def run() -> Any:
        if "task" in i:
            policy, signature = filestack.parse_security_task(i["task"])
            return {"policy": policy, "signature": signature}
        sec = filestack.security(i["policy"], i["secret"])
        assert isinstance(sec["policy"], bytes)
        return {"policy": sec["policy"].decode("ascii"), "signature": sec["signature"]}

    check(vector, run)


def first_match(permissions: list[str], command: str) -> int | None:
    parsed = capsign.Command(command)
    for index, text in enumerate(permissions):
        if capsign.Permission(text).matches(parsed):
            return index
    return None


@vector_params("capability.json")
def test_capability(vector: dict[str, Any]) -> None:
    i = vector["input"]
    kind = i["kind"]

    def run() -> Any:
        if kind == "permission":
            return {"canonical": str(capsign.Permission(i["permission"]))}
        if kind == "command":
            return {"canonical": str(capsign.Command(i["command"]))}
        if kind == "match":
            return {"matched": first_match(i["permissions"], i["command"])}
        if kind == "covers":
            return {"covers": capsign.covers(i["a"], i["b"])}
        if i["mapping"] == "rest":
            return {"command": str(capsign.rest_command(i["method"], i["target"]))}
        return {"command": str(capsign.rpc_command(i["prefix"], i["target"]))}

    check(vector, run)


def _code(run: Callable[[], Any]) -> str:
    try:
        run()
    except capsign.CapsignError as e:
        return e.code
    return "ok"


@vector_params("store.json")
def test_store(vector: dict[str, Any]) -> None:
    i = vector["input"]
    verifier = vector_verifier(vector)
    layout = capsign.stores.StoreLayout(prefix=i.get("prefix", "capsign:"), leeway=i["leeway"])
    memory = capsign.MemoryStore(leeway=i["leeway"])

    def grant(step: dict[str, Any], key: str) -> capsign.Grant:
        request = {"command": step["command"]} if "command" in step else {}
        return verifier.verify_token(step[key], now=step["now"], **request)

    def outcome(step: dict[str, Any]) -> Any:
        if "check" in step:
            return _code(lambda: memory.check(grant(step, "check"), now=step["now"]))
        if "revoke" in step:
            return _code(lambda: memory.revoke(now=step["now"], **step["revoke"]))
        if "entries" in step:
            return len(memory)
        if "sweep" in step:
            memory.sweep(now=step["sweep"])
            return "ok"
        if "reply" in step:
            return _code(lambda: layout.decide(grant(step, "for"), step["reply"]))
        call = (
            layout.check_call(grant(step, "call"))
            if "call" in step
            else layout.revoke_call(now=step["now"], **step["revoke_call"])
        )
        return {"keys": call.keys, "args": call.args}

    check(vector, lambda: [outcome(step) for step in i["steps"]])


def test_every_error_code_has_a_vector_and_a_class() -> None:
    seen = set()
    for name in (
        "verify.json",
        "attacks.json",
        "issue.json",
        "filestack.json",
        "capability.json",
        "http.json",
    ):
        for v in load_vectors(name):
            if "error" in v["expected"]:
                seen.add(v["expected"]["error"])
    for v in load_vectors("store.json"):
        steps = v["expected"].get("ok", [])
        seen.update(s for s in steps if isinstance(s, str) and s in capsign.ERROR_CODES)
    assert seen == set(capsign.ERROR_CODES)
    assert set(capsign.exceptions.BY_CODE) == set(capsign.ERROR_CODES)
