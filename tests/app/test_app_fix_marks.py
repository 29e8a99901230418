"""The App marks what became of an offered fix, from the pull request's own events: a new head holding a suggested
fix's lines (the suggestions committed) accepts it, the fix pull request `olympus/fix-pr-<n>` merged accepts its fix
and closed unmerged refuses it, and the pull request closed lets go of what is still pending. A redelivered event
finds nothing left to mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_driver import REPO, App

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.services.fix_loop import unified_patch
from bot.services.fix_marks import note_offer

MAIN = "stacks/app/main.tf"
OTHER = "stacks/other/main.tf"
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
DECLARED = 'variable "greeting" {\n  type    = string\n  default = "hello"\n}\n\n'


def offer(app: App, number: int, path: str, how: dict[str, Any]) -> int:
    """A verified fix of path's project, recorded and offered as the loop and github_diagnose do."""
    attempt = FixAttempt(
        REPO, f"{REPO}#{number}", path.rsplit("/", 1)[0], "plan", "undeclared-reference", "var.greeting undeclared",
        FixKind.PATCH, Verification.PASSED, app.store.clock(), offered=True,
        patch=unified_patch([FileEdit(path, BROKEN, DECLARED + BROKEN)]),
    )  # fmt: skip
    attempt_id = app.store.record_fix_attempt(attempt)
    note_offer(app.store, [attempt_id], how)
    return attempt_id


def accepted(app: App) -> dict[str, bool | None]:
    return {a.project: a.accepted for a in app.store.fix_attempts(REPO)}


def pull_request_event(app: App, action: str, number: int, **changes: Any) -> None:
    """The event GitHub sends, with the pull request's head as the fake has it."""
    pull = app.fake.repo(REPO).pulls[number]
    payload = app.payload(f"pull_request/{'closed' if action == 'closed' else 'synchronize'}.payload.json", "alice")
    payload["action"] = action
    payload["number"] = payload["pull_request"]["number"] = number
    payload["pull_request"]["head"].update(ref=pull.head_ref, sha=pull.head_sha)
    payload["pull_request"]["base"]["ref"] = pull.base_ref
    payload["pull_request"].update(changes)
    app.deliver("pull_request", payload)


def test_committed_suggestions_accept_the_fix_and_a_closed_pull_request_lets_go(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    repo = fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    number = fake_github.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: BROKEN, OTHER: BROKEN}
    )
    app = App(fixtures_dir, fake_github, None, tmp_path, model=None, scanners=())
    head = repo.pulls[number].head_sha
    offer(app, number, MAIN, {"how": "suggestions", "head": head, "review": 1})
    offer(app, number, OTHER, {"how": "suggestions", "head": head, "review": 1})

    fake_github.push(REPO, "infra/greet", {"README.md": "infra, greeted\n"}, author="alice")
    pull_request_event(app, "synchronize", number)
    assert accepted(app) == {"stacks/app": None, "stacks/other": None}  # a new head without the fix

    # "Commit suggestions" on stacks/app's: GitHub commits the suggested lines onto the head.
    fake_github.push(REPO, "infra/greet", {MAIN: DECLARED + BROKEN}, author="alice")
    pull_request_event(app, "synchronize", number)
    assert accepted(app) == {"stacks/app": True, "stacks/other": None}
    pull_request_event(app, "synchronize", number)  # redelivered: nothing changes
    assert accepted(app) == {"stacks/app": True, "stacks/other": None}

    pull_request_event(app, "closed", number, merged=False, state="closed")
    assert accepted(app) == {"stacks/app": True, "stacks/other": False}
    assert fake_github.violations == []


def test_the_fix_pull_request_merged_accepts_and_closed_refuses(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    repo = fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    number = fake_github.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: BROKEN, OTHER: BROKEN}
    )
    head = repo.pulls[number].head_sha
    fixes = {}
    for path, slug in ((MAIN, "stacks-app"), (OTHER, "stacks-other")):
        branch = f"olympus/fix-pr-{number}-{slug}"
        fake_github.push(REPO, branch, {path: DECLARED + BROKEN}, author="olympus", parent=head)
        fixes[path] = fake_github.open_pull_request(
            REPO, head=branch, base="infra/greet", title="Fix", author="olympus"
        )
    app = App(fixtures_dir, fake_github, None, tmp_path, model=None, scanners=())
    for path, fix in fixes.items():
        offer(
            app, number, path, {"how": "pull_request", "head": head, "number": fix, "branch": repo.pulls[fix].head_ref}
        )

    pull_request_event(app, "closed", fixes[OTHER], merged=False, state="closed")
    assert accepted(app) == {"stacks/app": None, "stacks/other": False}
    with fake_github.lock:
        fake_github.merge_state(repo, repo.pulls[fixes[MAIN]], "Fix stacks/app", "alice")
    pull_request_event(app, "closed", fixes[MAIN], merged=True, state="closed")
    assert accepted(app) == {"stacks/app": True, "stacks/other": False}
    assert fake_github.violations == []
