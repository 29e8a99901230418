"""The code host's issues, comments and reactions: one comment per key, edited in place, split in parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from github.GithubException import GithubException

from bot.adapters.github.api_client import GitHubApi, repo_url
from bot.adapters.github.comment_plan import ExistingComment, plan_comment_update
from bot.ports import IssueInfo

__all__ = ["IssuesAndComments"]

_REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})


class IssuesAndComments(GitHubApi):
    """Issues by label, opened and edited; comments upserted by key; reactions (bot.ports.CodeHost's half)."""

    def issues_labelled(self, repo: str, label: str, *, state: str = "open") -> list[IssueInfo]:
        def read() -> list[IssueInfo]:
            # List issues answers pull requests too (they carry `pull_request`): those are left out.
            params = {"labels": label, "state": state, "sort": "created", "direction": "asc"}
            return [
                IssueInfo(
                    number=int(item["number"]),
                    title=item.get("title") or "",
                    body=item.get("body") or "",
                    state=item.get("state") or "",
                    labels=tuple(str(lab.get("name") or "") for lab in item.get("labels") or []),
                )
                for item in self._paged(f"{repo_url(repo)}/issues", params)
                if not item.get("pull_request")
            ]

        return self._call(f"list the issues labelled {label} in {repo}", read)

    def open_issue(self, repo: str, title: str, body: str, labels: Sequence[str]) -> int:
        # A POST retried after a lost answer may open it twice: bot/services/drift_issues.py looks again by marker
        # after opening and closes all but the oldest.
        created = self._call(
            f"open an issue in {repo}",
            lambda: self._json(
                "POST", f"{repo_url(repo)}/issues", input={"title": title, "body": body, "labels": list(labels)}
            ),
        )
        return int(created["number"])

    def edit_issue(
        self, repo: str, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> None:
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = title
        if body is not None:
            changes["body"] = body
        if state is not None:
            if state not in ("open", "closed"):
                raise ValueError(f"an issue is open or closed, not {state!r}")
            changes["state"] = state
        if changes:
            self._call(
                f"edit issue #{number} of {repo}",
                lambda: self._json("PATCH", f"{repo_url(repo)}/issues/{int(number)}", input=changes, retry=True),
            )

    # --- comments and reactions -------------------------------------------------------------------------------

    def upsert_comment(self, repo: str, issue_number: int, key: str, parts: Sequence[str]) -> list[int]:
        def upsert() -> list[int]:
            plan = plan_comment_update(self._comments(repo, issue_number), key, parts, self.bot_login)
            for comment_id, body in plan.edits:
                self._edit_comment(repo, comment_id, body)
            created = [self._create_comment(repo, issue_number, body) for body in plan.creates]
            for comment_id in plan.deletes:
                self._delete_comment(repo, comment_id)
            if created:
                # Two writers that both found no comment (two workers, or a worker and the run it was thought dead
                # for) both create one. Each looks again after creating: the oldest parts stay, each deletes the
                # newer ones, and the edits land on the survivors; whatever the interleaving, one set remains.
                again = plan_comment_update(self._comments(repo, issue_number), key, parts, self.bot_login)
                for comment_id, body in again.edits:
                    self._edit_comment(repo, comment_id, body)
                for comment_id in again.deletes:
                    self._delete_comment(repo, comment_id)
                if not again.creates:
                    return [slot for slot in again.slots if slot is not None]
            fresh = iter(created)
            return [slot if slot is not None else next(fresh) for slot in plan.slots]

        # Safe to retry whole: it re-reads the comments, so a part created before a failure is edited, not doubled.
        return self._call(f"update the comment on #{issue_number} of {repo}", upsert)

    def _comments(self, repo: str, issue_number: int) -> list[ExistingComment]:
        return [
            ExistingComment(c["id"], (c.get("user") or {}).get("login", ""), c.get("body") or "")
            for c in self._paged(f"{repo_url(repo)}/issues/{int(issue_number)}/comments")
        ]

    def _edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._json("PATCH", f"{repo_url(repo)}/issues/comments/{comment_id}", input={"body": body}, retry=True)

    def _delete_comment(self, repo: str, comment_id: int) -> None:
        try:
            self._json("DELETE", f"{repo_url(repo)}/issues/comments/{comment_id}", retry=True)
        except GithubException as error:
            if error.status != 404:  # another writer deleted it first, or a retried DELETE had gone through
                raise

    def post_comment(self, repo: str, issue_number: int, body: str) -> int:
        return self._call(
            f"comment on #{issue_number} of {repo}", lambda: self._create_comment(repo, issue_number, body)
        )

    def _create_comment(self, repo: str, issue_number: int, body: str) -> int:
        created = self._json("POST", f"{repo_url(repo)}/issues/{int(issue_number)}/comments", input={"body": body})
        return int(created["id"])

    def react(self, repo: str, comment_id: int, content: str = "eyes") -> None:
        self._call(
            f"react to comment {comment_id} in {repo}",
            lambda: self._json(
                "POST",
                f"{repo_url(repo)}/issues/comments/{int(comment_id)}/reactions",
                input={"content": _reaction(content)},
            ),
        )

    def react_to_issue(self, repo: str, issue_number: int, content: str = "eyes") -> None:
        self._call(
            f"react to #{issue_number} in {repo}",
            lambda: self._json(
                "POST",
                f"{repo_url(repo)}/issues/{int(issue_number)}/reactions",
                input={"content": _reaction(content)},
            ),
        )


def _reaction(content: str) -> str:
    if content not in _REACTIONS:
        raise ValueError(f"GitHub has no {content!r} reaction; use one of {sorted(_REACTIONS)}")
    return content
