"""The refusals the Flask extension must hold (hostile-testing findings), through Flask's
test client: the clock is never the client's, a route names what it needs, one
Authorization header, look-alikes, log lines that cannot be forged."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import Any

import pytest
from flask import Flask, g, request
from werkzeug.serving import make_server

import capsign
from capsign.flask import Capsign
from conftest import SECRET


def issue(**claims: Any) -> capsign.Credentials:
    return capsign.Signer(SECRET).issue(**claims)


def bearer(creds: capsign.Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {creds.token}"}


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["CAPSIGN_SECRET"] = SECRET
    ext = Capsign(app)

    # The whole JSON body as fields: what a careless application does.
    @app.post("/store")
    @ext.require(call="store", fields=lambda r: r.get_json(silent=True) or {})
    def store() -> dict[str, Any]:
        return {"stored": True}

    @app.post("/remove")
    @ext.require(call="remove", fields=lambda r: r.get_json(silent=True) or {})
    def remove() -> dict[str, Any]:
        return {"removed": True}

    @app.route("/rest/<path:rest>", methods=["GET", "POST"])
    @ext.require(rest=True)
    def rest_view(rest: str) -> dict[str, Any]:
        return {"allowed_by": g.capsign.matched}

    @app.get("/read/<handle>")
    @ext.require(call="read", fields=lambda r: {"handle": r.view_args["handle"]})
    def read(handle: str) -> dict[str, Any]:
        return {"handle": handle}

    @app.post("/api/v0/<path:rest>")
    @ext.require(rpc="/api/v0", ignore=capsign.KUBO_IGNORE)
    def rpc(rest: str) -> dict[str, Any]:
        return {"allowed_by": g.capsign.matched}

    @app.get("/<path:rest>")
    @ext.require(
        call="convert",
        fields=lambda r: {"handle": r.path.rsplit("/", 1)[-1]},
        security_task=True,
    )
    def transform(rest: str) -> dict[str, Any]:
        return {"handle": request.path.rsplit("/", 1)[-1]}

    @app.get("/who")
    @ext.require(authenticate_only=True)
    def who() -> dict[str, Any]:
        return {"expiry": g.capsign.expiry}

    return app


def test_the_time_of_a_check_never_comes_from_the_request(app: Flask) -> None:
    now = int(time.time())
    expired = capsign.Signer(SECRET).issue(
        expiry=now - 10, now=now - 100, call=["store"], path="/u/.*", max_size=10
    )
    body = {"now": 0, "path": "/u/a", "size": 1}
    r = app.test_client().post("/store", headers=bearer(expired), json=body)
    assert r.status_code == 401 and r.get_json()["error"] == "expired"


def test_fields_cannot_name_the_call(app: Flask) -> None:
    creds = issue(call=["read"])
    r = app.test_client().post("/remove", headers=bearer(creds), json={"call": "read"})
    assert r.status_code == 403 and r.get_json()["error"] == "denied"


def test_a_field_of_the_wrong_type_is_a_bad_request(app: Flask) -> None:
    creds = issue(call=["store"], path="/u/.*", max_size=10)
    # The same bodies as the Express suite, as raw JSON text: a boolean size is not 1, and
    # "\\ud800" is a lone surrogate once parsed.
    for body in (
        '{"path":"/u/a","size":true}',
        '{"path":5,"size":1}',
        '{"path":"/u/a","size":-1}',
        '{"path":"/u/a","size":1.5}',
        '{"path":"/u/a","size":"1"}',
        '{"path":"/u/a\\ud800","size":1}',
        '{"path":["/u/a"],"size":1}',
    ):
        r = app.test_client().post(
            "/store", headers=bearer(creds), data=body, content_type="application/json"
        )
        assert r.status_code == 400 and r.get_json()["error"] == "invalid_command", body
    r = app.test_client().post("/store", headers=bearer(creds), json={"path": "/u/a", "size": 1})
    assert r.status_code == 200


def test_a_storage_path_must_be_normalized(app: Flask) -> None:
    creds = issue(call=["store"], path="/uploads/alice/.*", max_size=100)
    body = {"path": "/uploads/alice/../bob/evil.txt", "size": 1}
    r = app.test_client().post("/store", headers=bearer(creds), json=body)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_command"


def test_a_require_that_names_nothing_is_refused_at_setup() -> None:
    app = Flask(__name__)
    app.config["CAPSIGN_SECRET"] = SECRET
    ext = Capsign(app)
    with pytest.raises(capsign.InvalidArgument) as raised:
        ext.require()
    assert raised.value.field == "route"
    with pytest.raises(capsign.InvalidArgument):
        ext.require(fields=lambda r: {"handle": "x"})
    with pytest.raises(capsign.InvalidArgument):
        ext.require(authenticate_only=True, call="read")
    with pytest.raises(capsign.InvalidArgument):
        ext.require(rest=True, ignore=["stream"])
    with pytest.raises(capsign.InvalidArgument):
        ext.require(call="delete")


def test_authenticate_only_says_so(app: Flask) -> None:
    creds = issue(call=[], permissions=[])
    assert app.test_client().get("/who", headers=bearer(creds)).status_code == 200
    assert app.test_client().get("/who").status_code == 401


def test_the_authorization_header_twice_is_refused(app: Flask) -> None:
    good = issue(call=["read"], handle="H1")
    headers = [("Authorization", f"Bearer {good.token}"), ("Authorization", "Bearer x.y")]
    r = app.test_client().get("/read/H1", headers=headers)
    assert r.status_code == 401 and r.get_json()["error"] == "malformed"
    headers.reverse()
    assert app.test_client().get("/read/H1", headers=headers).status_code == 401


def test_the_authorization_header_twice_is_refused_over_http(app: Flask) -> None:
    # A WSGI server joins a repeated header into one value with a comma (the test client
    # does not): the core refuses that value as the repeat it is.
    good = issue(call=["read"], handle="H1")
    query = f"policy={good.policy}&signature={good.signature}"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def get(target: str, *authorization: str) -> tuple[int, str]:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
            lines += [f"Authorization: {value}" for value in authorization]
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode()

    try:
        assert get("/read/H1", f"Bearer {good.token}")[0] == 200
        for values in (
            (f"Bearer {good.token}", "Bearer x.y"),
            ("Bearer x.y", f"Bearer {good.token}"),
            (f"Bearer {good.token}", f"Bearer {good.token}"),
        ):
            status, body = get("/read/H1", *values)
            assert status == 401 and json.loads(body)["error"] == "malformed", values
        # Two Basic headers beside query credentials: refused, as in every adapter.
        status, body = get(f"/read/H1?{query}", "Basic dXNlcjpwYXNz", "Basic dXNlcjpwYXNz")
        assert status == 401 and json.loads(body)["error"] == "malformed"
        assert get(f"/read/H1?{query}", "Basic dXNlcjpwYXNz")[0] == 200
    finally:
        server.shutdown()
        thread.join()


@pytest.mark.parametrize("path", ["..;/x", ".;/x", "..%20/x", ".../x", "%2e%2e;/x"])
def test_traversal_look_alikes_are_refused(app: Flask, path: str) -> None:
    creds = issue(permissions=["GET /rest"])
    r = app.test_client().get(f"/rest/{path}", headers=bearer(creds))
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_command"


def test_an_absolute_form_target_cannot_be_mapped(app: Flask) -> None:
    creds = issue(permissions=["GET /rest"], call=["read"], handle="H1")
    client = app.test_client()
    absolute = {"RAW_URI": "http://127.0.0.1/rest/a", "REQUEST_URI": "http://127.0.0.1/rest/a"}
    r = client.get("/rest/a", headers=bearer(creds), environ_overrides=absolute)
    assert r.status_code == 400
    # A route that maps nothing does not look at the target's form.
    absolute = {"RAW_URI": "http://127.0.0.1/read/H1"}
    r = client.get("/read/H1", headers=bearer(creds), environ_overrides=absolute)
    assert r.status_code == 200


def test_refusal_logs_cannot_be_forged(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="capsign.flask"):
        app.test_client().get("/read/a%0d%0aINFO%20forged%1b[31m")
    lines = [r.getMessage() for r in caplog.records if r.name == "capsign.flask"]
    assert lines, caplog.records
    for line in lines:
        assert "\r" not in line and "\n" not in line and "\x1b" not in line, line


def test_kubo_clients_requests_on_an_rpc_route(app: Flask) -> None:
    creds = issue(permissions=["pin add [--recursive] *", "pin ls [--type=*]", "version"])
    client = app.test_client()
    for target in (
        "/api/v0/pin/add?recursive=true&stream=true&arg=QmX",
        "/api/v0/pin/ls?names=false&stream=true",
        "/api/v0/pin/add?stream-channels=true&recursive=True&arg=QmX",
        "/api/v0/version?timeout=5000ms",
    ):
        assert client.post(target, headers=bearer(creds)).status_code == 200, target
    r = client.post("/api/v0/pin/add?arg=QmX&only-hash=true", headers=bearer(creds))
    assert r.status_code == 403
    # Query credentials are credentials, never flags.
    q = f"/api/v0/version?policy={creds.policy}&signature={creds.signature}"
    assert client.post(q).status_code == 200


def test_filestack_security_tasks_in_the_path(app: Flask) -> None:
    creds = issue(call=["convert"], handle="KW9EJhYtS6y48Whm2S6D")
    client = app.test_client()
    task = f"security=p:{creds.policy},s:{creds.signature}"
    url = f"/APIKEY/resize=width:100/{task}/KW9EJhYtS6y48Whm2S6D"
    assert client.get(url).status_code == 200
    quoted = (
        f'/APIKEY/security=policy:"{creds.policy}",signature:{creds.signature}/KW9EJhYtS6y48Whm2S6D'
    )
    assert client.get(quoted).status_code == 200
    other = f"/APIKEY/security=p:{creds.policy},s:{creds.signature}/OTHERHANDLE"
    assert client.get(other).status_code == 403
    broken = f"/APIKEY/security=p:{creds.policy}/KW9EJhYtS6y48Whm2S6D"
    assert client.get(broken).get_json()["error"] == "malformed"


def test_fields_and_commands_run_only_once_the_credentials_hold() -> None:
    # The application's functions may read the body (get_json raises on a bad one): for a
    # request whose credentials do not hold they never run, so the answer is the 401.
    app = Flask(__name__)
    app.config["CAPSIGN_SECRET"] = SECRET
    ext = Capsign(app)
    calls: list[str] = []

    def fields(r: Any) -> dict[str, Any]:
        calls.append("fields")
        return dict(r.get_json())

    def command(r: Any) -> str:
        calls.append("command")
        return "pin ls"

    @app.post("/store")
    @ext.require(call="store", fields=fields)
    def store() -> dict[str, Any]:
        return {"stored": True}

    @app.post("/pins")
    @ext.require(command=command)
    def pins() -> dict[str, Any]:
        return {"ok": True}

    client = app.test_client()
    good = issue(call=["store"], path="/u/.*", max_size=10)
    expired = capsign.Signer(SECRET).issue(expiry=int(time.time()) - 10, now=int(time.time()) - 100)
    bad_signature = {
        "Authorization": f"Bearer {good.token[:-1]}{'1' if good.token[-1] == '0' else '0'}"
    }
    for path in ("/store", "/pins"):
        for headers, code in (
            ({}, "missing_credentials"),
            (bad_signature, "bad_signature"),
            (bearer(expired), "expired"),
            ({"Authorization": "Bearer x.y"}, "malformed"),
        ):
            r = client.post(
                path, headers=headers, data=b"{not json", content_type="application/json"
            )
            assert (r.status_code, r.get_json()["error"]) == (401, code), (path, code)
    assert calls == []
    r = client.post("/store", headers=bearer(good), json={"path": "/u/a", "size": 1})
    assert r.status_code == 200 and calls == ["fields"]
    pins_token = issue(permissions=["pin ls"])
    assert client.post("/pins", headers=bearer(pins_token)).status_code == 200
    assert calls == ["fields", "command"]


def test_a_size_written_with_a_zero_fraction_is_that_integer(app: Flask) -> None:
    # JavaScript cannot tell 5.0 from 5: both languages read it as 5. Past 2^53, 400.
    creds = issue(call=["store"], path="/u/.*", max_size=10)
    for body, status in (
        ('{"path":"/u/a","size":5.0}', 200),
        ('{"path":"/u/a","size":1e1}', 200),
        ('{"path":"/u/a","size":-0.0}', 200),
        ('{"path":"/u/a","size":11.0}', 403),
        ('{"path":"/u/a","size":1e19}', 400),
        ('{"path":"/u/a","size":9007199254740992}', 400),
        ('{"path":"/u/a","size":18446744073709551616}', 400),
        ('{"path":"/u/a","size":1e308}', 400),
    ):
        r = app.test_client().post(
            "/store", headers=bearer(creds), data=body, content_type="application/json"
        )
        assert r.status_code == status, (body, r.get_json())


def test_the_method_and_target_are_the_ones_flask_routes(app: Flask) -> None:
    # Werkzeug upper-cases the method and routes `get` to the GET view: that is checked.
    creds = issue(permissions=["GET /rest/a", "GET /rest/caf\u00e9"])
    r = app.test_client().open("/rest/a", method="get", headers=bearer(creds))
    assert (r.status_code, r.get_json()["allowed_by"]) == (200, "GET /rest/a")
    # A path sent as raw UTF-8 (Werkzeug's test client, curl) reaches WSGI as Latin-1
    # text: encoded back, it is the path Flask routes (not `cafÃ©`, and not refused).
    for target in ("/rest/caf\u00e9", "/rest/caf%C3%A9"):
        r = app.test_client().get(target, headers=bearer(creds))
        assert (r.status_code, r.get_json()["allowed_by"]) == (200, "GET /rest/caf\u00e9")
    r = app.test_client().get("/rest/a%23x", headers=bearer(creds))
    assert r.status_code == 403


def test_a_raw_target_a_server_passed_decoded_is_read_not_a_crash(app: Flask) -> None:
    # PEP 3333 says Latin-1 text; a server that passes decoded text (here 中) gets its
    # UTF-8 percent-encoded, as a client should have sent it: checked, never a 500.
    creds = issue(permissions=["GET /rest/\u4e2d"])
    r = app.test_client().get(
        "/rest/%E4%B8%AD",
        headers=bearer(creds),
        environ_overrides={"RAW_URI": "/rest/\u4e2d"},
    )
    assert (r.status_code, r.get_json()["allowed_by"]) == (200, "GET /rest/\u4e2d")
