"""A pull request's comments with their authors and times, read through the REST API (for the Action's approvals)."""

from __future__ import annotations

from bot.adapters.github.codehost import GitHubCodeHost
from bot.domain.policies.comment_approvals import IssueComment

# A pull request with more comments than this is read up to here: its newest approvals are kept.
MAX_PAGES = 10


def issue_comments(codehost: GitHubCodeHost, repo: str, number: int) -> list[IssueComment]:
    """The comments of issue or pull request `number`, oldest first."""
    comments: list[IssueComment] = []
    for page in range(1, MAX_PAGES + 1):
        found = codehost.api(
            f"list the comments of #{number} in {repo}",
            "GET",
            f"/repos/{repo}/issues/{int(number)}/comments",
            params={"per_page": 100, "page": page},
        )
        comments.extend(
            IssueComment(
                user=str((c.get("user") or {}).get("login") or ""),
                body=str(c.get("body") or ""),
                created_at=str(c.get("created_at") or ""),
                updated_at=str(c.get("updated_at") or ""),
            )
            for c in found or ()
        )
        if len(found or ()) < 100:
            break
    return comments
