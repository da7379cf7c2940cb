"""ipfshttpclient 0.7 (PyPI), unchanged, against the Express RPC example (a node process)
and the Flask RPC app of tests/servers/flask_server.py (a werkzeug server in a thread):
each operation with the permission the README documents, 403 without it, 401 without a
token."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipfshttpclient
import pytest

import capsign

# urllib3 2 warns about a parameter ipfshttpclient 0.7 passes: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The 'strict' parameter:FutureWarning")
ROOT = Path(__file__).resolve().parents[2]
NODE_KEY = capsign.SigningKey.generate()
SIGNER = capsign.Signer(signing_key=NODE_KEY)
DOCUMENTED = {
    "version": "version",
    "id": "id",
    "add": "add",
    "cat": "cat *",
    "pin add": "pin add [--recursive] *",
    "pin rm": "pin rm [--recursive] *",
    "pin ls": "pin ls [--type=*] **",
}


def token(*permissions: str) -> str:
    return SIGNER.issue(permissions=list(permissions), expires_in=600).token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cid_of(data: bytes) -> str:
    """CIDv1 raw sha2-256 in base32, computed here from the multiformats specification."""
    raw = bytes([0x01, 0x55, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


@pytest.fixture(scope="module")
def express_rpc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    node = shutil.which("node")
    assert node is not None, "node is needed for the Express example"
    data = tmp_path_factory.mktemp("rpc")
    key_file = data / "node.key"
    key_file.write_text(NODE_KEY.to_text() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "CAPSIGN_RPC_DATA": str(data)}
    child = subprocess.Popen(
        [node, str(ROOT / "examples/express_rpc/server.js")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert "capsign RPC API on" in line, line + child.stdout.read()
    yield f"/ip4/127.0.0.1/tcp/{port}/http"
    child.terminate()
    child.wait(10)


@pytest.fixture(scope="module")
def flask_rpc() -> Iterator[str]:
    from werkzeug.serving import make_server

    spec = importlib.util.spec_from_file_location(
        "flask_server", ROOT / "tests/servers/flask_server.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.create_app("filestack-secret-of-the-tests", NODE_KEY.to_text())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"/ip4/127.0.0.1/tcp/{server.server_port}/http"
    server.shutdown()
    thread.join(10)


def connect(addr: str, *permissions: str) -> Any:
    headers = {"Authorization": f"Bearer {token(*permissions)}"} if permissions else {}
    return ipfshttpclient.Client(addr, headers=headers)


def status_of(call: Callable[[Any], object], client: Any) -> int:
    try:
        call(client)
    except ipfshttpclient.exceptions.ErrorResponse as e:
        return int(e.original.response.status_code)
    except ipfshttpclient.exceptions.StatusError as e:
        return int(e.original.response.status_code)
    return 200


@pytest.mark.parametrize("server", ["express_rpc", "flask_rpc"])
def test_ipfshttpclient_does_exactly_what_each_permission_allows(
    server: str, request: pytest.FixtureRequest
) -> None:
    addr = request.getfixturevalue(server)
    data = f"hello from ipfshttpclient to {server}\n".encode()
    expected = cid_of(data)

    # connect() checks the node's version first, with the same token: 0.7.0 is accepted.
    version_only = {"Authorization": f"Bearer {token('version')}"}
    connected = ipfshttpclient.connect(addr, headers=version_only)
    assert connected.version()["Version"].startswith("0.7.0")

    def only(op: str) -> Any:
        return connect(addr, DOCUMENTED[op])

    peer = only("id").id()["ID"]
    assert peer == NODE_KEY.public_key.peer_id
    assert only("add").add_bytes(data) == expected
    assert only("cat").cat(f"/ipfs/{expected}") == data
    assert only("cat").cat(expected) == data
    assert only("pin add").pin.add(expected)["Pins"] == [expected]
    listed = only("pin ls").pin.ls(type="recursive")["Keys"]
    assert listed[expected]["Type"] == "recursive"
    assert only("pin rm").pin.rm(expected)["Pins"] == [expected]

    calls: dict[str, Callable[[Any], object]] = {
        "version": lambda c: c.version(),
        "id": lambda c: c.id(),
        "add": lambda c: c.add_bytes(data),
        "cat": lambda c: c.cat(expected),
        "pin add": lambda c: c.pin.add(expected),
        "pin rm": lambda c: c.pin.rm(expected),
        "pin ls": lambda c: c.pin.ls(),
    }
    for op, call in calls.items():
        other = "id" if op == "version" else "version"
        assert status_of(call, connect(addr, DOCUMENTED[other])) == 403, op
        assert status_of(call, connect(addr)) == 401, op
    # Python sends booleans as True/False: recursive=False is the absent flag.
    everything = connect(addr, *DOCUMENTED.values())
    everything.pin.add(expected, recursive=False)
    assert everything.pin.ls(type="direct")["Keys"][expected]["Type"] == "direct"
    everything.pin.rm(expected, recursive=False)
