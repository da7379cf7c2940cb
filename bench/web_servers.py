"""The Python servers of bench/web_bench.mjs: the same routes on FastAPI (uvicorn) or Flask
(gunicorn, one worker, four threads): bare, with a dependency or decorator that does nothing
(the framework's own price), with capsign, with a memory store and with a Redis store; and
for FastAPI, capsign's ASGI middleware in front of a bare route.

    python bench/web_servers.py fastapi|flask REDIS_URL     # prints the port, then serves
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which
# are made in a loop below, as objects.
import functools
import socket
import sys
from typing import Annotated, Any

import capsign

SECRET = "bench-secret-0123456789abcdef-0123"
VERIFIER = capsign.Verifier(SECRET)


def fastapi_app(redis_url: str) -> Any:
    import redis.asyncio
    from fastapi import Depends, FastAPI
    from fastapi.responses import PlainTextResponse

    from capsign.asgi import CapsignMiddleware
    from capsign.fastapi import Capsign
    from capsign.stores import AsyncRedisStore

    app = FastAPI()
    plain = Capsign(VERIFIER, app=app)
    memory = Capsign(VERIFIER, store=capsign.MemoryStore())
    shared = Capsign(VERIFIER, store=AsyncRedisStore(redis.asyncio.Redis.from_url(redis_url)))
    hello = PlainTextResponse("hello")

    @app.get("/plain/hello")
    async def bare() -> Any:
        return hello

    @app.get("/asgi/hello")
    async def behind_middleware() -> Any:
        return hello

    async def nothing() -> None:
        return None

    @app.get("/empty/hello")
    async def empty(_: Annotated[None, Depends(nothing)]) -> Any:
        return hello

    for route, auth in (("secure", plain), ("memory", memory), ("redis", shared)):
        grant = Annotated[capsign.Grant, Depends(auth.require(rest=True))]

        async def secure(_: grant) -> Any:  # type: ignore[valid-type]
            return hello

        secure.__name__ = f"hello_{route}"

        app.get(f"/{route}/hello")(secure)

    # The ASGI middleware in front of the same app, for /asgi only.
    secured = CapsignMiddleware(app, verifier=VERIFIER, rest=True)

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/asgi/"):
            await secured(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch


def flask_app(redis_url: str) -> Any:
    import redis
    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from capsign.flask import Capsign
    from capsign.stores import RedisStore

    def secured(name: str, store: Any) -> Flask:
        # One Flask app per store: the extension keeps one store per app.
        app = Flask(name)
        app.config["CAPSIGN_SECRET"] = SECRET
        ext = Capsign(app, store=store)
        app.add_url_rule("/hello", view_func=ext.require(rest=True)(lambda: "hello"))
        return app

    def nothing(view: Any) -> Any:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    bare = Flask("bare")
    bare.add_url_rule("/plain/hello", view_func=lambda: "hello")
    empty = Flask("empty")
    empty.add_url_rule("/hello", view_func=nothing(lambda: "hello"))
    return DispatcherMiddleware(
        bare,
        {
            "/empty": empty,
            "/secure": secured("secure", None),
            "/memory": secured("memory", capsign.MemoryStore()),
            "/redis": secured("redis", RedisStore(redis.Redis.from_url(redis_url))),
        },
    )


def main() -> int:
    kind, redis_url = sys.argv[1], sys.argv[2]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    if kind == "fastapi":
        import uvicorn

        port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(
            fastapi_app(redis_url),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )
        uvicorn.Server(config).run()
    else:
        # gunicorn, one worker with threads, as a production Flask service runs.
        from gunicorn.app.base import BaseApplication

        port = sock.getsockname()[1]
        sock.close()
        app = flask_app(redis_url)

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in {
                    "bind": f"127.0.0.1:{port}",
                    "workers": 1,
                    "threads": 4,
                    "loglevel": "warning",
                    "accesslog": None,
                }.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return app

        Server().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
