"""Webhook requests as GitHub sends them (raw body, event, delivery id, signature), signed in the test."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

SECRET = "It's a Secret to Everybody"


@dataclass(frozen=True)
class Delivery:
    """A webhook request as GitHub sends it: raw body and headers, signed with SECRET."""

    body: bytes
    headers: dict[str, str]


def deliver(
    event: str, payload: dict[str, Any] | bytes, *, secret: str = SECRET, delivery: str | None = None
) -> Delivery:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Delivery(
        body=body,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature(secret, body),
            "Content-Type": "application/json",
        },
    )


def signature(secret: str, body: bytes) -> str:
    """Computed here with hmac directly, not with the code under test."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
