"""What the fake GitHub remembers about a repository: issues, pulls, comments, reviews, check and workflow runs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .gitstore import GitStore

_ids = itertools.count(1001)
# A workflow run's statuses; its conclusions (success, failure, ...) are the other values the `status` filter takes.
RUN_STATUSES = ("completed", "in_progress", "queued", "requested", "waiting", "pending")


def next_id() -> int:
    """Ids are unique across every kind of object and every fake, as GitHub's database ids are."""
    return next(_ids)


def timestamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Reaction:
    id: int
    user: str
    content: str
    created_at: str


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: str
    updated_at: str
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Issue:
    """An issue; a pull request is an issue too (same number space, labels and comments)."""

    number: int
    id: int
    title: str
    body: str | None
    user: str
    created_at: str
    updated_at: str
    state: str = "open"
    closed_at: str | None = None
    labels: list[str] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    is_pull_request: bool = False


@dataclass
class PullRequest:
    number: int
    id: int
    head_ref: str  # branch name in the head repository
    base_ref: str
    user: str
    draft: bool
    fork: bool
    head_sha: str  # follows the head branch while the PR is open
    base_sha: str
    merged: bool = False
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None

    @property
    def head_git_ref(self) -> str:
        # A fork's branch lives in the fork; GitHub mirrors its head into refs/pull/N/head of the base repository.
        return f"refs/pull/{self.number}/head" if self.fork else f"refs/heads/{self.head_ref}"


@dataclass
class Review:
    id: int
    user: str
    state: str
    commit_id: str
    submitted_at: str
    body: str = ""


@dataclass
class ReviewComment:
    """A line comment of a review, on the head's side (lines start_line..line; one line when start_line is None)."""

    id: int
    review_id: int
    pull_number: int
    path: str
    line: int
    body: str
    user: str
    commit_id: str
    created_at: str
    start_line: int | None = None
    diff_hunk: str = ""


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: str | None
    completed_at: str | None
    external_id: str | None = None
    details_url: str | None = None
    app_slug: str = ""  # the app whose token created it
    output: dict[str, Any] = field(default_factory=dict)  # title, summary, text
    annotations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Artifact:
    """What a workflow run uploaded under one name: GitHub keeps its files as one zip archive."""

    id: int
    name: str
    data: bytes  # the zip archive of its files, as GitHub serves it
    created_at: str
    expires_at: str  # GitHub keeps artifacts 90 days by default
    expired: bool = False


@dataclass
class WorkflowRun:
    """A GitHub Actions run of one workflow file; only GitHub sets its event, commit and path."""

    id: int
    run_number: int  # counts the runs of its workflow file, as GitHub's does
    path: str  # the workflow file, e.g. ".github/workflows/olympus.yml"
    event: str
    head_sha: str
    head_branch: str | None
    status: str
    conclusion: str | None
    created_at: str
    artifacts: list[Artifact] = field(default_factory=list)
    actor: str = ""  # whose push (or other action) started the run


@dataclass
class Activity:
    """One change to a branch, as GitHub's repository activity lists it, with the account that made it."""

    id: int
    before: str
    after: str
    ref: str
    timestamp: str
    activity_type: str  # push, force_push, branch_creation, branch_deletion, pr_merge
    actor: str


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = ""  # GitHub gives "" to labels made without one; simple pulls require a string


@dataclass
class BranchProtection:
    required_approving_review_count: int = 1
    required_status_checks: list[str] = field(default_factory=list)
    require_code_owner_reviews: bool = False


class FakeRepo:
    """One repository's state; tests read it to assert what the App did."""

    def __init__(self, owner: str, name: str, *, default_branch: str, private: bool, fork: bool = False) -> None:
        self.owner = owner
        self.name = name
        self.id = next_id()
        self.default_branch = default_branch
        self.private = private
        self.fork = fork
        self.created_at = timestamp()
        self.git = GitStore()
        self.issues: dict[int, Issue] = {}
        self.pulls: dict[int, PullRequest] = {}
        self.issue_comments: dict[int, Comment] = {}
        self.reviews: dict[int, list[Review]] = {}
        self.review_comments: list[ReviewComment] = []
        self.check_runs: list[CheckRun] = []
        self.workflow_runs: list[WorkflowRun] = []
        self.activities: list[Activity] = []
        self.labels: dict[str, Label] = {}
        self.permissions: dict[str, str] = {}
        self.protections: dict[str, BranchProtection] = {}
        self._numbers = itertools.count(1)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def next_number(self) -> int:
        return next(self._numbers)

    def move_ref(self, ref: str, sha: str | None, actor: str, kind: str = "") -> None:
        """Point ref at sha (None deletes it), recording the branch's activity as GitHub does."""
        before = self.git.refs.get(ref)
        if sha is None:
            self.git.refs.pop(ref, None)
        else:
            self.git.refs[ref] = sha
        if ref.startswith("refs/heads/"):
            if not kind:
                if before is None:
                    kind = "branch_creation"
                elif sha is None:
                    kind = "branch_deletion"
                else:
                    kind = "push" if before in self.git.ancestors(sha) else "force_push"
            zero = "0" * 40
            self.activities.append(Activity(next_id(), before or zero, sha or zero, ref, timestamp(), kind, actor))

    def ref_sha(self, branch: str) -> str | None:
        return self.git.refs.get(f"refs/heads/{branch}")

    def files_at(self, ref: str) -> dict[str, str]:
        sha = self.git.resolve(ref)
        if sha is None:
            raise KeyError(f"no branch, ref or commit {ref!r} in {self.full_name}")
        return self.git.files_at(sha)

    def comments(self, issue_number: int) -> list[Comment]:
        return [c for c in self.issue_comments.values() if c.issue_number == issue_number]

    def check_run(self, check_run_id: int) -> CheckRun | None:
        return next((run for run in self.check_runs if run.id == check_run_id), None)

    def workflow_run(self, run_id: int) -> WorkflowRun | None:
        return next((run for run in self.workflow_runs if run.id == run_id), None)

    def artifact(self, artifact_id: int) -> tuple[WorkflowRun, Artifact] | None:
        """The artifact of that id with the run that uploaded it."""
        return next(((r, a) for r in self.workflow_runs for a in r.artifacts if a.id == artifact_id), None)

    def label(self, name: str) -> Label:
        """The repository's label of that name, created as GitHub does when an issue is given an unknown label."""
        found = next((label for key, label in self.labels.items() if key.lower() == name.lower()), None)
        if found is None:
            found = self.labels[name] = Label(next_id(), name)
        return found

    def sync_pull_heads(self) -> None:
        """Open pull requests follow their head branch, as on GitHub."""
        for pull in self.pulls.values():
            if self.issues[pull.number].state == "open":
                sha = self.git.refs.get(pull.head_git_ref)
                if sha is not None:
                    pull.head_sha = sha
                base = self.ref_sha(pull.base_ref)
                if base is not None:
                    pull.base_sha = base

    def __repr__(self) -> str:
        return f"FakeRepo({self.full_name!r})"
