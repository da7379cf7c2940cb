"""capsign.asgi and capsign.fastapi over real HTTP: uvicorn on 127.0.0.1 serving a FastAPI
app (dependencies) and a bare ASGI app (the middleware), with the cases of the Flask
suite: 401/403/400 bodies and headers, REST and RPC mappings, traversal in every
encoding, header and query credentials, cookies ignored, a store."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

import capsign
from capsign.asgi import CapsignMiddleware, KeySetApp
from capsign.fastapi import Capsign, CapsignRoute
from conftest import SECRET

SIGNER = capsign.Signer(SECRET)
VERIFIER = capsign.Verifier(SECRET)


# Module-level, as FastAPI resolves annotations in the module's namespace.
AUTH = Capsign(VERIFIER, store=capsign.MemoryStore())
ReadGrant = Annotated[
    capsign.Grant,
    Depends(AUTH.require(call="read", fields=lambda r: {"handle": r.path_params["handle"]})),
]
RpcGrant = Annotated[capsign.Grant, Depends(AUTH.require(rpc="/api/v0"))]
RestGrant = Annotated[capsign.Grant, Depends(AUTH.require(rest=True))]
PeersGrant = Annotated[capsign.Grant, Depends(AUTH.require(command="swarm peers"))]


BarePeers = Annotated[capsign.Grant, Depends(Capsign(VERIFIER).require(command="swarm peers"))]


def fastapi_app() -> FastAPI:
    app = FastAPI()
    AUTH.install(app)

    @app.get("/files/{handle}")
    async def read(handle: str, grant: ReadGrant) -> dict[str, Any]:
        return {"handle": handle, "expiry": grant.expiry}

    @app.post("/api/v0/{rest:path}")
    async def rpc(grant: RpcGrant) -> dict[str, Any]:
        return {"allowed_by": grant.matched}

    @app.api_route("/rest/{rest:path}", methods=["GET", "PUT"])
    async def rest(grant: RestGrant) -> dict[str, Any]:
        return {"allowed_by": grant.matched}

    @app.get("/fixed")
    async def fixed(request: Request, _: PeersGrant) -> str:
        return "peers" if request.state.capsign.matched == "swarm peers" else "?"

    return app


async def plain_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The innermost app of the middleware suite: says what the grant allowed."""
    body = json.dumps({"allowed_by": scope["capsign"].matched}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Server:
    """uvicorn on a free port of 127.0.0.1, in a thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def send(
        self, method: str, target: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            # The target goes out exactly as written: encodings are the test.
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            r = conn.getresponse()
            raw = r.read()
            return (
                r.status,
                {k.lower(): v for k, v in r.getheaders()},
                json.loads(raw) if raw else None,
            )
        finally:
            conn.close()


@pytest.fixture(scope="module")
def fastapi_server() -> Iterator[Server]:
    s = Server(fastapi_app())
    yield s
    s.stop()


@pytest.fixture(scope="module")
def middleware_servers() -> Iterator[dict[str, Server]]:
    servers = {
        "rpc": Server(CapsignMiddleware(plain_app, verifier=VERIFIER, rpc="/api/v0")),
        "rest": Server(CapsignMiddleware(plain_app, verifier=VERIFIER, rest=True)),
        "read": Server(
            CapsignMiddleware(
                plain_app,
                verifier=VERIFIER,
                call="read",
                fields=lambda scope: {"handle": scope["path"].rsplit("/", 1)[-1]},
                store=capsign.MemoryStore(),
            )
        ),
    }
    yield servers
    for s in servers.values():
        s.stop()


def bearer(creds: capsign.Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {creds.token}"}


def refused(answer: tuple[int, dict[str, str], Any], status: int, code: str) -> None:
    got, headers, body = answer
    assert got == status, body
    assert body["error"] == code and isinstance(body["message"], str)
    assert headers["cache-control"] == "no-store"
    assert headers["content-type"].startswith("application/json")
    challenge = headers["www-authenticate"]
    expected = {
        401: 'Bearer realm="capsign", error="invalid_token"',
        403: 'Bearer realm="capsign", error="insufficient_scope"',
        400: 'Bearer realm="capsign", error="invalid_request"',
    }
    assert challenge == (
        'Bearer realm="capsign"' if code == "missing_credentials" else expected[status]
    )
    assert SECRET not in json.dumps(body)


def test_fastapi_credentials_and_refusals(fastapi_server: Server) -> None:
    s = fastapi_server
    creds = SIGNER.issue(call=["read"], handle="H1")
    status, _, body = s.send("GET", "/files/H1", bearer(creds))
    assert status == 200 and body["handle"] == "H1"
    query = f"/files/H1?policy={creds.policy}&signature={creds.signature}"
    assert s.send("GET", query)[0] == 200
    refused(s.send("GET", "/files/H1"), 401, "missing_credentials")
    refused(
        s.send("GET", "/files/H1", {"Authorization": "Basic dXNlcjpwYXNz"}),
        401,
        "missing_credentials",
    )
    cookie = (
        f"Authorization=Bearer {creds.token}; policy={creds.policy}; signature={creds.signature}"
    )
    refused(s.send("GET", "/files/H1", {"Cookie": cookie}), 401, "missing_credentials")
    refused(s.send("GET", "/files/H1", {"Authorization": "Bearer not-a-token"}), 401, "malformed")
    refused(s.send("GET", query, bearer(creds)), 401, "malformed")
    tampered = creds.signature[:-1] + ("0" if creds.signature[-1] != "0" else "1")
    refused(
        s.send("GET", f"/files/H1?policy={creds.policy}&signature={tampered}"), 401, "bad_signature"
    )
    now = int(time.time())
    old = SIGNER.issue(expiry=now - 10, now=now - 100, call=["read"], handle="H1")
    refused(s.send("GET", "/files/H1", bearer(old)), 401, "expired")
    refused(
        s.send("GET", "/files/H1", bearer(SIGNER.issue(call=["read"], handle="H2"))), 403, "denied"
    )
    refused(s.send("GET", "/files/H1", bearer(SIGNER.issue(call=["pick"]))), 403, "denied")


def test_fastapi_store_counts_uses(fastapi_server: Server) -> None:
    once = SIGNER.issue(call=["read"], handle="H1", jti="fastapi-once", uses=1)
    assert fastapi_server.send("GET", "/files/H2", bearer(once))[0] == 403  # no use consumed
    assert fastapi_server.send("GET", "/files/H1", bearer(once))[0] == 200
    refused(fastapi_server.send("GET", "/files/H1", bearer(once)), 401, "used_up")


TRAVERSALS = (
    "/rest/files/%2e%2e/secret",
    "/rest/files/%252e%252e/secret",
    "/rest/files/a%2fb",
    "/rest/files/..%2F..%2Fetc",
    "/rest/files//a",
    "/rest/files/x/..",
    "/rest/files/..;/x",
    "/rest/files/.%2e/x",
)


@pytest.mark.parametrize("kind", ["fastapi", "middleware"])
def test_rest_and_rpc_mappings_and_traversal(
    kind: str, fastapi_server: Server, middleware_servers: dict[str, Server]
) -> None:
    rest = fastapi_server if kind == "fastapi" else middleware_servers["rest"]
    rpc = fastapi_server if kind == "fastapi" else middleware_servers["rpc"]
    creds = SIGNER.issue(permissions=["GET /rest/files", "PUT /rest/files/uploads"])
    assert rest.send("GET", "/rest/files/a.txt", bearer(creds))[0] == 200
    status, _, body = rest.send("GET", "/rest/files/a%20b.txt", bearer(creds))
    assert status == 200 and body["allowed_by"] == "GET /rest/files"
    assert rest.send("PUT", "/rest/files/uploads/x", bearer(creds))[0] == 200
    refused(rest.send("PUT", "/rest/files/x", bearer(creds)), 403, "denied")
    for target in TRAVERSALS:
        refused(rest.send("GET", target, bearer(creds)), 400, "invalid_command")
    refused(rest.send("GET", "/rest/files/%2e%2e/x"), 401, "missing_credentials")

    pins = SIGNER.issue(permissions=["pin add [--recursive] *", "pin ls"])
    status, _, body = rpc.send("POST", "/api/v0/pin/add?arg=QmX&recursive=true", bearer(pins))
    assert status == 200 and body["allowed_by"] == "pin add [--recursive] *"
    assert rpc.send("POST", "/api/v0/pin/ls", bearer(pins))[0] == 200
    refused(rpc.send("POST", "/api/v0/pin/rm?arg=QmX", bearer(pins)), 403, "denied")
    refused(
        rpc.send("POST", "/api/v0/cat?arg=/ipfs/QmA/../QmB", bearer(pins)), 400, "invalid_command"
    )
    # Query credentials on an RPC route are credentials, never flags.
    q = f"/api/v0/pin/ls?policy={pins.policy}&signature={pins.signature}"
    assert rpc.send("POST", q)[0] == 200


def test_middleware_fields_store_and_headers_given_twice(
    middleware_servers: dict[str, Server],
) -> None:
    s = middleware_servers["read"]
    two = SIGNER.issue(call=["read"], handle="H1", jti="asgi-two", uses=2)
    assert [s.send("GET", "/files/H1", bearer(two))[0] for _ in range(3)] == [200, 200, 401]
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    creds = SIGNER.issue(call=["read"], handle="H1")
    conn.putrequest("GET", "/files/H1")
    conn.putheader("Authorization", f"Bearer {creds.token}")
    conn.putheader("Authorization", f"Bearer {creds.token}")
    conn.endheaders()
    r = conn.getresponse()
    assert r.status == 401 and json.loads(r.read())["error"] == "malformed"
    conn.close()


def test_setup_is_checked_and_key_sets_are_served() -> None:
    with pytest.raises(capsign.InvalidArgument):
        CapsignMiddleware(plain_app, verifier=VERIFIER)
    with pytest.raises(capsign.InvalidArgument):
        Capsign(VERIFIER).require()
    with pytest.raises(TypeError):
        CapsignMiddleware(plain_app, verifier="not a verifier", call="read")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        KeySetApp(VERIFIER)
    key = capsign.SigningKey.generate()
    public = capsign.Verifier(public_keys={key.public_key.peer_id: key.public_key})
    s = Server(KeySetApp(public))
    try:
        status, headers, body = s.send("GET", "/.well-known/capsign-keys.json")
        assert status == 200 and headers["content-type"] == "application/jwk-set+json"
        assert body["keys"][0]["kid"] == key.public_key.peer_id
    finally:
        s.stop()


def test_without_install_fastapi_writes_the_refusal_under_detail() -> None:
    bare = FastAPI()

    @bare.get("/fixed")
    async def fixed(grant: BarePeers) -> str:  # pragma: no cover - refused
        return "peers"

    s = Server(bare)
    try:
        status, headers, body = s.send("GET", "/fixed")
        assert status == 401 and body["detail"]["error"] == "missing_credentials"
        assert headers["www-authenticate"] == 'Bearer realm="capsign"'
    finally:
        s.stop()


class Note(BaseModel):
    text: str


NOTES = Capsign(VERIFIER, store=capsign.MemoryStore())
NoteGrant = Annotated[capsign.Grant, Depends(NOTES.require(authenticate_only=True))]


def test_credentials_are_checked_before_the_body_is_read() -> None:
    app = FastAPI()
    NOTES.install(app)  # CapsignRoute for the routes below
    parsed: list[str] = []

    @app.post("/notes")
    async def post(note: Note, grant: NoteGrant) -> dict[str, Any]:
        parsed.append(note.text)
        return {"text": note.text, "jti": grant.policy.get("jti")}

    router = APIRouter(route_class=CapsignRoute)

    @router.post("/routed")
    async def routed(note: Note, grant: NoteGrant) -> dict[str, Any]:
        return {"text": note.text}

    app.include_router(router)
    s = Server(app)

    def post_json(path: str, body: bytes, token: str | None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request("POST", path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()

    forged = SIGNER.issue(jti="f").token[:-1] + "0"
    try:
        for path in ("/notes", "/routed"):
            # Not JSON at all: without credentials 401, never FastAPI's 422.
            for token, code in ((None, "missing_credentials"), (forged, "bad_signature")):
                status, body = post_json(path, b"{not json", token)
                assert (status, body["error"]) == (401, code), (path, token)
        two = SIGNER.issue(jti="two-notes", uses=2).token
        assert post_json("/notes", b'{"text": "a"}', two) == (
            200,
            {"text": "a", "jti": "two-notes"},
        )
        # With credentials, the model refuses the body (422): that spends a use, once.
        assert post_json("/notes", b"{not json", two)[0] == 422
        status, body = post_json("/notes", b'{"text": "b"}', two)
        assert (status, body["error"]) == (401, "used_up")
        assert parsed == ["a"]
    finally:
        s.stop()


CALLS: list[str] = []


def _recorded_handle(r: Any) -> dict[str, Any]:
    CALLS.append("fields")
    path = r["path"] if isinstance(r, dict) else r.url.path
    return {"handle": path.rsplit("/", 1)[-1]}


def _recorded_command(r: Any) -> str:
    CALLS.append("command")
    return "swarm peers"


RECORDED = Capsign(VERIFIER)
RecordedRead = Annotated[
    capsign.Grant, Depends(RECORDED.require(call="read", fields=_recorded_handle))
]
RecordedPeers = Annotated[capsign.Grant, Depends(RECORDED.require(command=_recorded_command))]


def test_fields_and_commands_run_only_once_the_credentials_hold() -> None:
    app = FastAPI()
    RECORDED.install(app)

    @app.get("/files/{handle}")
    async def read(handle: str, grant: RecordedRead) -> dict[str, Any]:
        return {"handle": handle}

    @app.get("/peers")
    async def peers(grant: RecordedPeers) -> dict[str, Any]:
        return {"allowed_by": grant.matched}

    servers = {
        "fastapi": Server(app),
        "middleware": Server(
            CapsignMiddleware(plain_app, verifier=VERIFIER, call="read", fields=_recorded_handle)
        ),
        "middleware-command": Server(
            CapsignMiddleware(plain_app, verifier=VERIFIER, command=_recorded_command)
        ),
    }
    good = SIGNER.issue(call=["read"], handle="H1")
    peers_token = SIGNER.issue(permissions=["swarm peers"])
    flipped = good.token[:-1] + ("1" if good.token[-1] == "0" else "0")
    expired = SIGNER.issue(call=["read"], expiry=int(time.time()) - 10, now=int(time.time()) - 99)
    try:
        CALLS.clear()
        for name, s in servers.items():
            path = "/peers" if name in ("middleware-command",) else "/files/H1"
            for headers, code in (
                ({}, "missing_credentials"),
                ({"Authorization": f"Bearer {flipped}"}, "bad_signature"),
                (bearer(expired), "expired"),
            ):
                refused(s.send("GET", path, headers), 401, code)
            assert CALLS == [], name
        assert servers["fastapi"].send("GET", "/files/H1", bearer(good))[0] == 200
        assert servers["fastapi"].send("GET", "/peers", bearer(peers_token))[0] == 200
        assert servers["middleware"].send("GET", "/files/H1", bearer(good))[0] == 200
        assert servers["middleware-command"].send("GET", "/peers", bearer(peers_token))[0] == 200
        # CapsignRoute checks the dependency once, before the body: one call each.
        assert sorted(CALLS) == ["command", "command", "fields", "fields"]
    finally:
        for s in servers.values():
            s.stop()
