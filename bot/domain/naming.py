"""Resource-name rules per cloud and kind, each broken rule a sentence; and the Terraform-safe slug of a name."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.models import Cloud, ResourceKind

__all__ = [
    "EC2_NAME_MAX",
    "LAMBDA_NAME_MAX",
    "invisible_problems",
    "name_problems",
    "slug",
]

LAMBDA_NAME_MAX = 64
# EC2's Name tag allows 255 characters of nearly anything; Olympus also derives file and Terraform names from it.
EC2_NAME_MAX = 128

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

_IP_FORM = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
# "google" or a close misspelling ("g00gle", "go0gle", "googgle") once separators and look-alike digits go.
_GOOGLE_LIKE = re.compile(r"g+o{2,}g+l+e")
_LOOKALIKE_DIGITS = str.maketrans({"0": "o", "1": "l", "3": "e", "6": "g", "9": "g"})


def invisible_problems(text: str, what: str = "the name") -> list[str]:
    """One sentence per invisible or control character (zero-width, bidi control, NUL...), naming the code point."""
    problems: list[str] = []
    for position, char in enumerate(text):
        if _is_invisible(char):
            problems.append(
                f"{what} contains the invisible character {_describe(char)} at position {position + 1}; "
                "retype it without copying from a rich-text source"
            )
    return problems


def name_problems(cloud: Cloud, kind: ResourceKind, name: str) -> list[str]:
    """Every naming rule `name` breaks for this cloud and kind; empty when the name is valid."""
    problems = invisible_problems(name)
    visible = "".join(char for char in name if not _is_invisible(char))
    if kind is ResourceKind.BUCKET:
        rules = _s3_bucket_problems if cloud is Cloud.AWS else _gcs_bucket_problems
        return problems + rules(name, visible)
    if cloud is not Cloud.AWS:
        return [f"Olympus creates {kind.value}s on AWS only; drop `cloud={cloud.value}` or use `cloud=aws`"]
    if kind is ResourceKind.FUNCTION:
        return problems + _lambda_problems(name, visible)
    return problems + _ec2_problems(name, visible)


def slug(name: str) -> str:
    """A Terraform identifier made from a name: lowercase, every other character an underscore (`logs-archive` →
    `logs_archive`), starting with a letter or underscore as Terraform requires."""
    text = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = "_" + text
    return text


def _s3_bucket_problems(name: str, visible: str) -> list[str]:
    problems = _length_problems(name, 3, 63, "S3 bucket names")
    bad = _characters_outside(visible, "abcdefghijklmnopqrstuvwxyz0123456789-.")
    if any(char.isupper() for char in bad):
        problems.append(_lowercase_problem("S3 bucket names", visible, "abcdefghijklmnopqrstuvwxyz0123456789-."))
    other = [char for char in bad if not char.isupper()]
    if other:
        problems.append(
            f"S3 bucket names may contain only lowercase letters, digits, hyphens and dots, not {_listing(other)}"
        )
    problems += _ends_problems(visible, "S3 bucket names")
    if ".." in visible:
        problems.append("S3 bucket names must not contain two adjacent dots; remove one of them")
    if _IP_FORM.fullmatch(visible):
        problems.append("S3 bucket names must not look like an IP address; add letters, e.g. `logs-10-0-0-1`")
    problems += [
        f"S3 bucket names must not start with the reserved prefix `{prefix}`; choose another start"
        for prefix in S3_RESERVED_PREFIXES
        if visible.startswith(prefix)
    ]
    problems += [
        f"S3 bucket names must not end with the reserved suffix `{suffix}`; choose another ending"
        for suffix in S3_RESERVED_SUFFIXES
        if visible.endswith(suffix)
    ]
    return problems


def _gcs_bucket_problems(name: str, visible: str) -> list[str]:
    # https://cloud.google.com/storage/docs/buckets#naming
    problems: list[str] = []
    if "." in name:
        problems += _length_problems(name, 3, 222, "GCS bucket names with dots")
        long_parts = [part for part in name.split(".") if len(part) > 63]
        if long_parts:
            problems.append(
                "each dot-separated part of a GCS bucket name must be at most 63 characters; "
                f"shorten {_quote(long_parts[0][:20] + '...')} ({len(long_parts[0])} characters)"
            )
    else:
        problems += _length_problems(name, 3, 63, "GCS bucket names")
    bad = _characters_outside(visible, "abcdefghijklmnopqrstuvwxyz0123456789-_.")
    if any(char.isupper() for char in bad):
        problems.append(_lowercase_problem("GCS bucket names", visible, "abcdefghijklmnopqrstuvwxyz0123456789-_."))
    other = [char for char in bad if not char.isupper()]
    if other:
        problems.append(
            "GCS bucket names may contain only lowercase letters, digits, hyphens, underscores and dots, "
            f"not {_listing(other)}"
        )
    problems += _ends_problems(visible, "GCS bucket names")
    if visible.lower().startswith("goog"):
        problems.append("GCS bucket names must not start with `goog`; choose another start")
    squeezed = re.sub(r"[-_.]", "", visible.lower()).translate(_LOOKALIKE_DIGITS)
    if _GOOGLE_LIKE.search(squeezed):
        problems.append('GCS bucket names must not contain "google" or a close misspelling of it; rename it')
    if _IP_FORM.fullmatch(visible):
        problems.append("GCS bucket names must not look like an IP address; add letters, e.g. `logs-10-0-0-1`")
    return problems


def _lambda_problems(name: str, visible: str) -> list[str]:
    # https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName
    problems = _length_problems(name, 1, LAMBDA_NAME_MAX, "Lambda function names")
    bad = _characters_outside(visible, _ASCII_ALNUM + "-_")
    if bad:
        problems.append(
            f"Lambda function names may contain only letters, digits, hyphens and underscores, not {_listing(bad)}"
        )
    return problems


def _ec2_problems(name: str, visible: str) -> list[str]:
    problems = _length_problems(name, 1, EC2_NAME_MAX, "instance names")
    bad = _characters_outside(visible, _ASCII_ALNUM + "-_.")
    if bad:
        problems.append(
            "instance names may contain only letters, digits, hyphens, underscores and dots "
            f"(Olympus derives file and Terraform names from them), not {_listing(bad)}"
        )
    return problems


_ASCII_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _lowercase_problem(what: str, visible: str, allowed: str) -> str:
    lowered = visible.lower()
    if _characters_outside(lowered, allowed):
        return f"{what} must be lowercase"
    return f"{what} must be lowercase; use `{lowered}`"


def _length_problems(name: str, low: int, high: int, what: str) -> list[str]:
    if low <= len(name) <= high:
        return []
    if not name:
        return [f"the name is empty; {what} must be {low}–{high} characters"]
    unit = "character" if len(name) == 1 else "characters"
    return [f"the name is {len(name)} {unit} long; {what} must be {low}–{high} characters"]


def _ends_problems(visible: str, what: str) -> list[str]:
    problems: list[str] = []
    lower_alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    if visible and visible[0] not in lower_alnum and not visible[0].isupper():
        problems.append(f"{what} must start with a lowercase letter or digit, not {_listing([visible[0]])}")
    if visible and visible[-1] not in lower_alnum and not visible[-1].isupper():
        problems.append(f"{what} must end with a lowercase letter or digit, not {_listing([visible[-1]])}")
    return problems


def _characters_outside(text: str, allowed: str) -> list[str]:
    """The distinct characters of text not in allowed, in order of first appearance."""
    return list(dict.fromkeys(char for char in text if char not in allowed))


def _listing(chars: list[str]) -> str:
    # A backtick would end the markdown quote early, so it is named like the invisible ones.
    shown = [
        _describe(char) if char.isspace() or not char.isprintable() or char == "`" else f"`{char}`"
        for char in chars[:5]
    ]
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    return ", ".join(shown) + more


def _quote(text: str) -> str:
    """Text inside a markdown code span, with no backtick that could end the span early."""
    return "`" + text.replace("`", "'") + "`"


def _is_invisible(char: str) -> bool:
    # Cc: controls (NUL, ESC, newline); Cf: format characters (zero-width space/joiners, bidi overrides such as
    # U+202E, the BOM, soft hyphen); Zl/Zp: line/paragraph separators; Co/Cn: private-use and unassigned.
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"}


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code
