"""What every web adapter (Flask, ASGI, FastAPI) shares: the route a set of options
names, and the refusal's headers. The decisions are the core's (``Route``,
``Verifier.check_http`` and the error's status, challenge and body)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from capsign._native import REFUSAL_HEADERS, Command, Grant, Route, Verifier
from capsign.exceptions import CapsignError

R = TypeVar("R")


class Store(Protocol):
    """What an adapter needs of a store: ``MemoryStore``, ``capsign.stores.RedisStore``
    (``check`` returns ``None``) or ``AsyncRedisStore`` (``check`` returns an awaitable)."""

    def check(self, grant: Grant) -> Any: ...


def make_route(
    call: str | None,
    command: str | Command | Callable[[R], str | Command] | None,
    *,
    rest: bool,
    rpc: str | None,
    ignore: Sequence[str] | None,
    fields: bool,
    security_task: bool,
    authenticate_only: bool,
) -> tuple[Route, Callable[[R], str | Command] | None]:
    """The core's route for these options (refused at once if they name nothing), and the
    function giving the command of each request, when the command is one."""
    per_request = callable(command)
    route = Route(
        call=call,
        command=None if command is None or per_request else str(command),
        per_request=per_request,
        rest=rest,
        rpc=rpc,
        ignore=list(ignore) if ignore is not None else None,
        fields=fields,
        security_task=security_task,
        authenticate_only=authenticate_only,
    )
    return route, command if callable(command) else None


def check_request(
    verifier: Verifier,
    route: Route,
    method: str,
    target: str,
    authorization: list[str],
    *,
    request: R,
    fields: Callable[[R], Mapping[str, Any]] | None,
    command: Callable[[R], str | Command] | None,
) -> Grant:
    """Checks one request against `route` (the store is the caller's, last). When the
    application gives the fields or the command of each request, the credentials are
    verified first, so its functions (which may read the body) never run, and never
    decide the answer, for a request whose credentials do not hold."""
    if fields is None and command is None:
        return verifier.check_http(route, method, target, authorization)
    verifier.authenticate_http(route, method, target, authorization)
    return verifier.check_http(
        route,
        method,
        target,
        authorization,
        fields=fields(request) if fields is not None else None,
        command=command(request) if command is not None else None,
    )


def refusal_headers(error: CapsignError) -> list[tuple[str, str]]:
    """The headers of the core's refusal for `error`."""
    return [("WWW-Authenticate", error.challenge), *REFUSAL_HEADERS]


def check_store_sync(store: Store | None, grant: Grant) -> None:
    """A synchronous adapter's store check (an async store cannot be used from one)."""
    if store is None:
        return
    result = store.check(grant)
    if inspect.isawaitable(result):
        # Never awaited here, so never decided: refuse (fail closed), do not pass.
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError("this adapter is synchronous: give it MemoryStore or RedisStore")


async def check_store(store: Store | None, grant: Grant) -> None:
    """An asynchronous adapter's store check: awaits the store when it is asynchronous."""
    if store is None:
        return
    result = store.check(grant)
    if inspect.isawaitable(result):
        await result
