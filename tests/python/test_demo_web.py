"""The demo's credential service (examples/demo/web/app.py) against what a hostile page
or user would send: open redirects, cross-site logins, odd passwords and bodies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import capsign
from test_examples import ROOT, load

USERS = "alice:pässwörd-ü,bob:pw2"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    secret = tmp_path / "secret"
    secret.write_text(capsign.generate_secret())
    key = tmp_path / "node.key"
    key.write_text(capsign.SigningKey.generate().to_text())
    monkeypatch.setenv("DEMO_SECRET_FILE", str(secret))
    monkeypatch.setenv("DEMO_NODE_KEY_FILE", str(key))
    monkeypatch.setenv("DEMO_USERS", USERS)
    app = load(ROOT / "examples" / "demo" / "web" / "app.py").create_app()
    return app.test_client()


def csrf(client: Any) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "the login form carries a CSRF token"
    return match.group(1)


def login(client: Any, next_url: str = "/", **extra: str) -> Any:
    form = {"user": "alice", "password": "pässwörd-ü", "csrf": csrf(client), **extra}
    return client.post(f"/login?next={next_url}", data=form)


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/%2F/x"],
)
def test_login_never_redirects_off_site(client: Any, target: str) -> None:
    r = login(client, target)
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_login_goes_back_to_a_page_of_the_demo(client: Any) -> None:
    assert login(client, "/mint").headers["Location"] == "/mint"


def test_a_cross_site_login_or_logout_is_refused(client: Any) -> None:
    token = csrf(client)
    form = {"user": "alice", "password": "pässwörd-ü", "csrf": token}
    assert (
        client.post("/login", data=form, headers={"Origin": "http://evil.example"}).status_code
        == 403
    )
    assert client.post("/login", data={**form, "csrf": "forged"}).status_code == 403
    assert (
        client.post("/login", data={"user": "alice", "password": "pässwörd-ü"}).status_code == 403
    )
    assert client.post("/logout", data={}).status_code == 403


def test_non_ascii_and_wrong_passwords_are_answered_not_crashed(client: Any) -> None:
    assert login(client).status_code == 302
    client.post("/logout", data={"csrf": csrf(client)})
    wrong = client.post(
        "/login", data={"user": "alice", "password": "ü" * 50, "csrf": csrf(client)}
    )
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    "body", ["[]", '"text"', "3", "null", '{"commands": "id"}', '{"commands": [1]}']
)
def test_bodies_that_are_not_the_expected_object_are_refused(client: Any, body: str) -> None:
    login(client)
    headers = {"Content-Type": "application/json"}
    assert client.post("/mint", data=body, headers=headers).status_code == 400
    assert client.post("/read-link", data=body, headers=headers).status_code == 400


def test_the_mint_page_signs_with_the_node_key_and_shows_how_to_check(client: Any) -> None:
    login(client)
    r = client.post("/mint", json={"commands": ["id", "cat"], "lifetime": "60"})
    assert r.status_code == 200
    minted = r.get_json()
    assert minted["permissions"] == ["id", "cat *"]
    verifier = capsign.Verifier(public_keys={minted["peer_id"]: minted["peer_id"]})
    assert verifier.verify_token(minted["token"], command="id").kid == minted["peer_id"]
    assert minted["verify"].startswith(f"capsign verify --peer-id {minted['peer_id']} ")


@pytest.mark.parametrize("jti", ["-Lx3q9Zp0aB1cD2eF", "Lx3q9Zp0aB1cD2e_", "--recursive"])
def test_the_revoke_permission_names_exactly_that_jti(jti: str) -> None:
    # A jti may begin with `-` (token_urlsafe): unquoted, the permission read it as a flag
    # and the node refused the revocation (403), one time in 64.
    app = load(ROOT / "examples" / "demo" / "web" / "app.py")
    permission = capsign.Permission(app.revoke_permission(jti))
    request = f"/api/v0/token/revoke?arg={jti}&expiry=1800000000"
    assert permission.matches(capsign.rpc_command("/api/v0", request))
    other = f"/api/v0/token/revoke?arg={jti}x&expiry=1800000000"
    assert not permission.matches(capsign.rpc_command("/api/v0", other))
