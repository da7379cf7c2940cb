"""ASGI integration: verify every request of any ASGI app (Starlette, FastAPI, Quart…).

::

    from capsign import Verifier, KUBO_IGNORE
    from capsign.asgi import CapsignMiddleware

    app = CapsignMiddleware(app, verifier=Verifier(secret), rpc="/api/v0", ignore=KUBO_IGNORE)

The middleware takes the options of the Flask decorator (``call``, ``command``, ``rest``,
``rpc``, ``ignore``, ``fields``, ``security_task``, ``authenticate_only``) and a
``store`` (``MemoryStore``, or ``capsign.stores.AsyncRedisStore`` to share it; a
synchronous ``RedisStore`` would block the event loop). Credentials are read with the
core's rules from the raw request target (``raw_path`` and ``query_string`` of the
scope: the path as sent, still percent-encoded) and the ``Authorization`` headers; never
from cookies. Refusals are the core's: status, ``WWW-Authenticate`` and JSON body. On
success the verified :class:`capsign.Grant` is ``scope["capsign"]`` (and
``request.state.capsign`` in Starlette and FastAPI). ``fields`` and a per-request
``command`` are functions of the ASGI scope. Lifespan and websocket scopes pass through.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from capsign._adapter import Store, check_request, check_store, make_route, refusal_headers
from capsign._native import Command, Grant, Route, Verifier, log_safe
from capsign.exceptions import CapsignError

__all__ = [
    "CapsignMiddleware",
    "KeySetApp",
    "authorization",
    "check_scope",
    "raw_target",
    "refusal",
]

log = logging.getLogger("capsign.asgi")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
R = TypeVar("R")

# Characters a server may have decoded from the path that are safe to put back as is.
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def raw_target(scope: Scope) -> str:
    """The request target as the client sent it: ``raw_path`` (still percent-encoded)
    and the raw query. Without ``raw_path`` (it is optional in ASGI), the decoded path is
    re-encoded, which cannot tell an encoded slash from a real one."""
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        path = raw.decode("latin-1")
    else:
        # ASGI's `path` includes `root_path` (servers since asgiref 3.7); older ones gave it
        # without: add the root only when it is not already there.
        root, rest = str(scope.get("root_path", "")), str(scope.get("path", ""))
        full = rest if not root or rest == root or rest.startswith(root + "/") else root + rest
        path = quote(full, safe=_PATH_SAFE)
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def authorization(scope: Scope) -> list[str]:
    """Every ``Authorization`` header value of the request (the core refuses a repeat)."""
    return [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.lower() == b"authorization"
    ]


async def check_scope(
    verifier: Verifier,
    route: Route,
    scope: Scope,
    *,
    fields: Mapping[str, Any] | None = None,
    command: str | Command | None = None,
    store: Store | None = None,
) -> Grant:
    """Checks the request of `scope` against `route` (then `store`): the grant, or the
    core's :class:`capsign.CapsignError`. (`fields` and `command` are values here, made
    before the check; the middleware and the FastAPI dependency call the application's
    functions only once the credentials hold.)"""
    return await _check_scope(
        verifier,
        route,
        scope,
        scope,
        fields=None if fields is None else lambda _: fields,
        command=None if command is None else lambda _: command,
        store=store,
    )


async def _check_scope(
    verifier: Verifier,
    route: Route,
    scope: Scope,
    request: R,
    *,
    fields: Callable[[R], Mapping[str, Any]] | None,
    command: Callable[[R], str | Command] | None,
    store: Store | None,
) -> Grant:
    """`check_scope` with the application's functions of `request`, called only once the
    credentials hold."""
    grant = check_request(
        verifier,
        route,
        str(scope.get("method", "GET")),
        raw_target(scope),
        authorization(scope),
        request=request,
        fields=fields,
        command=command,
    )
    # Last, once everything else holds: forged, expired or denied requests never reach
    # the store, and never consume a use.
    await check_store(store, grant)
    return grant


async def refusal(scope: Scope, send: Send, error: CapsignError) -> None:
    """Sends the core's refusal for `error`, and logs it without credentials."""
    log.info(
        "capsign refused %s %s: %d %s",
        log_safe(str(scope.get("method", ""))),
        log_safe(raw_target(scope).split("?", 1)[0]),
        error.status,
        error.code,
    )
    body = error.body.encode()
    headers = [
        (n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in refusal_headers(error)
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CapsignMiddleware:
    """Verifies every HTTP request before `app` sees it (see the module's description)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: Verifier,
        call: str | None = None,
        command: str | Command | Callable[[Scope], str | Command] | None = None,
        rest: bool = False,
        rpc: str | None = None,
        ignore: Sequence[str] | None = None,
        fields: Callable[[Scope], Mapping[str, Any]] | None = None,
        security_task: bool = False,
        authenticate_only: bool = False,
        store: Store | None = None,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError("CapsignMiddleware: verifier must be a capsign Verifier")
        self.app = app
        self.verifier = verifier
        self.store = store
        self._fields = fields
        self._route, self._command_of = make_route(
            call,
            command,
            rest=rest,
            rpc=rpc,
            ignore=ignore,
            fields=fields is not None,
            security_task=security_task,
            authenticate_only=authenticate_only,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            grant = await _check_scope(
                self.verifier,
                self._route,
                scope,
                scope,
                fields=self._fields,
                command=self._command_of,
                store=self.store,
            )
        except CapsignError as e:
            await refusal(scope, send, e)
            return
        scope["capsign"] = grant
        scope.setdefault("state", {})["capsign"] = grant
        await self.app(scope, receive, send)


class KeySetApp:
    """An ASGI app serving `verifier`'s public keys as a JWK Set
    (``application/jwk-set+json``), for ``/.well-known/capsign-keys.json``. Refused when
    it is made for a verifier without public keys: secrets are never served."""

    def __init__(self, verifier: Verifier) -> None:
        text = verifier.key_set()
        if text is None:
            raise ValueError("KeySetApp: this verifier has no public keys to serve")
        self._body = text.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/jwk-set+json"),
            (b"cache-control", b"public, max-age=300"),
            (b"content-length", str(len(self._body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self._body})
