"""A merged pull request's failed Argo CD sync through the fix loop: the Argo CD double reports the Deployment
degraded (its image tag was never pushed), Claude is replayed through the real SDK, each proposal is checked against
the app patch rules and rendered with the real helm, and the verified values fix is opened as a pull request into
the default branch, linked from a comment on the merged pull request; every attempt is kept in the evaluation store."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sync_fix_repo as fixture
from claude_replay import Replay
from fakes.app_repo import fake_timing, installation_codehost, merge
from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource
from helm_tools import helm_or_fail
from shown import shown

from bot.adapters.argocd import ArgoCdClient
from bot.adapters.github import GitHubCodeHost
from bot.adapters.helm import HelmCli
from bot.adapters.kube_schemas import CrdSchemas, KubernetesSchemas
from bot.adapters.sqlstore import SqlStore
from bot.adapters.terraform import TerraformCli
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.interpretation import ModelLimits, ModelReply, ToolUse, Usage
from bot.services.context import AppCheckers, Loop
from bot.services.github_fix_marks import mark_fixes_on_close
from bot.services.sync_fix import HEADING, SyncFixer
from bot.services.sync_pull_request import MergedSync, sync_merged_pull_request

Cassette = Callable[[str], AbstractContextManager[Replay]]
REPO = fixture.REPO
# Argo CD's words for the pods, with a token pasted in: the model, the store and the comment never see it.
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PULL_FAILED = (
    'Back-off pulling image "ghcr.io/example-org/example-data-app:1.5.0": manifest unknown '
    f"(registry answered with Bearer {TOKEN})"
)
LIMITS = ModelLimits("claude-sonnet-4-6", max_tool_calls=8, token_budget=60_000)


@pytest.fixture
def host(fake_github: Any) -> GitHubCodeHost:
    return installation_codehost(fake_github, REPO, fixture.repository_files())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


def loop_of(store: SqlStore, tmp_path: Path) -> Loop:
    """The App's loop as far as a sync's fix uses it: the store, and the application plan with the real helm."""
    return Loop(
        store=store,
        terraform=TerraformCli((sys.executable, "-c", "raise SystemExit(1)"), "unused"),
        scanners=[],
        actor="alice",
        cache_dir=tmp_path / "cache",
        state_dir=tmp_path / "state",
        repo_id=REPO,
        apps=AppCheckers(HelmCli(helm_or_fail()), KubernetesSchemas(), CrdSchemas(None), []),
    )


def merged_tag_change(fake_github: Any) -> int:
    files = {fixture.VALUES: fixture.MERGED}
    number = int(fake_github.open_pull_request(REPO, head="bump", base="main", title="1.5", author="bob", files=files))
    merge(fake_github, number)
    return number


def degraded(argocd_double: FakeArgoCd) -> None:
    deployment = Resource("Deployment", "payments-api-example-data-app", "apps", health="Degraded", message=PULL_FAILED)
    argocd_double.add(FakeApplication("payments-api-staging", namespace="payments", outcome="Degraded",
                                      resources=[deployment]))  # fmt: skip


@pytest.mark.slow
def test_a_failed_sync_gets_a_verified_values_fix_as_a_pull_request_into_the_default_branch(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, store: SqlStore, tmp_path: Path,
    claude_cassette: Cassette,
) -> None:  # fmt: skip
    degraded(argocd_double)
    number = merged_tag_change(fake_github)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=1, sleep=lambda s: None)
    with claude_cassette("fix_sync_image_tag") as replay:
        fixer = SyncFixer(loop_of(store, tmp_path), replay.model, LIMITS)
        result = sync_merged_pull_request(
            host, client, store, REPO, number, actor="alice", timing=fake_timing(timeout=10), fixer=fixer
        )
    assert isinstance(result, MergedSync) and [o.result for o in result.outcomes] == ["degraded"]

    # The model was asked with the Helm and Argo CD prompt, Argo CD's words, the Application, the values and the
    # chart, and the merge's diff; no secret reached it.
    first = replay.sent[0]
    system = "".join(block["text"] for block in first["system"])
    assert "failed Argo CD sync" in system and "never instructions" in system and "never apply" in system
    evidence = first["messages"][0]["content"]
    assert "manifest unknown" in evidence and f"## File {fixture.APPLICATION_PATH}" in evidence
    assert f"## File {fixture.CHART_VALUES}" in evidence and '+  tag: "1.5.0"' in evidence
    assert TOKEN not in str(replay.sent) and fixture.CHART_SECRET not in str(replay.sent)
    # The Application edit was refused before any render; the string image failed helm's render and went back.
    said_back = [m["messages"][-1]["content"][0]["content"] for m in replay.sent[1:]]
    assert said_back[0].startswith("refused, not verified:") and "is the Argo CD Application" in said_back[0]
    assert said_back[1].startswith("verification failed at render") and "image" in said_back[1]

    repo = fake_github.repo(REPO)
    [fix] = [pull for pull in repo.pulls.values() if pull.head_ref == f"olympus/fix-sync-{number}"]
    assert fix.base_ref == "main" and repo.files_at(fix.head_ref)[fixture.VALUES] == fixture.FIXED
    assert repo.files_at(fix.head_ref)[fixture.APPLICATION_PATH] == fixture.APPLICATION
    [report, fixed] = [shown(c.body) for c in repo.comments(number) if c.user == fake_github.bot_login]
    assert "Sync after merge" in report and HEADING.removeprefix("### ") in fixed
    assert "manifest unknown (registry answered with Bearer ***)" in report and TOKEN not in report
    assert f"in #{fix.number} (branch olympus/fix-sync-{number}), into main" in fixed
    assert "Root cause: The merge moved image.tag from 1.4.2 to 1.5.0" in fixed and "3 attempt(s) recorded" in fixed
    assert TOKEN not in fixed and "no scanner and no policy engine is set up" in fixed

    attempts = list(reversed(store.fix_attempts(REPO)))
    assert [(a.verification, a.try_number) for a in attempts] == [
        (Verification.REFUSED, 1),
        (Verification.FAILED, 2),
        (Verification.PASSED, 3),
    ]
    assert {(a.step, a.failure_class, a.project, a.kind) for a in attempts} == {
        ("sync", "degraded", "payments-api-staging", FixKind.PATCH)
    }
    assert attempts[2].offered and attempts[2].extra["offer"] == {
        "how": "pull_request", "head": result.revision, "branch": f"olympus/fix-sync-{number}", "number": fix.number,
    }  # fmt: skip
    assert '+  tag: "1.4.2"' in attempts[2].patch and TOKEN not in str([a.root_cause for a in attempts])
    assert fake_github.violations == []


def test_without_a_model_a_failed_sync_is_only_recorded(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, store: SqlStore
) -> None:
    degraded(argocd_double)
    number = merged_tag_change(fake_github)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=1, sleep=lambda s: None)
    sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing(timeout=10))
    [attempt] = store.fix_attempts(REPO)
    assert (attempt.step, attempt.failure_class, attempt.verification) == ("sync", "degraded", Verification.NOT_RUN)
    assert "manifest unknown" in attempt.root_cause and TOKEN not in attempt.root_cause
    assert attempt.extra["application_file"] == fixture.APPLICATION_PATH
    repo = fake_github.repo(REPO)
    assert len(repo.pulls) == 1 and len(repo.comments(number)) == 1  # no fix pull request, no second comment


def test_a_repository_that_leaves_the_loop_off_only_records_a_failed_sync(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, store: SqlStore, tmp_path: Path
) -> None:
    degraded(argocd_double)
    # The merge itself turns the setting off: the merged `.olympus.yaml` is the one that counts.
    files = {fixture.VALUES: fixture.MERGED, ".olympus.yaml": "version: 1\nfixes:\n  auto: false\n"}
    number = int(fake_github.open_pull_request(REPO, head="bump", base="main", title="1.5", author="bob", files=files))
    merge(fake_github, number)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=1, sleep=lambda s: None)
    model = NoSafeFix()
    fixer = SyncFixer(loop_of(store, tmp_path), model, LIMITS)  # type: ignore[arg-type]
    sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing(10), fixer=fixer)
    assert model.sent == []  # the model is never asked
    [attempt] = store.fix_attempts(REPO)
    assert (attempt.step, attempt.verification, attempt.kind) == ("sync", Verification.NOT_RUN, FixKind.NONE)
    repo = fake_github.repo(REPO)
    assert len(repo.pulls) == 1 and len(repo.comments(number)) == 1  # the sync's report only


class NoSafeFix:
    """A model that reads the evidence and says a person must act (a tag that was never pushed)."""

    backend = "anthropic"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def reply(self, *, system: str, tools: Any, messages: Any, limits: ModelLimits) -> ModelReply:
        self.sent.append(system + str(messages))
        arguments = {
            "root_cause": "image tag 1.5.0 was never pushed to ghcr.io/example-org/example-data-app",
            "what_to_check": "push the 1.5.0 image (its release job failed), or pin the tag that runs",
        }
        use = ToolUse("toolu_01NoSafeFix", "no_safe_fix", arguments)
        block = {"type": "tool_use", "id": use.id, "name": use.name, "input": arguments}
        return ModelReply("", (use,), "tool_use", Usage(900, 80), "claude-sonnet-4-6", (block,))


@pytest.mark.slow
def test_when_the_model_says_no_safe_fix_the_merged_pull_request_is_told_what_to_check(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, store: SqlStore, tmp_path: Path
) -> None:
    degraded(argocd_double)
    number = merged_tag_change(fake_github)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=1, sleep=lambda s: None)
    model = NoSafeFix()
    fixer = SyncFixer(loop_of(store, tmp_path), model, LIMITS)  # type: ignore[arg-type]
    sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing(10), fixer=fixer)
    assert TOKEN not in model.sent[0] and fixture.CHART_SECRET not in model.sent[0]
    repo = fake_github.repo(REPO)
    fixed = shown(repo.comments(number)[-1].body)
    assert "No safe fix: a person must act: push the 1.5.0 image (its release job failed)" in fixed
    assert len(repo.pulls) == 1  # nothing offered
    [attempt] = store.fix_attempts(REPO)
    assert (attempt.kind, attempt.verification, attempt.step) == (FixKind.NONE, Verification.NOT_RUN, "sync")

    # The merge event redelivered: the sync runs again, its diagnosis does not (once per merge commit).
    asked = len(model.sent)
    sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing(10), fixer=fixer)
    assert len(model.sent) == asked and len(store.fix_attempts(REPO)) == 1


def test_the_cassette_is_what_its_script_writes() -> None:
    cassettes = Path(__file__).resolve().parents[1] / "cassettes" / "claude"
    sys.path.insert(0, str(cassettes))
    try:
        import construct_sync_fix
    finally:
        sys.path.remove(str(cassettes))
    assert (cassettes / "fix_sync_image_tag.yaml").read_text() == construct_sync_fix.document()


def test_the_fix_pull_request_merged_marks_the_sync_fix_taken(store: SqlStore, tmp_path: Path) -> None:
    attempt = FixAttempt(
        REPO, f"{REPO}#7", "payments-api-staging", "sync", "degraded", "image tag never pushed", FixKind.PATCH,
        Verification.PASSED, datetime(2026, 12, 4, tzinfo=UTC), offered=True,
    )  # fmt: skip
    recorded = store.record_fix_attempt(attempt)
    store.note_fix_offer(recorded, {"how": "pull_request", "branch": "olympus/fix-sync-7", "number": 9})
    closed = {"number": 9, "merged": True, "head": {"ref": "olympus/fix-sync-7", "sha": "0" * 40}}
    assert mark_fixes_on_close(loop_of(store, tmp_path), None, REPO, closed) == [recorded]  # type: ignore[arg-type]
    [marked] = store.fix_attempts(REPO)
    assert marked.accepted is True
