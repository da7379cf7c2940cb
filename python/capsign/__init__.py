"""capsign: scoped, short-lived, signed credentials.

Issue Filestack-compatible policy + signature pairs and IPFS-style capability tokens
from a Rust core; verify them in microseconds.

>>> import capsign
>>> signer = capsign.Signer("an-app-secret-of-at-least-16-bytes")
>>> creds = signer.issue(expires_in=900, call=["pick"], permissions=["pin add [-r] *"])
>>> verifier = capsign.Verifier("an-app-secret-of-at-least-16-bytes")
>>> verifier.verify_token(creds.token, command="pin add -r QmX").matched
'pin add [-r] *'
"""

from __future__ import annotations

from capsign._native import (
    CHALLENGE,
    ERROR_CODES,
    KUBO_IGNORE,
    LIMITS,
    REFUSAL_HEADERS,
    Command,
    Credentials,
    Grant,
    MemoryStore,
    Permission,
    PublicKey,
    Route,
    Signer,
    SigningKey,
    Verifier,
    __version__,
    covers,
    decode_unverified,
    generate_secret,
    key_set,
    rest_command,
    rpc_command,
)
from capsign.exceptions import (
    BadSignature,
    CapsignError,
    Denied,
    Expired,
    InvalidArgument,
    InvalidCommand,
    InvalidCredentials,
    InvalidPermission,
    InvalidPolicy,
    Malformed,
    MissingCredentials,
    NotYetValid,
    Revoked,
    Unavailable,
    UnknownKey,
    UsedUp,
    WeakSecret,
)

__all__ = [
    "CHALLENGE",
    "ERROR_CODES",
    "KUBO_IGNORE",
    "LIMITS",
    "REFUSAL_HEADERS",
    "BadSignature",
    "CapsignError",
    "Command",
    "Credentials",
    "Denied",
    "Expired",
    "Grant",
    "InvalidArgument",
    "InvalidCommand",
    "InvalidCredentials",
    "InvalidPermission",
    "InvalidPolicy",
    "Malformed",
    "MemoryStore",
    "MissingCredentials",
    "NotYetValid",
    "Permission",
    "PublicKey",
    "Revoked",
    "Route",
    "Signer",
    "SigningKey",
    "Unavailable",
    "UnknownKey",
    "UsedUp",
    "Verifier",
    "WeakSecret",
    "__version__",
    "covers",
    "decode_unverified",
    "generate_secret",
    "key_set",
    "rest_command",
    "rpc_command",
]
