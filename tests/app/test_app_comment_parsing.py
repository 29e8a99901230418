"""The App reads comments as Atlantis does: a command with more text is answered once and never run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_driver import REPO, App, seed_files
from shown import shown

CHANGE = {"infra/aws/envs/dev/logs.tf": 'resource "terraform_data" "logs" {}\n'}


def bot_replies(fake: Any, number: int) -> list[str]:
    """The bot's comments on #number as written, each without the hidden marker line that keys it."""
    bodies = [c.body for c in fake.repo(REPO).comments(number) if c.user == fake.bot_login]
    return [b.partition("\n")[2] if b.startswith("<!-- olympus:comment ") else b for b in bodies]


def opened(fake: Any, files: dict[str, str] = CHANGE) -> int:
    fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "maintain")
    fake.set_permission(REPO, "alice", "write")
    fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
    number = int(
        fake.open_pull_request(REPO, head="infra/logs", base="main", title="logs", author="alice", files=files)
    )
    fake.add_review(REPO, number, "carol", "APPROVED")
    return number


def test_apply_followed_by_not_yet_gets_one_reply_and_applies_nothing(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake = fake_github
    number = opened(fake)
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]

    app.comment(number, "/infra apply\nnot yet, waiting for review", "bob", on_pull_request=True)

    assert bot_replies(fake, number) == [
        "Olympus did not run this comment: a command runs only when it is the whole comment, and this one has "
        "more text after its first line (so that `/infra apply` followed by “not yet” can never apply). "
        "To run it, comment `/infra apply` on its own."
    ]
    # Nothing was planned, locked, applied or even audited: the reply came before any use case ran.
    assert not fake.repo(REPO).check_runs and not app.store.locks()
    assert app.store.audit_log() == []
    # A comment that only mentions a command further down is nobody's business.
    app.comment(number, "Looks good to me.\n/infra apply", "bob", on_pull_request=True)
    assert len(bot_replies(fake, number)) == 1
    assert fake.violations == []


def test_help_speaks_of_the_pull_request_and_terraform_gets_the_nearest_command(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake = fake_github
    number = opened(fake)
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]
    app.comment(number, "`/Infra HELP`", "alice", on_pull_request=True)
    app.comment(number, "/infra plan --help", "alice", on_pull_request=True)
    app.comment(number, "terraform plan -d infra/aws/envs/dev", "alice", on_pull_request=True)
    general, plan_page, suggestion = bot_replies(fake, number)
    assert "run `terraform plan` on this pull request" in general and "change branch" not in general
    assert plan_page.startswith("**`/infra plan`**: runs `terraform plan` in each project this pull request changes")
    assert suggestion.endswith("did you mean `/infra plan -d infra/aws/envs/dev`?")
    assert not fake.repo(REPO).check_runs


def test_import_is_off_unless_the_base_branch_allows_it(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    """The pull request's own .olympus.yaml cannot turn `/infra import` on: the base branch's decides."""
    fake = fake_github
    number = opened(fake, {**CHANGE, ".olympus.yaml": "version: 1\nallow_commands: [import, state_rm]\n"})
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]

    app.comment(number, "/infra import terraform_data.logs 1234", "alice", on_pull_request=True)
    app.comment(number, "/infra import terraform_data.logs 1234", "bob", on_pull_request=True)
    app.comment(number, "/infra state rm terraform_data.logs", "bob", on_pull_request=True)

    write_only, import_off, state_rm_off = bot_replies(fake, number)
    assert write_only == (
        "@alice `/infra import` may be run by people with the maintain permission (or higher) on this repository; "
        "you have write."
    )
    assert import_off.startswith("**`/infra import` refused** for ")
    assert "add `allow_commands: [import]` to .olympus.yaml on the base branch (main)" in shown(import_off)
    assert "add `allow_commands: [state_rm]`" in shown(state_rm_off)
    assert not app.store.locks()
    assert [entry.result.split(":")[0] for entry in app.store.audit_log()] == ["refused", "refused"]
    # The App's audit entries name their repository, for the dashboard's readers of it (their params do not).
    assert [entry.repo for entry in app.store.audit_log()] == [REPO, REPO]
    assert fake.violations == []
