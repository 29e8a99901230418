"""The CLI's gate: who wrote a branch is read from git, Olympus's own commits carry its seal, and approver names are
GitHub logins compared as GitHub compares them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from olympus_cli import olympus

from bot.adapters.localgit import BOT_EMAIL, BOT_NAME, LocalGit
from bot.domain.authorship import authorship_of
from bot.domain.gate import Blocked, decide
from bot.domain.models import ChangeSet, FileChange
from bot.services.apply_change import gate_for
from bot.services.local_checkout import commits_of, local_checkout
from bot.wiring import build_local_loop

KEY = b"s" * 32
BRANCH = "infra/create-bucket-logs-dev"


def repo(path: Path) -> LocalGit:
    path.mkdir(parents=True)
    git = LocalGit(path)
    git.git("init", "--quiet", "--initial-branch=main")
    (path / "README.md").write_text("# infra\n")
    git.git("add", "README.md")
    commit_as(git, "dev", "dev@example.com", "base")
    return LocalGit.open(path)


def commit_as(
    git: LocalGit,
    name: str,
    email: str,
    message: str,
    committer: tuple[str, str] | None = None,
    cwd: Path | None = None,
) -> str:
    who = committer or (name, email)
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
    }
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "commit", "--quiet", "--allow-empty", "-m", message],
        cwd=cwd or git.root,
        env={**os.environ, **env},
        check=True,
    )
    return git.git("rev-parse", "HEAD", cwd=cwd).strip()


def olympus_commit(git: LocalGit, key: bytes = KEY) -> str:
    change = ChangeSet("Create bucket logs", "", (FileChange("infra/aws/envs/dev/logs.tf", "# logs\n"),))
    return git.commit_change(BRANCH, "main", change, "Create bucket logs\n\nRequested-by: bob\n", seal_key=key)


def test_olympus_own_commit_is_proven_by_its_seal(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    olympus_commit(git)
    [commit], requesters = commits_of(git, BRANCH, "main", KEY)
    assert (commit.claims_app, commit.made_by_app) == (True, True)
    assert requesters == ["bob"]
    assert authorship_of([commit], ()).excluded == ()


def test_the_seal_does_not_check_under_another_key_or_once_the_message_changes(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    olympus_commit(git)
    [commit], _ = commits_of(git, BRANCH, "main", b"x" * 32)
    assert not commit.made_by_app
    git.git("checkout", "--quiet", BRANCH)
    worktree = git.root
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "commit", "--quiet", "--amend", "-m", "Create bucket logs (edited)"],
        cwd=worktree,
        env={**os.environ, "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL},
        check=True,
    )
    [amended], _ = commits_of(git, BRANCH, "main", KEY)
    assert not amended.made_by_app


def test_a_commit_written_as_the_bot_is_its_committers(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    git.git("checkout", "--quiet", "-b", BRANCH)
    sha = commit_as(git, BOT_NAME, BOT_EMAIL, "looks like Olympus", committer=("eve", "eve@example.com"))
    commits, _ = commits_of(git, BRANCH, "main", KEY)
    [excluded] = authorship_of(commits, ()).excluded
    assert excluded.who == "eve"
    assert f"answers for commit {sha[:12]}, which claims to be an app's but is not proven to be" in excluded.why


def test_a_commit_entirely_in_the_bots_name_blocks_every_approval(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    git.git("checkout", "--quiet", "-b", BRANCH)
    commit_as(git, BOT_NAME, BOT_EMAIL, "looks like Olympus")
    commits, _ = commits_of(git, BRANCH, "main", KEY)
    [problem] = authorship_of(commits, ()).problems
    assert "nobody can approve the change" in problem


def test_humans_of_a_branch_are_excluded_by_name_email_login_and_co_author(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    olympus_commit(git)
    message = "more\n\nCo-authored-by: Carol <carol@x.io>\n"
    git.git("checkout", "--quiet", BRANCH)
    commit_as(git, "Eve Example", "31337+eve@users.noreply.github.com", message)
    commits, _ = commits_of(git, BRANCH, "main", KEY)
    people = {e.who for e in authorship_of(commits, ()).excluded}
    assert people == {"eve example", "eve", "carol"}


@pytest.fixture
def loop_repo(tmp_path: Path) -> Path:
    git = repo(tmp_path / "r")
    olympus_commit(git, build_local_loop(git.root).record_key)
    return git.root


def test_an_approval_inserted_into_the_store_by_hand_does_not_count(loop_repo: Path) -> None:
    loop = build_local_loop(loop_repo, actor="bob")
    head = loop.local_git.commit_of(BRANCH)
    loop.store.close()
    with sqlite3.connect(loop.state_dir / "olympus.db") as raw:
        raw.execute(
            "INSERT INTO approvals (change_id, commit_sha, approver, approved_at) VALUES (?, ?, 'alice', ?)",
            (BRANCH, head, "2026-12-01 12:00:00.000000"),
        )
    loop = build_local_loop(loop_repo, actor="bob")
    with local_checkout(loop, BRANCH, "main") as checkout:
        gate, _ = gate_for(loop, checkout)
    decision = decide(gate)
    assert isinstance(decision, Blocked)
    assert any("the approval by alice does not count" in r and "seal" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("аlice", "CYRILLIC SMALL LETTER A"),
        ("alice\u200b", "ZERO WIDTH SPACE"),
        ("al ice", "SPACE"),
        ("-alice", "not a GitHub login"),
    ],
)
def test_approver_names_that_are_not_logins_are_refused(loop_repo: Path, name: str, said: str) -> None:
    done = olympus("approve", "--repo", str(loop_repo), "--branch", BRANCH, "--by", name)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "bad-approver" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_fullwidth_name_is_the_same_person(loop_repo: Path) -> None:
    done = olympus("approve", "--repo", str(loop_repo), "--branch", BRANCH, "--by", "ｂｏｂ")
    assert done.returncode == 0, done.stderr
    assert "approval by bob recorded" in done.stdout
    loop = build_local_loop(loop_repo, actor="carol")
    with local_checkout(loop, BRANCH, "main") as checkout:
        decision = decide(gate_for(loop, checkout)[0])
    assert isinstance(decision, Blocked)
    assert any("bob asked for this change" in r for r in decision.reasons)
