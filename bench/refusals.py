"""How long each refusal in tests/vectors/attacks.json takes, through the Python API.

    .venv/bin/python bench/refusals.py [--runs 200]

A program that prints figures, not a test: the target is 1 ms per refusal, and the machine
is shared. For each vector, the first call (cold: a fresh Verifier, nothing cached) and the
median of the next runs (each on a fresh Verifier) are reported; vectors refused by the
Verifier's constructor time the constructor. Uses tests/python's vector loader.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

import capsign
from conftest import load_vectors, vector_verifier, verify_vector

TARGET = 1e-3


def once(vector: dict) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        verifier = vector_verifier(vector)
    except capsign.CapsignError:
        return time.perf_counter() - start, True
    start = time.perf_counter()
    try:
        verify_vector(verifier, vector)
    except capsign.CapsignError:
        return time.perf_counter() - start, True
    return time.perf_counter() - start, False


def adversarial_covers(requested: int) -> tuple[list[str], list[str]]:
    """The worst case of issue #10: 256 permissions of about 750 bytes, each with its own
    optional flags, against `requested` permissions with other flags (not covered)."""
    held = []
    for i in range(256):
        p, j = "x *", 0
        while j < 60 and len(p) < 740:
            p += f" [--f{i}-{j}=*]"
            j += 1
        held.append(p)
    wanted = ["x *" + "".join(f" [--g{k}-{j}=*]" for j in range(60)) for k in range(requested)]
    return held, wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for vector in load_vectors("attacks.json"):
        expected = "error" in vector["expected"]
        times = []
        for _ in range(args.runs + 1):
            elapsed, refused = once(vector)
            if refused != expected:
                sys.exit(f"{vector['id']}: refused={refused}, expected {expected}")
            times.append(elapsed)
        rows.append((vector["id"], expected, times[0], statistics.median(times[1:])))
    rows.sort(key=lambda row: -max(row[2], row[3]))
    print(f"{'vector':<32} {'outcome':>8} {'cold':>10} {'median':>10}")
    for vid, refused, cold, median in rows[:10]:
        outcome = "refused" if refused else "passed"
        print(f"{vid:<32} {outcome:>8} {cold * 1e6:>8.1f}µs {median * 1e6:>8.1f}µs")
    refusals = [row for row in rows if row[1]]
    over = sum(1 for row in refusals if max(row[2], row[3]) > TARGET)
    slowest = max(max(row[2], row[3]) for row in refusals)
    print(
        f"python: {len(refusals)} refusals, slowest {slowest * 1e6:.1f}µs (cold or median), "
        f"{over} over the 1 ms target"
    )
    for requested in (2, 16):
        held, wanted = adversarial_covers(requested)
        start = time.perf_counter()
        covered = capsign.covers(held, wanted)
        elapsed = time.perf_counter() - start
        assert covered is False
        what = f"covers(256 x ~750 B, {requested} requested)"
        print(f"python: {what} refused in {elapsed * 1e3:.1f} ms (parsing both sets included)")


if __name__ == "__main__":
    main()
