"""Seals on the gate's records: an HMAC under a key kept outside the repository, so an edited record shows."""

from __future__ import annotations

import hashlib
import hmac
import json

__all__ = ["SEAL_TRAILER", "commit_seal", "seal", "seal_holds", "unsealed_message"]

# The trailer Olympus ends its own local commits with: proof that Olympus, not someone using its name, made them.
SEAL_TRAILER = "Olympus-Seal: "


def seal(key: bytes, kind: str, *fields: str) -> str:
    """The seal of one record: HMAC-SHA256 over its kind and fields, encoded so no two records share a message."""
    message = json.dumps([kind, *fields], ensure_ascii=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_holds(key: bytes, seal_text: str | None, kind: str, *fields: str) -> bool:
    """True only when seal_text is the record's seal under key (compared in constant time)."""
    if not seal_text:
        return False
    return hmac.compare_digest(seal(key, kind, *fields).encode(), seal_text.encode("ascii", "replace"))


def commit_seal(key: bytes, tree: str, parents: str, message: str) -> str:
    """The seal of a commit Olympus makes: its tree, parents and message (the trailer line excluded)."""
    return seal(key, "commit", tree, parents, message)


def unsealed_message(message: str) -> tuple[str, str]:
    """(the message without its seal trailer, the seal) when its last line is the trailer, else (message, "")."""
    head, _, last = message.rstrip("\n").rpartition("\n")
    if not last.startswith(SEAL_TRAILER):
        return message, ""
    return head + "\n", last.removeprefix(SEAL_TRAILER).strip()
