"""`/infra diagnose` through the App: a pull request whose plan fails for an undeclared variable, Claude replayed
through the real SDK, the fix verified by real Terraform (terraform_data: no provider to download), then offered as a
review suggestion on the pull request's own lines, or as a pull request into its branch when it edits a file the
pull request did not change; every attempt kept in the evaluation store."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App
from claude_replay import Replay
from shown import shown

Cassette = Callable[[str], AbstractContextManager[Replay]]
MAIN = "stacks/app/main.tf"
VARIABLES = "stacks/app/variables.tf"
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
OWNER = 'variable "owner" {\n  type    = string\n  default = "platform"\n}\n'


def replies(fake: Any, number: int) -> list[str]:
    return [c.body for c in fake.repo(REPO).comments(number) if c.user == fake.bot_login]


def pull_request(fake: Any, main: dict[str, str]) -> tuple[Any, int]:
    """A repository with `main`'s files, and a pull request by alice that adds the broken main.tf."""
    repo = fake.add_repo(REPO, files=main)
    fake.set_permission(REPO, "bob", "write")
    fake.set_permission(REPO, "carol", "read")
    number = fake.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: BROKEN}
    )
    return repo, number


@pytest.mark.slow
def test_a_fix_on_the_pull_requests_own_lines_is_a_review_suggestion(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path, claude_cassette: Cassette
) -> None:
    repo, number = pull_request(fake_github, {"README.md": "infra\n"})
    with claude_cassette("fix_undeclared_variable") as replay:
        app = App(fixtures_dir, fake_github, None, tmp_path, model=replay.model, scanners=())
        app.comment(number, "/infra diagnose", "bob", on_pull_request=True)

    # The model saw the error and the diff GitHub shows; its first fix failed validate and went back to it.
    evidence = replay.sent[0]["messages"][0]["content"]
    assert "Reference to undeclared input variable" in evidence and "+  input = var.greeting" in evidence
    assert replay.sent[1]["messages"][-1]["content"][0]["content"].startswith("verification failed at validate")

    [review] = repo.reviews[number]
    assert review.state == "COMMENTED" and review.commit_id == repo.pulls[number].head_sha
    [comment] = repo.review_comments
    # The fix puts the variable block above line 1: one suggestion on line 1 that keeps it below the new lines.
    assert comment.path == MAIN and comment.line == 1 and comment.start_line is None
    assert '```suggestion\nvariable "greeting" {\n' in comment.body
    assert comment.body.rstrip().endswith('resource "terraform_data" "greeting" {\n```')
    note = shown(comment.body)
    assert "Olympus fix (undeclared-reference): main.tf reads var.greeting, which no variable block declares" in note
    assert "verified: validate, plan, policies (no scanner is set up) (plan: 1 to add" in note

    [said] = replies(fake_github, number)
    text = shown(said)
    assert "stacks/app: terraform plan fails (undeclared-reference)" in text
    assert "Root cause: main.tf reads var.greeting, which no variable block declares: the fix declares it" in text
    assert "suggested in this review" in text and f"#pullrequestreview-{review.id}" in said
    assert "2 attempt(s) recorded" in text
    assert repo.ref_sha("olympus/fix-pr-1") is None and len(repo.pulls) == 1  # no branch, no second pull request
    assert repo.files_at("infra/greet")[MAIN] == BROKEN  # the pull request itself is untouched

    attempts = app.store.fix_attempts(REPO)
    assert sorted(a.verification.value for a in attempts) == ["failed", "passed"]
    assert {a.change_id for a in attempts} == {f"{REPO}#{number}"}
    assert {a.failure_class for a in attempts} == {"undeclared-reference"}
    [verified] = [a for a in attempts if a.offered]
    head = repo.pulls[number].head_sha
    assert verified.extra["offer"] == {"how": "suggestions", "head": head, "review": review.id}
    assert fake_github.violations == []


@pytest.mark.slow
def test_a_fix_outside_the_diff_is_a_pull_request_into_the_pull_requests_branch(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path, claude_cassette: Cassette
) -> None:
    repo, number = pull_request(fake_github, {VARIABLES: OWNER})
    with claude_cassette("fix_undeclared_variable_elsewhere") as replay:
        app = App(fixtures_dir, fake_github, None, tmp_path, model=replay.model, scanners=())
        app.comment(number, "/infra diagnose -p stacks/app", "bob", on_pull_request=True)
    assert len(replay.sent) == 1
    assert not repo.reviews.get(number) and repo.review_comments == []
    fixes = [p for p in repo.pulls.values() if p.number != number]
    [fix] = fixes
    assert fix.head_ref == "olympus/fix-pr-1" and fix.base_ref == "infra/greet"
    files = repo.files_at("olympus/fix-pr-1")
    assert 'variable "greeting" {' in files[VARIABLES] and files[MAIN] == BROKEN
    assert repo.git.commits[fix.head_sha].parents == (repo.pulls[number].head_sha,)
    [said] = replies(fake_github, number)
    text = shown(said)
    assert f"in #{fix.number} (branch olympus/fix-pr-1), into this pull request's branch" in text
    assert "which variables.tf (where the project declares its inputs) does not declare" in text
    assert "1 attempt(s) recorded" in text
    [attempt] = app.store.fix_attempts(REPO)
    assert attempt.verification.value == "passed" and attempt.offered
    head = repo.pulls[number].head_sha
    assert attempt.extra["offer"] == {
        "how": "pull_request",
        "head": head,
        "branch": "olympus/fix-pr-1",
        "number": fix.number,
    }
    assert fake_github.violations == []


def test_diagnose_is_refused_where_it_cannot_run(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    repo, number = pull_request(fake_github, {"README.md": "infra\n"})
    app = App(fixtures_dir, fake_github, None, tmp_path, model=None, scanners=())
    app.comment(number, "/infra diagnose", "bob", on_pull_request=True)  # no model: how to set one up
    app.comment(number, "/infra diagnose", "carol", on_pull_request=True)  # read: not enough
    app.comment(number, "/infra diagnose now", "bob", on_pull_request=True)
    issue = fake_github.create_issue(REPO, "a question", "", "bob")
    app.comment(issue, "/infra diagnose", "bob", on_pull_request=False)
    no_model, refused, usage = (shown(r) for r in replies(fake_github, number))
    assert "needs a language model" in no_model and "ANTHROPIC_API_KEY" in no_model
    assert "@carol /infra diagnose may be run by people with the write permission" in refused
    assert "Usage: /infra diagnose [-p PROJECT]" in usage
    [on_issue] = replies(fake_github, issue)
    assert "`/infra plan`, `apply`, `diagnose`," in on_issue and "work in a pull request's comments" in on_issue
    assert not repo.reviews.get(number) and app.store.fix_attempts(REPO) == []
    assert fake_github.violations == []


class NeverAsked:
    """A model that must not be asked."""

    def reply(self, **request: Any) -> Any:
        raise AssertionError("the model was asked")


def test_a_fork_is_not_diagnosed(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    repo = fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    fake_github.set_permission(REPO, "bob", "write")
    number = fake_github.open_pull_request(
        REPO, head="greet", base="main", title="Greet", author="mallory", files={MAIN: BROKEN}, fork=True
    )
    app = App(fixtures_dir, fake_github, None, tmp_path, model=NeverAsked(), scanners=())
    app.comment(number, "/infra diagnose", "bob", on_pull_request=True)
    [said] = replies(fake_github, number)
    assert "does not diagnose pull requests from forks" in said
    assert app.store.fix_attempts(REPO) == [] and not repo.reviews.get(number)
    assert fake_github.violations == []


def test_a_plan_that_succeeds_has_nothing_to_diagnose(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    repo = fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    fake_github.set_permission(REPO, "bob", "write")
    good = BROKEN.replace("var.greeting", '"hello"')
    number = fake_github.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: good}
    )
    app = App(fixtures_dir, fake_github, None, tmp_path, model=NeverAsked(), scanners=())
    app.comment(number, "/infra diagnose", "bob", on_pull_request=True)
    [said] = replies(fake_github, number)
    assert "stacks/app: plan succeeds at" in shown(said) and "nothing to diagnose" in said
    assert app.store.fix_attempts(REPO) == [] and not repo.reviews.get(number)


def test_no_safe_fix_tells_a_person_what_to_check(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path, claude_cassette: Cassette
) -> None:
    repo, number = pull_request(fake_github, {"README.md": "infra\n"})
    with claude_cassette("fix_no_safe_fix") as replay:
        app = App(fixtures_dir, fake_github, None, tmp_path, model=replay.model, scanners=())
        app.comment(number, "/infra diagnose", "bob", on_pull_request=True)
    [said] = replies(fake_github, number)
    text = shown(said)
    assert "stacks/app: terraform plan fails (undeclared-reference)" in text
    assert "No safe fix: a person must act: whether greeting should be an input of the stack" in text
    assert "1 attempt(s) recorded" in text
    assert not repo.reviews.get(number) and len(repo.pulls) == 1
    [attempt] = app.store.fix_attempts(REPO)
    assert attempt.failure_class == "undeclared-reference" and not attempt.offered
