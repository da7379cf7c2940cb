"""Type stubs for the native module (kept honest by mypy's stubtest)."""

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, final

from typing_extensions import Unpack

__all__ = [
    "CHALLENGE",
    "ERROR_CODES",
    "KUBO_IGNORE",
    "LIMITS",
    "REFUSAL_HEADERS",
    "Command",
    "Credentials",
    "Grant",
    "MemoryStore",
    "Permission",
    "PublicKey",
    "RedisCall",
    "Route",
    "Signer",
    "SigningKey",
    "StoreLayout",
    "Verifier",
    "__version__",
    "covers",
    "decode_unverified",
    "filestack_security",
    "generate_secret",
    "key_set",
    "log_safe",
    "parse_security_task",
    "rest_command",
    "revocation_unverified",
    "rpc_command",
]

ERROR_CODES: list[str]
CHALLENGE: str
LIMITS: dict[str, int]
KUBO_IGNORE: list[str]
REFUSAL_HEADERS: list[tuple[str, str]]
__version__: str

class _RequestFields(TypedDict, total=False):
    """What a request names (every key optional; ``None`` counts as not given)."""

    call: str | None
    handle: str | None
    url: str | None
    path: str | None
    container: str | None
    size: int | None
    command: str | Command | None
    rest: tuple[str, str] | None
    rpc: tuple[str, str] | None

@final
class Credentials:
    @property
    def policy(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def token(self) -> str: ...
    @property
    def expiry(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class SigningKey:
    def __new__(cls, seed: str | bytes) -> SigningKey: ...
    @staticmethod
    def generate() -> SigningKey: ...
    @property
    def public_key(self) -> PublicKey: ...
    def to_text(self) -> str: ...

@final
class PublicKey:
    def __new__(cls, text: str) -> PublicKey: ...
    @property
    def peer_id(self) -> str: ...
    def to_base64url(self) -> str: ...
    def jwk(self, kid: str | None = None) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Signer:
    def __new__(
        cls,
        secret: str | bytes | None = None,
        *,
        signing_key: SigningKey | None = None,
        kid: str | None = None,
        min_secret_len: int | None = None,
    ) -> Signer: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def public_key(self) -> PublicKey | None: ...
    def issue(
        self,
        *,
        expires_in: int | None = None,
        expiry: int | None = None,
        call: Sequence[str] | None = None,
        handle: str | None = None,
        url: str | None = None,
        path: str | None = None,
        container: str | None = None,
        max_size: int | None = None,
        min_size: int | None = None,
        permissions: Sequence[str] | None = None,
        nbf: int | None = None,
        jti: str | None = None,
        uses: int | None = None,
        now: int | None = None,
    ) -> Credentials: ...

@final
class Permission:
    def __new__(cls, text: str) -> Permission: ...
    @property
    def source(self) -> str: ...
    def matches(self, command: str | Command) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Command:
    def __new__(cls, text: str) -> Command: ...
    @staticmethod
    def build(args: Sequence[str], flags: Mapping[str, str | None] | None = None) -> Command: ...
    @property
    def args(self) -> list[str]: ...
    @property
    def flags(self) -> list[tuple[str, str | None]]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Grant:
    @property
    def policy(self) -> dict[str, Any]: ...
    @property
    def expiry(self) -> int: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def permissions(self) -> list[str] | None: ...
    @property
    def matched(self) -> str | None: ...
    def authorize(self, **request: Unpack[_RequestFields]) -> str | None: ...
    def allows(self, command: str | Command) -> bool: ...

@final
class Verifier:
    def __new__(
        cls,
        secret: str | bytes | None = None,
        *,
        keys: Mapping[str, str | bytes] | None = None,
        public_keys: Mapping[str, PublicKey | str] | None = None,
        key_set: str | None = None,
        leeway: int = 0,
        min_secret_len: int | None = None,
    ) -> Verifier: ...
    @property
    def leeway(self) -> int: ...
    def key_set(self) -> str | None: ...
    def verify(
        self,
        policy: str,
        signature: str,
        *,
        now: int | None = None,
        **request: Unpack[_RequestFields],
    ) -> Grant: ...
    def verify_token(
        self, token: str, *, now: int | None = None, **request: Unpack[_RequestFields]
    ) -> Grant: ...
    def verify_http(
        self,
        authorization: str | None,
        policy: Sequence[str],
        signature: Sequence[str],
        *,
        now: int | None = None,
        **request: Unpack[_RequestFields],
    ) -> Grant | None: ...
    def authenticate_http(
        self,
        route: Route,
        method: str,
        target: str,
        authorization: Sequence[str],
        *,
        now: int | None = None,
    ) -> None: ...
    def check_http(
        self,
        route: Route,
        method: str,
        target: str,
        authorization: Sequence[str],
        *,
        fields: Mapping[str, Any] | None = None,
        command: str | Command | None = None,
        now: int | None = None,
    ) -> Grant: ...

@final
class Route:
    def __new__(
        cls,
        *,
        call: str | None = None,
        command: str | None = None,
        per_request: bool = False,
        rest: bool = False,
        rpc: str | None = None,
        ignore: Sequence[str] | None = None,
        fields: bool = False,
        security_task: bool = False,
        authenticate_only: bool = False,
    ) -> Route: ...

def covers(a: str | Sequence[str], b: str | Sequence[str]) -> bool: ...
def rest_command(method: str, target: str) -> Command: ...
def rpc_command(prefix: str, target: str) -> Command: ...
def generate_secret() -> str: ...
def filestack_security(policy_json: str, secret: str | bytes) -> tuple[str, str]: ...
def parse_security_task(task: str) -> tuple[str, str]: ...
def decode_unverified(policy_or_token: str) -> str: ...
def revocation_unverified(policy_or_token: str) -> tuple[str, int]: ...
def log_safe(text: str) -> str: ...
def key_set(public_keys: Mapping[str, PublicKey | str]) -> str: ...

@final
class MemoryStore:
    def __new__(cls, *, leeway: int = 3600) -> MemoryStore: ...
    def check(self, grant: Grant, *, now: int | None = None) -> None: ...
    def revoke(
        self,
        *,
        jti: str | None = None,
        expiry: int | None = None,
        kid: str | None = None,
        before: int | None = None,
        now: int | None = None,
    ) -> None: ...
    def sweep(self, *, now: int | None = None) -> None: ...
    def __len__(self) -> int: ...

@final
class RedisCall:
    @property
    def script(self) -> str: ...
    @property
    def sha1(self) -> str: ...
    @property
    def keys(self) -> list[str]: ...
    @property
    def args(self) -> list[str]: ...

@final
class StoreLayout:
    def __new__(cls, *, prefix: str = "capsign:", leeway: int = 3600) -> StoreLayout: ...
    @property
    def prefix(self) -> str: ...
    @property
    def leeway(self) -> int: ...
    def check_call(self, grant: Grant) -> RedisCall: ...
    def revoke_call(
        self,
        *,
        jti: str | None = None,
        expiry: int | None = None,
        kid: str | None = None,
        before: int | None = None,
        now: int | None = None,
    ) -> RedisCall: ...
    def decide(self, grant: Grant, reply: str | None) -> None: ...
    def confirm(self, reply: str | None) -> None: ...
