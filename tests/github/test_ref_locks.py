"""Project locks as git refs on GitHub: one winner per race, re-readable by anyone, released by their holder only."""

from __future__ import annotations

import subprocess
import threading
from typing import Any

from github import Auth, Github
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.github.codehost import GitHubCodeHost
from bot.adapters.github.ref_locks import GitHubRefLocks
from bot.domain.ref_locks import LOCK_NAMESPACE, LockClaim, lock_message, lock_ref, parse_lock_message

REPO = "octo-org/locks"


def actions_host(fake: Any) -> GitHubCodeHost:
    return GitHubCodeHost(Github(auth=Auth.Token(fake.actions_token()), base_url=fake.base_url, retry=None))


def locks_for(fake: Any, number: int) -> GitHubRefLocks:
    head = fake.repo(REPO).pulls[number].head_sha
    return GitHubRefLocks(actions_host(fake), REPO, head=head, run_url="https://github.com/x/y/actions/runs/1")


def two_pull_requests(fake: Any) -> tuple[int, int]:
    fake.add_repo(REPO)
    first = fake.open_pull_request(REPO, head="a", base="main", title="a", author="mona", files={"a.tf": "# a\n"})
    second = fake.open_pull_request(REPO, head="b", base="main", title="b", author="mona", files={"b.tf": "# b\n"})
    return first, second


def test_of_many_jobs_racing_for_a_lock_exactly_one_takes_it(fake_github: Any) -> None:
    first, second = two_pull_requests(fake_github)
    contenders = [(f"{REPO}#{n}", locks_for(fake_github, n)) for n in (first, second) * 4]
    results: list[str] = []
    barrier = threading.Barrier(len(contenders))

    def take(holder: str, locks: GitHubRefLocks) -> None:
        barrier.wait()
        results.append(locks.acquire_lock(REPO, "infra/aws/envs/dev", "default", holder).holder)

    threads = [threading.Thread(target=take, args=c) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(contenders) and len(set(results)) == 1  # everyone sees the same single holder
    winner = results[0]
    refs = [r for r in fake_github.repo(REPO).git.refs if r.startswith(LOCK_NAMESPACE)]
    assert refs == [lock_ref("infra/aws/envs/dev", "default")]
    assert fake_github.violations == []

    # Anyone re-reads it; the loser cannot release it; its holder can.
    reader = GitHubRefLocks(actions_host(fake_github), REPO)
    lock = reader.lock_for(REPO, "infra/aws/envs/dev", "default")
    assert lock is not None and lock.holder == winner
    loser = f"{REPO}#{second}" if winner == f"{REPO}#{first}" else f"{REPO}#{first}"
    assert reader.release_locks_of(loser) == 0
    assert reader.release_locks_of(winner) == 1
    assert reader.lock_for(REPO, "infra/aws/envs/dev", "default") is None


def test_taking_a_lock_again_keeps_it_and_other_projects_are_separate(fake_github: Any) -> None:
    first, second = two_pull_requests(fake_github)
    mine, theirs = locks_for(fake_github, first), locks_for(fake_github, second)
    assert mine.acquire_lock(REPO, "infra/aws/envs/dev", "default", f"{REPO}#{first}").holder == f"{REPO}#{first}"
    assert mine.acquire_lock(REPO, "infra/aws/envs/dev", "default", f"{REPO}#{first}").holder == f"{REPO}#{first}"
    prod = theirs.acquire_lock(REPO, "infra/aws/envs/prod", "default", f"{REPO}#{second}")
    assert prod.holder == f"{REPO}#{second}"
    staging = theirs.acquire_lock(REPO, "infra/aws/envs/dev", "staging", f"{REPO}#{second}")
    assert staging.holder == f"{REPO}#{second}"  # another workspace of the same directory
    # No branch, no tag: nothing that shows in the repository's lists or starts a push workflow.
    assert not [r for r in fake_github.repo(REPO).git.refs if r.startswith(("refs/heads/olympus", "refs/tags/"))]


def test_a_ref_that_is_not_a_lock_still_counts_as_held(fake_github: Any) -> None:
    first, _ = two_pull_requests(fake_github)
    repo = fake_github.repo(REPO)
    repo.git.refs[lock_ref("infra", "default")] = repo.pulls[first].head_sha  # a commit with no lock claim
    lock = GitHubRefLocks(actions_host(fake_github), REPO).lock_for(REPO, "infra", "default")
    assert lock is not None and "unreadable lock" in lock.holder and "delete that ref" in lock.holder


def is_valid_ref(name: str) -> bool:
    done = subprocess.run(["git", "check-ref-format", name], capture_output=True, check=False)
    return done.returncode == 0


@given(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=40))
def test_every_directory_and_workspace_gives_a_valid_distinct_ref(directory: str, workspace: str) -> None:
    ref = lock_ref(directory, workspace)
    assert ref.startswith(LOCK_NAMESPACE) and is_valid_ref(ref)
    assert lock_ref(directory, workspace + "x") != ref


@given(st.text(max_size=200), st.text(max_size=200), st.text(max_size=50))
def test_a_lock_claim_survives_its_commit_message(holder: str, directory: str, workspace: str) -> None:
    claim = LockClaim(holder, directory, workspace, "a" * 40, "https://run")
    assert parse_lock_message(lock_message(claim)) == claim
