#!/usr/bin/env python3
"""Start the capsign demo: the Flask credential service and the Express file API.

    make demo                       # builds what it needs, then runs this

Embedded defaults, no account and no external service: a signing secret (for the file
API's Filestack-style credentials) is generated on first run into
`examples/demo/data/secret`, the RPC node's Ed25519 key into `data/node.key`, two users
(alice, bob) get passwords generated into `data/users.json` (all mode 600); uploads go to
`data/files/`.
Everything listens on 127.0.0.1. Ctrl-C stops both servers.

Environment (all optional): DEMO_HOST, DEMO_WEB_PORT (8000), DEMO_API_PORT (8001),
DEMO_DATA, DEMO_USERS ("alice:pw,bob:pw"), DEMO_MAX_UPLOAD (bytes), DEMO_READ_LINK_SECONDS.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def fail(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def private_file(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(content)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_listening(host: str, port: int, child: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def check_prerequisites(host: str, ports: dict[str, int]) -> str:
    """Everything the demo needs, with a clear word if something is missing: node's path."""
    try:
        import capsign  # noqa: F401
    except ImportError:
        fail("the Python package is not built: run `make demo` (or `make python`)")
    node = shutil.which("node")
    if node is None:
        fail("node is not installed (Node 18 or later is needed for the file API)")
    probe = subprocess.run(
        [node, "-e", "require('capsign'); require('express')"],
        cwd=HERE / "api",
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        fail("the Node package is not built: run `make demo` (or `make node`)")
    for variable, port in ports.items():
        if not port_free(host, port):
            fail(f"port {port} on {host} is taken: stop what uses it, or set {variable}")
    return node


def prepare_data(data: Path) -> tuple[Path, Path, str]:
    """The embedded defaults, generated once and readable only by you: the signing
    secret's file, the node key's file, and the users as `name:password,…`."""
    import capsign

    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = data / "secret"
    if not secret_file.exists():
        private_file(secret_file, capsign.generate_secret() + "\n")
    node_key_file = data / "node.key"
    if not node_key_file.exists():
        private_file(node_key_file, capsign.SigningKey.generate().to_text() + "\n")
    users = os.environ.get("DEMO_USERS")
    if users is None:
        users_file = data / "users.json"
        if not users_file.exists():
            generated = {name: secrets.token_urlsafe(9) for name in ("alice", "bob")}
            private_file(users_file, json.dumps(generated, indent=2) + "\n")
        users = ",".join(f"{u}:{p}" for u, p in json.loads(users_file.read_text()).items())
    return secret_file, node_key_file, users


def supervise(children: list[tuple[str, int, subprocess.Popen[bytes]]]) -> None:
    """Waits until a server stops (Ctrl-C raises KeyboardInterrupt meanwhile)."""
    while all(child.poll() is None for _, _, child in children):
        time.sleep(0.2)
    dead = [name for name, _, child in children if child.poll() is not None]
    raise RuntimeError(f"the {', '.join(dead)} server stopped unexpectedly")


def main() -> int:
    host = os.environ.get("DEMO_HOST", "127.0.0.1")
    web_port = int(os.environ.get("DEMO_WEB_PORT", "8000"))
    api_port = int(os.environ.get("DEMO_API_PORT", "8001"))
    data = Path(os.environ.get("DEMO_DATA", HERE / "data")).resolve()
    node = check_prerequisites(host, {"DEMO_WEB_PORT": web_port, "DEMO_API_PORT": api_port})
    secret_file, node_key_file, users = prepare_data(data)
    reachable = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104
    web_origin = f"http://{reachable}:{web_port}"
    api_url = f"http://{reachable}:{api_port}"
    env = {
        **os.environ,
        "DEMO_HOST": host,
        "DEMO_WEB_PORT": str(web_port),
        "DEMO_API_PORT": str(api_port),
        "DEMO_DATA": str(data),
        "DEMO_SECRET_FILE": str(secret_file),
        "DEMO_NODE_KEY_FILE": str(node_key_file),
        "DEMO_USERS": users,
        "DEMO_WEB_ORIGIN": web_origin,
        "DEMO_API_URL": api_url,
        "PYTHONUNBUFFERED": "1",
    }
    # Own sessions: Ctrl-C reaches this launcher only, which then stops both in order.
    children = [
        (name, port, subprocess.Popen(command, env=env, start_new_session=True))
        for name, port, command in (
            ("api", api_port, [node, str(HERE / "api" / "server.js")]),
            ("web", web_port, [sys.executable, str(HERE / "web" / "app.py")]),
        )
    ]

    def stop(*_: object) -> None:
        for _, _, child in children:
            if child.poll() is None:
                child.terminate()
        for _, _, child in children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    # Even when started with SIGINT ignored (as a background job), Ctrl-C stops the demo.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    names = ", ".join(f"{u} / {p}" for u, _, p in (e.partition(":") for e in users.split(",")))
    try:
        for name, port, child in children:
            if not wait_listening(reachable, port, child, 20):
                raise RuntimeError(f"the {name} server did not start (see its output above)")
        print(
            f"\ncapsign demo ready: open {web_origin}  (log in as {names})\n"
            f"  file and RPC API: {api_url}   data: {data}\n"
            "  Ctrl-C to stop.\n",
            flush=True,
        )
        supervise(children)
    except KeyboardInterrupt:
        print("\ndemo: stopping…", flush=True)
        stop()
        print("demo: stopped.", flush=True)
        return 0
    except RuntimeError as e:
        stop()
        fail(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
