"""Secrets kept out of what is stored for good: secret-looking keys and well-known token formats become "***"."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_MASK = "***"

# Audit params and run details are kept for good and shown to operators, so no secret may be stored in them:
# a key that looks like it names a secret (token, secret, password, key, credential, ...) keeps its name but
# its value becomes "***", at any depth; string values in well-known token formats are masked wherever they
# appear, and so are exception messages recorded as results. Masking too much is the safe mistake here.
_SECRET_KEY = re.compile(r"token|secret|passw|pwd|key|credential|authorization|cookie|private", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"  # AWS access key ids
    r"|sk-ant-[A-Za-z0-9_\-]{10,}"  # Anthropic API keys
    r"|eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"  # JWTs (OIDC tokens, App JWTs)
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|(?<=Bearer )\S+"
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)",  # user:password in a URL
    re.IGNORECASE,
)


def mask_secrets(value: Any) -> Any:
    """value as JSON-ready data, with secret-looking keys' values and token-looking strings replaced."""
    if isinstance(value, Mapping):
        return {str(key): _MASK if _SECRET_KEY.search(str(key)) else mask_secrets(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str):
        return mask_secret_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity, and PostgreSQL refuses them
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_secret_text(str(value))  # paths, datetimes, enums: their text is what an operator reads


def mask_secret_text(text: str) -> str:
    return _SECRET_VALUE.sub(_MASK, text)
