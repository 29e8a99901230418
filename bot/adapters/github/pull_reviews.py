"""A pull request's per-file patches and a review with line comments, over GitHub's REST API."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bot.ports import ReviewComment

Paged = Callable[[str], Iterator[dict[str, Any]]]
Send = Callable[[str, str, Any], Any]


def patches(paged: Paged, pull_url: str) -> dict[str, str]:
    """GET pulls/N/files: each file's `patch` (GitHub leaves it out of binary and very large diffs)."""
    return {item["filename"]: str(item.get("patch") or "") for item in paged(f"{pull_url}/files")}


def review_payload(commit_id: str, body: str, comments: Sequence[ReviewComment]) -> dict[str, Any]:
    """The body of POST pulls/N/reviews: a COMMENT review, each comment on the head's side (multi-line when asked)."""
    listed: list[dict[str, Any]] = []
    for comment in comments:
        item: dict[str, Any] = {"path": comment.path, "body": comment.body, "line": comment.line, "side": "RIGHT"}
        if comment.start_line is not None and comment.start_line < comment.line:
            item.update(start_line=comment.start_line, start_side="RIGHT")
        listed.append(item)
    return {"commit_id": commit_id, "body": body, "event": "COMMENT", "comments": listed}


def create_review(paged: Paged, send: Send, pull_url: str, bot_login: str | None, payload: dict[str, Any]) -> int:
    """Submit the review, or find the one a first try of this operation submitted (same body, same commit)."""
    for review in paged(f"{pull_url}/reviews"):
        mine = bot_login is None or (review.get("user") or {}).get("login") == bot_login
        if mine and review.get("body") == payload["body"] and review.get("commit_id") == payload["commit_id"]:
            return int(review["id"])
    return int(send("POST", f"{pull_url}/reviews", payload)["id"])
