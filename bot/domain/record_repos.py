"""Which repository ("owner/name") a stored record belongs to, so the App's dashboard shows it only to its readers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["repo_of_params", "repo_of_text"]

# GitHub's owner and repository names: letters, digits, '-', '_' and '.', no slash (owners no dot, but be lenient).
_FULL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}/[A-Za-z0-9._-]{1,100}")
# Keys of a record's params that can name its change or place as "owner/name#N".
_PLACE_KEYS = ("change", "change_id", "place")


def repo_of_text(text: object) -> str | None:
    """The "owner/name" of an "owner/name#N" change or place (the App's), else None (a local branch name)."""
    if not isinstance(text, str) or "#" not in text:
        return None
    before = text.split("#", 1)[0]
    return before if _FULL_NAME.fullmatch(before) else None


def repo_of_params(params: Mapping[str, Any]) -> str | None:
    """An audit entry's repository: params["repo"] when it is "owner/name", else that of its change or place."""
    named = params.get("repo")
    if isinstance(named, str) and _FULL_NAME.fullmatch(named):
        return named
    for key in _PLACE_KEYS:
        found = repo_of_text(params.get(key))
        if found is not None:
            return found
    return None
