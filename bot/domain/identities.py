"""Who someone is: names compared after NFKC and case folding, and refused unless they are GitHub logins."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["is_app", "login_problem", "logins_in", "same_person", "canonical"]

# https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/iam-configuration-reference/username-considerations-for-external-authentication
# A login is 1-39 ASCII letters, digits and single hyphens, neither first nor last; managed users add
# `_shortcode`; apps act as `slug[bot]`. Compared in lowercase, as GitHub compares them.
_LOGIN: Final = re.compile(r"(?=[a-z0-9-]{1,39}(?:_|\[|\Z))[a-z0-9](?:-?[a-z0-9])*(?:_[a-z0-9]+)?(?:\[bot\])?")
# GitHub's no-reply address: `ID+login@users.noreply.github.com` (or `login@…` for older accounts).
_NOREPLY: Final = re.compile(r"(?:\d+\+)?([^@+]+)@users\.noreply\.github\.com", re.IGNORECASE)


def canonical(name: str) -> str:
    """The form two names are compared in: NFKC (fullwidth `ａｌｉｃｅ` is `alice`), case-folded, unpadded."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def same_person(a: str, b: str) -> bool:
    return canonical(a) == canonical(b)


def is_app(name: str) -> bool:
    """GitHub Apps act as `slug[bot]`: an app is never a person who can approve."""
    return canonical(name).endswith("[bot]")


def login_problem(name: str, what: str = "the name") -> str | None:
    """Why name is not a GitHub login (empty, invisible or look-alike characters, bad shape), or None."""
    form = canonical(name)
    if not form:
        return f"{what} is empty; give the GitHub login of a person"
    odd = [char for char in form if not (char.isascii() and (char.isalnum() or char in "-_[]"))]
    if odd:
        shown = ", ".join(_describe(char) for char in dict.fromkeys(odd))
        return (
            f"{what} {name!r} contains {shown}; a GitHub login has only ASCII letters, digits and hyphens "
            "(look-alike and invisible characters are refused): type the login again"
        )
    if not _LOGIN.fullmatch(form):
        return (
            f"{what} {name!r} is not a GitHub login: 1 to 39 letters, digits and single hyphens, not starting or "
            "ending with a hyphen"
        )
    return None


def logins_in(name: str, email: str = "") -> list[str]:
    """The GitHub logins a git identity (free text) may stand for: the name itself, and a no-reply email's login."""
    found = [canonical(name)] if canonical(name) else []
    noreply = _NOREPLY.fullmatch(email.strip())
    if noreply and canonical(noreply.group(1)) not in found:
        found.append(canonical(noreply.group(1)))
    return found


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"
