"""The command line, through subprocesses (as a shell script would use it)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import capsign
from conftest import SECRET


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CAPSIGN_")}
    return subprocess.run(
        [sys.executable, "-m", "capsign", *args],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


ENV = {"CAPSIGN_SECRET": SECRET}


def test_keygen_prints_a_secret() -> None:
    r = run("keygen")
    assert r.returncode == 0
    secret = r.stdout.strip()
    assert len(secret) == 43
    assert capsign.Signer(secret).issue().token


def test_keygen_writes_a_private_file(tmp_path: Path) -> None:
    out = tmp_path / "secret"
    r = run("keygen", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text().strip()) == 43
    assert out.read_text().strip() not in r.stdout + r.stderr
    again = run("keygen", "--out", str(out))
    assert again.returncode == 4 and "exists" in again.stderr
    assert run("keygen", "--out", str(out), "--force").returncode == 0


def test_issue_then_verify() -> None:
    r = run(
        "issue", "--call", "pick", "--permission", "pin add [-r] *", "--expires-in", "60", env=ENV
    )
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    v = run("verify", token, "--command", "pin add -r QmX", env=ENV)
    assert v.returncode == 0, v.stderr
    out = json.loads(v.stdout)
    assert out["valid"] is True
    assert out["policy"]["call"] == ["pick"]
    assert out["matched"] == "pin add [-r] *"
    assert SECRET not in r.stdout + r.stderr + v.stdout + v.stderr


def test_verify_reads_stdin_and_pairs() -> None:
    r = run("issue", "--format", "json", env=ENV)
    creds = json.loads(r.stdout)
    assert run("verify", "-", env=ENV, stdin=creds["token"] + "\n").returncode == 0
    pair = run("verify", "--policy", creds["policy"], "--signature", creds["signature"], env=ENV)
    assert pair.returncode == 0, pair.stderr
    lines = run("issue", "--format", "pair", env=ENV).stdout.splitlines()
    assert lines[0].startswith("policy=ey") and lines[1].startswith("signature=")


def test_exit_codes() -> None:
    token = run("issue", "--call", "read", env=ENV).stdout.strip()
    denied = run("verify", token, "--call", "remove", env=ENV)
    assert denied.returncode == 3
    assert denied.stderr.startswith("capsign: denied: ")
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    bad = run("verify", tampered, env=ENV)
    assert bad.returncode == 1 and bad.stderr.startswith("capsign: bad_signature: ")
    malformed = run("verify", "garbage", env=ENV)
    assert malformed.returncode == 1 and malformed.stderr.startswith("capsign: malformed: ")
    invalid_command = run("verify", token, "--command", "cat /a/../b", env=ENV)
    assert invalid_command.returncode == 2
    bad_claims = run("issue", "--call", "upload", env=ENV)
    assert bad_claims.returncode == 2 and bad_claims.stderr.startswith("capsign: invalid_policy: ")
    bad_permission = run("issue", "--permission", "pin ** x", env=ENV)
    assert bad_permission.returncode == 2
    assert bad_permission.stderr.startswith("capsign: invalid_permission: ")
    no_secret = run("issue")
    assert no_secret.returncode == 4 and "CAPSIGN_SECRET" in no_secret.stderr
    weak = run("issue", env={"CAPSIGN_SECRET": "short"})
    assert weak.returncode == 4 and weak.stderr.startswith("capsign: weak_secret: ")
    assert "short" not in weak.stderr.split(":", 2)[2].replace("fewer", "")


def test_secrets_never_come_from_argv() -> None:
    r = run("issue", "--secret", SECRET)
    assert r.returncode == 2
    assert "unrecognized arguments: --secret" in r.stderr
    assert SECRET not in r.stdout + r.stderr, "a misplaced secret is not echoed"
    assert run("issue", f"--secret={SECRET}").returncode == 2
    assert SECRET not in run("issue", f"--secret={SECRET}").stderr
    assert run("issue", "--secret-f", "x").returncode == 2, "no abbreviations"


@pytest.mark.parametrize(
    "args",
    [
        ("issue", "--secret-file"),
        ("verify", "--keys-file"),
        ("issue", "--expires-in"),
        ("issue", "--call"),
        ("issue", "--permission"),
        ("issue", "--nbf"),
        ("verify", "--leeway"),
        ("verify", "--command"),
    ],
)
def test_a_value_typed_in_the_wrong_place_is_never_printed_back(args: tuple[str, str]) -> None:
    # A secret pasted as an option's value: whatever the option, the error hides it.
    r = run(*args, SECRET, *(["x.y"] if args[0] == "verify" else []), env=ENV)
    assert SECRET not in r.stdout + r.stderr, r.stderr
    assert f"{args[1]}={SECRET}" not in run(*args[:1], f"{args[1]}={SECRET}", env=ENV).stderr


def test_secret_file_and_keys_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    token = run("issue", "--secret-file", str(secret_file), "--kid", "k1").stdout.strip()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"k1": SECRET}))
    ok = run("verify", token, "--keys-file", str(keys))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["kid"] == "k1"
    unknown = run("verify", token, env=ENV)
    assert unknown.returncode == 1 and "unknown_key" in unknown.stderr
    env_keys = run("verify", token, env={"CAPSIGN_KEYS": json.dumps({"k1": SECRET})})
    assert env_keys.returncode == 0
    missing = run("issue", "--secret-file", str(tmp_path / "nope"))
    assert missing.returncode == 4
    bad_keys = run("verify", token, env={"CAPSIGN_KEYS": "[1]"})
    assert bad_keys.returncode == 4


def test_inspect_says_unverified() -> None:
    token = run("issue", "--call", "read", "--jti", "t-1", env=ENV).stdout.strip()
    forged = token.split(".")[0] + "." + "0" * 64
    r = run("inspect", forged)
    assert r.returncode == 0
    assert "UNVERIFIED" in r.stderr and "NOT checked" in r.stderr
    assert json.loads(r.stdout)["jti"] == "t-1"
    assert run("inspect", "!!").returncode == 1


@pytest.mark.skipif(
    not (Path(sys.executable).parent / "capsign").exists(), reason="console script not installed"
)
def test_console_script() -> None:
    script = Path(sys.executable).parent / "capsign"
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and r.stdout.startswith("capsign ")


def test_ed25519_keygen_pubkey_issue_and_verify_with_only_the_peer_id(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key_file = tmp_path / "signing.key"
    r = run("keygen", "--ed25519", "--out", str(key_file))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    seed_text = key_file.read_text().strip()
    assert len(seed_text) == 43 and seed_text not in r.stdout + r.stderr
    # The printed public key is the one an independent implementation derives from the seed.
    seed = capsign.SigningKey(seed_text)
    raw = Ed25519PrivateKey.from_private_bytes(_b64url(seed_text)).public_key()
    x = raw.public_bytes(Encoding.Raw, PublicFormat.Raw)
    lines = dict(line.split(":", 1) for line in r.stdout.strip().splitlines())
    assert _b64url(lines["public key"].strip()) == x
    peer_id = lines["peer ID"].strip()
    assert peer_id == seed.public_key.peer_id and peer_id.startswith("12D3KooW")
    assert json.loads(lines["JWK"])["kid"] == peer_id
    assert run("keygen", "--ed25519", "--out", str(key_file)).returncode == 4
    assert run("keygen", "--ed25519").returncode == 2

    printed = run("pubkey", "--key-file", str(key_file), "--format", "peer-id").stdout
    assert printed.strip() == peer_id
    key_set = tmp_path / "keys.json"
    key_set.write_text(run("pubkey", "--key-file", str(key_file), "--format", "key-set").stdout)

    token = run("issue", "--key-file", str(key_file), "--call", "read").stdout.strip()
    assert len(token.split(".")[1]) == 86
    for trust in (
        ["--peer-id", peer_id],
        ["--public-key", lines["public key"].strip()],
        ["--key-set", str(key_set)],
    ):
        v = run("verify", *trust, token, "--call", "read")
        assert v.returncode == 0, v.stderr
        assert json.loads(v.stdout)["kid"] == peer_id
    # Another node's peer ID does not verify it; a secret alone does not either.
    other = capsign.SigningKey.generate().public_key.peer_id
    assert run("verify", "--peer-id", other, token).returncode == 1
    assert run("verify", token, env=ENV).returncode == 1
    # Signing with both kinds at once is a usage error; a bad key file is configuration.
    both = run("issue", "--key-file", str(key_file), "--secret-file", str(key_file))
    assert both.returncode == 2
    bad = tmp_path / "bad.key"
    bad.write_text("not a seed\n")
    r = run("issue", "--key-file", str(bad))
    assert r.returncode == 4 and "invalid_argument" in r.stderr
    r = run("issue", "--key-file", str(tmp_path / "missing"))
    assert r.returncode == 4 and "missing" not in r.stderr


def test_a_secret_given_as_a_public_key_is_not_printed() -> None:
    r = run("verify", "--peer-id", "hunter2hunter2hunter2", "x.y")
    assert r.returncode == 4
    assert "hunter2" not in r.stderr


def _b64url(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_keygen_force_replaces_a_readable_file_without_exposing_the_new_secret(
    tmp_path: Path,
) -> None:
    out = tmp_path / "secret"
    out.write_text("old\n")
    out.chmod(0o644)
    link = tmp_path / "link"
    link.symlink_to(out)
    assert run("keygen", "--out", str(out), "--force").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert run("keygen", "--out", str(link), "--force").returncode == 0
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) == 0o600
    assert out.read_text() != link.read_text()
    assert not list(tmp_path.glob(".*.tmp"))


def test_revoke_needs_a_store_and_refuses_what_would_record_nothing() -> None:
    r = run("revoke", "--jti", "x", "--expiry", "1")
    assert r.returncode == 4 and "REDIS_URL" in r.stderr


def test_keygen_without_force_never_replaces_a_file_or_a_link(tmp_path: Path) -> None:
    out = tmp_path / "secret"
    out.write_text("old\n")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    for target in (out, dangling):
        r = run("keygen", "--out", str(target))
        assert r.returncode != 0 and "exists (use --force" in r.stderr, r.stderr
    assert out.read_text() == "old\n"
    assert dangling.is_symlink() and not (tmp_path / "nowhere").exists()
    fresh = tmp_path / "fresh"
    assert run("keygen", "--out", str(fresh)).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600 and fresh.stat().st_nlink == 1
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_key_or_secret_file_others_can_read_is_used_with_a_warning(tmp_path: Path) -> None:
    key_file = tmp_path / "signing.key"
    assert run("keygen", "--ed25519", "--out", str(key_file)).returncode == 0
    quiet = run("pubkey", "--key-file", str(key_file))
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
    key_file.chmod(0o644)
    loud = run("pubkey", "--key-file", str(key_file))
    assert loud.returncode == 0 and loud.stdout == quiet.stdout
    assert "can be read by other users (mode 644): chmod 600 it" in loud.stderr
    assert str(key_file) not in loud.stderr
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    secret_file.chmod(0o640)
    r = run("issue", "--secret-file", str(secret_file), "--call", "read")
    assert r.returncode == 0 and "--secret-file can be read by other users" in r.stderr
    assert SECRET not in r.stderr


def _key_whose(predicate: Callable[[capsign.SigningKey], bool]) -> capsign.SigningKey:
    """A generated key for which `predicate(key)` holds (each tries 1 in 64 or so)."""
    for _ in range(20_000):
        key = capsign.SigningKey.generate()
        if predicate(key):
            return key
    raise AssertionError("no key found")


@pytest.mark.parametrize("dashes", ["-", "--"])
def test_values_that_begin_with_a_dash_are_values(tmp_path: Path, dashes: str) -> None:
    # One random base64url key, signature or jti in 64 begins with "-": argparse would
    # read it as an option (seen as a flaky failure of the Ed25519 test above).
    key = _key_whose(
        lambda k: (
            k.public_key.to_base64url().startswith(dashes)
            and not k.public_key.to_base64url().startswith(dashes + "-")
        )
    )
    key_file = tmp_path / "node.key"
    key_file.write_text(key.to_text())
    key_file.chmod(0o600)
    public = key.public_key.to_base64url()
    jti = f"{dashes}jti-{dashes}x"
    issued = run("issue", "--key-file", str(key_file), "--call", "read", "--jti", jti)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    for trust in (["--public-key", public], [f"--public-key={public}"]):
        v = run("verify", *trust, token, "--call", "read")
        assert v.returncode == 0, v.stderr
        claims = json.loads(v.stdout)
        assert claims["policy"]["jti"] == jti and claims["kid"] == key.public_key.peer_id
    policy, signature = token.split(".")
    pair = run("verify", "--public-key", public, "--policy", policy, "--signature", signature)
    assert pair.returncode == 0, pair.stderr
    kid = f"{dashes}k1"
    with_kid = run("issue", "--kid", kid, "--call", "read", env=ENV)
    assert with_kid.returncode == 0, with_kid.stderr
    assert json.loads(run("inspect", with_kid.stdout.strip()).stdout)["kid"] == kid


def test_a_signature_that_begins_with_a_dash_is_a_value(tmp_path: Path) -> None:
    key_file = tmp_path / "node.key"
    for _ in range(2_000):
        key = capsign.SigningKey.generate()
        token = capsign.Signer(None, signing_key=key).issue(call=["read"]).token
        policy, signature = token.split(".")
        if signature.startswith("-"):
            break
    else:
        raise AssertionError("no signature found")
    key_file.write_text(key.to_text())
    peer_id = key.public_key.peer_id
    r = run("verify", "--peer-id", peer_id, "--policy", policy, "--signature", signature)
    assert r.returncode == 0, r.stderr


def test_an_option_where_a_value_belongs_is_still_a_usage_error() -> None:
    # `--jti` followed by another option: a missing value, not a jti named "--call".
    r = run("issue", "--jti", "--call", "read", env=ENV)
    assert r.returncode == 2 and "--jti" in r.stderr
    r = run("verify", "--public-key", "--peer-id", "12D3KooWx", "a.b")
    assert r.returncode == 2 and "--public-key" in r.stderr
