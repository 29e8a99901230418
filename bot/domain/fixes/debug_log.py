"""The part of Terraform's debug log (TF_LOG=DEBUG) worth showing: the lines around its errors, credentials cut out.

A debug log dumps every HTTP request the provider and the backend make, headers and all: the SigV4 `Authorization`
header (the access key's id, the signature), session tokens, cookies. Each such value is replaced before a line
is kept; the caller then runs the store's secret masking and the project's sensitive values over the excerpt too.
"""

from __future__ import annotations

import re
from typing import Final

MAX_EXCERPT_CHARS: Final = 6_000
# Lines kept before an error line (an SDK's dump of the request that failed ends ~10 lines above its response's
# status) and after it.
LINES_BEFORE: Final = 12
LINES_AFTER: Final = 6
MAX_LINE_CHARS: Final = 400
MASK: Final = "***"

# A line that reports a failure: Terraform's and the providers' error levels, AWS's error codes, HTTP 4xx/5xx.
_ERROR_LINE: Final = re.compile(
    r"\[ERROR\]|\bError:|\berror\b|\bAccessDenied\w*|\bUnauthorized\w*|\bInvalidClientTokenId\b|"
    r"\bSignatureDoesNotMatch\b|\bExpiredToken\b|\bForbidden\b|\b(?:StatusCode|status code|HTTP/1\.1)[:= ]+[45]\d\d\b",
    re.IGNORECASE,
)
# A header or field whose whole value is a credential, as `Name: value` or `name=value` / `name="value"`.
_SECRET_FIELD: Final = re.compile(
    r"(?P<name>(?:[\w.-]*\.)?(?:authorization|x-amz-security-token|x-amz-credential|x-amz-signature|"
    r"x-amz-session-token|proxy-authorization|cookie|set-cookie|session[_-]?token|security[_-]?token|"
    r"secret[_-]?access[_-]?key|access[_-]?token|password|secret))(?P<sep>\s*[:=]\s*)(?P<value>\"[^\"]*\"|.*)",
    re.IGNORECASE,
)
# Inside a SigV4 value written elsewhere (a presigned URL, a quoted request): the key's id and the signature.
_SIGV4_PART: Final = re.compile(
    r"(?P<name>Credential|Signature|X-Amz-Credential|X-Amz-Signature|X-Amz-Security-Token)=(?P<value>[^,&\s\"]+)",
    re.IGNORECASE,
)


def redact_log_line(line: str) -> str:
    """One log line with every credential-bearing header or field's value replaced."""
    line = _SECRET_FIELD.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", line)
    return _SIGV4_PART.sub(lambda m: f"{m['name']}={MASK}", line)


def log_excerpt(log: str, *, limit: int = MAX_EXCERPT_CHARS) -> str:
    """The lines around the log's error lines (the last ones first: the failure is near the end), redacted and
    bounded; "" when no line reports an error."""
    lines = log.splitlines()
    hits = [n for n, line in enumerate(lines) if _ERROR_LINE.search(line)]
    if not hits:
        return ""
    kept: set[int] = set()
    spent = 0
    for hit in reversed(hits):
        window = range(max(0, hit - LINES_BEFORE), min(len(lines), hit + LINES_AFTER + 1))
        cost = sum(min(len(lines[n]), MAX_LINE_CHARS) + 1 for n in window if n not in kept)
        if kept and spent + cost > limit:
            break
        kept.update(window)
        spent += cost
    parts: list[str] = []
    previous = -2
    for n in sorted(kept):
        if n != previous + 1 and parts:
            parts.append("…")
        text = redact_log_line(lines[n])  # before cutting: a cut could split a value the patterns would know
        parts.append(text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " … (cut)")
        previous = n
    excerpt = "\n".join(parts)
    return excerpt if len(excerpt) <= limit else excerpt[-limit:]
