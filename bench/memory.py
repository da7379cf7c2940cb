"""Resident memory over 10 million verifications, through the Python API.

    .venv/bin/python bench/memory.py [COUNT]

Verifies a mix of 10,000 distinct genuine tokens (authorized), tampered ones
(bad_signature) and expired ones (expired) through one Verifier, and prints the resident
set size (VmRSS) at the start, after a warm-up of 1% (caches full), and at the end.
Growth after the warm-up is what a leak would show.
"""

from __future__ import annotations

import sys
import time

import capsign

SECRET = "memory-check-secret-0123456789"
NOW = 1_700_000_000
DISTINCT = 10_000


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    signer = capsign.Signer(SECRET)
    verifier = capsign.Verifier(SECRET)
    handles = [f"handle-{i:05}" for i in range(DISTINCT)]
    tokens = [
        signer.issue(call=["read", "store"], handle=h, path="/uploads/user-42/.*", now=NOW).token
        for h in handles
    ]
    tampered = [t[:-1] + ("1" if t.endswith("0") else "0") for t in tokens]
    verify = verifier.verify_token
    path = "/uploads/user-42/a.png"
    start = warm = rss_mib()
    warmup = count // 100
    granted = refused = 0
    began = time.perf_counter()
    for i in range(count):
        if i == warmup:
            warm = rss_mib()
        k = i % DISTINCT
        kind = i % 10
        try:
            if kind == 8:
                verify(tampered[k], now=NOW, call="read", handle=handles[k], path=path)
            elif kind == 9:
                verify(tokens[k], now=NOW + 10_000, call="read", handle=handles[k], path=path)
            else:
                verify(tokens[k], now=NOW, call="read", handle=handles[k], path=path)
            granted += 1
        except capsign.CapsignError:
            refused += 1
    elapsed = time.perf_counter() - began
    end = rss_mib()
    assert refused == (count // 10) * 2 + max(0, count % 10 - 8)
    print(
        f"python: {count} verifications ({granted} granted, {refused} refused) in {elapsed:.1f} s"
    )
    print(
        f"python: RSS start {start:.1f} MiB, after warm-up {warm:.1f} MiB, end {end:.1f} MiB, "
        f"growth after warm-up {end - warm:+.2f} MiB"
    )


if __name__ == "__main__":
    main()
