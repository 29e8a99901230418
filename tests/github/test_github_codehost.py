"""GitHubCodeHost against the fake GitHub (tests/fakes/github): every call PyGithub makes is checked by OpenAPI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.adapters.github import GitHubApp, GitHubCodeHost, GitHubRepoReader, PrivateKey, Retrying, RetryPolicy
from bot.domain.models import FileChange, Finding, Severity
from bot.domain.render import marker
from bot.ports import CodeHostError, GitIdentity

REPO = "acme/infra"
FILES = {"README.md": "# infra\n", "infra/aws/envs/dev/main.tf": "terraform {}\n"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(fake_github: Any, sleeps: list[float], clock: Clock) -> GitHubApp:
    retrying = Retrying(
        RetryPolicy(max_attempts=3, max_delay=60.0), sleep=sleeps.append, clock=clock, jitter=lambda: 1.0
    )
    return GitHubApp(
        fake_github.app_id,
        PrivateKey(fake_github.private_key_pem),
        fake_github.base_url,
        retrying=retrying,
        clock=clock,
        timeout=2,
    )


@pytest.fixture
def host(app: GitHubApp, fake_github: Any) -> GitHubCodeHost:
    fake_github.add_repo(REPO, files=FILES)
    return app.codehost(fake_github.installation_id)


def paths(fake_github: Any, method: str, fragment: str) -> list[str]:
    return [r.path for r in fake_github.requests if r.method == method and fragment in r.path]


# --- auth ---------------------------------------------------------------------------------------------------------


def test_bot_login_comes_from_the_app(host: GitHubCodeHost) -> None:
    assert host.bot_login is not None and host.bot_login.endswith("[bot]")


def test_installation_token_is_cached_until_shortly_before_it_expires(
    host: GitHubCodeHost, fake_github: Any, clock: Clock
) -> None:
    host.reference_commit(REPO, "main")
    host.reference_commit(REPO, "main")
    assert fake_github.token_issuances == 1
    clock.now += timedelta(minutes=50)
    host.reference_commit(REPO, "main")
    assert fake_github.token_issuances == 1
    clock.now += timedelta(minutes=6)  # within 5 minutes of the hour GitHub gives a token
    host.reference_commit(REPO, "main")
    assert fake_github.token_issuances == 2


def test_tokens_are_per_installation(app: GitHubApp, fake_github: Any) -> None:
    fake_github.add_repo(REPO, files=FILES)
    app.tokens.token(fake_github.installation_id)
    app.tokens.token(fake_github.installation_id)
    assert app.tokens.issued == 1 == fake_github.token_issuances


# --- branches and commits -----------------------------------------------------------------------------------------


def test_commit_files_makes_one_commit_on_a_new_branch(host: GitHubCodeHost, fake_github: Any) -> None:
    base = host.reference_commit(REPO, "main")
    sha = host.commit_files(
        REPO,
        "main",
        "infra/create-bucket-logs",
        [FileChange("infra/aws/envs/dev/s3.tf", 'module "logs" {}\n'), FileChange("README.md", "")],
        "Create bucket logs\n\nRequested-by: bob",
        GitIdentity("olympus[bot]", "olympus@example.com"),
    )
    assert host.reference_commit(REPO, "infra/create-bucket-logs") == sha
    assert host.reference_commit(REPO, "main") == base
    files = host.list_files(REPO, sha)
    assert files == ["infra/aws/envs/dev/main.tf", "infra/aws/envs/dev/s3.tf"]
    assert len(paths(fake_github, "POST", "/git/commits")) == 1
    assert len(paths(fake_github, "POST", "/git/blobs")) == 1
    (commit,) = [c for c in fake_github.requests if c.method == "POST" and c.path.endswith("/git/commits")]
    assert fake_github.repo(REPO).files_at("infra/create-bucket-logs") == {
        "infra/aws/envs/dev/main.tf": "terraform {}\n",
        "infra/aws/envs/dev/s3.tf": 'module "logs" {}\n',
    }


def test_asking_twice_commits_nothing_and_a_new_change_force_updates(host: GitHubCodeHost, fake_github: Any) -> None:
    change = [FileChange("infra/x.tf", "a\n")]
    first = host.commit_files(REPO, "main", "infra/x", change, "x")
    assert host.commit_files(REPO, "main", "infra/x", change, "x") == first
    assert len(paths(fake_github, "POST", "/git/commits")) == 1
    second = host.commit_files(REPO, "main", "infra/x", [FileChange("infra/x.tf", "b\n")], "x")
    assert second != first
    assert host.read_file(REPO, "infra/x", "infra/x.tf") == "b\n"


def test_no_files_is_a_commit_of_the_base_tree_and_asking_twice_commits_nothing(
    host: GitHubCodeHost, fake_github: Any
) -> None:
    # A restore of drift changes no file, yet GitHub opens no pull request without a new commit.
    base = host.reference_commit(REPO, "main")
    sha = host.commit_files(REPO, "main", "infra/fix-drift-dev-restore", [], "Restore dev")
    commit = fake_github.repo(REPO).git.commits[sha]
    assert sha != base and commit.parents == (base,)
    assert commit.tree == fake_github.repo(REPO).git.commits[base].tree
    assert paths(fake_github, "POST", "/git/trees") == []  # no tree to make: the base's is the commit's
    assert host.commit_files(REPO, "main", "infra/fix-drift-dev-restore", [], "Restore dev") == sha
    pull = host.open_pull_request(REPO, "infra/fix-drift-dev-restore", "main", "Restore dev", "")
    assert pull.head_sha == sha and host.changed_files(REPO, pull.number) == []


def test_a_missing_branch_is_a_clear_error(host: GitHubCodeHost) -> None:
    with pytest.raises(CodeHostError, match="could not read branch nope of acme/infra: the branch does not exist"):
        host.reference_commit(REPO, "nope")
    with pytest.raises(CodeHostError, match="base branch nope does not exist"):
        host.commit_files(REPO, "nope", "infra/y", [FileChange("a.tf", "a")], "m")


def test_delete_branch(host: GitHubCodeHost) -> None:
    host.commit_files(REPO, "main", "infra/gone", [FileChange("a.tf", "a")], "m")
    assert host.delete_branch(REPO, "infra/gone") is True
    assert host.delete_branch(REPO, "infra/gone") is False


# --- pull requests ------------------------------------------------------------------------------------------------


def test_open_pull_request_is_idempotent(host: GitHubCodeHost, fake_github: Any) -> None:
    host.commit_files(REPO, "main", "infra/b", [FileChange("b.tf", "b")], "m")
    first = host.open_pull_request(REPO, "infra/b", "main", "Create b", "Closes #1")
    again = host.open_pull_request(REPO, "infra/b", "main", "Create b", "Closes #1")
    assert again.number == first.number
    assert len(paths(fake_github, "POST", "/pulls")) == 1
    assert first.head_branch == "infra/b" and first.base_branch == "main" and first.state == "open"
    assert not first.is_fork and not first.merged and not first.draft
    assert first.author == fake_github.bot_login
    assert first.head_sha == host.reference_commit(REPO, "infra/b")
    assert host.find_pull_request(REPO, "infra/b") == host.pull_request(REPO, first.number)
    assert host.find_pull_request(REPO, "infra/other") is None


def test_open_pull_request_with_labels(host: GitHubCodeHost, fake_github: Any) -> None:
    # Listing pulls after labelling is left out: the double's label in pull-request-simple has a null description.
    host.commit_files(REPO, "main", "infra/l", [FileChange("l.tf", "l")], "m")
    pull = host.open_pull_request(REPO, "infra/l", "main", "Create l", "Closes #1", ["olympus", "infra"])
    assert set(fake_github.repo(REPO).issues[pull.number].labels) == {"olympus", "infra"}


def test_pull_request_from_a_fork(host: GitHubCodeHost, fake_github: Any) -> None:
    number = fake_github.open_pull_request(
        REPO, head="patch-1", base="main", title="t", author="mallory", files={"evil.tf": "x"}, fork=True
    )
    info = host.pull_request(REPO, number)
    assert info.is_fork and info.author == "mallory"
    assert host.find_pull_request(REPO, "patch-1") is None  # a fork's branch is never taken for ours


def test_changed_files_reviews_close_and_labels(host: GitHubCodeHost, fake_github: Any) -> None:
    number = fake_github.open_pull_request(
        REPO,
        head="feature",
        base="main",
        title="t",
        author="bob",
        files={"infra/aws/envs/dev/main.tf": "changed\n", "new.tf": "n"},
    )
    assert host.changed_files(REPO, number) == ["infra/aws/envs/dev/main.tf", "new.tf"]
    head = host.pull_request(REPO, number).head_sha
    fake_github.add_review(REPO, number, "alice", "APPROVED", commit_id=head)
    (review,) = host.reviews(REPO, number)
    assert (review.user, review.state, review.commit_id) == ("alice", "APPROVED", head)
    assert review.submitted_at is not None
    host.add_labels(REPO, number, ["olympus"])
    host.close_pull_request(REPO, number)
    assert host.pull_request(REPO, number).state == "closed"


# --- files --------------------------------------------------------------------------------------------------------


def test_read_and_list_files(host: GitHubCodeHost) -> None:
    assert host.read_file(REPO, "main", "README.md") == "# infra\n"
    assert host.read_file(REPO, "main", "missing.tf") is None
    assert host.read_file(REPO, "main", "infra") is None  # a directory
    assert host.list_files(REPO, "main") == sorted(FILES)


def test_repo_reader_pins_the_commit_and_reads_each_file_once(host: GitHubCodeHost, fake_github: Any) -> None:
    reader = GitHubRepoReader(host, REPO, "main")
    pinned = reader.ref
    assert len(pinned) == 40
    fake_github.push(REPO, "main", {"README.md": "moved on\n"})
    assert reader.list_files("infra/") == ["infra/aws/envs/dev/main.tf"]
    assert reader.read_text("README.md") == "# infra\n"
    assert reader.read_text("README.md") == "# infra\n"
    assert reader.read_text("nope") is None
    assert len(paths(fake_github, "GET", "/contents/README.md")) == 1


# --- comments -----------------------------------------------------------------------------------------------------


def parts(key: str, *texts: str) -> list[str]:
    return [f"{marker(key, i, len(texts))}\n{text}" for i, text in enumerate(texts, 1)]


def test_upsert_comment_edits_in_place_and_adds_or_deletes_parts(host: GitHubCodeHost, fake_github: Any) -> None:
    number = fake_github.create_issue(REPO, "infra please", "/infra create bucket logs", "bob")
    fake_github.add_issue_comment(REPO, number, parts("pr-1", "forged")[0], "mallory")
    first = host.upsert_comment(REPO, number, "pr-1", parts("pr-1", "a", "b"))
    assert len(first) == 2
    second = host.upsert_comment(REPO, number, "pr-1", parts("pr-1", "a2", "b2", "c2"))
    assert second[:2] == first and len(second) == 3
    third = host.upsert_comment(REPO, number, "pr-1", parts("pr-1", "only"))
    assert third == first[:1]
    bodies = {c.id: c.body for c in fake_github.repo(REPO).comments(number)}
    assert bodies[first[0]].endswith("\nonly")
    assert len(bodies) == 2  # mallory's and ours
    edits_before = len(paths(fake_github, "PATCH", "/issues/comments/"))
    host.upsert_comment(REPO, number, "pr-1", parts("pr-1", "only"))
    assert len(paths(fake_github, "PATCH", "/issues/comments/")) == edits_before  # unchanged: no edit


def test_post_comment_and_reactions(host: GitHubCodeHost, fake_github: Any) -> None:
    number = fake_github.create_issue(REPO, "t", "/infra create bucket logs", "bob")
    comment = fake_github.add_issue_comment(REPO, number, "/infra plan", "bob")
    host.react(REPO, comment, "eyes")
    host.react_to_issue(REPO, number, "eyes")
    reply = host.post_comment(REPO, number, "Opened #2")
    assert reply > 0
    with pytest.raises(ValueError, match="no 'wave' reaction"):
        host.react(REPO, comment, "wave")


# --- check runs ---------------------------------------------------------------------------------------------------


def test_check_run_with_more_than_fifty_annotations(host: GitHubCodeHost, fake_github: Any) -> None:
    sha = host.reference_commit(REPO, "main")
    findings = [
        Finding(f"CKV_AWS_{n}", Severity.HIGH if n % 2 else Severity.LOW, "t", "r", "infra/aws/envs/dev/main.tf", 1)
        for n in range(120)
    ]
    run_id = host.create_check_run(REPO, sha, "olympus/plan: dev", title="Plan", summary="1 to add")
    host.update_check_run(REPO, run_id, conclusion="failure", title="Plan", summary="1 to add", annotations=findings)
    assert len(paths(fake_github, "PATCH", f"/check-runs/{run_id}")) == 3
    assert len(paths(fake_github, "POST", "/check-runs")) == 1


# --- who may do what ----------------------------------------------------------------------------------------------


def test_permissions_and_teams(host: GitHubCodeHost, fake_github: Any) -> None:
    fake_github.set_permission(REPO, "bob", "write")
    fake_github.set_permission(REPO, "mo", "maintain")
    fake_github.add_team_member("acme", "platform", "alice")
    assert host.permission_of(REPO, "bob") == "write"
    assert host.permission_of(REPO, "mo") == "maintain"
    assert host.permission_of(REPO, "stranger") in ("none", "read")
    assert host.is_team_member("acme", "platform", "alice") is True
    assert host.is_team_member("acme", "platform", "bob") is False


# --- faults -------------------------------------------------------------------------------------------------------


def test_server_errors_are_retried_with_backoff(host: GitHubCodeHost, fake_github: Any, sleeps: list[float]) -> None:
    fake_github.fail_next("GET", r"/git/ref/heads/main$", 502, times=2)
    assert host.reference_commit(REPO, "main")
    assert sleeps == [1.0, 2.0]


def test_rate_limits_honour_retry_after_and_the_reset(
    host: GitHubCodeHost, fake_github: Any, sleeps: list[float]
) -> None:
    fake_github.fail_next("GET", r"/contents/", 429, headers={"Retry-After": "7"})
    assert host.read_file(REPO, "main", "README.md") == "# infra\n"
    reset = int(datetime.now(UTC).timestamp()) + 30
    fake_github.fail_next(
        "GET",
        r"/contents/",
        403,
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        body={
            "message": "API rate limit exceeded for installation ID 1.",
            "documentation_url": "https://docs.github.com",
        },
    )
    assert host.read_file(REPO, "main", "README.md") == "# infra\n"
    assert sleeps[0] == 7.0
    assert 20.0 <= sleeps[1] <= 32.0


def test_timeouts_are_retried(host: GitHubCodeHost, fake_github: Any, sleeps: list[float]) -> None:
    fake_github.delay_next("GET", r"/git/ref/heads/main$", 3)
    assert host.reference_commit(REPO, "main")
    assert sleeps == [1.0]


def test_a_call_that_keeps_failing_says_what_failed_without_the_token(
    host: GitHubCodeHost, fake_github: Any, app: GitHubApp
) -> None:
    fake_github.fail_next("POST", r"/issues/\d+/comments$", 503, times=10)
    number = fake_github.create_issue(REPO, "t", "b", "bob")
    with pytest.raises(CodeHostError) as caught:
        host.post_comment(REPO, number, "hello")
    message = str(caught.value)
    assert message.startswith(f"GitHub: could not comment on #{number} of acme/infra: HTTP 503 after 3 attempts")
    assert "run the command again" in message
    token = app.tokens.token(fake_github.installation_id)
    assert token not in message and token not in repr(caught.value)


def test_a_failed_pull_request_leaves_no_branch_behind(host: GitHubCodeHost, fake_github: Any) -> None:
    fake_github.fail_next("POST", r"/pulls$", 500, times=10)
    with pytest.raises(CodeHostError) as caught:
        host.open_change(
            REPO, "main", "infra/half", [FileChange("h.tf", "h")], "m", title="t", body="b", labels=["olympus"]
        )
    assert "the branch infra/half was deleted again" in str(caught.value)
    with pytest.raises(CodeHostError, match="does not exist"):
        host.reference_commit(REPO, "infra/half")


def test_open_change_opens_a_pull_request(host: GitHubCodeHost) -> None:
    pull = host.open_change(REPO, "main", "infra/c", [FileChange("c.tf", "c")], "m", title="Create c", body="Closes #1")
    assert pull.head_branch == "infra/c"
    again = host.open_change(
        REPO, "main", "infra/c", [FileChange("c.tf", "c")], "m", title="Create c", body="Closes #1"
    )
    assert again.number == pull.number


def test_github_enterprise_server_base_url(fake_github: Any) -> None:
    fake_github.add_repo(REPO, files=FILES)
    app = GitHubApp(fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.ghes_url + "/")
    assert app.api_url.endswith("/api/v3")
    host = app.codehost(fake_github.installation_id)
    assert host.read_file(REPO, "main", "README.md") == "# infra\n"
    assert fake_github.token_issuances == 1
