"""Stores for revocation and use limits (``DESIGN.md`` §9), shared across processes.

::

    import redis
    from capsign import MemoryStore
    from capsign.stores import RedisStore

    store = RedisStore(redis.Redis.from_url(os.environ["REDIS_URL"]))
    grant = verifier.verify_token(token, call="read")
    store.check(grant)                 # Revoked, UsedUp, or Unavailable (fail closed)
    store.revoke(jti=grant.policy["jti"], expiry=grant.expiry)

Every decision is the core's: which keys to read or consume, with which expiry, and what
the reply means (``StoreLayout``). These classes only carry one script run (``EVALSHA``,
``EVAL`` the first time) to your own client. Any error of the client, a timeout included,
is ``Unavailable``: a request is never allowed because the store could not be asked.
Set a socket timeout on the client (``socket_timeout=``): without one, a store that
hangs holds the request for as long.
"""

from __future__ import annotations

from typing import Any

from capsign._native import Grant, RedisCall, StoreLayout

__all__ = ["AsyncRedisStore", "RedisStore", "StoreLayout"]


def _reply(value: Any) -> str | None:
    """The script's reply as text (redis-py gives bytes unless decode_responses)."""
    if isinstance(value, bytes):
        try:
            return value.decode("ascii")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def _is_noscript(error: Exception) -> bool:
    """Whether the server does not know the script yet (redis-py's ``NoScriptError``)."""
    return type(error).__name__ == "NoScriptError" or "NOSCRIPT" in str(error)


class RedisStore:
    """A store in Redis, through a redis-py client (``redis.Redis``, or a cluster client
    when the prefix is a hash tag such as ``{capsign}:``)."""

    def __init__(self, client: Any, *, prefix: str = "capsign:", leeway: int = 3600) -> None:
        self._client = client
        self.layout = StoreLayout(prefix=prefix, leeway=leeway)

    def _run(self, call: RedisCall) -> str | None:
        try:
            try:
                value = self._client.evalsha(call.sha1, len(call.keys), *call.keys, *call.args)
            except Exception as e:
                if not _is_noscript(e):
                    raise
                value = self._client.eval(call.script, len(call.keys), *call.keys, *call.args)
        except Exception:
            # Down, timed out, refused, or not a Redis at all: no answer, never a success.
            return None
        return _reply(value)

    def check(self, grant: Grant) -> None:
        """Refuses `grant` if it was revoked or its uses are spent (consuming one use)."""
        self.layout.decide(grant, self._run(self.layout.check_call(grant)))

    def revoke(
        self,
        *,
        jti: str | None = None,
        expiry: int | None = None,
        kid: str | None = None,
        before: int | None = None,
    ) -> None:
        """Revokes one credential (``jti`` with its ``expiry``), a key's credentials issued
        before a time (``kid``, ``before``), or everything issued before ``before``.
        Raises ``Unavailable`` if the store did not take it."""
        call = self.layout.revoke_call(jti=jti, expiry=expiry, kid=kid, before=before)
        self.layout.confirm(self._run(call))

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.layout.prefix!r}, leeway={self.layout.leeway})"


class AsyncRedisStore:
    """:class:`RedisStore` for ``redis.asyncio`` clients: ``await store.check(grant)``."""

    def __init__(self, client: Any, *, prefix: str = "capsign:", leeway: int = 3600) -> None:
        self._client = client
        self.layout = StoreLayout(prefix=prefix, leeway=leeway)

    async def _run(self, call: RedisCall) -> str | None:
        try:
            try:
                value = await self._client.evalsha(
                    call.sha1, len(call.keys), *call.keys, *call.args
                )
            except Exception as e:
                if not _is_noscript(e):
                    raise
                value = await self._client.eval(call.script, len(call.keys), *call.keys, *call.args)
        except Exception:
            return None
        return _reply(value)

    async def check(self, grant: Grant) -> None:
        """Refuses `grant` if it was revoked or its uses are spent (consuming one use)."""
        self.layout.decide(grant, await self._run(self.layout.check_call(grant)))

    async def revoke(
        self,
        *,
        jti: str | None = None,
        expiry: int | None = None,
        kid: str | None = None,
        before: int | None = None,
    ) -> None:
        """As :meth:`RedisStore.revoke`."""
        call = self.layout.revoke_call(jti=jti, expiry=expiry, kid=kid, before=before)
        self.layout.confirm(await self._run(call))

    def __repr__(self) -> str:
        return f"AsyncRedisStore(prefix={self.layout.prefix!r}, leeway={self.layout.leeway})"
