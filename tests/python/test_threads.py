"""One Verifier shared by many threads gives the answers one thread gives."""

from __future__ import annotations

import threading

import capsign
from conftest import NOW, SECRET


def test_shared_verifier_agrees_with_a_single_thread() -> None:
    signer = capsign.Signer(SECRET)
    verifier = capsign.Verifier(SECRET)
    tokens = []
    for i in range(50):
        creds = signer.issue(
            expires_in=60 + i, call=["read", "pick"], path=f"/u/{i}/.*", max_size=1000, now=NOW
        )
        tokens.append(creds.token)
    tokens.append(tokens[0][:-1] + ("0" if tokens[0][-1] != "0" else "1"))
    tokens.append("garbage")

    def answer(token: str, i: int) -> str:
        try:
            verifier.verify_token(token, call="pick", path=f"/u/{i % 3}/x", size=10, now=NOW)
        except capsign.CapsignError as e:
            return e.code
        return "ok"

    expected = [answer(t, i) for i, t in enumerate(tokens)]
    assert {"ok", "denied", "bad_signature", "malformed"} <= set(expected)
    failures: list[str] = []

    def worker() -> None:
        for _ in range(40):
            for i, t in enumerate(tokens):
                got = answer(t, i)
                if got != expected[i]:
                    failures.append(f"{i}: {got} != {expected[i]}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
