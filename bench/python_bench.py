"""Sign and verify, per call, for capsign and its Python peers, in one run.

    .venv/bin/python bench/python_bench.py [--seconds 0.3] [--repeat 7]

Every library signs and verifies the reference policy of the core issue:
{"expiry": now+900, "call": ["pick","read","store"], "handle": "KW9EJhYtS6y48Whm2S6D",
 "path": "/uploads/user-42/.*", "maxSize": 10485760}
and "verify" means: check the signature and expiry, then authorize a `store` of that handle
under /uploads/user-42/ with a size (capsign does this natively; for the others the same
checks are written in Python, as an app would have to). filestack-python only signs.
Figures are the median of `--repeat` timed batches; ratios are to capsign in the same run.

The Ed25519 table verifies the same policy signed with an Ed25519 key: capsign's first
verification of a token (a cycle of 8,192 distinct tokens, twice the verified-policy
cache, so every call misses it), its repeated verification of one token (the cache hit:
a constant-time comparison of the signature), PyJWT EdDSA and a hand-written check with
`cryptography` (signature, base64, JSON and the same authorization in Python).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import capsign

SECRET = "bench-secret-0123456789abcdef-0123"  # 34 bytes: no PyJWT key-length warning
HANDLE = "KW9EJhYtS6y48Whm2S6D"
PATH = "/uploads/user-42/photo.jpg"
SIZE = 123_456


def reference_policy(now: int) -> dict[str, Any]:
    return {
        "expiry": now + 900,
        "call": ["pick", "read", "store"],
        "handle": HANDLE,
        "path": "/uploads/user-42/.*",
        "maxSize": 10_485_760,
    }


_path_re = re.compile("/uploads/user-42/.*")


def authorize(claims: dict[str, Any], now: int) -> None:
    """The checks capsign makes natively, written in Python for the peers."""
    if not now < claims["expiry"]:
        raise ValueError("expired")
    if "store" not in claims["call"]:
        raise ValueError("call")
    if claims["handle"] != HANDLE:
        raise ValueError("handle")
    if not re.fullmatch(claims["path"], PATH):
        raise ValueError("path")
    if claims["maxSize"] < SIZE:
        raise ValueError("size")


def per_call(fn: Callable[[], object], seconds: float, repeat: int) -> float:
    """Median seconds per call over `repeat` batches of about `seconds` each."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 10:
            break
        n *= 2
    batch = max(1, int(n * seconds / elapsed))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        times.append((time.perf_counter() - start) / batch)
    return statistics.median(times)


def capsign_case(now: int) -> tuple[Callable[[], object], Callable[[], object]]:
    signer = capsign.Signer(SECRET)
    verifier = capsign.Verifier(SECRET)
    p = reference_policy(now)
    expiry, call, handle, path, max_size = (
        p["expiry"],
        p["call"],
        p["handle"],
        p["path"],
        p["maxSize"],
    )

    def sign() -> object:
        # Keyword arguments written out, as application code calls it.
        return signer.issue(expiry=expiry, call=call, handle=handle, path=path, max_size=max_size)

    token = signer.issue(
        expiry=expiry, call=call, handle=handle, path=path, max_size=max_size
    ).token

    def verify() -> object:
        return verifier.verify_token(token, call="store", handle=HANDLE, path=PATH, size=SIZE)

    verify()
    return sign, verify


def stdlib_case(now: int) -> tuple[Callable[[], object], Callable[[], object]]:
    key = SECRET.encode()
    p = reference_policy(now)

    def sign() -> object:
        policy = base64.urlsafe_b64encode(
            json.dumps(p, sort_keys=True, separators=(",", ":")).encode()
        )
        return policy, hmac.new(key, policy, hashlib.sha256).hexdigest()

    policy, signature = sign()  # type: ignore[misc]

    def verify() -> object:
        expected = hmac.new(key, policy, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ValueError("signature")
        claims = json.loads(base64.urlsafe_b64decode(policy))
        authorize(claims, int(time.time()))
        return claims

    verify()
    return sign, verify


def pyjwt_case(now: int) -> tuple[Callable[[], object], Callable[[], object]] | None:
    try:
        import jwt
    except ImportError:
        return None
    p = reference_policy(now)
    claims = {**p, "exp": p["expiry"]}

    def sign() -> object:
        return jwt.encode(claims, SECRET, algorithm="HS256")

    token = sign()

    def verify() -> object:
        decoded = jwt.decode(token, SECRET, algorithms=["HS256"])
        authorize(decoded, int(time.time()))
        return decoded

    verify()
    return sign, verify


def itsdangerous_case(now: int) -> tuple[Callable[[], object], Callable[[], object]] | None:
    try:
        from itsdangerous import URLSafeTimedSerializer
    except ImportError:
        return None
    s = URLSafeTimedSerializer(SECRET, signer_kwargs={"digest_method": hashlib.sha256})
    p = reference_policy(now)

    def sign() -> object:
        return s.dumps(p)

    token = sign()

    def verify() -> object:
        claims = s.loads(token, max_age=900)
        authorize(claims, int(time.time()))
        return claims

    verify()
    return sign, verify


def filestack_case(now: int) -> tuple[Callable[[], object], None] | None:
    try:
        from filestack import Security
    except ImportError:
        return None
    p = reference_policy(now)
    return (lambda: Security(p, SECRET)), None


ED_SEED = bytes(range(32))
DISTINCT = 8192  # twice the verifier's cache of verified policies


def ed25519_cases(now: int) -> dict[str, Callable[[], object] | None]:
    key = capsign.SigningKey(ED_SEED)
    signer = capsign.Signer(signing_key=key)
    verifier = capsign.Verifier(public_keys={signer.kid or "": key.public_key})
    p = reference_policy(now)
    fields = {
        "expiry": p["expiry"],
        "call": p["call"],
        "handle": p["handle"],
        "path": p["path"],
        "max_size": p["maxSize"],
    }
    tokens = [signer.issue(**fields, jti=f"t{i}").token for i in range(DISTINCT)]
    cycle = itertools.cycle(tokens)
    request = {"call": "store", "handle": HANDLE, "path": PATH, "size": SIZE}

    def first() -> object:
        return verifier.verify_token(next(cycle), **request)

    one = tokens[0]

    def repeated() -> object:
        return verifier.verify_token(one, **request)

    cases: dict[str, Callable[[], object] | None] = {
        "capsign Ed25519, first verification": first,
        "capsign Ed25519, same token again": repeated,
        "PyJWT EdDSA": None,
        "cryptography Ed25519 + base64 + json": None,
    }
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        return cases
    private = Ed25519PrivateKey.from_private_bytes(ED_SEED)
    public = private.public_key()
    policy = base64.urlsafe_b64encode(json.dumps(p, separators=(",", ":")).encode())
    signature = private.sign(policy)

    def by_hand() -> object:
        public.verify(signature, policy)
        claims = json.loads(base64.urlsafe_b64decode(policy))
        authorize(claims, int(time.time()))
        return claims

    cases["cryptography Ed25519 + base64 + json"] = by_hand
    try:
        import jwt
    except ImportError:
        return cases
    token = jwt.encode({**p, "exp": p["expiry"]}, private, algorithm="EdDSA")

    def pyjwt() -> object:
        decoded = jwt.decode(token, public, algorithms=["EdDSA"])
        authorize(decoded, int(time.time()))
        return decoded

    cases["PyJWT EdDSA"] = pyjwt
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="per timed batch")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    now = int(time.time())
    cases = {
        "capsign": capsign_case(now),
        "stdlib (base64+hmac+json)": stdlib_case(now),
        "PyJWT HS256": pyjwt_case(now),
        "itsdangerous URLSafeTimedSerializer sha256": itsdangerous_case(now),
        "filestack-python Security (sign only)": filestack_case(now),
    }
    results: dict[str, dict[str, float | None]] = {}
    for name, case in cases.items():
        if case is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        sign, verify = case
        results[name] = {
            "sign": per_call(sign, args.seconds, args.repeat),
            "verify": per_call(verify, args.seconds, args.repeat) if verify else None,
        }
    base = results["capsign"]
    print(f"Python {sys.version.split()[0]}, capsign {capsign.__version__}")
    print(f"{'library':45} {'sign µs':>9} {'x capsign':>10} {'verify µs':>10} {'x capsign':>10}")
    for name, r in results.items():
        cells = []
        for op in ("sign", "verify"):
            t = r[op]
            b = base[op]
            if t is None or b is None:
                cells += ["-", "-"]
            else:
                cells += [f"{t * 1e6:.2f}", f"{t / b:.1f}"]
        print(f"{name:45} {cells[0]:>9} {cells[1]:>10} {cells[2]:>10} {cells[3]:>10}")
    print()
    print(f"{'Ed25519 verification':45} {'µs':>9} {'x capsign first':>16}")
    timed = {}
    for name, fn in ed25519_cases(now).items():
        if fn is None:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        fn()
        timed[name] = per_call(fn, args.seconds, args.repeat)
    first = timed["capsign Ed25519, first verification"]
    for name, t in timed.items():
        print(f"{name:45} {t * 1e6:>9.2f} {t / first:>16.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
