"""GitHubCodeHost: the CodeHost port over PyGithub's requester (auth, base URL, errors), every call retried."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Github
from github.GithubException import GithubException

from bot.adapters.github import checks, pull_reviews
from bot.adapters.github.comment_plan import ExistingComment, plan_comment_update
from bot.adapters.github.retry import Retrying
from bot.domain.authorship import Push
from bot.domain.models import FileChange, Finding
from bot.ports import (
    BranchProtection,
    CodeHostError,
    GitIdentity,
    IssueInfo,
    PullCommit,
    PullRequestInfo,
    Review,
    ReviewComment,
)

__all__ = ["GitHubCodeHost"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
# Activities read per branch: a change's branch sees far fewer pushes than this.
_MAX_ACTIVITIES = 1000
# Seconds between further looks for a check run whose creating POST got no answer, before it is sent again.
LATE_CHECK_RUN_LOOKS = (1.0, 2.0)
_REACTIONS = frozenset({"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"})


class GitHubCodeHost:
    """One installation's view of GitHub, shaped for the services (see bot.ports.CodeHost)."""

    def __init__(self, github: Github, *, retrying: Retrying | None = None, bot_login: str | None = None) -> None:
        self._requester = github.requester
        self._retrying = retrying or Retrying()
        self.bot_login = bot_login

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
        base_tree = self._json("GET", f"{_repo_url(repo)}/git/commits/{base_sha}")["tree"]["sha"]
        entries: list[dict[str, Any]] = []
        for change in files:
            if change.content == "":
                entries.append({"path": change.path, "mode": "100644", "type": "blob", "sha": None})
                continue
            # Blobs and trees are named by their content: making one twice makes the same one.
            blob = self._json(
                "POST",
                f"{_repo_url(repo)}/git/blobs",
                input={"content": base64.b64encode(change.content.encode()).decode(), "encoding": "base64"},
                retry=True,
            )
            entries.append({"path": change.path, "mode": "100644", "type": "blob", "sha": blob["sha"]})
        # No files is a commit of the base's own tree (a restore of drift changes no file, yet needs a commit).
        tree_sha = base_tree
        if entries:
            tree_sha = self._json(
                "POST", f"{_repo_url(repo)}/git/trees", input={"base_tree": base_tree, "tree": entries}, retry=True
            )["sha"]
        current = self._branch_sha(repo, branch)
        if current is not None:
            head = self._json("GET", f"{_repo_url(repo)}/git/commits/{current}")
            if head["tree"]["sha"] == tree_sha and [p["sha"] for p in head.get("parents", [])] == [base_sha]:
                return current  # the branch already holds exactly this change: asking twice commits nothing
        body: dict[str, Any] = {"message": message, "tree": tree_sha, "parents": [base_sha]}
        if author is not None:
            body["author"] = {"name": author.name, "email": author.email}
        # A commit made twice is a second commit object that no ref points to: harmless, and never shown.
        commit = self._json("POST", f"{_repo_url(repo)}/git/commits", input=body, retry=True)
        if current is None:
            self._json(
                "POST", f"{_repo_url(repo)}/git/refs", input={"ref": f"refs/heads/{branch}", "sha": commit["sha"]}
            )
        else:
            # force: the change branch is the bot's own and is rebuilt on the base each time it is asked for.
            self._json(
                "PATCH",
                f"{_repo_url(repo)}/git/refs/heads/{_ref(branch)}",
                input={"sha": commit["sha"], "force": True},
                retry=True,
            )
        return str(commit["sha"])

    def delete_branch(self, repo: str, branch: str) -> bool:
        """Delete the branch; False when it did not exist."""

        def delete() -> bool:
            try:
                self._json("DELETE", f"{_repo_url(repo)}/git/refs/heads/{_ref(branch)}")
            except GithubException as error:
                if error.status in (404, 422):  # 422: "Reference does not exist"
                    return False
                raise
            return True

        return self._call(f"delete branch {branch} of {repo}", delete)

    def _branch_sha(self, repo: str, branch: str) -> str | None:
        try:
            ref = self._json("GET", f"{_repo_url(repo)}/git/ref/heads/{_ref(branch)}")
        except GithubException as error:
            if error.status == 404:
                return None
            raise
        return str(ref["object"]["sha"])

    # --- pull requests ----------------------------------------------------------------------------------------

    def find_pull_request(self, repo: str, head_branch: str) -> PullRequestInfo | None:
        owner = _checked(repo).split("/")[0]

        def find() -> PullRequestInfo | None:
            pulls = self._json(
                "GET", f"{_repo_url(repo)}/pulls", params={"state": "open", "head": f"{owner}:{head_branch}"}
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
                    "POST", f"{_repo_url(repo)}/pulls", input={"title": title, "head": head, "base": base, "body": body}
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
            lambda: _pull_info(self._json("GET", f"{_repo_url(repo)}/pulls/{int(number)}")),
        )

    def changed_files(self, repo: str, number: int) -> list[str]:
        def files() -> list[str]:
            paths: list[str] = []
            for item in self._paged(f"{_repo_url(repo)}/pulls/{int(number)}/files"):
                paths.append(item["filename"])
                if item.get("previous_filename"):  # a rename changes the project it left too
                    paths.append(item["previous_filename"])
            return sorted(set(paths))

        return self._call(f"list the files changed by pull request #{number} of {repo}", files)

    def pull_request_patches(self, repo: str, number: int) -> dict[str, str]:
        url = f"{_repo_url(repo)}/pulls/{int(number)}"
        return self._call(
            f"read the diff of pull request #{number} of {repo}", lambda: pull_reviews.patches(self._paged, url)
        )

    def create_review(
        self, repo: str, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]
    ) -> int:
        url = f"{_repo_url(repo)}/pulls/{int(number)}"
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
            lambda: self._json("PATCH", f"{_repo_url(repo)}/pulls/{int(number)}", input={"state": "closed"}),
        )

    def add_labels(self, repo: str, issue_number: int, labels: Sequence[str]) -> None:
        if not labels:
            return
        self._call(
            f"label #{issue_number} of {repo} with {', '.join(labels)}",
            lambda: self._json(
                "POST", f"{_repo_url(repo)}/issues/{int(issue_number)}/labels", input={"labels": list(labels)}
            ),
        )

    def reviews(self, repo: str, number: int) -> list[Review]:
        def read() -> list[Review]:
            return [
                Review(
                    user=(item.get("user") or {}).get("login", ""),
                    state=item.get("state", ""),
                    commit_id=item.get("commit_id") or "",
                    submitted_at=_when(item.get("submitted_at")),
                )
                for item in self._paged(f"{_repo_url(repo)}/pulls/{int(number)}/reviews")
            ]

        return self._call(f"read the reviews of pull request #{number} of {repo}", read)

    # --- issues -----------------------------------------------------------------------------------------------

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
                for item in self._paged(f"{_repo_url(repo)}/issues", params)
                if not item.get("pull_request")
            ]

        return self._call(f"list the issues labelled {label} in {repo}", read)

    def open_issue(self, repo: str, title: str, body: str, labels: Sequence[str]) -> int:
        # A POST retried after a lost answer may open it twice: bot/services/drift_issues.py looks again by marker
        # after opening and closes all but the oldest.
        created = self._call(
            f"open an issue in {repo}",
            lambda: self._json(
                "POST", f"{_repo_url(repo)}/issues", input={"title": title, "body": body, "labels": list(labels)}
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
                lambda: self._json("PATCH", f"{_repo_url(repo)}/issues/{int(number)}", input=changes, retry=True),
            )

    # --- files ------------------------------------------------------------------------------------------------

    def default_branch(self, repo: str) -> str:
        data = self._call(f"read repository {repo}", lambda: self._json("GET", _repo_url(repo)))
        return str(data.get("default_branch") or "main")

    def read_file(self, repo: str, ref: str, path: str) -> str | None:
        def read() -> str | None:
            try:
                item = self._json("GET", f"{_repo_url(repo)}/contents/{quote(path, safe='/')}", params={"ref": ref})
            except GithubException as error:
                if error.status == 404:
                    return None
                raise
            if not isinstance(item, dict) or item.get("type") != "file":
                return None  # a directory, a symlink or a submodule is not a file to read
            if item.get("encoding") == "base64" and item.get("content") is not None:
                return base64.b64decode(item["content"]).decode("utf-8", errors="replace")
            # Files over 1 MB come back without content ("encoding": "none"): read the blob instead.
            blob = self._json("GET", f"{_repo_url(repo)}/git/blobs/{item['sha']}")
            return base64.b64decode(blob["content"]).decode("utf-8", errors="replace")

        return self._call(f"read {path} at {ref} in {repo}", read)

    def list_files(self, repo: str, ref: str) -> list[str]:
        def listing() -> list[str]:
            tree = self._json("GET", f"{_repo_url(repo)}/git/trees/{quote(ref, safe='')}", params={"recursive": "1"})
            if not tree.get("truncated"):
                return sorted(e["path"] for e in tree["tree"] if e["type"] == "blob")
            # Over GitHub's limit for one recursive listing (100,000 entries): walk the subtrees one by one.
            return sorted(self._walk(repo, tree["sha"], ""))

        return self._call(f"list the files at {ref} in {repo}", listing)

    def _walk(self, repo: str, tree_sha: str, prefix: str) -> Iterator[str]:
        tree = self._json("GET", f"{_repo_url(repo)}/git/trees/{tree_sha}")
        for entry in tree["tree"]:
            if entry["type"] == "blob":
                yield prefix + entry["path"]
            elif entry["type"] == "tree":
                yield from self._walk(repo, entry["sha"], prefix + entry["path"] + "/")

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
            for c in self._paged(f"{_repo_url(repo)}/issues/{int(issue_number)}/comments")
        ]

    def _edit_comment(self, repo: str, comment_id: int, body: str) -> None:
        self._json("PATCH", f"{_repo_url(repo)}/issues/comments/{comment_id}", input={"body": body}, retry=True)

    def _delete_comment(self, repo: str, comment_id: int) -> None:
        try:
            self._json("DELETE", f"{_repo_url(repo)}/issues/comments/{comment_id}", retry=True)
        except GithubException as error:
            if error.status != 404:  # another writer deleted it first, or a retried DELETE had gone through
                raise

    def post_comment(self, repo: str, issue_number: int, body: str) -> int:
        return self._call(
            f"comment on #{issue_number} of {repo}", lambda: self._create_comment(repo, issue_number, body)
        )

    def _create_comment(self, repo: str, issue_number: int, body: str) -> int:
        created = self._json("POST", f"{_repo_url(repo)}/issues/{int(issue_number)}/comments", input={"body": body})
        return int(created["id"])

    def react(self, repo: str, comment_id: int, content: str = "eyes") -> None:
        self._call(
            f"react to comment {comment_id} in {repo}",
            lambda: self._json(
                "POST",
                f"{_repo_url(repo)}/issues/comments/{int(comment_id)}/reactions",
                input={"content": _reaction(content)},
            ),
        )

    def react_to_issue(self, repo: str, issue_number: int, content: str = "eyes") -> None:
        self._call(
            f"react to #{issue_number} in {repo}",
            lambda: self._json(
                "POST",
                f"{_repo_url(repo)}/issues/{int(issue_number)}/reactions",
                input={"content": _reaction(content)},
            ),
        )

    # --- check runs -------------------------------------------------------------------------------------------

    def create_check_run(
        self,
        repo: str,
        head_sha: str,
        name: str,
        *,
        status: str = "in_progress",
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
        details_url: str = "",
        external_id: str = "",
    ) -> int:
        """A new check run; with `external_id`, the one already made for it on that commit if there is one.

        GitHub keeps every check run it is sent: a POST retried after a timeout, or a job run again, would add a
        second run for one request. The external id names the request, so a second try finds the first one's run.
        """
        batches = checks.batches(annotations)
        body: dict[str, Any] = {"name": name, "head_sha": head_sha}
        body.update(_status(status, conclusion))
        if title or summary or text or batches[0]:
            body["output"] = checks.output(title or name, summary, text, batches[0])
        if details_url:
            body["details_url"] = details_url
        if external_id:
            body["external_id"] = external_id

        tries = 0

        def create() -> Any:
            nonlocal tries
            tries += 1
            if external_id:
                # A try after the first follows a POST that may have failed only on the way back, and GitHub may
                # still be carrying it out: look again for a while before sending another, since the API takes no
                # idempotency key and a second POST that lands is a second run for good.
                waits = (0.0, *LATE_CHECK_RUN_LOOKS) if tries > 1 else (0.0,)
                for wait in waits:
                    self._retrying.pause(wait)
                    found = self._check_run_for(repo, head_sha, name, external_id)
                    if found is not None:
                        return found
            return self._json("POST", f"{_repo_url(repo)}/check-runs", input=body)

        created = self._call(f"create check run {name!r} on {head_sha[:12]} in {repo}", create)
        check_run_id = int(created["id"])
        self._more_annotations(repo, check_run_id, title or name, summary, batches[1:])
        return check_run_id

    def unfinished_check_runs(self, repo: str, head_sha: str, name_prefix: str) -> list[int]:
        """This App's check runs on the commit whose name starts with name_prefix and that are not completed."""

        def read() -> list[int]:
            found: list[int] = []
            url = f"{_repo_url(repo)}/commits/{head_sha}/check-runs"
            query: dict[str, Any] | None = {"filter": "all", "per_page": 100}
            while url:
                headers, data = self._page(url, query)
                found += [
                    int(run["id"])
                    for run in data.get("check_runs") or []
                    if str(run.get("name", "")).startswith(name_prefix)
                    and run.get("status") != "completed"
                    and self._is_ours(run.get("app"))
                ]
                url = _next_link(headers.get("link", "")) or ""
                query = None
            return found

        return self._call(f"list the unfinished check runs on {head_sha[:12]} in {repo}", read)

    def _is_ours(self, app: Any) -> bool:
        if self.bot_login is None:
            return True
        return isinstance(app, dict) and f"{app.get('slug')}[bot]".lower() == self.bot_login.lower()

    def _check_run_for(self, repo: str, head_sha: str, name: str, external_id: str) -> dict[str, Any] | None:
        url = f"{_repo_url(repo)}/commits/{head_sha}/check-runs"
        # filter=all: the latest run of a name may be another request's; ours is any of them.
        params = {"check_name": name, "filter": "all", "per_page": 100}
        query: dict[str, Any] | None = params
        while url:
            headers, data = self._page(url, query)
            for run in data.get("check_runs") or []:
                if run.get("external_id") == external_id:
                    return dict(run)
            url = _next_link(headers.get("link", "")) or ""
            query = None  # the next link carries the query
        return None

    def update_check_run(
        self,
        repo: str,
        check_run_id: int,
        *,
        status: str | None = None,
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
    ) -> None:
        batches = checks.batches(annotations)
        body: dict[str, Any] = _status(status, conclusion) if status or conclusion else {}
        if title or summary or text or batches[0]:
            body["output"] = checks.output(title, summary, text, batches[0])
        self._call(
            f"update check run {check_run_id} in {repo}",
            lambda: self._json("PATCH", f"{_repo_url(repo)}/check-runs/{int(check_run_id)}", input=body),
        )
        self._more_annotations(repo, check_run_id, title, summary, batches[1:])

    def _more_annotations(
        self, repo: str, check_run_id: int, title: str, summary: str, rest: list[list[dict[str, Any]]]
    ) -> None:
        # GitHub appends the annotations of each update to the ones already there; title and summary are required.
        for batch in rest:
            output = checks.output(title, summary, "", batch)
            self._call(
                f"add annotations to check run {check_run_id} in {repo}",
                lambda output=output: self._json(  # type: ignore[misc]
                    "PATCH", f"{_repo_url(repo)}/check-runs/{int(check_run_id)}", input={"output": output}
                ),
            )

    # --- who may do what --------------------------------------------------------------------------------------

    def branch_protection(self, repo: str, branch: str) -> BranchProtection:
        """What the branch's protection asks of reviews; unprotected when it has none."""

        def read() -> BranchProtection:
            try:
                data = self._json("GET", f"{_repo_url(repo)}/branches/{quote(branch, safe='')}/protection")
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
                for page, item in enumerate(self._paged(f"{_repo_url(repo)}/activity", query)):
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

    def pull_request_commits(self, repo: str, number: int) -> list[PullCommit]:
        def read() -> list[PullCommit]:
            return [_pull_commit(item) for item in self._paged(f"{_repo_url(repo)}/pulls/{int(number)}/commits")]

        return self._call(f"list the commits of pull request #{number} of {repo}", read)

    def permission_of(self, repo: str, user: str) -> str:
        def read() -> str:
            try:
                data = self._json("GET", f"{_repo_url(repo)}/collaborators/{quote(user, safe='')}/permission")
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

    # --- plumbing ---------------------------------------------------------------------------------------------

    def download(self, operation: str, url: str, *, limit: int) -> bytes:
        """The bytes behind an API URL that redirects to storage (an artifact's zip); refused past `limit` bytes."""

        def read() -> bytes:
            # GitHub answers with a 302 to a short-lived signed URL on its blob storage, another host: it is fetched
            # without this installation's token, which must never leave GitHub's API.
            status, headers, _body = self._requester.requestJson("GET", url)
            location = next((v for k, v in headers.items() if k.lower() == "location"), "")
            if status != 302 or not location:
                raise CodeHostError(operation, f"HTTP {status} instead of a download link", status=status)
            data = bytearray()
            with requests.get(location, timeout=60, stream=True) as response:
                if response.status_code != 200:
                    raise CodeHostError(operation, f"the storage answered HTTP {response.status_code}")
                for chunk in response.iter_content(chunk_size=1 << 16):
                    data.extend(chunk)
                    if len(data) > limit:
                        raise CodeHostError(operation, f"it is larger than {limit} bytes, more than Olympus writes")
            return bytes(data)

        return self._call(operation, read)

    def api(
        self, operation: str, verb: str, url: str, *, params: dict[str, Any] | None = None, input: Any = None
    ) -> Any:
        """One REST call with this installation's client, retried; for adapters built on it (the ref locks)."""
        return self._call(operation, lambda: self._json(verb, url, params=params, input=input))

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        return self._retrying.call(operation, fn)

    def _json(
        self,
        verb: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        input: Any = None,
        retry: bool | None = None,
    ) -> Any:
        """One request's JSON. Reads, and writes the caller marks `retry` (doing them twice changes nothing), are
        retried on their own (Retrying.request); other writes are retried with the whole operation, which re-reads
        what the first try may have done before it writes again."""

        def send() -> Any:
            _headers, data = self._requester.requestJsonAndCheck(verb, url, parameters=params, input=input)
            return data

        if verb == "GET" if retry is None else retry:
            return self._retrying.request(f"{verb} {url}", send)
        return send()

    def _page(self, url: str, query: dict[str, Any] | None) -> tuple[dict[str, Any], Any]:
        return self._retrying.request(
            f"GET {url}", lambda: self._requester.requestJsonAndCheck("GET", url, parameters=query)
        )

    def _paged(self, url: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        next_url: str | None = url
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while next_url:
            headers, data = self._page(next_url, query)
            yield from data
            next_url = _next_link(headers.get("link", ""))
            query = None  # the next link carries the query

    def __repr__(self) -> str:
        return f"GitHubCodeHost(bot_login={self.bot_login!r})"


def _checked(repo: str) -> str:
    if not _REPO.fullmatch(repo):
        raise CodeHostError(f"use repository {repo!r}", "that is not an owner/name repository name")
    return repo


def _repo_url(repo: str) -> str:
    return f"/repos/{_checked(repo)}"


def _ref(branch: str) -> str:
    return quote(branch, safe="/")


def _reaction(content: str) -> str:
    if content not in _REACTIONS:
        raise ValueError(f"GitHub has no {content!r} reaction; use one of {sorted(_REACTIONS)}")
    return content


def _status(status: str | None, conclusion: str | None) -> dict[str, Any]:
    if conclusion is not None:
        return {"status": "completed", "conclusion": conclusion}
    return {"status": status or "in_progress"}


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


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        section = part.split(";")
        if len(section) >= 2 and any(s.strip() == 'rel="next"' for s in section[1:]):
            return section[0].strip().strip("<>")
    return None
