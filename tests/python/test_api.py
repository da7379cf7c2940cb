"""The Python API beyond the vectors: every exception class, every limit, hygiene."""

from __future__ import annotations

import pytest

import capsign
import capsign.stores
from capsign import exceptions
from conftest import NOW, SECRET


@pytest.fixture
def signer() -> capsign.Signer:
    return capsign.Signer(SECRET)


@pytest.fixture
def verifier() -> capsign.Verifier:
    return capsign.Verifier(SECRET)


def test_round_trip_with_every_field(signer: capsign.Signer, verifier: capsign.Verifier) -> None:
    creds = signer.issue(
        expires_in=600,
        call=["pick", "store"],
        handle="KW9EJhYtS6y48Whm2S6D",
        url=r"https://cdn\.example\.com/.*",
        path="/uploads/user-42/.*",
        container="bucket-1",
        max_size=10_485_760,
        min_size=1,
        permissions=["pin add [-r] *", "cat /ipfs/QmA"],
        nbf=NOW - 5,
        jti="req-1",
        uses=3,
        now=NOW,
    )
    assert creds.expiry == NOW + 600
    assert creds.token == f"{creds.policy}.{creds.signature}"
    assert creds.to_dict() == {
        "policy": creds.policy,
        "signature": creds.signature,
        "token": creds.token,
        "expiry": NOW + 600,
    }
    grant = verifier.verify(creds.policy, creds.signature, now=NOW)
    assert grant.policy == {
        "call": ["pick", "store"],
        "container": "bucket-1",
        "expiry": NOW + 600,
        "handle": "KW9EJhYtS6y48Whm2S6D",
        "iat": NOW,
        "jti": "req-1",
        "maxSize": 10_485_760,
        "minSize": 1,
        "nbf": NOW - 5,
        "path": "/uploads/user-42/.*",
        "permissions": ["pin add [-r] *", "cat /ipfs/QmA"],
        "url": r"https://cdn\.example\.com/.*",
        "uses": 3,
    }
    assert grant.permissions == ["pin add [-r] *", "cat /ipfs/QmA"]
    # The policy restricts the handle, so every request must name it (§2).
    handle = "KW9EJhYtS6y48Whm2S6D"
    assert grant.authorize(handle=handle, command="pin add -r QmX") == "pin add [-r] *"
    assert grant.authorize(handle=handle, command=capsign.Command("cat /ipfs/QmA/x")) == (
        "cat /ipfs/QmA"
    )
    with pytest.raises(capsign.Denied) as no_handle:
        grant.authorize(command="pin add -r QmX")
    assert no_handle.value.field == "handle"
    assert (
        grant.authorize(
            call="store",
            handle="KW9EJhYtS6y48Whm2S6D",
            path="/uploads/user-42/a.png",
            container="bucket-1",
            url="https://cdn.example.com/a.png",
            size=100,
        )
        is None
    )
    assert grant.allows("pin add QmY") is False  # names no handle
    commands_only = verifier.verify_token(
        signer.issue(permissions=["pin add [-r] *"], now=NOW).token, now=NOW
    )
    assert commands_only.allows("pin add QmY") is True
    assert commands_only.allows("pin rm QmY") is False
    with pytest.raises(capsign.Denied) as denied:
        grant.authorize(call="store", handle="KW9EJhYtS6y48Whm2S6D", size=100)
    assert denied.value.field == "path"
    assert denied.value.status == 403
    assert denied.value.challenge == 'Bearer realm="capsign", error="insufficient_scope"'


def test_every_exception_class_is_reachable(
    signer: capsign.Signer, verifier: capsign.Verifier
) -> None:
    token = signer.issue(expires_in=60, call=["read"], nbf=NOW + 10, now=NOW).token
    policy, signature = token.split(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    jti_token = signer.issue(jti="j", now=NOW).token
    revoked = capsign.MemoryStore()
    revoked.revoke(before=NOW + 1)
    once = signer.issue(jti="once", uses=1, now=NOW).token
    spent = capsign.MemoryStore()
    spent.check(verifier.verify_token(once, now=NOW), now=NOW)
    cases: list[tuple[type[capsign.CapsignError], object]] = [
        (capsign.Malformed, lambda: verifier.verify_token("not a token")),
        (capsign.BadSignature, lambda: verifier.verify(policy, flipped, now=NOW + 20)),
        (capsign.UnknownKey, lambda: capsign.Verifier(keys={"k": SECRET}).verify_token(token)),
        (capsign.Expired, lambda: verifier.verify_token(token, now=NOW + 60)),
        (capsign.NotYetValid, lambda: verifier.verify_token(token, now=NOW)),
        (capsign.Denied, lambda: verifier.verify_token(token, call="remove", now=NOW + 20)),
        (capsign.InvalidPolicy, lambda: signer.issue(call=["upload"])),
        (capsign.InvalidPermission, lambda: capsign.Permission("pin ** x")),
        (capsign.InvalidCommand, lambda: capsign.Command("cat /a/../b")),
        (capsign.WeakSecret, lambda: capsign.Signer("short")),
        (capsign.InvalidArgument, lambda: capsign.Verifier()),
        (
            capsign.MissingCredentials,
            lambda: verifier.check_http(capsign.Route(call="read"), "GET", "/x", []),
        ),
        (capsign.Revoked, lambda: revoked.check(verifier.verify_token(jti_token, now=NOW))),
        (capsign.UsedUp, lambda: spent.check(verifier.verify_token(once, now=NOW), now=NOW)),
        (
            capsign.Unavailable,
            lambda: capsign.stores.RedisStore(object()).check(verifier.verify_token(once, now=NOW)),
        ),
    ]
    assert {cls.code for cls, _ in cases} == set(capsign.ERROR_CODES)
    for cls, action in cases:
        with pytest.raises(cls) as raised:
            action()  # type: ignore[operator]
        e = raised.value
        assert type(e) is cls
        assert isinstance(e, capsign.CapsignError)
        assert e.code == cls.code
        assert str(e) == e.message and e.message
        assert e.status in (400, 401, 403, 500, 503)
        assert e.challenge.startswith('Bearer realm="capsign"')


def test_exception_hierarchy() -> None:
    for cls in (
        capsign.Malformed,
        capsign.BadSignature,
        capsign.UnknownKey,
        capsign.Expired,
        capsign.NotYetValid,
        capsign.InvalidPolicy,
    ):
        assert issubclass(cls, capsign.InvalidCredentials)
    for cls in (
        capsign.InvalidPolicy,
        capsign.InvalidPermission,
        capsign.InvalidCommand,
        capsign.WeakSecret,
        capsign.InvalidArgument,
    ):
        assert issubclass(cls, ValueError)
    assert not issubclass(capsign.Denied, capsign.InvalidCredentials)
    assert exceptions.BY_CODE["denied"] is capsign.Denied


def test_statuses_follow_rfc6750(signer: capsign.Signer, verifier: capsign.Verifier) -> None:
    token = signer.issue(call=["read"], now=NOW).token
    with pytest.raises(capsign.Expired) as expired:
        verifier.verify_token(token, now=NOW + 10_000)
    assert (expired.value.status, expired.value.challenge) == (
        401,
        'Bearer realm="capsign", error="invalid_token"',
    )
    with pytest.raises(capsign.InvalidCommand) as bad:
        verifier.verify_token(token, command="cat /x/..", now=NOW)
    assert bad.value.status == 400
    assert capsign.CHALLENGE == 'Bearer realm="capsign"'


def test_limits_are_errors(signer: capsign.Signer) -> None:
    limits = capsign.LIMITS
    ok = ["p"] * limits["MAX_PERMISSIONS"]
    assert signer.issue(permissions=ok).expiry
    with pytest.raises(capsign.InvalidPolicy) as too_many:
        signer.issue(permissions=[*ok, "p"])
    assert too_many.value.field == "permissions"
    capsign.Permission(" ".join(["a"] * limits["MAX_PERMISSION_TOKENS"]))
    with pytest.raises(capsign.InvalidPermission):
        capsign.Permission(" ".join(["a"] * (limits["MAX_PERMISSION_TOKENS"] + 1)))
    capsign.Permission("a" * limits["MAX_PERMISSION_LEN"])
    with pytest.raises(capsign.InvalidPermission) as long:
        capsign.Permission("a" * (limits["MAX_PERMISSION_LEN"] + 1))
    assert long.value.position == limits["MAX_PERMISSION_LEN"]
    with pytest.raises(capsign.Malformed):
        capsign.Verifier(SECRET).verify("A" * (limits["MAX_POLICY_LEN"] + 4), "0" * 64)
    with pytest.raises(capsign.Malformed, match="token is longer"):
        capsign.Verifier(SECRET).verify_token("A" * (limits["MAX_TOKEN_LEN"] - 64) + "." + "0" * 64)
    with pytest.raises(capsign.Malformed, match="token is longer"):  # 2 UTF-8 bytes each
        capsign.Verifier(SECRET).verify_token("é" * 5000 + "." + "0" * 64)
    with pytest.raises(capsign.InvalidPolicy) as oversized:
        signer.issue(handle="h" * limits["MAX_POLICY_LEN"])
    assert oversized.value.field == "policy"
    with pytest.raises(capsign.InvalidCommand):
        capsign.Command(" ".join(["a"] * (limits["MAX_COMMAND_TOKENS"] + 1)))
    with pytest.raises(capsign.InvalidCommand):
        capsign.Command("cat /" + "a" * limits["MAX_COMMAND_LEN"])
    with pytest.raises(capsign.WeakSecret):
        capsign.Signer("x" * (limits["MIN_SECRET_LEN"] - 1))
    assert capsign.Signer("x" * (limits["MIN_SECRET_LEN"] - 1), min_secret_len=1).kid is None
    with pytest.raises(capsign.InvalidArgument):
        capsign.Signer(SECRET, kid="k" * (limits["MAX_KID_LEN"] + 1))
    with pytest.raises(capsign.InvalidPolicy) as jti:
        signer.issue(jti="j" * (limits["MAX_JTI_LEN"] + 1))
    assert jti.value.field == "jti"
    with pytest.raises(capsign.InvalidArgument) as leeway:
        capsign.Verifier(SECRET, leeway=limits["MAX_LEEWAY"] + 1)
    assert leeway.value.field == "leeway"
    with pytest.raises(capsign.InvalidArgument):
        capsign.Verifier(SECRET, leeway=-1)
    with pytest.raises(capsign.InvalidPolicy):
        signer.issue(expiry=limits["MAX_INTEGER"] + 1)


def test_bad_python_types_are_typed_errors(signer: capsign.Signer) -> None:
    with pytest.raises(TypeError):
        capsign.Signer(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        signer.issue(call="pick")  # type: ignore[arg-type]  # a str is not a list of calls
    with pytest.raises(OverflowError):
        signer.issue(expires_in=-5)
    with pytest.raises(TypeError):
        capsign.covers(1, "x")  # type: ignore[arg-type]


def test_a_bool_is_not_an_integer(signer: capsign.Signer) -> None:
    # Python counts True as 1; Node refuses `true`. Every integer argument refuses a bool.
    token = signer.issue(call=["store"], max_size=10, now=NOW).token
    verifier = capsign.Verifier(SECRET)
    for action in (
        lambda: signer.issue(jti="j", uses=True),
        lambda: signer.issue(max_size=True),
        lambda: signer.issue(min_size=False),
        lambda: signer.issue(expires_in=True),
        lambda: signer.issue(expiry=True),
        lambda: signer.issue(nbf=False),
        lambda: signer.issue(now=True),
        lambda: capsign.Signer(SECRET, min_secret_len=True),
        lambda: capsign.Verifier(SECRET, leeway=True),
        lambda: capsign.Verifier(SECRET, min_secret_len=True),
        lambda: verifier.verify_token(token, call="store", size=True, now=NOW),
        lambda: verifier.verify_token(token, now=True),
        lambda: capsign.MemoryStore(leeway=True),
        lambda: capsign.MemoryStore().revoke(jti="j", expiry=True),
        lambda: capsign.MemoryStore().revoke(before=True),
    ):
        with pytest.raises(TypeError, match="not a bool"):
            action()
    assert verifier.verify_token(token, call="store", size=1, now=NOW).policy["maxSize"] == 10


def test_secrets_never_show(signer: capsign.Signer) -> None:
    secret = "an-unforgettable-secret-value-42"
    s = capsign.Signer(secret, kid="k1")
    v = capsign.Verifier(secret, keys={"k1": secret}, leeway=5)
    creds = s.issue(now=NOW)
    shown = " ".join(
        [repr(s), str(s), repr(v), str(v), repr(creds), repr(v.verify_token(creds.token, now=NOW))]
    )
    assert secret not in shown
    assert "unforgettable" not in shown
    assert repr(s) == 'Signer(kid="k1")'
    assert repr(v) == 'Verifier(default_secret=True, kids=["k1"], leeway=5)'
    with pytest.raises(capsign.WeakSecret) as weak:
        capsign.Signer("tiny-secret")
    assert "tiny" not in str(weak.value)


def test_bytes_and_text_secrets_are_the_same_key() -> None:
    text = capsign.Signer(SECRET).issue(now=NOW)
    raw = capsign.Signer(SECRET.encode()).issue(now=NOW)
    assert text == raw
    binary = bytes(range(32))
    creds = capsign.Signer(binary).issue(now=NOW)
    assert capsign.Verifier(binary).verify_token(creds.token, now=NOW).expiry == creds.expiry


def test_kid_rotation() -> None:
    old, new = "old-secret-0123456789", "new-secret-0123456789"
    v = capsign.Verifier(keys={"2026-10": old, "2026-11": new})
    for kid, secret in (("2026-10", old), ("2026-11", new)):
        token = capsign.Signer(secret, kid=kid).issue(now=NOW).token
        assert v.verify_token(token, now=NOW).kid == kid
    with pytest.raises(capsign.BadSignature):
        v.verify_token(capsign.Signer(old, kid="2026-11").issue(now=NOW).token, now=NOW)


def test_permissions_and_commands() -> None:
    p = capsign.Permission("pin  add [-r] *")
    assert str(p) == "pin add [-r] *"
    assert p.source == "pin  add [-r] *"
    assert repr(p) == 'Permission("pin add [-r] *")'
    assert p == capsign.Permission("pin add [-r] *")
    assert p.matches("pin add -r QmX")
    assert not p.matches(capsign.Command("pin rm QmX"))
    with pytest.raises(capsign.InvalidCommand):
        p.matches("pin add ../x/..")
    c = capsign.Command.build(["pin", "add", "Qm X"], {"--recursive": None, "--timeout": "5s"})
    assert str(c) == 'pin add "Qm X" --recursive --timeout=5s'
    assert c.args == ["pin", "add", "Qm X"]
    assert c.flags == [("--recursive", None), ("--timeout", "5s")]
    assert c == capsign.Command('pin add "Qm X" --timeout=5s --recursive')
    assert len({c, capsign.Command(str(c))}) == 1
    with pytest.raises(capsign.InvalidCommand):
        capsign.Command.build(["cat", "/a/../b"])
    assert capsign.covers("pin add [-r] *", "pin add QmX")
    assert capsign.covers(["x", "x -r"], ["x [-r]"])
    assert not capsign.covers("pin add QmX", ["pin add [-r] *"])
    assert str(capsign.rest_command("GET", "/files/a%20b?x=1")) == 'GET "/files/a b"'
    assert str(capsign.rpc_command("/api/v0", "/api/v0/pin/add?arg=Q&recursive=true")) == (
        "pin add Q --recursive"
    )


def test_generated_secrets() -> None:
    a, b = capsign.generate_secret(), capsign.generate_secret()
    assert len(a) == 43 and a != b
    assert capsign.Signer(a).issue().token


def test_decode_unverified(signer: capsign.Signer) -> None:
    creds = signer.issue(call=["read"], now=NOW)
    expected = f'{{"call":["read"],"expiry":{NOW + 900},"iat":{NOW}}}'
    assert capsign.decode_unverified(creds.token) == expected
    with pytest.raises(capsign.Malformed):
        capsign.decode_unverified("!!")


def test_http_mappings_as_request_fields(
    signer: capsign.Signer, verifier: capsign.Verifier
) -> None:
    token = signer.issue(permissions=["GET /files", "pin add [--recursive] *"], now=NOW).token
    grant = verifier.verify_token(token, rest=("GET", "/files/a%20b"), now=NOW)
    assert grant.matched == "GET /files"
    grant = verifier.verify_token(
        token, rpc=("/api/v0", "/api/v0/pin/add?arg=Q&recursive=true"), now=NOW
    )
    assert grant.matched == "pin add [--recursive] *"
    # Credentials are checked first: a traversal is invalid_command only with good ones.
    with pytest.raises(capsign.InvalidCommand):
        verifier.verify_token(token, rest=("GET", "/files/%2e%2e/x"), now=NOW)
    with pytest.raises(capsign.BadSignature):
        verifier.verify_token(
            token[:-1] + ("0" if token[-1] != "0" else "1"),
            rest=("GET", "/files/%2e%2e/x"),
            now=NOW,
        )
    with pytest.raises(capsign.InvalidArgument) as both:
        verifier.verify_token(token, command="x", rest=("GET", "/files/a"), now=NOW)
    assert both.value.field == "command"


def test_authenticate_http_verifies_the_credentials_only() -> None:
    verifier = capsign.Verifier(SECRET)
    route = capsign.Route(call="store", fields=True)
    creds = capsign.Signer(SECRET).issue(call=["read"], now=NOW, expires_in=60)
    header = [f"Bearer {creds.token}"]
    # Genuine and current: no error, although the route's call is not allowed (that is
    # check_http's to decide, with the fields).
    assert verifier.authenticate_http(route, "POST", "/store", header, now=NOW + 1) is None
    with pytest.raises(capsign.Denied):
        verifier.check_http(route, "POST", "/store", header, fields={"size": 1}, now=NOW + 1)
    with pytest.raises(capsign.MissingCredentials):
        verifier.authenticate_http(route, "POST", "/store", [], now=NOW)
    with pytest.raises(capsign.Expired):
        verifier.authenticate_http(route, "POST", "/store", header, now=NOW + 600)
    with pytest.raises(capsign.Malformed):
        verifier.authenticate_http(route, "POST", "/store", [*header, *header], now=NOW)
    with pytest.raises(TypeError):
        verifier.authenticate_http(route, "POST", "/store", header, now=True)


def test_a_command_of_the_wrong_type_from_a_request_is_a_bad_request() -> None:
    # A command function may pass on what the body gave (`lambda r: r.json["cmd"]`).
    verifier = capsign.Verifier(SECRET)
    route = capsign.Route(per_request=True)
    creds = capsign.Signer(SECRET).issue(permissions=["pin ls"], now=NOW, expires_in=60)
    header = [f"Bearer {creds.token}"]
    for command in (5, True, ["pin ls"], {"cmd": "pin ls"}, "pin ls \ud800"):
        with pytest.raises(capsign.InvalidCommand, match="command"):
            verifier.check_http(route, "POST", "/x", header, command=command, now=NOW)
    grant = verifier.check_http(route, "POST", "/x", header, command="pin ls", now=NOW)
    assert grant.matched == "pin ls"
    with pytest.raises(capsign.InvalidArgument):  # the function gave none: the app's bug
        verifier.check_http(route, "POST", "/x", header, command=None, now=NOW)
