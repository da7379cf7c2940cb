"""FastAPI integration: a dependency per route that returns the verified grant.

::

    from fastapi import Depends, FastAPI
    from capsign import Grant, Verifier
    from capsign.fastapi import Capsign

    app = FastAPI()
    auth = Capsign(Verifier(secret), app=app)          # app=: refusals as the core writes them

    @app.get("/files/{handle}")
    async def read(handle: str, grant: Grant = Depends(auth.require(
            call="read", fields=lambda request: {"handle": request.path_params["handle"]}))):
        ...

``require`` takes the options of the Flask decorator (``call``, ``command``, ``rest``,
``rpc``, ``ignore``, ``fields``, ``security_task``, ``authenticate_only``), where
``fields`` and a per-request ``command`` are functions of the Starlette ``Request``;
the route is checked when ``require`` is called. A refusal raises :class:`Refusal` (an
``HTTPException`` with the core's status and ``WWW-Authenticate``); with ``app=`` (or
:meth:`Capsign.install`) its response is exactly the core's JSON body, otherwise
FastAPI's ``{"detail": {"error", "message"}}``. ``store``: ``MemoryStore`` or
``capsign.stores.AsyncRedisStore``. ``key_set_response`` serves the verifier's public keys.

FastAPI reads and parses a request's body before it runs any dependency. Routes of the
class :class:`CapsignRoute` check their capsign dependencies first, so that a request
without valid credentials is refused before its body is read (and a body the model
refuses, 422, spends no use of a refused request). ``install`` (and ``app=``) makes it
the app's route class for the routes added afterwards; give it to routers too:
``APIRouter(route_class=CapsignRoute)``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from fastapi.routing import APIRoute

from capsign._adapter import Store, make_route, refusal_headers
from capsign._native import Command, Grant, Verifier
from capsign.asgi import _check_scope
from capsign.exceptions import CapsignError

__all__ = ["Capsign", "CapsignRoute", "Refusal"]

# Grants found before the body was read, by dependency, in the request's scope.
_GRANTS = "capsign.grants"


class Refusal(HTTPException):
    """A request the credentials do not allow: the core's status, headers and body."""

    def __init__(self, error: CapsignError) -> None:
        super().__init__(
            status_code=error.status,
            detail=json.loads(error.body),
            headers=dict(refusal_headers(error)),
        )
        self.error = error


async def _refusal_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    return Response(exc.error.body, status_code=exc.status_code, headers=exc.headers)


class Capsign:
    """Dependencies checking requests with `verifier` (then `store`)."""

    def __init__(
        self, verifier: Verifier, *, store: Store | None = None, app: FastAPI | None = None
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError("Capsign: verifier must be a capsign Verifier")
        self.verifier = verifier
        self.store = store
        if app is not None:
            self.install(app)

    def install(self, app: FastAPI) -> None:
        """Makes `app` answer refusals with the core's exact JSON body, and check the
        credentials of the routes added from now on before their body is read
        (:class:`CapsignRoute`, unless the app already has its own route class)."""
        app.add_exception_handler(Refusal, _refusal_response)
        if app.router.route_class is APIRoute:
            app.router.route_class = CapsignRoute

    def require(
        self,
        call: str | None = None,
        command: str | Command | Callable[[Request], str | Command] | None = None,
        *,
        rest: bool = False,
        rpc: str | None = None,
        ignore: Sequence[str] | None = None,
        fields: Callable[[Request], Mapping[str, Any]] | None = None,
        security_task: bool = False,
        authenticate_only: bool = False,
    ) -> Callable[[Request], Awaitable[Grant]]:
        """A dependency that returns the request's verified :class:`capsign.Grant`."""
        route, command_of = make_route(
            call,
            command,
            rest=rest,
            rpc=rpc,
            ignore=ignore,
            fields=fields is not None,
            security_task=security_task,
            authenticate_only=authenticate_only,
        )

        async def capsign_grant(request: Request) -> Grant:
            # Already checked by CapsignRoute, before the body: never a second use.
            found: dict[object, Grant] | None = request.scope.get(_GRANTS)
            if found is not None and capsign_grant in found:
                return found[capsign_grant]
            try:
                grant = await _check_scope(
                    self.verifier,
                    route,
                    request.scope,
                    request,
                    fields=fields,
                    command=command_of,
                    store=self.store,
                )
            except CapsignError as e:
                raise Refusal(e) from None
            request.state.capsign = grant
            return grant

        capsign_grant.__capsign__ = True  # type: ignore[attr-defined]
        return capsign_grant

    def key_set_response(self) -> Response:
        """The verifier's public keys as a JWK Set; 404 without any (secrets never)."""
        text = self.verifier.key_set()
        if text is None:
            return Response(status_code=404)
        return Response(
            text,
            media_type="application/jwk-set+json",
            headers={"Cache-Control": "public, max-age=300"},
        )


def _capsign_dependencies(dependant: Dependant) -> list[Callable[[Request], Awaitable[Grant]]]:
    """The capsign dependencies of a route, sub-dependencies included, each once."""
    found: list[Callable[[Request], Awaitable[Grant]]] = []
    stack = list(reversed(dependant.dependencies))
    while stack:
        sub = stack.pop()
        call = sub.call
        if getattr(call, "__capsign__", False) and call not in found:
            found.append(call)  # type: ignore[arg-type]
        stack.extend(reversed(sub.dependencies))
    return found


class CapsignRoute(APIRoute):
    """A FastAPI route that runs its capsign dependencies before the request's body is
    read: a refusal comes before any body parsing, and the dependency then returns the
    grant found (one check, one use)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        checks = _capsign_dependencies(self.dependant)
        if not checks:
            return handler

        async def checked_first(request: Request) -> Response:
            grants: dict[object, Grant] = {}
            for check in checks:
                grants[check] = await check(request)
            request.scope[_GRANTS] = grants
            return await handler(request)

        return checked_first
