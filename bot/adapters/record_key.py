"""Where the key that seals the gate's records comes from: a file outside the repository, or the App's secret."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bot.errors import UserError

KEY_BYTES = 32


def key_file() -> Path:
    """OLYMPUS_RECORD_KEY_FILE, else `$XDG_CONFIG_HOME/olympus/record.key` (one key per user, never in a repo)."""
    configured = os.environ.get("OLYMPUS_RECORD_KEY_FILE", "").strip()
    if configured:
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "olympus" / "record.key"


def local_record_key(path: Path | None = None) -> bytes:
    """The user's record key, made (readable by the user only) the first time it is needed."""
    path = path or key_file()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # O_EXCL: two commands starting together make one key, and the loser reads the winner's.
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
    except FileExistsError:
        pass
    except OSError as error:
        raise UserError(
            "record-key-unwritable",
            f"cannot create the record key {path}: {error.strerror}",
            "set OLYMPUS_RECORD_KEY_FILE to a file in a folder you can write, outside the repository",
        ) from None
    try:
        text = path.read_text().strip()
        key = bytes.fromhex(text)
    except (OSError, ValueError):
        raise UserError(
            "record-key-unreadable",
            f"the record key {path} is unreadable or not hex",
            "restore it from a backup; a new key (delete the file) makes every recorded approval and plan invalid",
        ) from None
    if len(key) < 16:
        raise UserError(
            "record-key-too-short", f"the record key {path} is shorter than 16 bytes", "delete it to make a new one"
        )
    return key


def app_record_key(webhook_secret: bytes) -> bytes:
    """The App's key, derived from its webhook secret: every replica has it, and it is never in the database."""
    return hmac.new(webhook_secret, b"olympus record seal v1", hashlib.sha256).digest()


def job_record_key() -> bytes:
    """A key for one Action job, whose store lives only as long as the job."""
    return secrets.token_bytes(KEY_BYTES)
