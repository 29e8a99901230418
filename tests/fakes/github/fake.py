"""FakeGitHub: a stateful GitHub REST double on loopback, and the helpers that play the humans around the App."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .auth import AppCredentials
from .chaos import KINDS, Chaos
from .oauth_routes import OAuthClient
from .openapi import GitHubOpenAPI
from .server import Dispatcher, Fault, HttpFront, RecordedRequest
from .state import (
    RUN_STATUSES,
    Artifact,
    BranchProtection,
    Comment,
    FakeRepo,
    Issue,
    PullRequest,
    Review,
    WorkflowRun,
    next_id,
    timestamp,
)

PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED")
ARTIFACT_RETENTION = timedelta(days=90)  # GitHub's default retention for artifacts


class FakeGitHub:
    """GitHub for one test: PyGithub reaches it with `Github(base_url=fake.base_url)` (or `fake.ghes_url`)."""

    def __init__(
        self,
        spec: GitHubOpenAPI,
        *,
        private_key_pem: str,
        public_key_pem: str,
        app_id: int = 424242,
        installation_id: int = 4242,
        app_slug: str = "olympus",
        app_owner: str = "olympus-dev",
    ) -> None:
        self.spec = spec
        self.app_id = app_id
        self.installation_id = installation_id
        self.app_slug = app_slug
        self.app_owner = app_owner
        self.private_key_pem = private_key_pem
        self.credentials = AppCredentials(app_id, public_key_pem)
        self.lock = threading.RLock()
        self.repos: dict[str, FakeRepo] = {}
        self.team_members: set[tuple[str, str, str]] = set()
        self.violations: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.outages: Chaos | None = None  # see chaos()
        # Validate 1 request (and its response) in this many against the description; 1 validates every one.
        self.validate_one_in = 1
        self.signed_blobs: dict[str, bytes] = {}  # token of a pre-signed storage URL -> the bytes it serves
        self.oauth = OAuthClient()  # the App's OAuth client: its web flow signs people in (oauth_routes.py)
        self._front = HttpFront(Dispatcher(self))
        self.base_url = f"http://127.0.0.1:{self._front.port}"
        self.ghes_url = f"{self.base_url}/api/v3"

    def __repr__(self) -> str:
        return f"FakeGitHub(base_url={self.base_url!r}, repos={sorted(self.repos)!r})"

    def stop(self) -> None:
        self._front.stop()

    @property
    def bot_login(self) -> str:
        """The login GitHub shows for what the App does with an installation token."""
        return f"{self.app_slug}[bot]"

    @property
    def token_issuances(self) -> int:
        return self.credentials.issuances

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock on, e.g. past an installation token's hour; JWTs still use the real clock."""
        self.credentials.clock_offset += seconds

    # --- state set up by tests --------------------------------------------------------------------------------

    def actions_token(self) -> str:
        """A workflow job's GITHUB_TOKEN: what it does on GitHub is done by the github-actions app."""
        with self.lock:
            return self.credentials.issue_token(self.installation_id, app_slug="github-actions")[0]

    def user_token(self, login: str) -> str:
        """A personal access token of `login`'s: it answers GET /user as them (and nothing else here)."""
        with self.lock:
            return self.credentials.issue_user_token(login)

    def sign_in_as(self, login: str | None) -> None:
        """The person whose browser approves the App's next sign-in (None: the next one is denied)."""
        with self.lock:
            self.oauth.signing_in_as = login

    def set_pull_head(self, full_name: str, number: int, sha: str) -> None:
        """Give a PR's head commit the id `sha` (a local checkout's commit), with the tree it has now.

        A local checkout's commits cannot get the fake's ids, so this gives the fake the checkout's id instead; the
        files stay the ones pushed to the fake.
        """
        with self.lock:
            repo = self.repo(full_name)
            pull = repo.pulls[number]
            current = repo.git.commits[pull.head_sha]
            repo.git.commits[sha] = replace(current, sha=sha, parents=(current.sha,))
            repo.git.refs[pull.head_git_ref] = sha
            repo.sync_pull_heads()

    def repo(self, full_name: str) -> FakeRepo:
        return self.repos[full_name.lower()]

    def add_repo(
        self,
        full_name: str,
        *,
        files: dict[str, str] | None = None,
        default_branch: str = "main",
        private: bool = False,
    ) -> FakeRepo:
        owner, name = full_name.split("/")
        repo = FakeRepo(owner, name, default_branch=default_branch, private=private)
        tree = repo.git.tree_from_files(files or {"README.md": f"# {name}\n"})
        sha = repo.git.put_commit(tree, [], "Initial commit", owner, f"{owner}@example.com", timestamp())
        repo.git.refs[f"refs/heads/{default_branch}"] = sha
        repo.permissions[owner] = "admin"
        with self.lock:
            self.repos[full_name.lower()] = repo
        return repo

    def set_permission(self, full_name: str, user: str, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}")
        with self.lock:
            self.repo(full_name).permissions[user] = permission

    def permission_of(self, repo: FakeRepo, user: str) -> str:
        # Someone who is not a collaborator can read a public repository and nothing of a private one; logins are
        # case-insensitive on GitHub.
        found = {login.lower(): role for login, role in repo.permissions.items()}
        return found.get(user.lower(), "none" if repo.private else "read")

    def add_team_member(self, org: str, team_slug: str, user: str) -> None:
        with self.lock:
            self.team_members.add((org.lower(), team_slug.lower(), user.lower()))

    def set_branch_protection(
        self,
        full_name: str,
        branch: str,
        *,
        required_approving_review_count: int = 1,
        required_status_checks: list[str] | None = None,
        require_code_owner_reviews: bool = False,
    ) -> None:
        with self.lock:
            self.repo(full_name).protections[branch] = BranchProtection(
                required_approving_review_count, list(required_status_checks or []), require_code_owner_reviews
            )

    def push(
        self,
        full_name: str,
        branch: str,
        files: Mapping[str, str | None],
        message: str = "push",
        author: str | None = None,
        *,
        author_email: str | None = None,
        committer: tuple[str, str] | None = None,
        verified: bool = False,
        parent: str | None = None,
        pusher: str | None = None,
    ) -> str:
        """A commit on `branch` (made from the default branch when new) that sets files (None deletes one).

        As on GitHub, git's names are whatever the pusher wrote: `author` is a name, linked to the account whose
        address `author_email` is (default `AUTHOR@example.com`, the fake's verified address of that login).
        `parent` rewrites history (a force-push onto that commit); `pusher` is the account that pushes (default: the
        author), which GitHub records in the repository's activity.
        """
        with self.lock:
            repo = self.repo(full_name)
            fork_pull = next((p for p in repo.pulls.values() if p.fork and p.head_ref == branch), None)
            ref = fork_pull.head_git_ref if fork_pull else f"refs/heads/{branch}"
            parent = parent or repo.git.refs.get(ref) or repo.git.refs[f"refs/heads/{repo.default_branch}"]
            entries = dict(repo.git.trees[repo.git.commits[parent].tree])
            for path in [p for p, text in files.items() if text is None]:
                entries.pop(path, None)
            tree = repo.git.tree_from_files({p: t for p, t in files.items() if t is not None}, base=entries)
            who = author or repo.owner
            email = author_email if author_email is not None else f"{who}@example.com"
            sha = repo.git.put_commit(
                tree, [parent], message, who, email, timestamp(), committer=committer, verified=verified
            )
            repo.move_ref(ref, sha, pusher or who)
            repo.sync_pull_heads()
            return sha

    def create_issue(self, full_name: str, title: str, body: str, author: str) -> int:
        with self.lock:
            return self.create_issue_state(self.repo(full_name), title, body, author)

    def add_issue_comment(self, full_name: str, number: int, body: str, author: str) -> int:
        with self.lock:
            repo = self.repo(full_name)
            if number not in repo.issues:
                raise KeyError(f"no issue #{number} in {full_name}")
            return self.add_comment_state(repo, number, body, author)

    def open_pull_request(
        self,
        full_name: str,
        *,
        head: str,
        base: str,
        title: str,
        author: str,
        files: dict[str, str] | None = None,
        fork: bool = False,
        body: str | None = None,
        draft: bool = False,
    ) -> int:
        """As a person would: push `files` to `head` (made from `base`), then open the PR; a fork's head stays in it."""
        with self.lock:
            repo = self.repo(full_name)
            if fork:
                number = repo.next_number()
                parent = repo.git.refs[f"refs/heads/{base}"]
                tree = repo.git.tree_from_files(files or {}, base=repo.git.trees[repo.git.commits[parent].tree])
                sha = repo.git.put_commit(tree, [parent], title, author, f"{author}@example.com", timestamp())
                repo.git.refs[f"refs/pull/{number}/head"] = sha
                return self.open_pull_request_state(
                    repo,
                    head=head,
                    base=base,
                    title=title,
                    body=body,
                    author=author,
                    draft=draft,
                    fork=True,
                    number=number,
                )
            if files:
                self.push(full_name, head, files, message=title, author=author)
            elif repo.ref_sha(head) is None:
                raise KeyError(f"branch {head!r} does not exist in {full_name}: give files to push")
            return self.open_pull_request_state(
                repo, head=head, base=base, title=title, body=body, author=author, draft=draft, fork=False
            )

    def add_review(self, full_name: str, number: int, user: str, state: str, commit_id: str | None = None) -> int:
        if state not in REVIEW_STATES:
            raise ValueError(f"state must be one of {REVIEW_STATES}")
        with self.lock:
            repo = self.repo(full_name)
            pull = repo.pulls[number]
            review = Review(next_id(), user, state, commit_id or pull.head_sha, timestamp())
            repo.reviews.setdefault(number, []).append(review)
            return review.id

    def add_workflow_run(
        self,
        full_name: str,
        *,
        path: str,
        head_sha: str,
        event: str = "pull_request",
        status: str = "completed",
        conclusion: str | None = "success",
        head_branch: str | None = "main",
        artifacts: Mapping[str, Mapping[str, bytes]] | None = None,
        actor: str | None = None,
    ) -> int:
        """A run GitHub made of the workflow file `path` for `head_sha`, with the artifacts it uploaded; its id.

        `artifacts` maps an artifact's name to its files ({name in the zip: content}). Each run is created at least a
        second after the repository's previous one, so `created_at` orders runs as their ids do even within a second.
        A run that is not completed has no conclusion, whatever `conclusion` says, as on GitHub.
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}")
        with self.lock:
            repo = self.repo(full_name)
            moment = datetime.now(UTC).replace(microsecond=0)
            if repo.workflow_runs:
                moment = max(moment, datetime.fromisoformat(repo.workflow_runs[-1].created_at) + timedelta(seconds=1))
            created = timestamp(moment)
            run = WorkflowRun(
                next_id(),
                run_number=1 + sum(1 for r in repo.workflow_runs if r.path == path),
                path=path,
                event=event,
                head_sha=head_sha,
                head_branch=head_branch,
                status=status,
                conclusion=conclusion if status == "completed" else None,
                created_at=created,
                actor=actor or repo.owner,
            )
            for name, files in (artifacts or {}).items():
                expires = timestamp(moment + ARTIFACT_RETENTION)
                run.artifacts.append(Artifact(next_id(), name, _zip(files), created, expires))
            repo.workflow_runs.append(run)
            return run.id

    def expire_artifact(self, full_name: str, run_id: int, name: str) -> None:
        """The run's artifacts of that name expire now: listed with `expired`, no longer downloadable (410)."""
        with self.lock:
            run = self.repo(full_name).workflow_run(run_id)
            found = [a for a in run.artifacts if a.name == name] if run else []
            if not found:
                raise KeyError(f"no artifact {name!r} in run {run_id} of {full_name}")
            for artifact in found:
                artifact.expired = True
                artifact.expires_at = max(timestamp(), artifact.created_at)  # runs may be dated a little ahead

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        headers: dict[str, str] | None = None,
        times: int = 1,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next `times` requests matching (method or "*", re.search on the API path) get `status` instead."""
        with self.lock:
            self.faults.append(Fault(method.upper(), path_regex, times, status, dict(headers or {}), body))

    def delay_next(self, method: str, path_regex: str, seconds: float, times: int = 1) -> None:
        """The next `times` matching requests wait `seconds` before they are served (and still take effect)."""
        with self.lock:
            self.faults.append(Fault(method.upper(), path_regex, times, seconds=seconds))

    def chaos(self, *, rate: float, seed: int, hang_seconds: float = 20.0, kinds: tuple[str, ...] = KINDS) -> Chaos:
        """From now on a seeded random `rate` of API requests fails: 500, 502, 503, 429 with `Retry-After: 1`, or no
        answer for `hang_seconds` (make it longer than the client's timeout): the request takes effect, and its
        answer comes after the client has given up.

        Only HTTP requests are drawn for: what a test sets up through this object's methods never fails.
        `calm()` stops it; the returned Chaos counts the outages served.
        """
        with self.lock:
            self.outages = Chaos(rate, seed, hang_seconds=hang_seconds, kinds=kinds)
            return self.outages

    def calm(self) -> None:
        """Every request is served again."""
        with self.lock:
            self.outages = None

    # --- state changes shared by the helpers above and the REST handlers --------------------------------------

    def create_issue_state(
        self,
        repo: FakeRepo,
        title: str,
        body: str | None,
        author: str,
        number: int | None = None,
        is_pull_request: bool = False,
    ) -> int:
        number = number or repo.next_number()
        now = timestamp()
        repo.issues[number] = Issue(number, next_id(), title, body, author, now, now, is_pull_request=is_pull_request)
        return number

    def add_comment_state(self, repo: FakeRepo, number: int, body: str, author: str) -> int:
        now = timestamp()
        comment = Comment(next_id(), number, body, author, now, now)
        repo.issue_comments[comment.id] = comment
        repo.issues[number].updated_at = now
        return comment.id

    def open_pull_request_state(
        self,
        repo: FakeRepo,
        *,
        head: str,
        base: str,
        title: str,
        body: str | None,
        author: str,
        draft: bool,
        fork: bool,
        number: int | None = None,
    ) -> int:
        number = self.create_issue_state(repo, title, body, author, number=number, is_pull_request=True)
        ref = f"refs/pull/{number}/head" if fork else f"refs/heads/{head}"
        pull = PullRequest(
            number, next_id(), head, base, author, draft, fork, repo.git.refs[ref], repo.git.refs[f"refs/heads/{base}"]
        )
        repo.pulls[number] = pull
        return number

    def merge_state(self, repo: FakeRepo, pull: PullRequest, title: str, merged_by: str) -> str:
        """A merge commit on the base branch: the base's files with the PR's changes since the merge base."""
        git = repo.git
        base_tip = git.refs[f"refs/heads/{pull.base_ref}"]
        ancestor = git.merge_base(pull.head_sha, base_tip) or base_tip
        before = git.trees[git.commits[ancestor].tree]
        after = git.trees[git.commits[pull.head_sha].tree]
        merged = dict(git.trees[git.commits[base_tip].tree])
        for path in set(before) | set(after):
            if before.get(path) != after.get(path):
                if path in after:
                    merged[path] = after[path]
                else:
                    merged.pop(path, None)
        tree = git.put_tree(merged)
        sha = git.put_commit(tree, [base_tip, pull.head_sha], title, merged_by, "noreply@github.com", timestamp())
        repo.move_ref(f"refs/heads/{pull.base_ref}", sha, merged_by, "pr_merge")
        now = timestamp()
        pull.merged, pull.merged_at, pull.merged_by, pull.merge_commit_sha = True, now, merged_by, sha
        item = repo.issues[pull.number]
        item.state, item.closed_at, item.updated_at = "closed", now, now
        return sha


def _zip(files: Mapping[str, bytes]) -> bytes:
    """An artifact's archive as GitHub serves it: a zip of the uploaded files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
