"""Revocation and use limits against a real redis-server (127.0.0.1, a free port), through
redis-py and redis.asyncio: exact counting under concurrency, revocations of every kind,
entries that expire with their credentials, untouched state for refused requests, and
503 when Redis is gone."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio
from flask import Flask, jsonify

import capsign
from capsign.flask import Capsign
from capsign.stores import AsyncRedisStore, RedisStore
from redis_server import RedisServer

SECRET = "redis-store-test-secret-0123"
SIGNER = capsign.Signer(SECRET, kid="k1")
VERIFIER = capsign.Verifier(keys={"k1": SECRET})


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    started = RedisServer()
    yield started
    started.stop()


@pytest.fixture
def client(server: RedisServer) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(server.url, socket_timeout=2)
    c.flushdb()
    yield c
    c.close()


def grant(**claims: object) -> capsign.Grant:
    return VERIFIER.verify_token(SIGNER.issue(expires_in=600, **claims).token)  # type: ignore[arg-type]


def test_uses_are_exact_across_64_concurrent_threads(
    client: redis.Redis, server: RedisServer
) -> None:
    g = grant(jti="five", uses=5)
    stores = [RedisStore(redis.Redis.from_url(server.url, socket_timeout=2)) for _ in range(4)]
    allowed = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            stores[i % 4].check(g)
        except capsign.UsedUp:
            return
        with lock:
            allowed.append(i)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 5
    with pytest.raises(capsign.UsedUp) as raised:
        stores[0].check(g)
    assert raised.value.status == 401


def test_asyncio_counts_exactly_too(server: RedisServer) -> None:
    async def main() -> int:
        c = redis.asyncio.Redis.from_url(server.url, socket_timeout=2)
        store = AsyncRedisStore(c, prefix="async:")
        g = grant(jti="async-five", uses=5)

        async def attempt() -> bool:
            try:
                await store.check(g)
            except capsign.UsedUp:
                return False
            return True

        results = await asyncio.gather(*(attempt() for _ in range(64)))
        await store.revoke(jti="other", expiry=int(time.time()) + 60)
        with pytest.raises(capsign.Revoked):
            await store.check(grant(jti="other"))
        await c.aclose()
        return sum(results)

    assert asyncio.run(main()) == 5


def test_every_kind_of_revocation_is_seen_by_another_client(
    client: redis.Redis, server: RedisServer
) -> None:
    here = RedisStore(client)
    there = RedisStore(redis.Redis.from_url(server.url, decode_responses=True))
    one, other = grant(jti="one"), grant(jti="two")
    there.check(one)
    here.revoke(jti="one", expiry=one.expiry)
    with pytest.raises(capsign.Revoked):
        there.check(one)
    there.check(other)
    here.revoke(kid="k1", before=int(time.time()) + 1)
    with pytest.raises(capsign.Revoked, match="of this key"):
        there.check(other)
    # Another key's credentials are untouched; then everything issued before now + 1.
    unkeyed = capsign.Verifier(SECRET).verify_token(capsign.Signer(SECRET).issue().token)
    there.check(unkeyed)
    here.revoke(before=int(time.time()) + 1)
    with pytest.raises(capsign.Revoked):
        there.check(unkeyed)
    with pytest.raises(capsign.InvalidArgument):
        here.revoke(jti="no-expiry")


def test_entries_expire_with_their_credentials(client: redis.Redis) -> None:
    store = RedisStore(client, leeway=0)
    soon = VERIFIER.verify_token(SIGNER.issue(expires_in=1, jti="soon", uses=3).token)
    store.check(soon)
    store.revoke(jti="revoked-soon", expiry=int(time.time()) + 1)
    keys = sorted(k.decode() for k in client.keys("capsign:*"))
    assert keys == ["capsign:jti:revoked-soon", "capsign:uses:soon"]
    assert all(0 < client.ttl(k) <= 3 for k in keys)
    deadline = time.monotonic() + 5
    while client.keys("capsign:*") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.keys("capsign:*") == []


def test_a_second_revocation_never_shortens_the_first(client: redis.Redis) -> None:
    store = RedisStore(client, leeway=0)
    g = VERIFIER.verify_token(SIGNER.issue(expires_in=7200, jti="long").token)
    store.revoke(jti="long", expiry=g.expiry)
    store.revoke(jti="long", expiry=int(time.time()) + 5)
    assert client.ttl("capsign:jti:long") > 7000
    with pytest.raises(capsign.Revoked):
        store.check(g)
    # A later expiry extends it.
    store.revoke(jti="long", expiry=g.expiry + 600)
    assert client.ttl("capsign:jti:long") > 7600


def test_a_time_key_that_holds_no_time_fails_closed(client: redis.Redis) -> None:
    store = RedisStore(client)
    g = grant(jti="corrupt")
    for value in ("nan", "-inf", "0x10", "1e3", " 5", "abc"):
        client.set("capsign:before", value)
        with pytest.raises(capsign.Unavailable):
            store.check(g)
        client.delete("capsign:before")
        client.set("capsign:kid:k1", value)
        with pytest.raises(capsign.Unavailable):
            store.check(g)
        client.delete("capsign:kid:k1")
    store.check(g)


def test_refused_requests_never_reach_the_store(client: redis.Redis) -> None:
    app = Flask(__name__)
    app.config.update(CAPSIGN_KEYS={"k1": SECRET})
    ext = Capsign(app, store=RedisStore(client))

    @app.get("/files/<handle>")
    @ext.require(call="read", fields=lambda r: {"handle": (r.view_args or {})["handle"]})
    def read(handle: str) -> object:
        return jsonify(handle=handle)

    web = app.test_client()
    token = SIGNER.issue(call=["read"], handle="H1", jti="counted", uses=2).token
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    expired = SIGNER.issue(call=["read"], handle="H1", jti="old", uses=2, expiry=1, now=0).token
    for t, status in [(forged, 401), (expired, 401)]:
        assert web.get("/files/H1", headers={"Authorization": f"Bearer {t}"}).status_code == status
    assert web.get("/files/H2", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.dbsize() == 0
    ok = [
        web.get("/files/H1", headers={"Authorization": f"Bearer {token}"}).status_code
        for _ in range(3)
    ]
    assert ok == [200, 200, 401]
    spent = web.get("/files/H1", headers={"Authorization": f"Bearer {token}"})
    assert spent.get_json()["error"] == "used_up"
    assert 'error="invalid_token"' in spent.headers["WWW-Authenticate"]


def test_a_store_that_is_down_refuses_with_503_never_allows() -> None:
    down = RedisServer()
    c = redis.Redis.from_url(down.url, socket_timeout=0.5, socket_connect_timeout=0.5)
    store = RedisStore(c)
    store.check(grant(jti="before-the-fall"))
    down.stop()
    for g in (grant(jti="during"), grant()):
        with pytest.raises(capsign.Unavailable) as raised:
            store.check(g)
        assert raised.value.status == 503
        assert "127.0.0.1" not in raised.value.message
    with pytest.raises(capsign.Unavailable):
        store.revoke(before=1)
    # Not a Redis client at all: no answer either.
    with pytest.raises(capsign.Unavailable):
        RedisStore(object()).check(grant())


def revoke_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`capsign revoke --redis URL ARGS…`, as a shell script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "capsign", "revoke", "--redis", url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_cli_revokes_in_redis(client: redis.Redis, server: RedisServer) -> None:
    g = grant(jti="by-cli")
    store = RedisStore(client)
    store.check(g)
    run = revoke_cli(server.url, "--jti", "by-cli", "--expiry", str(g.expiry))
    assert run.returncode == 0, run.stderr
    with pytest.raises(capsign.Revoked):
        store.check(g)
    token = SIGNER.issue(jti="by-token").token
    run = revoke_cli(server.url, "--token", token)
    assert run.returncode == 0, run.stderr
    with pytest.raises(capsign.Revoked):
        store.check(VERIFIER.verify_token(token))
    bad = revoke_cli("redis://127.0.0.1:1/0", "--before", "now")
    assert bad.returncode == 5 and "unavailable" in bad.stderr


def test_the_cli_revokes_a_token_whose_expiry_has_a_zero_fraction(
    client: redis.Redis, server: RedisServer
) -> None:
    # Signed by hand (hmac, base64): the core reads "expiry": N.0 as N (DESIGN.md §2).
    import base64
    import hashlib
    import hmac
    import json

    expiry = int(time.time()) + 600
    text = f'{{"expiry":{expiry}.0,"jti":"float-expiry","kid":"k1"}}'
    policy = base64.urlsafe_b64encode(text.encode()).decode()
    signature = hmac.new(SECRET.encode(), policy.encode(), hashlib.sha256).hexdigest()
    token = f"{policy}.{signature}"
    g = VERIFIER.verify_token(token)
    assert g.expiry == expiry and json.loads(text)["expiry"] == float(expiry)
    run = revoke_cli(server.url, "--token", token)
    assert run.returncode == 0, run.stderr
    with pytest.raises(capsign.Revoked):
        RedisStore(client).check(g)


def test_the_cli_refuses_a_token_it_cannot_revoke_and_writes_nothing(
    client: redis.Redis, server: RedisServer
) -> None:
    import base64

    def token(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode() + ".unverified"

    far = int(time.time()) + 600
    for policy, field in [
        (f'{{"expiry":{far}}}', "jti"),
        (f'{{"expiry":{far},"jti":5}}', "jti"),
        (f'{{"expiry":{far},"jti":"a","jti":"b"}}', "jti"),
        ('{"expiry":"soon","jti":"a"}', "expiry"),
        ('{"expiry":true,"jti":"a"}', "expiry"),
        ('{"jti":"a"}', "expiry"),
    ]:
        run = revoke_cli(server.url, "--token", token(policy))
        assert run.returncode == 1 and "invalid_policy" in run.stderr, (policy, run.stderr)
        assert field in run.stderr and "Traceback" not in run.stderr
        assert "value not shown" not in run.stderr, run.stderr  # "revoke" is no secret
    run = revoke_cli(server.url, "--token", "not base64!")
    assert run.returncode == 1 and "malformed" in run.stderr
    assert client.keys("*") == []


@pytest.mark.parametrize(
    "args",
    [
        ["--before", "\u00b2"],
        ["--before", "99999999999999999999"],
        ["--jti", "x", "--expiry", "99999999999999999999"],
        ["--kid", "k1", "--before", "99999999999999999999"],
    ],
)
def test_the_cli_refuses_bad_revoke_numbers_with_a_usage_error(
    server: RedisServer, args: list[str]
) -> None:
    run = revoke_cli(server.url, *args)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "99999999999999999999" not in run.stderr
