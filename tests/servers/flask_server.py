"""A Flask service for the real-client suites: a Kubo-like RPC API and Filestack-style
file routes, every request checked by ``capsign.flask``.

    python tests/servers/flask_server.py PORT      # prints "ready <port> <peer id> <root token>"

The RPC API keeps its blocks in memory and answers like Kubo (NDJSON ``add``, ``Pins``,
``Keys``, ``{"Message","Code","Type"}`` errors), so kubo-rpc-client, ipfs-http-client and
ipfshttpclient run against it unchanged. Its tokens are signed with the node's Ed25519
key (``CAPSIGN_NODE_SEED``, or a new one), and its verifier holds only the public key.
The file routes take Filestack credentials signed with ``CAPSIGN_SECRET`` (header, query,
or the ``security=`` path task of the CDN form that filestack-js writes).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
from typing import Any

from flask import Flask, Response, g, jsonify, request

import capsign
from capsign.flask import Capsign

PREFIX = "/api/v0"
VERSION = "0.7.0-capsign"
ROOT_PERMISSIONS = [
    "add [--pin]",
    "cat [--offset=*] [--length=*] *",
    "pin add [--recursive] *",
    "pin rm [--recursive] *",
    "pin ls [--type=*] **",
    "id",
    "version",
]
_TRUE = {"", "1", "t", "true"}
_FALSE = {"0", "f", "false"}
CID = re.compile(r"b[a-z2-7]{58}")


def cid_of(data: bytes) -> str:
    """CIDv1, raw codec, sha2-256, base32 (lowercase, unpadded)."""
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def parse_bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    return default


def kubo_error(status: int, message: str) -> Response:
    response = jsonify(Message=message, Code=0, Type="error")
    response.status_code = status
    return response


def ndjson(objects: list[dict[str, Any]]) -> Response:
    body = "".join(json.dumps(o) + "\n" for o in objects)
    return Response(body, mimetype="application/json", headers={"X-Chunked-Output": "1"})


def create_app(secret: str, seed: str | None = None, store: Any = None) -> Flask:
    key = capsign.SigningKey(seed) if seed else capsign.SigningKey.generate()
    app = Flask(__name__)
    app.config.update(
        CAPSIGN_SECRET=secret, CAPSIGN_PUBLIC_KEYS={key.public_key.peer_id: key.public_key}
    )
    ext = Capsign(app, store=store)
    signer = capsign.Signer(signing_key=key)
    peer_id = key.public_key.peer_id
    public_proto = base64.b64encode(
        bytes([8, 1, 18, 32]) + base64.urlsafe_b64decode(key.public_key.to_base64url() + "=")
    ).decode()
    blocks: dict[str, bytes] = {}
    pins: dict[str, str] = {}
    app.config["ROOT_TOKEN"] = signer.issue(permissions=ROOT_PERMISSIONS, expires_in=3600).token
    app.config["PEER_ID"] = peer_id
    rpc = ext.require(rpc=PREFIX, ignore=capsign.KUBO_IGNORE)

    def cids() -> list[str] | None:
        args = [a.removeprefix("/ipfs/") for a in request.args.getlist("arg")]
        return args if all(CID.fullmatch(a) for a in args) else None

    @app.post(f"{PREFIX}/add")
    @rpc
    def add() -> Response:
        if not request.files:
            return kubo_error(400, "add takes a multipart/form-data body (one part per file)")
        added = []
        for part in request.files.values():
            if part.mimetype == "application/x-directory":
                continue
            data = part.read()
            cid = cid_of(data)
            blocks[cid] = data
            added.append({"Name": part.filename or cid, "Hash": cid, "Size": str(len(data))})
        if parse_bool(request.args.get("pin"), True):
            pins.update((a["Hash"], "recursive") for a in added)
        return ndjson(added)

    @app.post(f"{PREFIX}/cat")
    @rpc
    def cat() -> Response:
        named = cids()
        if not named or len(named) != 1 or named[0] not in blocks:
            return kubo_error(404, "block not found")
        return Response(blocks[named[0]], mimetype="text/plain")

    @app.post(f"{PREFIX}/pin/add")
    @rpc
    def pin_add() -> Response:
        named = cids()
        if not named or any(c not in blocks for c in named):
            return kubo_error(404, "block not found")
        kind = "recursive" if parse_bool(request.args.get("recursive"), True) else "direct"
        pins.update((c, kind) for c in named)
        return jsonify(Pins=named)

    @app.post(f"{PREFIX}/pin/rm")
    @rpc
    def pin_rm() -> Response:
        named = cids()
        if not named or any(c not in pins for c in named):
            return kubo_error(404, "not pinned")
        for c in named:
            del pins[c]
        return jsonify(Pins=named)

    @app.post(f"{PREFIX}/pin/ls")
    @rpc
    def pin_ls() -> Response:
        kind = request.args.get("type", "all")
        listed = [(c, t) for c, t in pins.items() if kind in ("all", t)]
        if parse_bool(request.args.get("stream"), False):
            return ndjson([{"Cid": c, "Type": t} for c, t in listed])
        return jsonify(Keys={c: {"Type": t} for c, t in listed})

    @app.post(f"{PREFIX}/id")
    @rpc
    def node_id() -> Response:
        return jsonify(
            ID=peer_id,
            PublicKey=public_proto,
            Addresses=[],
            AgentVersion="capsign-flask/0.1.0",
            Protocols=[],
        )

    @app.post(f"{PREFIX}/version")
    @rpc
    def version() -> Response:
        return jsonify(Version=VERSION, Commit="", Repo="", System="python", Golang="")

    def handle_of(path: str) -> dict[str, str]:
        return {"handle": path.rsplit("/", 1)[-1].split("+", 1)[0]}

    # Filestack's CDN form: /cdn/<apikey>/<tasks…>/security=…/<handle> (the core takes
    # the security task out of the path before anything else reads it).
    @app.get("/cdn/<path:rest>")
    @ext.require(call="read", security_task=True, fields=lambda r: handle_of(r.path))
    def cdn(rest: str) -> Response:
        return jsonify(served=handle_of(request.path)["handle"], kid=g.capsign.kid)

    @app.route("/api/file/<handle>", methods=["GET", "HEAD"])
    @ext.require(
        call="read", fields=lambda r: {"handle": (r.view_args or {})["handle"].split("+")[0]}
    )
    def retrieve(handle: str) -> Response:
        return jsonify(served=handle.split("+", maxsplit=1)[0])

    @app.get("/api/file/<handle>/metadata")
    @ext.require(call="stat", fields=lambda r: {"handle": (r.view_args or {})["handle"]})
    def metadata(handle: str) -> Response:
        return jsonify(handle=handle, size=0, mimetype="application/octet-stream")

    # Revocation through this process's store (a token with the permission `revoke`).
    @app.post("/admin/revoke")
    @ext.require(command="revoke")
    def revoke() -> Response:
        assert ext.store is not None, "started without REDIS_URL"
        ext.store.revoke(jti=request.args["jti"], expiry=int(request.args["expiry"]))  # type: ignore[attr-defined]
        return jsonify(revoked=request.args["jti"])

    return app


def main() -> int:
    port = int(sys.argv[1])
    store = None
    if os.environ.get("REDIS_URL"):
        import redis

        from capsign.stores import RedisStore

        client = redis.Redis.from_url(
            os.environ["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1
        )
        store = RedisStore(client)
    app = create_app(os.environ["CAPSIGN_SECRET"], os.environ.get("CAPSIGN_NODE_SEED"), store)
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    print(
        f"ready {server.server_port} {app.config['PEER_ID']} {app.config['ROOT_TOKEN']}", flush=True
    )
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
