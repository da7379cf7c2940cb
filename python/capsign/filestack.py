"""Drop-in replacements for filestack-python's security helpers.

``security(policy, app_secret)`` returns exactly what filestack-python's helper returns
for the same dict (the 2.x shape, ``{"policy": bytes, "signature": str}``), so an app
written against it needs only its import changed::

    from capsign.filestack import security as create_security

Unlike filestack-python 4.x, the policy is validated first (unknown fields, wrong types,
floats, bad regexes raise :class:`capsign.InvalidPolicy`), as filestack-python 2.x did.
Any non-empty secret is accepted, since Filestack issues app secrets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from capsign import _native

__all__ = ["Security", "parse_security_task", "security"]


def security(policy: Mapping[str, Any], app_secret: str | bytes) -> dict[str, Any]:
    """Sign ``policy`` like filestack-python: ``{"policy": bytes, "signature": str}``."""
    policy_b64, signature = _native.filestack_security(json.dumps(dict(policy)), app_secret)
    return {"policy": policy_b64.encode("ascii"), "signature": signature}


class Security:
    """filestack-python 4.x's ``Security`` object (the secret is not kept)."""

    def __init__(self, policy: Mapping[str, Any], secret: str | bytes) -> None:
        self.policy = dict(policy)
        self.policy_b64, self.signature = _native.filestack_security(
            json.dumps(self.policy), secret
        )

    def as_url_string(self) -> str:
        """The URL task ``security=p:<policy>,s:<signature>``."""
        return f"security=p:{self.policy_b64},s:{self.signature}"

    def __repr__(self) -> str:
        return f"Security(policy={self.policy!r})"


def parse_security_task(task: str) -> tuple[str, str]:
    """Read ``security=p:<policy>,s:<signature>`` (or ``policy:``/``signature:``, either
    order): ``(policy, signature)``. Raises :class:`capsign.Malformed` otherwise."""
    return _native.parse_security_task(task)
