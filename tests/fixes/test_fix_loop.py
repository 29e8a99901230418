"""The fix loop with a scripted model: a fix that breaks a rule or fails verification goes back to the model and
is recorded; a verified one ends the loop; "no safe fix" ends it with what to check; the budget ends it too. Then
verification itself, with real Terraform, on a project whose plan fails for an undeclared variable."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from olympus_cli import git

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.sqlstore import SqlStore
from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.attempts import FixKind, Verification
from bot.domain.fixes.evidence import FailureEvidence
from bot.domain.interpretation import ModelLimits, ModelReply, ToolUse, Usage
from bot.domain.models import Project
from bot.model_ports import ModelError
from bot.services.fix_loop import FixRequest, run_fix_loop, unified_patch
from bot.services.fix_verify import Verdict, verify_fix
from bot.wiring import build_local_loop

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PROJECT = "stacks/app"
MAIN = f"{PROJECT}/main.tf"
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
FIXED = 'variable "greeting" {\n  type    = string\n  default = "hello"\n}\n\n' + BROKEN
LIMITS = ModelLimits("claude-sonnet-4-6", max_tool_calls=8, token_budget=50_000)


class Scripted:
    """A model that answers with the replies it was given, one per turn, and keeps what it was sent."""

    backend = "anthropic"

    def __init__(self, *replies: ModelReply | Exception) -> None:
        self.replies = list(replies)
        self.sent: list[list[dict[str, Any]]] = []
        self.offered: list[set[str]] = []

    def reply(self, *, system: str, tools: Any, messages: Sequence[dict[str, Any]], limits: ModelLimits) -> ModelReply:
        assert "never instructions" in system
        offered = {t.name for t in tools}
        # propose_tool_calls is offered only to a request that can run the calls (FixRequest.run_tools).
        assert offered - {"propose_tool_calls"} == {"read_file", "propose_fix", "no_safe_fix"}
        self.offered.append(offered)
        self.sent.append([dict(m) for m in messages])
        answer = self.replies.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def call(name: str, **arguments: Any) -> ModelReply:
    use = ToolUse(f"toolu_{name}_{len(arguments)}", name, arguments)
    block = {"type": "tool_use", "id": use.id, "name": name, "input": arguments}
    return ModelReply("", (use,), "tool_use", Usage(1000, 200), "claude-sonnet-4-6", (block,))


def propose(content: str, path: str = MAIN) -> ModelReply:
    return call("propose_fix", root_cause="var.greeting is not declared", files=[{"path": path, "content": content}])


EVIDENCE = FailureEvidence(
    "acme/infra",
    "infra/greet",
    PROJECT,
    "plan",
    'Error: Reference to undeclared input variable "greeting"',
    files={MAIN: BROKEN},
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


def request(verdicts: list[Verdict], tries: int = 3) -> tuple[FixRequest, list[Sequence[FileEdit]]]:
    verified: list[Sequence[FileEdit]] = []

    def verify(edits: Sequence[FileEdit]) -> Verdict:
        verified.append(edits)
        return verdicts.pop(0)

    files = {MAIN: BROKEN}
    return FixRequest(EVIDENCE, "undeclared-reference", files.get, files.get, verify, tries=tries), verified


def test_a_refused_then_a_failing_then_a_verified_fix(store: SqlStore) -> None:
    model = Scripted(
        call("read_file", path=MAIN),
        propose('provider "http" {}\n' + FIXED),  # adds a provider: refused, never verified
        propose(FIXED.replace('"hello"', "hello")),  # verification fails
        propose(FIXED),
    )
    fix, verified = request([Verdict(False, "validate", "Invalid reference"), Verdict(True, "", "plan: 1 to add")])
    outcome = run_fix_loop(store, model, LIMITS, fix, now=lambda: AT)

    assert outcome.outcome == "offered" and outcome.edits[0].after == FIXED and outcome.verdict is not None
    assert len(verified) == 2  # the refused one never reached verification
    # The model read the file, and heard why each try was not taken.
    assert model.sent[1][-1]["content"][0]["content"] == BROKEN
    assert "adds a provider (http)" in model.sent[2][-1]["content"][0]["content"]
    assert "verification failed at validate: Invalid reference" in model.sent[3][-1]["content"][0]["content"]
    # Untrusted text reached the model fenced, as data.
    assert "```hcl\n" + BROKEN in model.sent[0][0]["content"]

    attempts = list(reversed(store.fix_attempts()))
    assert [(a.verification, a.try_number) for a in attempts] == [
        (Verification.REFUSED, 1),
        (Verification.FAILED, 2),
        (Verification.PASSED, 3),
    ]
    assert all(a.failure_class == "undeclared-reference" and a.kind is FixKind.PATCH for a in attempts)
    assert attempts[2].offered and not attempts[1].offered
    assert '+variable "greeting" {' in attempts[2].patch and attempts[2].patch.startswith("--- a/stacks/app/main.tf")
    assert sum(a.tokens_in for a in attempts) == 4000  # every turn's tokens are counted once
    assert list(outcome.attempt_ids) == [a.id for a in attempts]


def test_no_safe_fix_ends_the_loop_with_what_to_check(store: SqlStore) -> None:
    model = Scripted(call("no_safe_fix", root_cause="the state is locked", what_to_check="who holds the lock"))
    fix, verified = request([])
    outcome = run_fix_loop(store, model, LIMITS, fix, now=lambda: AT)
    assert (outcome.outcome, outcome.what_to_check) == ("no_safe_fix", "who holds the lock") and not verified
    (attempt,) = store.fix_attempts()
    assert (attempt.kind, attempt.verification) == (FixKind.NONE, Verification.NOT_RUN)


def test_the_budget_of_tries_ends_the_loop_and_every_try_is_kept(store: SqlStore) -> None:
    model = Scripted(propose(FIXED), propose(FIXED))
    fix, _ = request([Verdict(False, "plan", "no"), Verdict(False, "plan", "still no")], tries=2)
    fix.what_to_check = "the reference's spelling"
    outcome = run_fix_loop(store, model, LIMITS, fix, now=lambda: AT)
    assert outcome.outcome == "not_verified" and "2 tries" in outcome.reason
    assert outcome.what_to_check == "the reference's spelling"  # what a person checks when no fix could be verified
    assert [a.verification for a in store.fix_attempts()] == [Verification.FAILED, Verification.FAILED]


def test_a_fix_that_writes_a_hidden_values_mark_is_refused(store: SqlStore) -> None:
    secret = 'variable "token" {\n  default = "s3cr3t-value-here"\n}\n'
    shown = secret.replace("s3cr3t-value-here", "(sensitive value)")
    model = Scripted(propose(shown + FIXED), call("no_safe_fix", root_cause="x", what_to_check="y"))
    verified: list[Sequence[FileEdit]] = []
    fix = FixRequest(
        EVIDENCE,
        "undeclared-reference",
        {MAIN: shown}.get,
        {MAIN: secret}.get,
        lambda e: verified.append(e) or Verdict(True, "", ""),
    )
    run_fix_loop(store, model, LIMITS, fix, now=lambda: AT)
    assert "hidden value's mark" in model.sent[1][-1]["content"][0]["content"] and not verified
    refused = store.fix_attempts()[-1]
    assert refused.verification is Verification.REFUSED and "s3cr3t" not in refused.patch


def test_reading_outside_the_project_and_a_model_failure(store: SqlStore) -> None:
    model = Scripted(call("read_file", path="../secrets.tf"), ModelError("rate-limited"))
    fix, _ = request([])
    outcome = run_fix_loop(store, model, LIMITS, fix, now=lambda: AT)
    assert "outside the failed project" in model.sent[1][-1]["content"][0]["content"]
    assert outcome.outcome == "unavailable" and "rate-limited" in outcome.reason


def test_the_unified_patch_of_new_changed_and_deleted_files() -> None:
    text = unified_patch([FileEdit("a.tf", None, "x\n"), FileEdit("b.tf", "y\n", None), FileEdit("c.tf", "1\n", "2\n")])
    assert "--- /dev/null\n+++ b/a.tf" in text and "--- a/b.tf\n+++ /dev/null" in text and "-1\n+2\n" in text


@pytest.mark.slow
def test_verification_with_real_terraform(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / PROJECT).mkdir(parents=True)
    (repo / MAIN).write_text(BROKEN)
    git(repo, "init", "--quiet")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "broken")
    loop = dataclasses.replace(build_local_loop(repo, say=lambda line: None), scanners=[], policies=None)
    project = Project(PROJECT, PROJECT)
    reader = GitTreeReader(loop.local_git, loop.local_git.commit_of("HEAD"))
    fixed = verify_fix(
        loop, repo, project, [PROJECT], [FileEdit(MAIN, BROKEN, FIXED)], frozenset(), head=reader, base=None
    )
    assert fixed.ok and fixed.detail == "plan: 1 to add, 0 to change, 0 to destroy"
    assert not (repo / PROJECT / "olympus-fix-verify.tfplan").exists()

    still = FIXED.replace("var.greeting", "var.greting")
    broken = verify_fix(
        loop, repo, project, [PROJECT], [FileEdit(MAIN, FIXED, still)], frozenset(), head=reader, base=None
    )
    assert not broken.ok and broken.step == "validate" and "Reference to undeclared input variable" in broken.detail
