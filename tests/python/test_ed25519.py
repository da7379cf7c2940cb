"""Ed25519 capabilities, checked against an independent implementation (the
`cryptography` package): what it signs capsign verifies, what capsign signs it verifies."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import capsign

NOW = 1_700_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_a_policy_signed_by_cryptography_verifies_in_capsign() -> None:
    private = Ed25519PrivateKey.generate()
    public = capsign.PublicKey(b64url(raw_public(private.public_key())))
    policy_json = json.dumps(
        {"call": ["read"], "expiry": NOW + 900, "kid": public.peer_id}, separators=(",", ":")
    )
    policy = base64.urlsafe_b64encode(policy_json.encode()).decode()
    signature = b64url(private.sign(policy.encode()))
    verifier = capsign.Verifier(public_keys={public.peer_id: public})
    grant = verifier.verify(policy, signature, call="read", now=NOW)
    assert grant.kid == public.peer_id
    with pytest.raises(capsign.BadSignature):
        other = b64url(Ed25519PrivateKey.generate().sign(policy.encode()))
        verifier.verify(policy, other, now=NOW)


def test_a_token_signed_by_capsign_verifies_with_cryptography() -> None:
    key = capsign.SigningKey.generate()
    creds = capsign.Signer(signing_key=key).issue(call=["read"], now=NOW)
    policy, signature = creds.token.split(".")
    assert len(signature) == 86
    public = Ed25519PublicKey.from_public_bytes(unb64url(key.public_key.to_base64url()))
    public.verify(unb64url(signature), policy.encode())
    with pytest.raises(InvalidSignature):
        public.verify(unb64url(signature), policy.encode() + b"x")
    claims = json.loads(capsign.decode_unverified(creds.token))
    assert claims["kid"] == key.public_key.peer_id


def test_seeds_are_the_same_keys_as_cryptographys() -> None:
    seed = bytes(range(32))
    theirs = Ed25519PrivateKey.from_private_bytes(seed)
    ours = capsign.SigningKey(seed)
    assert unb64url(ours.public_key.to_base64url()) == raw_public(theirs.public_key())
    assert capsign.SigningKey(ours.to_text()).public_key == ours.public_key
    # Same key, same message: Ed25519 is deterministic (RFC 8032), so the signatures agree.
    creds = capsign.Signer(signing_key=ours).issue(now=NOW)
    policy, signature = creds.token.split(".")
    assert unb64url(signature) == theirs.sign(policy.encode())


def test_the_peer_id_is_libp2ps() -> None:
    # The libp2p peer-ID specification's example key and peer ID.
    key = capsign.PublicKey("L_o1qZ06PPuxe7fB3FVhsYqNzKTfONxhPqhZw36xM2s")
    assert key.peer_id == "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
    assert capsign.PublicKey(key.peer_id) == key
    assert capsign.PublicKey(key.jwk()) == key


def test_keys_never_print_their_seed() -> None:
    key = capsign.SigningKey.generate()
    shown = repr(key) + str(key) + repr(capsign.Signer(signing_key=key))
    assert key.to_text() not in shown
    assert key.public_key.peer_id in repr(key)


def test_key_sets_and_verify_only_deployment() -> None:
    key = capsign.SigningKey.generate()
    signer = capsign.Signer(signing_key=key)
    published = capsign.key_set({signer.kid or "": key.public_key})
    assert json.loads(published)["keys"][0]["x"] == key.public_key.to_base64url()
    # A verifier built from the published set alone: it can check, and cannot mint.
    verifier = capsign.Verifier(key_set=published)
    token = signer.issue(permissions=["pin ls"], now=NOW).token
    assert verifier.verify_token(token, command="pin ls", now=NOW).matched == "pin ls"
    assert verifier.key_set() == published
    assert "d" not in json.loads(published)["keys"][0]


@pytest.mark.parametrize(
    "text",
    [
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        '{"kty":"OKP","crv":"Ed25519"}',
        "not a key",
    ],
)
def test_bad_public_keys_are_refused(text: str) -> None:
    with pytest.raises(capsign.InvalidArgument):
        capsign.PublicKey(text)


def test_the_key_decides_the_algorithm() -> None:
    key = capsign.SigningKey.generate()
    kid = key.public_key.peer_id
    verifier = capsign.Verifier("an-hmac-secret-of-some-length", public_keys={kid: key.public_key})
    # HMAC-signed with the public key's text as the secret, under the Ed25519 kid.
    forged = capsign.Signer(key.public_key.to_base64url(), kid=kid).issue(now=NOW)
    with pytest.raises(capsign.Malformed):
        verifier.verify_token(forged.token, now=NOW)
    with pytest.raises(capsign.InvalidArgument):
        capsign.Signer("an-hmac-secret-of-some-length", signing_key=key)


def test_a_flask_app_signs_with_ed25519_and_a_verify_only_app_checks() -> None:
    from flask import Flask, g, jsonify

    from capsign.flask import Capsign

    key = capsign.SigningKey.generate()
    peer_id = key.public_key.peer_id
    minting = Flask("minting")
    minting.config["CAPSIGN_SIGNING_KEY"] = key.to_text()
    mint = Capsign(minting)
    minting.add_url_rule("/.well-known/capsign-keys.json", view_func=mint.key_set_response)
    with minting.app_context():
        token = mint.issue(call=["read"], handle="H1").token
    served = minting.test_client().get("/.well-known/capsign-keys.json")
    assert served.status_code == 200 and served.mimetype == "application/jwk-set+json"
    assert [k["kid"] for k in served.get_json()["keys"]] == [peer_id]
    assert key.to_text() not in served.get_data(as_text=True)

    # The verifying app holds only what the minting app published.
    checking = Flask("checking")
    checking.config["CAPSIGN_KEY_SET"] = served.get_data(as_text=True)
    check = Capsign(checking)

    @checking.get("/files/<handle>")
    @check.require(call="read", fields=lambda r: {"handle": (r.view_args or {})["handle"]})
    def read(handle: str) -> object:
        return jsonify(kid=g.capsign.kid)

    client = checking.test_client()
    ok = client.get("/files/H1", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.get_json()["kid"] == peer_id
    assert client.get("/files/H2", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    forged = capsign.Signer(key.public_key.to_base64url(), kid=peer_id).issue(call=["read"])
    r = client.get("/files/H1", headers={"Authorization": f"Bearer {forged.token}"})
    assert r.status_code == 401 and r.get_json()["error"] == "malformed"
    with checking.app_context(), pytest.raises(capsign.InvalidArgument):
        check.issue(call=["read"])

    # An HMAC-only app serves no key set.
    hmac_app = Flask("hmac")
    hmac_app.config["CAPSIGN_SECRET"] = "an-app-secret-of-at-least-16-bytes"
    plain = Capsign(hmac_app)
    hmac_app.add_url_rule("/keys", view_func=plain.key_set_response)
    assert hmac_app.test_client().get("/keys").status_code == 404
