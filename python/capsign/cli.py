"""The ``capsign`` command line: ``keygen``, ``pubkey``, ``issue``, ``verify``, ``inspect``,
``revoke``.

Secrets come from ``--secret-file PATH`` or the ``CAPSIGN_SECRET`` environment variable
(keys by kid from ``--keys-file PATH`` or ``CAPSIGN_KEYS``, a JSON object), never from
the command line, where other users could read them. An Ed25519 signing key lives in a
file of mode 600 (``keygen --ed25519 --out FILE``) and is read with ``--key-file FILE``;
a verifier that must not mint takes only public keys (``--peer-id``, ``--public-key``,
``--key-set``).

Exit codes (scripts can rely on them; the message on stderr starts with the error code):

====  ===========================================================================
0     success
1     ``verify``/``inspect``: the credentials are not valid (malformed, bad signature,
      unknown key, expired, not yet valid, invalid policy)
2     usage: bad arguments, claims or commands that cannot be issued or checked
3     ``verify``: valid credentials that do not allow the request (denied)
4     configuration: no secret, a weak secret, an unusable option value
5     ``revoke``: the store did not answer (nothing was recorded)
====  ===========================================================================
"""

from __future__ import annotations

import argparse
import errno
import functools
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import capsign
from capsign import _native
from capsign.exceptions import (
    CapsignError,
    Denied,
    InvalidArgument,
    InvalidCommand,
    InvalidCredentials,
    InvalidPermission,
    InvalidPolicy,
    Unavailable,
    WeakSecret,
)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_DENIED = 3
EXIT_CONFIG = 4
EXIT_UNAVAILABLE = 5


class ConfigError(Exception):
    """No usable secret or option (exit 4)."""


#: The values given on this command line (set by `main`): never printed back, since one
#: may be a secret typed where it does not belong.
_ARGUMENT_VALUES: list[str] = []

#: Values shorter than this are not hidden (a number or a call name is not a secret, and
#: hiding one-character values would garble every message).
_SHORTEST_HIDDEN = 6


def _redact(text: str) -> str:
    """`text` with every value of the command line replaced by a placeholder."""
    for value in sorted(_ARGUMENT_VALUES, key=len, reverse=True):
        if len(value) >= _SHORTEST_HIDDEN:
            text = text.replace(value, "<value not shown>")
    return text


def _argument_values(argv: Sequence[str]) -> list[str]:
    values = []
    for arg in argv:
        if arg.startswith("-"):
            if "=" in arg:
                values.append(arg.split("=", 1)[1])
        else:
            values.append(arg)
    return values


# Options whose values are base64url text or names, which may begin with "-" (one random
# key, signature or jti in 64 does): argparse would read `--public-key -9v…` as two options.
_DASH_VALUES = frozenset({"--public-key", "--signature", "--jti", "--kid"})


def _option_names(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of `parser` and of its subcommands."""
    names: set[str] = set()
    for action in parser._actions:
        names.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names |= _option_names(sub)
    return names


def _join_dash_values(argv: Sequence[str], options: set[str]) -> list[str]:
    """`--public-key -9v…` as `--public-key=-9v…`: the value of one of `_DASH_VALUES` is
    taken as given unless it is itself one of the options (`--jti --call read` stays a
    usage error). Nothing after `--` is touched."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        following = argv[i + 1] if i + 1 < len(argv) else None
        if (
            arg in _DASH_VALUES
            and following is not None
            and following.startswith("-")
            and following != "--"
            and following.split("=", 1)[0] not in options
        ):
            out.append(f"{arg}={following}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _fail(code: str, message: str, status: int) -> NoReturn:
    print(f"capsign: {code}: {_redact(message)}", file=sys.stderr)
    raise SystemExit(status)


def _read_private(path: str, option: str) -> bytes:
    """The bytes of a file holding a secret or a seed; warns when other users may read it
    (as keygen never writes). The path is never repeated: a secret mistyped for a path
    must not be printed."""
    try:
        with open(path, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            data = f.read()
    except OSError as e:
        raise ConfigError(f"cannot read the file given to {option}: {e.strerror}") from None
    if mode & 0o077:
        print(
            f"capsign: warning: the file given to {option} can be read by other users "
            f"(mode {mode & 0o777:o}): chmod 600 it",
            file=sys.stderr,
        )
    return data


def _read_secret_file(path: str) -> bytes:
    return _read_private(path, "--secret-file").rstrip(b"\r\n")


def _optional_secret(args: argparse.Namespace) -> str | bytes | None:
    if args.secret_file:
        return _read_secret_file(args.secret_file)
    return os.environ.get("CAPSIGN_SECRET") or None


def _secret(args: argparse.Namespace) -> str | bytes:
    secret = _optional_secret(args)
    if secret is None:
        raise ConfigError("no secret: set CAPSIGN_SECRET or pass --secret-file PATH")
    return secret


def _keys(args: argparse.Namespace) -> dict[str, str] | None:
    if getattr(args, "keys_file", None):
        try:
            text = Path(args.keys_file).read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot read the file given to --keys-file: {e.strerror}") from None
    else:
        text = os.environ.get("CAPSIGN_KEYS", "")
        if not text:
            return None
    try:
        keys = json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError("the keys must be a JSON object {kid: secret}") from None
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise ConfigError("the keys must be a JSON object {kid: secret}")
    return keys


def _read_key_file(path: str) -> capsign.SigningKey:
    try:
        text = _read_private(path, "--key-file").decode("ascii")
    except UnicodeDecodeError:
        raise ConfigError("cannot read the file given to --key-file: not a seed file") from None
    return capsign.SigningKey(text.strip())


def _public_keys(args: argparse.Namespace) -> dict[str, capsign.PublicKey] | None:
    """`--peer-id` and `--public-key` (repeatable), each trusted under its peer ID."""
    keys: dict[str, capsign.PublicKey] = {}
    for text in (args.peer_id or []) + (args.public_key or []):
        key = capsign.PublicKey(text)
        keys[key.peer_id] = key
    return keys or None


def _key_set(args: argparse.Namespace) -> str | None:
    if not args.key_set:
        return None
    try:
        return Path(args.key_set).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "not UTF-8"
        raise ConfigError(f"cannot read the file given to --key-set: {reason}") from None


def _write_private(path: str, text: str, force: bool) -> None:
    """Write `text` to `path` with mode 600 from the first byte: a new file, or (with
    `force`) a temporary file renamed over the old one, never written through a link."""
    target = Path(path)
    if not force and os.path.lexists(target):
        raise ConfigError(f"{path} exists (use --force to replace it)")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(temporary, flags, 0o600)
    except OSError as e:
        raise ConfigError(f"cannot write {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text + "\n")
        if force:
            try:
                os.replace(temporary, target)
            except OSError as e:
                raise ConfigError(f"cannot write {path}: {e.strerror}") from None
        else:
            _link_new(temporary, target, path)
    finally:
        temporary.unlink(missing_ok=True)


def _link_new(temporary: Path, target: Path, path: str) -> None:
    """Give `temporary` the name `target` only if nothing has that name: a hard link fails
    atomically on any existing entry (a file created since the first check, or a link).
    Where the file system has no hard links, check and rename (a narrow race)."""
    try:
        os.link(temporary, target, follow_symlinks=False)
    except FileExistsError:
        raise ConfigError(f"{path} exists (use --force to replace it)") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise ConfigError(f"cannot write {path}: {e.strerror}") from None
        if os.path.lexists(target):
            raise ConfigError(f"{path} exists (use --force to replace it)") from None
        os.replace(temporary, target)


def _print_public(key: capsign.PublicKey, file: Any = None) -> None:
    print(f"public key: {key.to_base64url()}", file=file)
    print(f"peer ID:    {key.peer_id}", file=file)
    print(f"JWK:        {key.jwk(kid=key.peer_id)}", file=file)


def _credential_text(value: str) -> str:
    return sys.stdin.read().strip() if value == "-" else value.strip()


def cmd_keygen(args: argparse.Namespace) -> int:
    if args.ed25519:
        key = capsign.SigningKey.generate()
        if args.out is None:
            raise _Usage("--ed25519 needs --out FILE: the signing key goes in a file of mode 600")
        _write_private(args.out, key.to_text(), args.force)
        print(f"wrote a new Ed25519 signing key to {args.out} (mode 600)", file=sys.stderr)
        _print_public(key.public_key)
        return EXIT_OK
    secret = capsign.generate_secret()
    if args.out is None:
        print(secret)
        return EXIT_OK
    _write_private(args.out, secret, args.force)
    print(f"wrote a new secret to {args.out} (mode 600)", file=sys.stderr)
    return EXIT_OK


def cmd_pubkey(args: argparse.Namespace) -> int:
    key = _read_key_file(args.key_file).public_key
    if args.format == "key-set":
        print(capsign.key_set({args.kid or key.peer_id: key}))
    elif args.format == "jwk":
        print(key.jwk(kid=args.kid or key.peer_id))
    elif args.format == "peer-id":
        print(key.peer_id)
    else:
        _print_public(key)
    return EXIT_OK


def cmd_issue(args: argparse.Namespace) -> int:
    if args.key_file:
        if args.secret_file:
            raise _Usage("give --key-file or --secret-file, not both")
        signer = capsign.Signer(signing_key=_read_key_file(args.key_file), kid=args.kid)
    else:
        signer = capsign.Signer(_secret(args), kid=args.kid, min_secret_len=args.min_secret_len)
    creds = signer.issue(
        expires_in=args.expires_in,
        expiry=args.expiry,
        call=args.call,
        handle=args.handle,
        url=args.url,
        path=args.path,
        container=args.container,
        max_size=args.max_size,
        min_size=args.min_size,
        permissions=args.permission,
        nbf=args.nbf,
        jti=args.jti,
    )
    if args.format == "json":
        print(json.dumps(creds.to_dict(), indent=2))
    elif args.format == "pair":
        print(f"policy={creds.policy}")
        print(f"signature={creds.signature}")
    else:
        print(creds.token)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    verifier = capsign.Verifier(
        _optional_secret(args),
        keys=_keys(args),
        public_keys=_public_keys(args),
        key_set=_key_set(args),
        leeway=args.leeway,
        min_secret_len=args.min_secret_len,
    )
    request: dict[str, Any] = {
        "call": args.call,
        "handle": args.handle,
        "url": args.url,
        "path": args.path,
        "container": args.container,
        "size": args.size,
        "command": args.command,
    }
    if args.token is not None:
        if args.policy or args.signature:
            raise _Usage("give a token or --policy and --signature, not both")
        grant = verifier.verify_token(_credential_text(args.token), **request)
    elif args.policy and args.signature:
        grant = verifier.verify(args.policy.strip(), args.signature.strip(), **request)
    else:
        raise _Usage("give a token (or - to read it from stdin), or --policy and --signature")
    out = {"valid": True, "kid": grant.kid, "expiry": grant.expiry, "policy": grant.policy}
    if grant.matched is not None:
        out["matched"] = grant.matched
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    text = capsign.decode_unverified(_credential_text(args.credential))
    print(
        "capsign: UNVERIFIED: this is what the credential claims; its signature was NOT checked",
        file=sys.stderr,
    )
    print(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    try:
        import redis
    except ImportError:
        raise ConfigError("revoke needs redis-py: pip install redis") from None
    from capsign.stores import RedisStore

    if not args.redis:
        raise ConfigError("no store: set REDIS_URL or pass --redis URL")
    before = args.before
    if before == "now":
        before = str(int(time.time()) + 1)  # everything issued up to this second
    if before is not None and not (before.isascii() and before.isdigit()):
        raise _Usage("--before takes Unix seconds, or now")
    jti, expiry = args.jti, args.expiry
    if args.token is not None:
        if jti is not None or expiry is not None:
            raise _Usage("give --token, or --jti with --expiry, not both")
        # Read by the core, not verified: revoking a credential can only take rights away.
        jti, expiry = _native.revocation_unverified(_credential_text(args.token))
    try:
        client = redis.Redis.from_url(args.redis, socket_timeout=5, socket_connect_timeout=5)
    except ValueError:
        raise ConfigError("--redis must be a redis:// or rediss:// URL") from None
    store = RedisStore(client, prefix=args.prefix, leeway=args.leeway)
    store.revoke(
        jti=jti, expiry=expiry, kid=args.kid, before=int(before) if before is not None else None
    )
    what = f"jti {jti}" if jti else (f"kid {args.kid}" if args.kid else "everything")
    print(f"revoked {what}" + (f" issued before {before}" if before else ""), file=sys.stderr)
    return EXIT_OK


class _Usage(Exception):
    """A usage problem found after parsing (exit 2)."""


def _secret_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--secret-file", metavar="PATH", help="read the secret from PATH (default: $CAPSIGN_SECRET)"
    )
    p.add_argument(
        "--min-secret-len", type=int, metavar="N", help="accept secrets shorter than 16 bytes"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, whose own errors ("invalid int value: 'xyz'") print no argument value."""

    def error(self, message: str) -> NoReturn:
        super().error(_redact(message))


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: `--secret VALUE` must not be taken for `--secret-file VALUE`.
    parser = _Parser(
        prog="capsign",
        allow_abbrev=False,
        description="Issue and verify scoped, short-lived, signed credentials.",
        epilog="Secrets come from --secret-file or $CAPSIGN_SECRET, never from arguments.",
    )
    parser.add_argument("--version", action="version", version=f"capsign {capsign.__version__}")
    sub = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")
    add = functools.partial(sub.add_parser, allow_abbrev=False)

    keygen = add("keygen", help="print (or write) a new random secret, or an Ed25519 key")
    keygen.add_argument("--out", metavar="PATH", help="write it to PATH with mode 600 instead")
    keygen.add_argument("--force", action="store_true", help="replace PATH if it exists")
    keygen.add_argument(
        "--ed25519",
        action="store_true",
        help="an Ed25519 signing key (needs --out); prints its public key, peer ID and JWK",
    )
    keygen.set_defaults(run=cmd_keygen)

    pubkey = add("pubkey", help="print the public key of an Ed25519 signing key")
    pubkey.add_argument("--key-file", metavar="PATH", required=True)
    pubkey.add_argument("--format", choices=["text", "peer-id", "jwk", "key-set"], default="text")
    pubkey.add_argument("--kid", help="the kid in the JWK (default: the peer ID)")
    pubkey.set_defaults(run=cmd_pubkey)

    _issue_parser(add("issue", help="issue credentials"))
    _verify_parser(add("verify", help="verify credentials (and a request)"))

    revoke = add("revoke", help="revoke credentials in a Redis store shared by the verifiers")
    revoke.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL"),
        help="redis://host:port/db (default: $REDIS_URL, which keeps a password off argv)",
    )
    revoke.add_argument("--jti", help="one credential, by its jti (with --expiry)")
    revoke.add_argument("--expiry", type=int, metavar="UNIX", help="that credential's expiry")
    revoke.add_argument("--token", help="the credential itself (its jti and expiry), or -")
    revoke.add_argument("--kid", help="a key's credentials issued before --before")
    revoke.add_argument("--before", metavar="UNIX", help="issued before this time (or now)")
    revoke.add_argument("--prefix", default="capsign:", help="the store's key prefix")
    revoke.add_argument(
        "--leeway", type=int, default=3600, metavar="SECONDS", help="as the store's (3600)"
    )
    revoke.set_defaults(run=cmd_revoke)

    inspect = add("inspect", help="decode a credential WITHOUT verifying it")
    inspect.add_argument("credential", help="a token or a policy, or - for stdin")
    inspect.set_defaults(run=cmd_inspect)
    return parser


def _issue_parser(issue: argparse.ArgumentParser) -> None:
    _secret_options(issue)
    issue.add_argument(
        "--key-file", metavar="PATH", help="sign with this Ed25519 key instead of a secret"
    )
    issue.add_argument("--kid", help="key id written into the policy")
    when = issue.add_mutually_exclusive_group()
    when.add_argument("--expires-in", type=int, metavar="SECONDS", help="lifetime (default 900)")
    when.add_argument("--expiry", type=int, metavar="UNIX", help="absolute expiry")
    issue.add_argument(
        "--call", action="append", metavar="NAME", help="a Filestack call (repeatable)"
    )
    issue.add_argument("--handle")
    issue.add_argument("--url", metavar="REGEX")
    issue.add_argument("--path", metavar="REGEX")
    issue.add_argument("--container", metavar="REGEX")
    issue.add_argument("--max-size", type=int, metavar="BYTES")
    issue.add_argument("--min-size", type=int, metavar="BYTES")
    issue.add_argument(
        "--permission",
        action="append",
        metavar="PERMISSION",
        help="a command permission (repeatable)",
    )
    issue.add_argument("--nbf", type=int, metavar="UNIX")
    issue.add_argument("--jti")
    issue.add_argument("--format", choices=["token", "json", "pair"], default="token")
    issue.set_defaults(run=cmd_issue)


def _verify_parser(verify: argparse.ArgumentParser) -> None:
    _secret_options(verify)
    verify.add_argument(
        "--keys-file", metavar="PATH", help="JSON {kid: secret} (default: $CAPSIGN_KEYS)"
    )
    verify.add_argument(
        "--peer-id", action="append", metavar="PEER_ID", help="trust this Ed25519 key"
    )
    verify.add_argument(
        "--public-key",
        action="append",
        metavar="KEY",
        help="trust this Ed25519 key (base64url or JWK), under its peer ID",
    )
    verify.add_argument("--key-set", metavar="PATH", help="trust the keys of this JWK Set")
    verify.add_argument("token", nargs="?", help="<policy>.<signature>, or - for stdin")
    verify.add_argument("--policy")
    verify.add_argument("--signature")
    verify.add_argument("--leeway", type=int, default=0, metavar="SECONDS")
    verify.add_argument("--call")
    verify.add_argument("--command", metavar="COMMAND", help='e.g. "pin add -r QmX"')
    verify.add_argument("--handle")
    verify.add_argument("--url")
    verify.add_argument("--path")
    verify.add_argument("--container")
    verify.add_argument("--size", type=int, metavar="BYTES")
    verify.set_defaults(run=cmd_verify)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = _join_dash_values(sys.argv[1:] if argv is None else argv, _option_names(parser))
    _ARGUMENT_VALUES[:] = _argument_values(argv)
    args, unknown = parser.parse_known_args(argv)
    # The command's own name is no secret: a message saying "revoke" must not hide it.
    command_name = getattr(args, "command_name", None)
    _ARGUMENT_VALUES[:] = [v for v in _ARGUMENT_VALUES if v != command_name]
    if unknown:
        # Name the unexpected options but never echo values: one may be a secret typed
        # where it does not belong.
        names = sorted({a.split("=", 1)[0] for a in unknown if a.startswith("-")})
        parser.error(
            f"unrecognized arguments: {' '.join(names) or '(values not shown)'}"
            " (secrets go in --secret-file or $CAPSIGN_SECRET)"
        )
    try:
        return int(args.run(args))
    except _Usage as e:
        parser.error(str(e))
    except OverflowError:
        # A number past what the core takes (2^64 and more): the value is not repeated.
        parser.error("a number given is out of range")
    except ConfigError as e:
        _fail("config", str(e), EXIT_CONFIG)
    except (WeakSecret, InvalidArgument) as e:
        _fail(e.code, e.message, EXIT_CONFIG)
    except Denied as e:
        _fail(e.code, e.message, EXIT_DENIED)
    except Unavailable as e:
        _fail(e.code, e.message, EXIT_UNAVAILABLE)
    except InvalidPolicy as e:
        # Claims that cannot be issued are a usage problem; a signed policy that breaks
        # the rules is invalid credentials.
        _fail(e.code, e.message, EXIT_USAGE if args.command_name == "issue" else EXIT_INVALID)
    except InvalidCredentials as e:
        _fail(e.code, e.message, EXIT_INVALID)
    except (InvalidCommand, InvalidPermission) as e:
        _fail(e.code, e.message, EXIT_USAGE)
    except CapsignError as e:  # pragma: no cover - every code is handled above
        _fail(e.code, e.message, EXIT_USAGE)


if __name__ == "__main__":
    sys.exit(main())
