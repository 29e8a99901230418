"""The dashboard's sign-in cookies, sealed (AES-GCM): no one can read the user token in them or forge or alter one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SESSION_SECONDS", "STATE_SECONDS", "Session", "Sealer", "session_key"]

SESSION_SECONDS = 8 * 3600  # a working day; GitHub's expiring user tokens last as long
STATE_SECONDS = 600  # time to approve the sign-in on GitHub
_NONCE = 12


def session_key(webhook_secret: bytes) -> bytes:
    """The sessions' key, derived from the App's webhook secret: every replica has it, no database holds it."""
    return hmac.new(webhook_secret, b"olympus dashboard session v1", hashlib.sha256).digest()


@dataclass(frozen=True)
class Session:
    """A signed-in person: who, their user token (never shown, never logged), their CSRF token, until when."""

    id: str
    login: str
    token: str
    csrf: str
    expires_at: float

    @classmethod
    def start(cls, login: str, token: str, now: float) -> Session:
        return cls(secrets.token_urlsafe(16), login, token, secrets.token_urlsafe(32), now + SESSION_SECONDS)

    def __repr__(self) -> str:
        return f"Session(login={self.login!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class Sealer:
    """Seals values into cookie text and opens them again; each kind ("session", "state") its own associated data,
    so one kind's cookie never opens as another."""

    key: bytes

    def seal(self, kind: str, value: dict[str, Any]) -> str:
        nonce = secrets.token_bytes(_NONCE)
        sealed = AESGCM(self.key).encrypt(nonce, json.dumps(value).encode(), kind.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def open(self, kind: str, text: str | None) -> dict[str, Any] | None:
        """The value sealed in text; None when there is none, or it was altered or sealed under another key."""
        if not text:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            opened = AESGCM(self.key).decrypt(raw[:_NONCE], raw[_NONCE:], kind.encode())
            value = json.loads(opened)
        except (ValueError, InvalidTag):
            return None
        return value if isinstance(value, dict) else None

    def seal_session(self, session: Session) -> str:
        return self.seal("session", asdict(session))

    def open_session(self, text: str | None, now: float) -> Session | None:
        """The session in the cookie, None when there is none, it was tampered with, or it expired."""
        value = self.open("session", text)
        if value is None:
            return None
        try:
            session = Session(**value)
        except TypeError:
            return None
        return session if session.expires_at > now else None

    def seal_state(self, state: str, now: float) -> str:
        return self.seal("state", {"state": state, "expires_at": now + STATE_SECONDS})

    def state_holds(self, text: str | None, state: str, now: float) -> bool:
        """Whether the state GitHub sent back is the one this browser was given, and not stale."""
        value = self.open("state", text)
        if value is None or not state or float(value.get("expires_at", 0)) <= now:
            return False
        return hmac.compare_digest(str(value.get("state", "")), state)
