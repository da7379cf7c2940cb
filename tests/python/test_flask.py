"""The Flask extension, through Flask's test client."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from flask import Flask, g

import capsign
from capsign.flask import Capsign, raw_target
from conftest import SECRET


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["CAPSIGN_SECRET"] = SECRET
    ext = Capsign(app)

    @app.get("/files/<handle>")
    @ext.require(call="read", fields=lambda r: {"handle": r.view_args["handle"]})
    def read(handle: str) -> dict[str, Any]:
        return {"handle": handle, "expiry": g.capsign.expiry}

    @app.post("/api/v0/<path:rest>")
    @ext.require(rpc="/api/v0")
    def rpc(rest: str) -> dict[str, Any]:
        return {"allowed_by": g.capsign.matched}

    @app.route("/rest/<path:rest>", methods=["GET", "PUT"])
    @ext.require(rest=True)
    def rest_view(rest: str) -> dict[str, Any]:
        return {"allowed_by": g.capsign.matched}

    @app.get("/fixed")
    @ext.require(command="swarm peers")
    def fixed() -> str:
        return "peers"

    @app.get("/credentials")
    def credentials() -> Any:
        return ext.credentials_response(call=["pick"], expires_in=900, path="/uploads/user-42/.*")

    app.extensions["test_ext"] = ext
    return app


def issue(**claims: Any) -> capsign.Credentials:
    return capsign.Signer(SECRET).issue(**claims)


def bearer(creds: capsign.Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {creds.token}"}


def assert_refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert response.headers["Cache-Control"] == "no-store"
    challenge = response.headers["WWW-Authenticate"]
    if code == "missing_credentials":
        assert challenge == 'Bearer realm="capsign"'
    elif status == 401:
        assert challenge == 'Bearer realm="capsign", error="invalid_token"'
    elif status == 403:
        assert challenge == 'Bearer realm="capsign", error="insufficient_scope"'
    elif status == 400:
        assert challenge == 'Bearer realm="capsign", error="invalid_request"'
    assert SECRET not in response.get_data(as_text=True)


def test_header_and_query_credentials(app: Flask) -> None:
    client = app.test_client()
    creds = issue(call=["read"], handle="H1")
    r = client.get("/files/H1", headers=bearer(creds))
    assert r.status_code == 200 and r.get_json()["handle"] == "H1"
    r = client.get("/files/H1", query_string={"policy": creds.policy, "signature": creds.signature})
    assert r.status_code == 200


def test_missing_credentials(app: Flask) -> None:
    assert_refused(app.test_client().get("/files/H1"), 401, "missing_credentials")


def test_other_authorization_schemes_are_not_credentials(app: Flask) -> None:
    r = app.test_client().get("/files/H1", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_refused(r, 401, "missing_credentials")


def test_cookies_are_ignored(app: Flask) -> None:
    client = app.test_client()
    creds = issue(call=["read"], handle="H1")
    for name, value in (
        ("Authorization", f"Bearer {creds.token}"),
        ("token", creds.token),
        ("policy", creds.policy),
        ("signature", creds.signature),
        ("capsign", creds.token),
    ):
        client.set_cookie(name, value)
    assert_refused(client.get("/files/H1"), 401, "missing_credentials")


@pytest.mark.parametrize(
    ("headers", "query", "code"),
    [
        ({"Authorization": "Bearer not-a-token"}, {}, "malformed"),
        ({"Authorization": "Bearer "}, {}, "malformed"),
        ({}, {"policy": "eyJ9"}, "malformed"),
    ],
)
def test_malformed(app: Flask, headers: dict[str, str], query: dict[str, str], code: str) -> None:
    r = app.test_client().get("/files/H1", headers=headers, query_string=query)
    assert_refused(r, 401, code)


def test_both_header_and_query_is_malformed(app: Flask) -> None:
    creds = issue(call=["read"], handle="H1")
    r = app.test_client().get(
        "/files/H1",
        headers=bearer(creds),
        query_string={"policy": creds.policy, "signature": creds.signature},
    )
    assert_refused(r, 401, "malformed")


def test_tampered(app: Flask) -> None:
    creds = issue(call=["read"], handle="H1")
    sig = creds.signature[:-1] + ("0" if creds.signature[-1] != "0" else "1")
    r = app.test_client().get("/files/H1", query_string={"policy": creds.policy, "signature": sig})
    assert_refused(r, 401, "bad_signature")


def test_expired(app: Flask) -> None:
    now = int(time.time())
    creds = capsign.Signer(SECRET).issue(expiry=now - 10, now=now - 100, call=["read"], handle="H1")
    assert_refused(app.test_client().get("/files/H1", headers=bearer(creds)), 401, "expired")


def test_wrong_scope(app: Flask) -> None:
    client = app.test_client()
    other_handle = issue(call=["read"], handle="H2")
    assert_refused(client.get("/files/H1", headers=bearer(other_handle)), 403, "denied")
    upload_only = issue(call=["pick"])
    assert_refused(client.get("/files/H1", headers=bearer(upload_only)), 403, "denied")


def test_rpc_commands(app: Flask) -> None:
    client = app.test_client()
    creds = issue(permissions=["pin add [--recursive] *", "pin ls"])
    r = client.post("/api/v0/pin/add?arg=QmX&recursive=true", headers=bearer(creds))
    assert r.status_code == 200
    assert r.get_json()["allowed_by"] == "pin add [--recursive] *"
    assert client.post("/api/v0/pin/ls", headers=bearer(creds)).status_code == 200
    assert_refused(client.post("/api/v0/pin/rm?arg=QmX", headers=bearer(creds)), 403, "denied")
    r = client.post("/api/v0/cat?arg=/ipfs/QmA/../QmB", headers=bearer(creds))
    assert_refused(r, 400, "invalid_command")


def test_rest_commands_and_traversal(app: Flask) -> None:
    client = app.test_client()
    creds = issue(permissions=["GET /rest/files", "PUT /rest/files/uploads"])
    assert client.get("/rest/files/a.txt", headers=bearer(creds)).status_code == 200
    r = client.get("/rest/files/a%20b.txt", headers=bearer(creds))
    assert r.status_code == 200 and r.get_json()["allowed_by"] == "GET /rest/files"
    assert client.put("/rest/files/uploads/x", headers=bearer(creds)).status_code == 200
    assert_refused(client.put("/rest/files/x", headers=bearer(creds)), 403, "denied")
    for target in (
        "/rest/files/%2e%2e/secret",
        "/rest/files/%252e%252e/secret",
        "/rest/files/a%2fb",
        "/rest/files/..%2F..%2Fetc",
        "/rest/files//a",
        "/rest/files/x/..",
    ):
        assert_refused(client.get(target, headers=bearer(creds)), 400, "invalid_command")
    # Without credentials, a traversal is refused before any mapping: 401.
    assert_refused(client.get("/rest/files/%2e%2e/x"), 401, "missing_credentials")


def test_fixed_command(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/fixed", headers=bearer(issue(permissions=["swarm peers"]))).data == b"peers"
    assert_refused(client.get("/fixed", headers=bearer(issue(permissions=["id"]))), 403, "denied")


def test_credentials_route(app: Flask) -> None:
    r = app.test_client().get("/credentials")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert set(body) == {"policy", "signature", "token", "expiry"}
    grant = capsign.Verifier(SECRET).verify(
        body["policy"], body["signature"], call="pick", path="/uploads/user-42/a.png"
    )
    assert grant.policy["call"] == ["pick"]
    with pytest.raises(capsign.Denied):
        grant.authorize(call="pick", path="/uploads/user-7/a.png")


def test_configuration() -> None:
    app = Flask(__name__)
    app.config.update(
        CAPSIGN_KEYS={"k1": "first-secret-0123456789", "k2": "second-secret-012345678"},
        CAPSIGN_KID="k2",
        CAPSIGN_LEEWAY=30,
    )
    ext = Capsign()
    ext.init_app(app)
    with app.app_context():
        creds = ext.issue(expires_in=60)
        grant = ext.verifier.verify_token(creds.token)
        assert grant.kid == "k2"
        assert ext.verifier.leeway == 30
    bad = Flask(__name__)
    bad.config.update(CAPSIGN_KEYS={"k1": "first-secret-0123456789"}, CAPSIGN_KID="k9")
    with pytest.raises(capsign.InvalidArgument):
        Capsign(bad)
    weak = Flask(__name__)
    weak.config["CAPSIGN_SECRET"] = "short"
    with pytest.raises(capsign.WeakSecret):
        Capsign(weak)
    verify_only = Flask(__name__)
    verify_only.config["CAPSIGN_KEYS"] = {"k1": "first-secret-0123456789"}
    ext = Capsign(verify_only)
    with verify_only.app_context(), pytest.raises(capsign.InvalidArgument):
        ext.issue()
    with pytest.raises(capsign.InvalidArgument):
        Capsign().require(command="x", rest=True)


def test_raw_target_fallback() -> None:
    app = Flask(__name__)
    with app.test_request_context("/files/a%20b?x=1"):
        from flask import request

        request.environ.pop("RAW_URI", None)
        request.environ.pop("REQUEST_URI", None)
        assert raw_target(request) == "/files/a%20b?x=1"


def test_refusals_are_logged_without_secrets(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    creds = issue(call=["pick"])
    with caplog.at_level(logging.INFO, logger="capsign.flask"):
        app.test_client().get("/files/H1", headers=bearer(creds))
        app.test_client().get("/files/H1")
    text = caplog.text
    assert "403 denied" in text and "401 missing_credentials" in text
    assert SECRET not in text
    assert creds.signature not in text
