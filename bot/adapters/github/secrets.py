"""Keeping GitHub credentials out of text: tokens and keys are replaced before a message is shown or logged."""

from __future__ import annotations

import re

__all__ = ["scrub"]

# GitHub's token prefixes (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/),
# JWTs (three base64url parts, the first a JSON header "eyJ"), and PEM blocks.
_SECRET = re.compile(
    r"\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}"
    r"|\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
    r"|-----BEGIN [A-Z ]+-----.*?(?:-----END [A-Z ]+-----|$)",
    re.DOTALL,
)


def scrub(text: str) -> str:
    """`text` with anything that looks like a GitHub token, a JWT or a PEM key replaced by "[secret removed]"."""
    return _SECRET.sub("[secret removed]", text)
