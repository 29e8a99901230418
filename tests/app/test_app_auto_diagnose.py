"""A failed plan diagnosed by itself in the App's worker, where `.olympus.yaml` on the base branch says `fixes: {auto:
true}`: the plan comment, then the diagnosis notice with the verified fix as a review suggestion; the same failed
commit again (a redelivery, a re-run) is not diagnosed twice. Without the setting nothing is asked of the model, and
the plan comment names `/infra diagnose`."""

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
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
AUTO = "version: 1\nfixes:\n  auto: true\n"


class NeverAsked:
    """A model that must not be asked."""

    def reply(self, **request: Any) -> Any:
        raise AssertionError("the model was asked")


def bodies(fake: Any, number: int) -> list[str]:
    return [c.body for c in fake.repo(REPO).comments(number) if c.user == fake.bot_login]


@pytest.mark.slow
def test_a_failed_plan_is_diagnosed_once_where_the_repository_turned_it_on(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path, claude_cassette: Cassette
) -> None:
    repo = fake_github.add_repo(REPO, files={".olympus.yaml": AUTO})
    number = fake_github.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: BROKEN}
    )
    with claude_cassette("fix_undeclared_variable") as replay:
        app = App(fixtures_dir, fake_github, None, tmp_path, model=replay.model, scanners=())
        app.pull_request_event("opened", number, "alice")
        asked = len(replay.sent)
        app.ctx.model = NeverAsked()  # type: ignore[assignment]
        app.pull_request_event("opened", number, "alice")  # the same failed head again: not diagnosed twice
    assert asked == 2  # the first fix failed validate, the second passed

    plan, diagnosis = bodies(fake_github, number)
    assert "`/infra diagnose`" in plan
    text = shown(diagnosis)
    assert (
        f"The plan of stacks/app failed at {repo.pulls[number].head_sha[:12]}, so Olympus diagnosed it by itself"
        in text
    )
    assert "stacks/app: terraform plan fails (undeclared-reference)" in text and "suggested in this review" in text
    [review] = repo.reviews[number]
    assert review.commit_id == repo.pulls[number].head_sha
    attempts = app.store.fix_attempts(REPO)
    assert sorted(a.verification.value for a in attempts) == ["failed", "passed"]
    assert [r.result for r in app.store.runs_for(f"{REPO}#{number}") if r.command == "auto-diagnose"] == ["completed"]
    assert fake_github.violations == []


def test_without_the_setting_the_model_is_not_asked(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    # The pull request turns it on in its own .olympus.yaml: the base branch's setting is the one that counts.
    fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    number = fake_github.open_pull_request(
        REPO,
        head="infra/greet",
        base="main",
        title="Greet",
        author="alice",
        files={MAIN: BROKEN, ".olympus.yaml": AUTO},
    )
    app = App(fixtures_dir, fake_github, None, tmp_path, model=NeverAsked(), scanners=())
    app.pull_request_event("opened", number, "alice")
    [plan] = bodies(fake_github, number)
    assert "`/infra diagnose`" in plan and "diagnosed it by itself" not in plan
    assert app.store.fix_attempts(REPO) == []
    assert fake_github.violations == []
