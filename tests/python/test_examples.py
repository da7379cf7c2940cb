"""The runnable examples work as their READMEs say."""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from typing import Any

import capsign

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.parent.name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flask_credentials_example(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("FILESTACK_APP_SECRET", raising=False)
    example = load(ROOT / "examples" / "flask_credentials" / "app.py")
    secret_file = tmp_path / "secret"
    app = example.create_app(secret_file=secret_file, password="pw")
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    client = app.test_client()
    # Anonymous users get no credentials.
    assert client.get("/json").status_code == 401
    anonymous = client.get("/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.post("/login", data={"user": "demo", "password": "nope"}).status_code == 401
    assert client.post("/login", data={"user": "demo", "password": "pw"}).status_code == 302
    creds = client.get("/json").get_json()
    verifier = capsign.Verifier(secret_file.read_text().strip())
    grant = verifier.verify(
        creds["policy"], creds["signature"], call="pick", path="/uploads/demo/cat.png", size=10
    )
    assert grant.policy["call"] == ["pick"]
    assert grant.policy["maxSize"] == 10 * 1024 * 1024
    for request in (
        {"call": "remove"},
        {"call": "pick", "path": "/uploads/mallory/cat.png", "size": 10},
        {"call": "pick", "path": "/uploads/demo/big.bin", "size": 11 * 1024 * 1024},
    ):
        try:
            grant.authorize(**request)
        except capsign.Denied:
            continue
        raise AssertionError(f"allowed {request}")
    page = client.get("/").get_data(as_text=True)
    assert f'options["security"]["policy"] = "{creds["policy"][:40]}' in page
    assert secret_file.read_text().strip() not in page
    # The same secret is reused on the next start.
    again = example.create_app(secret_file=secret_file, password="pw")
    assert again.config["CAPSIGN_SECRET"] == app.config["CAPSIGN_SECRET"]


def test_fastapi_files_example(tmp_path: Path, monkeypatch: Any) -> None:
    from test_asgi import Server

    monkeypatch.setenv("CAPSIGN_FILES_DATA", str(tmp_path))
    monkeypatch.delenv("CAPSIGN_SECRET", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    example = load(ROOT / "examples" / "fastapi_files" / "app.py")
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    server = Server(example.app)
    try:
        import http.client
        import json

        def call(method: str, target: str, body: bytes | None = None) -> tuple[int, Any]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request(method, target, body=body)
            r = conn.getresponse()
            raw = r.read()
            conn.close()
            return r.status, raw

        status, raw = call("GET", "/credentials")
        creds = json.loads(raw)
        q = f"policy={creds['policy']}&signature={creds['signature']}"
        status, raw = call("POST", f"/files?path=/uploads/demo/a.txt&{q}", b"hello")
        assert status == 201, raw
        stored = json.loads(raw)
        assert call("GET", stored["read"]) == (200, b"hello")
        # Another folder, a bigger file, no credentials: refused by capsign.
        assert call("POST", f"/files?path=/uploads/other/a.txt&{q}", b"x")[0] == 403
        assert (
            call("POST", f"/files?path=/uploads/demo/big&{q}", b"x" * (1024 * 1024 + 1))[0] == 403
        )
        assert call("GET", f"/files/{stored['handle']}")[0] == 401
        assert call("GET", stored["read"].replace(stored["handle"], "A" * 20, 1))[0] == 403
    finally:
        server.stop()
