"""Flask integration: verify every request natively, issue credentials from routes.

::

    from flask import Flask, g
    from capsign.flask import Capsign

    app = Flask(__name__)
    app.config["CAPSIGN_SECRET"] = os.environ["CAPSIGN_SECRET"]
    capsign = Capsign(app)

    @app.get("/files/<handle>")
    @capsign.require(call="read", fields=lambda request: {"handle": request.view_args["handle"]})
    def read(handle):
        ...  # g.capsign is the verified Grant

    @app.post("/api/v0/<path:command>")
    @capsign.require(rpc="/api/v0")
    def rpc(command):
        ...

    @app.get("/credentials")
    @login_required
    def credentials():
        return capsign.credentials_response(call=["pick"], expires_in=900,
                                            path=f"/uploads/{current_user.id}/.*")

Configuration: ``CAPSIGN_SECRET`` (default secret), ``CAPSIGN_KEYS`` (``{kid: secret}``),
``CAPSIGN_KID`` (the key to sign with, from ``CAPSIGN_KEYS``), ``CAPSIGN_LEEWAY``
(seconds, default 0), ``CAPSIGN_MIN_SECRET_LEN`` (default 16), ``CAPSIGN_STORE`` (or
``Capsign(app, store=…)``: a ``MemoryStore`` or ``capsign.stores.RedisStore`` checked
after everything else, for revocation and ``uses``). Ed25519:
``CAPSIGN_SIGNING_KEY`` (a ``SigningKey`` or its seed text; the app signs with it, under
``CAPSIGN_KID`` or its peer ID, and trusts its public key), ``CAPSIGN_PUBLIC_KEYS``
(``{kid: key}``) and ``CAPSIGN_KEY_SET`` (a JWK Set) for a verifier that cannot mint.
``key_set_response`` serves the public keys::

    app.add_url_rule("/.well-known/capsign-keys.json", view_func=capsign.key_set_response)

Every ``require`` names what its route needs: a ``call``, a ``command`` (fixed or a
function of the request), ``rest=True`` or ``rpc=prefix`` (with ``ignore=KUBO_IGNORE``
for a Kubo-like API), or ``authenticate_only=True`` for a route that only checks that the
credentials are genuine; a ``require()`` that names nothing is refused at setup.
Credentials are read from ``Authorization: Bearer <token>`` (given once), the ``policy``
and ``signature`` query parameters, or (``security_task=True``) Filestack's
``security=p:…,s:…`` path task; never from cookies. ``fields`` gives ``handle``, ``url``,
``path``, ``container`` and ``size``; nothing else it returns is read. Refusals are the
core's (RFC 6750): 401 with ``WWW-Authenticate`` for missing or bad credentials, 403 for
a request they do not allow, 400 for a request that cannot be checked; the body is
``{"error": code, "message": text}`` and never contains a secret.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import quote

from flask import Flask, Response, current_app, g, jsonify, request
from flask import Request as FlaskRequest

from capsign._adapter import (
    Store,
    check_request,
    check_store_sync,
    make_route,
    refusal_headers,
)
from capsign._native import (
    Command,
    Credentials,
    PublicKey,
    Route,
    Signer,
    SigningKey,
    Verifier,
    log_safe,
)
from capsign.exceptions import CapsignError, InvalidArgument

__all__ = ["Capsign", "raw_target"]

log = logging.getLogger("capsign.flask")

F = TypeVar("F", bound=Callable[..., Any])
CommandSource = str | Command | Callable[[FlaskRequest], "str | Command"]

# Characters a WSGI server may have decoded from the path that are safe to put back as is.
_PATH_SAFE = "/!$&'()*+,;=:@-._~"
# Every visible ASCII character, `%` included: what a raw target keeps as it is.
_ASCII_SAFE = "".join(map(chr, range(0x21, 0x7F)))


@dataclass(frozen=True)
class _State:
    verifier: Verifier
    signer: Signer | None
    store: Store | None


class Capsign:
    """The Flask extension. Create it with the app, or later with :meth:`init_app`."""

    def __init__(self, app: Flask | None = None, *, store: Store | None = None) -> None:
        self._store = store
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Build the verifier (and the signer, if a secret to sign with is configured)."""
        secret = app.config.get("CAPSIGN_SECRET")
        keys: Mapping[str, str | bytes] | None = app.config.get("CAPSIGN_KEYS")
        kid = app.config.get("CAPSIGN_KID")
        min_len = app.config.get("CAPSIGN_MIN_SECRET_LEN")
        signing_key = app.config.get("CAPSIGN_SIGNING_KEY")
        public_keys: dict[str, PublicKey | str] = dict(app.config.get("CAPSIGN_PUBLIC_KEYS") or {})
        signer = None
        if signing_key is not None:
            if not isinstance(signing_key, SigningKey):
                signing_key = SigningKey(signing_key)
            signer = Signer(signing_key=signing_key, kid=kid)
            # The app verifies what it signs, under the kid it signs with.
            public_keys.setdefault(cast(str, signer.kid), signing_key.public_key)
        verifier = Verifier(
            secret,
            keys=dict(keys) if keys else None,
            public_keys=public_keys or None,
            key_set=app.config.get("CAPSIGN_KEY_SET"),
            leeway=int(app.config.get("CAPSIGN_LEEWAY", 0)),
            min_secret_len=min_len,
        )
        if signer is None and kid is not None:
            if not keys or kid not in keys:
                raise InvalidArgument(f"CAPSIGN_KID {kid!r} is not in CAPSIGN_KEYS", field="kid")
            signer = Signer(keys[kid], kid=kid, min_secret_len=min_len)
        elif signer is None and secret is not None:
            signer = Signer(secret, min_secret_len=min_len)
        store = app.config.get("CAPSIGN_STORE", self._store)
        app.extensions["capsign"] = _State(verifier, signer, store)

    @staticmethod
    def _state() -> _State:
        state = current_app.extensions.get("capsign")
        if not isinstance(state, _State):
            raise RuntimeError("capsign.flask.Capsign was not initialized for this app")
        return state

    @property
    def verifier(self) -> Verifier:
        """The current app's verifier."""
        return self._state().verifier

    @property
    def store(self) -> Store | None:
        """The current app's store (revocation and use limits), if any."""
        return self._state().store

    def key_set_response(self) -> Response:
        """The verifier's public keys as a JWK Set (``application/jwk-set+json``), for a
        route such as ``/.well-known/capsign-keys.json``. 404 if it has none: secrets are
        never served."""
        text = self.verifier.key_set()
        if text is None:
            return Response(status=404)
        response = Response(text, mimetype="application/jwk-set+json")
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    def issue(self, **claims: Any) -> Credentials:
        """Issue credentials with the app's signing key (``Signer.issue`` arguments)."""
        signer = self._state().signer
        if signer is None:
            raise InvalidArgument(
                "no signing key: set CAPSIGN_SECRET, CAPSIGN_SIGNING_KEY,"
                " or CAPSIGN_KEYS and CAPSIGN_KID",
                field="secret",
            )
        return signer.issue(**claims)

    def credentials_response(self, **claims: Any) -> Response:
        """A JSON response with fresh credentials, for SPAs and native apps. Put it behind
        your own login: whatever the credentials allow is public otherwise."""
        response = jsonify(self.issue(**claims).to_dict())
        response.headers["Cache-Control"] = "no-store"
        return response

    def require(
        self,
        call: str | None = None,
        command: CommandSource | None = None,
        *,
        rest: bool = False,
        rpc: str | None = None,
        ignore: Sequence[str] | None = None,
        fields: Callable[[FlaskRequest], Mapping[str, Any]] | None = None,
        security_task: bool = False,
        authenticate_only: bool = False,
    ) -> Callable[[F], F]:
        """Decorate a view so that it runs only for requests the credentials allow.

        ``call``: a Filestack call the request must be allowed (``"read"``, ``"pick"``…).
        ``command``: a command (text, ``Command``, or a function of the request).
        ``rest=True``: the command is ``<METHOD> <path>`` of the request.
        ``rpc="/api/v0"``: the command is the IPFS-style RPC mapping under that prefix;
        ``ignore``: parameter names it leaves out (``capsign.KUBO_IGNORE`` for Kubo's
        transport and output options).
        ``fields``: a function of the request giving ``handle``, ``path``, ``url``,
        ``container`` or ``size`` to check against the policy (nothing else is read).
        ``security_task=True``: also accept Filestack's ``security=p:…,s:…`` path task.
        ``authenticate_only=True``: only check that the credentials are genuine and
        current (the view must then authorize with ``g.capsign`` itself).

        The route is checked here: naming nothing (and not ``authenticate_only``) raises
        :class:`capsign.InvalidArgument`. On success the verified :class:`capsign.Grant` is
        ``flask.g.capsign``; its ``matched`` is the permission that allowed the command.
        """
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

        def decorator(view: F) -> F:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                refused = self._check(route, command_of, fields)
                if refused is not None:
                    return refused
                return view(*args, **kwargs)

            return cast(F, wrapper)

        return decorator

    def _check(
        self,
        route: Route,
        command_of: Callable[[FlaskRequest], str | Command] | None,
        fields: Callable[[FlaskRequest], Mapping[str, Any]] | None,
    ) -> Response | None:
        state = self._state()
        try:
            grant = check_request(
                state.verifier,
                route,
                request.method,
                raw_target(request),
                request.headers.getlist("Authorization"),
                request=request,
                fields=fields,
                command=command_of,
            )
            # Last, once everything else holds: forged, expired or denied requests never
            # reach the store, and never consume a use.
            check_store_sync(state.store, grant)
        except CapsignError as e:
            return _refuse(e)
        g.capsign = grant
        return None


def raw_target(req: FlaskRequest) -> str:
    """The request target as the client sent it (path still percent-encoded, and the
    query). Uses ``RAW_URI``/``REQUEST_URI`` when the server provides them (Werkzeug and
    Gunicorn do), as sent, even in absolute form (which the mappings refuse); otherwise
    re-encodes the decoded path, which cannot tell an encoded slash from a real one."""
    env = req.environ
    query = env.get("QUERY_STRING", "")
    raw = env.get("RAW_URI") or env.get("REQUEST_URI")
    if isinstance(raw, str) and raw:
        # WSGI gives raw bytes as Latin-1 text: bytes past ASCII (a client that sent UTF-8
        # unencoded, such as Werkzeug's test client) are percent-encoded back, as the
        # client should have sent them, so the core sees what the router decodes.
        if not raw.isascii():
            raw = quote(_wsgi_bytes(raw), safe=_ASCII_SAFE)
        # Some servers (Werkzeug's test client) leave the query out of the raw URI.
        return raw if "?" in raw or not query else f"{raw}?{query}"
    path = _wsgi_bytes(env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", ""))
    return quote(path, safe=_PATH_SAFE) + (f"?{query}" if query else "")


def _wsgi_bytes(text: str) -> bytes:
    """The bytes of a WSGI string (PEP 3333: Latin-1 text); a server that breaks the rule
    and passes decoded text gets its UTF-8, never an exception."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _refuse(error: CapsignError) -> Response:
    """The core's refusal for `error`, as a Flask response; logged without the token."""
    target = raw_target(request).split("?", 1)[0]
    log.info(
        "capsign refused %s %s: %d %s",
        log_safe(request.method),
        log_safe(target),
        error.status,
        error.code,
    )
    return Response(error.body, status=error.status, headers=refusal_headers(error))
