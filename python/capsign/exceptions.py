"""Exceptions raised by capsign, one class per stable error code.

Every exception has ``code`` (the stable identifier shared with Rust and Node),
``field`` (the policy field or argument at fault, if any), ``position`` (the byte
offset in a permission, if any), ``status`` (the HTTP status the middlewares answer
with), ``challenge`` (the matching ``WWW-Authenticate`` value) and ``body`` (the JSON
body of that answer). Messages say which check failed and never contain key material.
"""

from __future__ import annotations

import json


class CapsignError(Exception):
    """Base class of every capsign error."""

    code: str = "capsign_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        position: int | None = None,
        status: int = 500,
        challenge: str = 'Bearer realm="capsign"',
        body: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.position = position
        self.status = status
        self.challenge = challenge
        self.body = (
            body if body is not None else json.dumps({"error": self.code, "message": message})
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class InvalidCredentials(CapsignError):
    """The credentials are not good (HTTP 401, ``error="invalid_token"``)."""


class Malformed(InvalidCredentials):
    """The credentials cannot be decoded."""

    code = "malformed"


class BadSignature(InvalidCredentials):
    """The signature does not match the policy."""

    code = "bad_signature"


class UnknownKey(InvalidCredentials):
    """No key for the policy's ``kid`` (or no default secret)."""

    code = "unknown_key"


class Expired(InvalidCredentials):
    """The policy has expired."""

    code = "expired"


class NotYetValid(InvalidCredentials):
    """The policy's ``nbf`` is still in the future."""

    code = "not_yet_valid"


class MissingCredentials(InvalidCredentials):
    """An HTTP request carries no credentials (HTTP 401 with the bare challenge)."""

    code = "missing_credentials"


class Revoked(InvalidCredentials):
    """Genuine, current credentials that the store says were revoked."""

    code = "revoked"


class UsedUp(InvalidCredentials):
    """Genuine, current credentials whose ``uses`` are all spent."""

    code = "used_up"


class InvalidPolicy(InvalidCredentials, ValueError):
    """A policy breaks a rule (signed, or about to be signed)."""

    code = "invalid_policy"


class Denied(CapsignError):
    """Genuine, current credentials that do not allow the request (HTTP 403)."""

    code = "denied"


class InvalidPermission(CapsignError, ValueError):
    """A permission string does not follow the capability grammar."""

    code = "invalid_permission"


class InvalidCommand(CapsignError, ValueError):
    """A request command is malformed or not normalized (HTTP 400)."""

    code = "invalid_command"


class WeakSecret(CapsignError, ValueError):
    """A secret is empty or too short."""

    code = "weak_secret"


class InvalidArgument(CapsignError, ValueError):
    """A configuration argument is out of range."""

    code = "invalid_argument"


class Unavailable(CapsignError):
    """The revocation store could not answer: the request is refused (HTTP 503)."""

    code = "unavailable"


#: The class for each error code; the native module raises through this mapping.
BY_CODE: dict[str, type[CapsignError]] = {
    cls.code: cls
    for cls in (
        Malformed,
        BadSignature,
        UnknownKey,
        Expired,
        NotYetValid,
        Denied,
        InvalidPolicy,
        InvalidPermission,
        InvalidCommand,
        WeakSecret,
        InvalidArgument,
        MissingCredentials,
        Revoked,
        UsedUp,
        Unavailable,
    )
}

__all__ = [
    "BY_CODE",
    "BadSignature",
    "CapsignError",
    "Denied",
    "Expired",
    "InvalidArgument",
    "InvalidCommand",
    "InvalidCredentials",
    "InvalidPermission",
    "InvalidPolicy",
    "Malformed",
    "MissingCredentials",
    "NotYetValid",
    "Revoked",
    "Unavailable",
    "UnknownKey",
    "UsedUp",
    "WeakSecret",
]
