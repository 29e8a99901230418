"""The code host's view of who may do what: branch protection, who pushed, repository permission, team membership."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from github.GithubException import GithubException

from bot.adapters.github.api_client import GitHubApi, repo_url
from bot.domain.authorship import Push
from bot.ports import BranchProtection

__all__ = ["Access"]

# Activities read per branch: a change's branch sees far fewer pushes than this.
_MAX_ACTIVITIES = 1000


class Access(GitHubApi):
    """Who may approve, apply or ask (bot.ports.CodeHost's half): GitHub's answers, 404 read as "none"."""

    def branch_protection(self, repo: str, branch: str) -> BranchProtection:
        """What the branch's protection asks of reviews; unprotected when it has none."""

        def read() -> BranchProtection:
            try:
                data = self._json("GET", f"{repo_url(repo)}/branches/{quote(branch, safe='')}/protection")
            except GithubException as error:
                if error.status == 404:  # "Branch not protected"
                    return BranchProtection(protected=False)
                raise
            reviews = data.get("required_pull_request_reviews") or {}
            return BranchProtection(
                protected=True,
                required_approvals=int(reviews.get("required_approving_review_count") or 0),
                code_owner_reviews=bool(reviews.get("require_code_owner_reviews")),
            )

        return self._call(f"read the protection of {branch} in {repo}", read)

    def branch_pushes(self, repo: str, branch: str) -> list[Push]:
        """Who moved the branch, oldest first, since it was last created: GitHub's repository activity, which
        records the account behind every push and force-push (contents: read). [] where GitHub has no activity
        API (an older GitHub Enterprise Server): the App's webhooks and the Action's runs still name pushers."""

        def read() -> list[Push]:
            found: list[dict[str, Any]] = []
            try:
                query = {"ref": f"refs/heads/{branch}", "direction": "asc"}
                for page, item in enumerate(self._paged(f"{repo_url(repo)}/activity", query)):
                    if page >= _MAX_ACTIVITIES:
                        break
                    found.append(item)
            except GithubException as error:
                if error.status == 404:
                    return []
                raise
            found.sort(key=lambda a: (str(a.get("timestamp") or ""), int(a.get("id") or 0)))
            created = [i for i, a in enumerate(found) if a.get("activity_type") == "branch_creation"]
            since = found[created[-1] :] if created else found
            return [
                Push(str((a.get("actor") or {}).get("login") or ""), str(a.get("after") or ""))
                for a in since
                if a.get("activity_type") != "branch_deletion"
            ]

        return self._call(f"read the pushes to branch {branch} of {repo}", read)

    def permission_of(self, repo: str, user: str) -> str:
        def read() -> str:
            try:
                data = self._json("GET", f"{repo_url(repo)}/collaborators/{quote(user, safe='')}/permission")
            except GithubException as error:
                if error.status == 404:  # not a collaborator, or no such user
                    return "none"
                raise
            # `permission` folds maintain into write and triage into read; `role_name` keeps them apart, but may be
            # a custom role's name, in which case the folded permission is what it grants.
            role = str(data.get("role_name") or "")
            if role in ("admin", "maintain", "write", "triage", "read"):
                return role
            return str(data.get("permission") or "none")

        return self._call(f"read {user}'s permission on {repo}", read)

    def is_team_member(self, org: str, team_slug: str, user: str) -> bool:
        def read() -> bool:
            url = f"/orgs/{quote(org, safe='')}/teams/{quote(team_slug, safe='')}/memberships/{quote(user, safe='')}"
            try:
                data = self._json("GET", url)
            except GithubException as error:
                if error.status == 404:
                    return False
                raise
            return bool(data.get("state") == "active")  # a pending invitation is not membership yet

        return self._call(f"check whether {user} is in team {org}/{team_slug}", read)
