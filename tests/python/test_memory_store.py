"""The in-memory store: exact under threads, revocations, and its argument checks, from
Python and through the Flask extension."""

from __future__ import annotations

import threading

import pytest
from flask import Flask, g, jsonify

import capsign
import capsign.stores
from capsign.flask import Capsign

SECRET = "memory-store-test-secret-01"
SIGNER = capsign.Signer(SECRET)
VERIFIER = capsign.Verifier(SECRET)


def test_exact_under_threads_and_revocable() -> None:
    store = capsign.MemoryStore()
    grant = VERIFIER.verify_token(SIGNER.issue(jti="t", uses=7).token)
    allowed = []

    def attempt() -> None:
        try:
            store.check(grant)
            allowed.append(1)
        except capsign.UsedUp:
            pass

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 7
    other = VERIFIER.verify_token(SIGNER.issue(jti="o").token)
    store.check(other)
    store.revoke(jti="o", expiry=other.expiry)
    with pytest.raises(capsign.Revoked):
        store.check(other)
    assert len(store) == 2 and "entries=2" in repr(store)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"jti": "x"},
        {},
        {"kid": "k"},
        {"jti": "x", "expiry": 1, "before": 1},
        {"jti": "", "expiry": 1},
    ],
)
def test_revocations_that_name_nothing_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(capsign.InvalidArgument):
        capsign.MemoryStore().revoke(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("leeway", [-1, 3601])
def test_leeway_is_bounded(leeway: int) -> None:
    with pytest.raises(capsign.InvalidArgument):
        capsign.MemoryStore(leeway=leeway)
    with pytest.raises(capsign.InvalidArgument):
        capsign.stores.StoreLayout(leeway=leeway)


def test_flask_with_a_memory_store() -> None:
    app = Flask(__name__)
    app.config.update(CAPSIGN_SECRET=SECRET, CAPSIGN_STORE=capsign.MemoryStore())
    ext = Capsign(app)

    @app.get("/files/<handle>")
    @ext.require(call="read", fields=lambda r: {"handle": (r.view_args or {})["handle"]})
    def read(handle: str) -> object:
        return jsonify(jti=g.capsign.policy.get("jti"))

    web = app.test_client()
    once = SIGNER.issue(call=["read"], handle="H1", jti="once", uses=1).token
    auth = {"Authorization": f"Bearer {once}"}
    assert web.get("/files/H2", headers=auth).status_code == 403  # denied: no use consumed
    assert web.get("/files/H1", headers=auth).status_code == 200
    spent = web.get("/files/H1", headers=auth)
    assert spent.status_code == 401 and spent.get_json()["error"] == "used_up"


def test_a_synchronous_adapter_refuses_a_store_that_answers_later() -> None:
    """A store whose check returns an awaitable cannot be decided by Flask: refused (500),
    never allowed."""

    class Later:
        def __init__(self) -> None:
            self.inner = capsign.MemoryStore()

        def check(self, grant: capsign.Grant) -> object:
            async def answer() -> None:
                self.inner.check(grant)

            return answer()

    app = Flask(__name__)
    app.config.update(CAPSIGN_SECRET=SECRET, CAPSIGN_STORE=Later())
    ext = Capsign(app)

    @app.get("/x")
    @ext.require(call="read")
    def view() -> str:  # pragma: no cover - never reached
        return "allowed"

    token = SIGNER.issue(call=["read"], jti="later", uses=1).token
    r = app.test_client().get("/x", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 500 and b"allowed" not in r.data


def test_asgi_raw_target_without_raw_path() -> None:
    from capsign.asgi import raw_target

    assert raw_target({"root_path": "/api", "path": "/api/files/x"}) == "/api/files/x"
    assert raw_target({"root_path": "/api", "path": "/files/x"}) == "/api/files/x"
    assert raw_target({"root_path": "", "path": "/a b", "query_string": b"q=1"}) == "/a%20b?q=1"
