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
