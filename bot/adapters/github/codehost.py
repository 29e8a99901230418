"""GitHubCodeHost: the CodeHost port over GitHub's REST API, its branches, pull requests and files here.

Its other parts are mixins over the same client: check runs (codehost_checks.py), issues and comments
(codehost_comments.py), who may do what (codehost_access.py), and the REST plumbing (api_client.py).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from github.GithubException import GithubException

from bot.adapters.github import pull_reviews
from bot.adapters.github.api_client import checked_repo, parse_when, ref_path, repo_url
from bot.adapters.github.codehost_access import Access
from bot.adapters.github.codehost_checks import CheckRuns
from bot.adapters.github.codehost_comments import IssuesAndComments
from bot.domain.models import FileChange
from bot.ports import (
    CodeHostError,
    GitIdentity,
    PullCommit,
    PullRequestInfo,
    Review,
    ReviewComment,
)

__all__ = ["GitHubCodeHost"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class GitHubCodeHost(CheckRuns, IssuesAndComments, Access):
    """One installation's view of GitHub, shaped for the services (see bot.ports.CodeHost)."""

    # --- branches and commits ---------------------------------------------------------------------------------

    def reference_commit(self, repo: str, branch: str) -> str:
        sha = self._call(f"read branch {branch} of {repo}", lambda: self._branch_sha(repo, branch))
        if sha is None:
            raise CodeHostError(
                f"read branch {branch} of {repo}",
                "the branch does not exist",
                "check the branch name, or whether it was deleted",
                status=404,
            )
        return sha

    def commit_files(
        self,
        repo: str,
        base_branch: str,
        branch: str,
        files: Sequence[FileChange],
        message: str,
        author: GitIdentity | None = None,
    ) -> str:
        operation = f"commit {len(files)} file(s) to branch {branch} of {repo}"
        return self._call(operation, lambda: self._commit_files(repo, base_branch, branch, files, message, author))

    def _commit_files(
        self,
        repo: str,
        base_branch: str,
        branch: str,
        files: Sequence[FileChange],
        message: str,
        author: GitIdentity | None,
    ) -> str:
        base_sha = self._branch_sha(repo, base_branch)
        if base_sha is None:
            raise CodeHostError(f"commit to branch {branch} of {repo}", f"the base branch {base_branch} does not exist")
        base_tree = self._json("GET", f"{repo_url(repo)}/git/commits/{base_sha}")["tree"]["sha"]
        entries: list[dict[str, Any]] = []
        for change in files:
            if change.content == "":
                entries.append({"path": change.path, "mode": "100644", "type": "blob", "sha": None})
                continue
            # Blobs and trees are named by their content: making one twice makes the same one.
            blob = self._json(
                "POST",
                f"{repo_url(repo)}/git/blobs",
                input={"content": base64.b64encode(change.content.encode()).decode(), "encoding": "base64"},
                retry=True,
            )
            entries.append({"path": change.path, "mode": "100644", "type": "blob", "sha": blob["sha"]})
        # No files is a commit of the base's own tree (a restore of drift changes no file, yet needs a commit).
        tree_sha = base_tree
        if entries:
            tree_sha = self._json(
                "POST", f"{repo_url(repo)}/git/trees", input={"base_tree": base_tree, "tree": entries}, retry=True
            )["sha"]
        current = self._branch_sha(repo, branch)
        if current is not None:
            head = self._json("GET", f"{repo_url(repo)}/git/commits/{current}")
            if head["tree"]["sha"] == tree_sha and [p["sha"] for p in head.get("parents", [])] == [base_sha]:
                return current  # the branch already holds exactly this change: asking twice commits nothing
        body: dict[str, Any] = {"message": message, "tree": tree_sha, "parents": [base_sha]}
        if author is not None:
            body["author"] = {"name": author.name, "email": author.email}
        # A commit made twice is a second commit object that no ref points to: harmless, and never shown.
        commit = self._json("POST", f"{repo_url(repo)}/git/commits", input=body, retry=True)
        if current is None:
            self._json(
                "POST", f"{repo_url(repo)}/git/refs", input={"ref": f"refs/heads/{branch}", "sha": commit["sha"]}
            )
        else:
            # force: the change branch is the bot's own and is rebuilt on the base each time it is asked for.
            self._json(
                "PATCH",
                f"{repo_url(repo)}/git/refs/heads/{ref_path(branch)}",
                input={"sha": commit["sha"], "force": True},
                retry=True,
            )
        return str(commit["sha"])

    def delete_branch(self, repo: str, branch: str) -> bool:
        """Delete the branch; False when it did not exist."""

        def delete() -> bool:
            try:
                self._json("DELETE", f"{repo_url(repo)}/git/refs/heads/{ref_path(branch)}")
            except GithubException as error:
                if error.status in (404, 422):  # 422: "Reference does not exist"
                    return False
                raise
            return True

        return self._call(f"delete branch {branch} of {repo}", delete)

    def _branch_sha(self, repo: str, branch: str) -> str | None:
        try:
            ref = self._json("GET", f"{repo_url(repo)}/git/ref/heads/{ref_path(branch)}")
        except GithubException as error:
            if error.status == 404:
                return None
            raise
        return str(ref["object"]["sha"])

    # --- pull requests ----------------------------------------------------------------------------------------

    def find_pull_request(self, repo: str, head_branch: str) -> PullRequestInfo | None:
        owner = checked_repo(repo).split("/")[0]

        def find() -> PullRequestInfo | None:
            pulls = self._json(
                "GET", f"{repo_url(repo)}/pulls", params={"state": "open", "head": f"{owner}:{head_branch}"}
            )
            same = [p for p in pulls if p["head"]["ref"] == head_branch and not _is_fork(p)]
            return _pull_info(min(same, key=lambda p: p["number"])) if same else None

        return self._call(f"look for an open pull request from {head_branch} in {repo}", find)

    def open_pull_request(
        self, repo: str, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequestInfo:
        operation = f"open a pull request from {head} into {base} in {repo}"

        def open_() -> PullRequestInfo:
            existing = self.find_pull_request(repo, head)
            if existing is not None:
                return existing
            try:
                created = self._json(
                    "POST", f"{repo_url(repo)}/pulls", input={"title": title, "head": head, "base": base, "body": body}
                )
            except GithubException as error:
                # A retried POST whose first attempt reached GitHub: "A pull request already exists for o:head".
                if error.status == 422:
                    again = self.find_pull_request(repo, head)
                    if again is not None:
                        return again
                raise
            return _pull_info(created)

        pull = self._call(operation, open_)
        if labels:
            self.add_labels(repo, pull.number, labels)
        return pull

    def open_change(
        self,
        repo: str,
        base: str,
        branch: str,
        files: Sequence[FileChange],
        message: str,
        *,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        author: GitIdentity | None = None,
    ) -> PullRequestInfo:
        """Commit `files` on `branch` and open (or find) its pull request; nothing is left half-made on failure.

        When the pull request cannot be opened, a branch this call created is deleted again (best effort), and the
        error says so; a branch that was there before (an open PR's) is left alone.
        """
        existed = self._call(f"read branch {branch} of {repo}", lambda: self._branch_sha(repo, branch)) is not None
        self.commit_files(repo, base, branch, files, message, author)
        try:
            return self.open_pull_request(repo, branch, base, title, body, labels)
        except CodeHostError as error:
            if existed:
                raise
            try:
                deleted = self.delete_branch(repo, branch)
                cleanup = f"the branch {branch} was deleted again" if deleted else f"the branch {branch} is gone"
            except CodeHostError:
                cleanup = f"the branch {branch} could not be deleted: delete it by hand"
            raise CodeHostError(
                error.operation, f"{error.detail}; {cleanup}", error.hint, status=error.status
            ) from error

    def pull_request(self, repo: str, number: int) -> PullRequestInfo:
        return self._call(
            f"read pull request #{number} of {repo}",
            lambda: _pull_info(self._json("GET", f"{repo_url(repo)}/pulls/{int(number)}")),
        )

    def changed_files(self, repo: str, number: int) -> list[str]:
        def files() -> list[str]:
            paths: list[str] = []
            for item in self._paged(f"{repo_url(repo)}/pulls/{int(number)}/files"):
                paths.append(item["filename"])
                if item.get("previous_filename"):  # a rename changes the project it left too
                    paths.append(item["previous_filename"])
            return sorted(set(paths))

        return self._call(f"list the files changed by pull request #{number} of {repo}", files)

    def pull_request_patches(self, repo: str, number: int) -> dict[str, str]:
        url = f"{repo_url(repo)}/pulls/{int(number)}"
        return self._call(
            f"read the diff of pull request #{number} of {repo}", lambda: pull_reviews.patches(self._paged, url)
        )

    def create_review(
        self, repo: str, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]
    ) -> int:
        url = f"{repo_url(repo)}/pulls/{int(number)}"
        payload = pull_reviews.review_payload(commit_id, body, comments)

        def send(verb: str, target: str, data: Any) -> Any:
            return self._json(verb, target, input=data)

        return self._call(
            f"review pull request #{number} of {repo}",
            lambda: pull_reviews.create_review(self._paged, send, url, self.bot_login, payload),
        )

    def close_pull_request(self, repo: str, number: int) -> None:
        self._call(
            f"close pull request #{number} of {repo}",
            lambda: self._json("PATCH", f"{repo_url(repo)}/pulls/{int(number)}", input={"state": "closed"}),
        )

    def add_labels(self, repo: str, issue_number: int, labels: Sequence[str]) -> None:
        if not labels:
            return
        self._call(
            f"label #{issue_number} of {repo} with {', '.join(labels)}",
            lambda: self._json(
                "POST", f"{repo_url(repo)}/issues/{int(issue_number)}/labels", input={"labels": list(labels)}
            ),
        )

    def reviews(self, repo: str, number: int) -> list[Review]:
        def read() -> list[Review]:
            return [
                Review(
                    user=(item.get("user") or {}).get("login", ""),
                    state=item.get("state", ""),
                    commit_id=item.get("commit_id") or "",
                    submitted_at=parse_when(item.get("submitted_at")),
                )
                for item in self._paged(f"{repo_url(repo)}/pulls/{int(number)}/reviews")
            ]

        return self._call(f"read the reviews of pull request #{number} of {repo}", read)

    # --- files ------------------------------------------------------------------------------------------------

    def default_branch(self, repo: str) -> str:
        data = self._call(f"read repository {repo}", lambda: self._json("GET", repo_url(repo)))
        return str(data.get("default_branch") or "main")

    def read_file(self, repo: str, ref: str, path: str) -> str | None:
        def read() -> str | None:
            try:
                item = self._json("GET", f"{repo_url(repo)}/contents/{quote(path, safe='/')}", params={"ref": ref})
            except GithubException as error:
                if error.status == 404:
                    return None
                raise
            if not isinstance(item, dict) or item.get("type") != "file":
                return None  # a directory, a symlink or a submodule is not a file to read
            if item.get("encoding") == "base64" and item.get("content") is not None:
                return base64.b64decode(item["content"]).decode("utf-8", errors="replace")
            # Files over 1 MB come back without content ("encoding": "none"): read the blob instead.
            blob = self._json("GET", f"{repo_url(repo)}/git/blobs/{item['sha']}")
            return base64.b64decode(blob["content"]).decode("utf-8", errors="replace")

        return self._call(f"read {path} at {ref} in {repo}", read)

    def list_files(self, repo: str, ref: str) -> list[str]:
        def listing() -> list[str]:
            tree = self._json("GET", f"{repo_url(repo)}/git/trees/{quote(ref, safe='')}", params={"recursive": "1"})
            if not tree.get("truncated"):
                return sorted(e["path"] for e in tree["tree"] if e["type"] == "blob")
            # Over GitHub's limit for one recursive listing (100,000 entries): walk the subtrees one by one.
            return sorted(self._walk(repo, tree["sha"], ""))

        return self._call(f"list the files at {ref} in {repo}", listing)

    def _walk(self, repo: str, tree_sha: str, prefix: str) -> Iterator[str]:
        tree = self._json("GET", f"{repo_url(repo)}/git/trees/{tree_sha}")
        for entry in tree["tree"]:
            if entry["type"] == "blob":
                yield prefix + entry["path"]
            elif entry["type"] == "tree":
                yield from self._walk(repo, entry["sha"], prefix + entry["path"] + "/")

    def pull_request_commits(self, repo: str, number: int) -> list[PullCommit]:
        def read() -> list[PullCommit]:
            return [_pull_commit(item) for item in self._paged(f"{repo_url(repo)}/pulls/{int(number)}/commits")]

        return self._call(f"list the commits of pull request #{number} of {repo}", read)

    def __repr__(self) -> str:
        return f"GitHubCodeHost(bot_login={self.bot_login!r})"


def _is_fork(pull: dict[str, Any]) -> bool:
    head_repo = pull["head"].get("repo")
    base_repo = pull["base"].get("repo") or {}
    # A deleted fork leaves head.repo null: treat it as a fork, never as trusted.
    return head_repo is None or head_repo.get("full_name") != base_repo.get("full_name")


def _pull_info(pull: dict[str, Any]) -> PullRequestInfo:
    return PullRequestInfo(
        number=int(pull["number"]),
        head_branch=pull["head"]["ref"],
        head_sha=pull["head"]["sha"],
        base_branch=pull["base"]["ref"],
        author=(pull.get("user") or {}).get("login", ""),
        is_fork=_is_fork(pull),
        state=pull.get("state", ""),
        merged=bool(pull.get("merged") or pull.get("merged_at")),
        draft=bool(pull.get("draft")),
        title=pull.get("title") or "",
        url=pull.get("html_url") or "",
        merge_commit_sha=(pull.get("merge_commit_sha") or "") if pull.get("merged") or pull.get("merged_at") else "",
    )


def _pull_commit(item: dict[str, Any]) -> PullCommit:
    commit = item.get("commit") or {}
    author, committer = commit.get("author") or {}, commit.get("committer") or {}
    return PullCommit(
        sha=str(item["sha"]),
        # `author`/`committer` are the accounts GitHub links by email: null (or {}) when it links none.
        author_login=str((item.get("author") or {}).get("login") or ""),
        committer_login=str((item.get("committer") or {}).get("login") or ""),
        author_name=str(author.get("name") or ""),
        author_email=str(author.get("email") or ""),
        committer_name=str(committer.get("name") or ""),
        committer_email=str(committer.get("email") or ""),
        message=str(commit.get("message") or ""),
        verified=bool((commit.get("verification") or {}).get("verified")),
    )
