"""A fix proposed as change-tool calls, with a scripted model: the calls run over the failed tree as the MCP tools
run them, and what they write is checked and verified like a patch. Accepted and verified; refused by the tools (the
model hears the tool's words, and it counts as a try); a tool a fix may not call; an edit outside the project; and a
request with no runner."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fakes.memory_repo import MemoryRepo
from markdown_safety import assert_renders_safely
from test_fix_loop import AT, LIMITS, Scripted, call

from bot.adapters.sqlstore import SqlStore
from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.attempts import FixKind, Verification
from bot.domain.fixes.evidence import FailureEvidence
from bot.domain.markdown import fence
from bot.services.fix_loop import FixOutcome, FixRequest, run_fix_loop
from bot.services.fix_tool_calls import tool_runner
from bot.services.fix_verify import Verdict
from bot.services.github_diagnose import _as_commands
from bot.tools.in_process import call_in_process
from bot.tools.proposal_tools import proposal_tools

PROJECT = "infra/aws/envs/dev"
MODULE = "infra/aws/modules/ec2_instance"
CALL_FILE = f"{PROJECT}/ec2_instance_web_1.tf"
ERROR = "Error: creating EC2 Instance: InvalidInstanceType: The instance type 't9.mega' does not exist"
CAUSE = "t9.mega is not an EC2 instance type"


def generated_repo() -> MemoryRepo:
    """An env the generator wrote (dev and prod each with instance web-1), whose dev call was then set to t9.mega by
    hand: the failure a change tool can fix."""
    repo = MemoryRepo({})
    for env in ("dev", "prod"):
        result = call_in_process(
            proposal_tools(repo), "create_ec2_instance", {"name": "web-1", "instance_type": "t3.small", "env": env}
        )
        repo = repo.apply([_change(f) for f in result["files"]])
    text = repo.files[CALL_FILE]
    assert 'instance_type = "t3.small"' in text
    repo.files[CALL_FILE] = text.replace('"t3.small"', '"t9.mega"')
    return repo


def _change(file: dict[str, Any]) -> Any:
    from bot.domain.models import FileChange

    return FileChange(file["path"], "" if file["deleted"] else file["content"])


def update(**arguments: Any) -> dict[str, Any]:
    return {"tool": "update_resource", "arguments": {"cloud": "aws", "kind": "instance", "name": "web-1", **arguments}}


def propose_calls(*calls: dict[str, Any]) -> Any:
    return call("propose_tool_calls", root_cause=CAUSE, calls=list(calls))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


def run(store: SqlStore, model: Scripted, *, runner: bool = True) -> tuple[FixOutcome, list[Sequence[FileEdit]]]:
    repo = generated_repo()
    verified: list[Sequence[FileEdit]] = []

    def verify(edits: Sequence[FileEdit]) -> Verdict:
        verified.append(edits)
        return Verdict(True, "", "aws_instance.this's instance_type 't9.mega' → 't3.micro'")

    def redact(text: str) -> str:  # as if the instance's name were a sensitive value
        return text.replace("web-1", "(hidden)")

    def shown(path: str) -> str | None:
        text = repo.read_text(path)
        return None if text is None else redact(text)

    evidence = FailureEvidence("acme/infra", "infra/web", PROJECT, "apply", ERROR, module_dirs=(MODULE,))
    request = FixRequest(
        evidence, "invalid-instance-type", shown, repo.read_text, verify,
        run_tools=tool_runner(repo) if runner else None, redact=redact,
    )  # fmt: skip
    return run_fix_loop(store, model, LIMITS, request, now=lambda: AT), verified


def said(model: Scripted, turn: int) -> str:
    text: str = model.sent[turn][-1]["content"][0]["content"]
    return text


def test_an_update_resource_call_is_run_verified_and_offered_as_its_edits(store: SqlStore) -> None:
    model = Scripted(call("read_file", path=CALL_FILE), propose_calls(update(env="dev", instance_type="t3.micro")))
    outcome, verified = run(store, model)

    assert outcome.outcome == "offered" and outcome.root_cause == CAUSE
    (edit,) = outcome.edits
    assert edit.path == CALL_FILE and 'instance_type = "t9.mega"' in (edit.before or "")
    # The generator's own rewrite of the call: only the requested argument changes.
    assert (edit.after or "") == (edit.before or "").replace('"t9.mega"', '"t3.micro"')
    assert list(verified) == [outcome.edits]
    assert outcome.commands == ("/infra update instance web-1 type=t3.micro env=dev",)

    (attempt,) = store.fix_attempts()
    assert (attempt.kind, attempt.verification, attempt.offered) == (FixKind.TOOL_CALLS, Verification.PASSED, True)
    assert [dict(c) for c in attempt.tool_calls] == [update(env="dev", instance_type="t3.micro")]
    # The recorded diff is of the text as redacted: what the model and the store may see.
    assert attempt.patch.startswith(f"--- a/{CALL_FILE}") and '+  instance_type = "t3.micro"' in attempt.patch
    assert "web-1" not in attempt.patch and attempt.tools_used == ("read_file",)


def test_a_call_the_tools_refuse_goes_back_to_the_model_and_counts_as_a_try(store: SqlStore) -> None:
    model = Scripted(
        propose_calls(update(name="web-2", instance_type="t3.micro")),  # no such instance
        propose_calls(update(instance_type="t9.mega!")),  # the argument's own check
        propose_calls(update(instance_type="t3.micro")),
    )
    outcome, verified = run(store, model)

    assert outcome.outcome == "offered" and len(verified) == 1
    first, second = said(model, 1), said(model, 2)
    assert first.startswith("refused, not verified: call 1 (update_resource) was refused: ") and "web-2" in first
    assert "call 1 (update_resource) was refused: " in second and "is not an EC2 instance type" in second
    attempts = list(reversed(store.fix_attempts()))
    assert [(a.kind, a.verification, a.try_number) for a in attempts] == [
        (FixKind.TOOL_CALLS, Verification.REFUSED, 1),
        (FixKind.TOOL_CALLS, Verification.REFUSED, 2),
        (FixKind.TOOL_CALLS, Verification.PASSED, 3),
    ]
    assert "web-2" in attempts[0].verification_detail and not attempts[0].patch
    assert attempts[0].tool_calls[0]["arguments"]["name"] == "web-2"


def test_a_tool_a_fix_may_not_call_is_refused_before_it_runs(store: SqlStore) -> None:
    destroy = {"tool": "destroy_resource", "arguments": {"cloud": "aws", "kind": "instance", "name": "web-1"}}
    model = Scripted(propose_calls(destroy), call("no_safe_fix", root_cause="x", what_to_check="the instance type"))
    outcome, verified = run(store, model)

    assert outcome.outcome == "no_safe_fix" and not verified
    assert said(model, 1) == "refused, not verified: a fix may call only update_resource, not destroy_resource"
    refused = store.fix_attempts()[-1]
    assert (refused.kind, refused.verification, refused.try_number) == (FixKind.TOOL_CALLS, Verification.REFUSED, 1)
    assert refused.tool_calls[0]["tool"] == "destroy_resource"


def test_a_call_that_writes_outside_the_failed_project_is_refused(store: SqlStore) -> None:
    model = Scripted(
        propose_calls(update(env="prod", instance_type="t3.micro")),  # the prod env's instance, not the failed one
        call("no_safe_fix", root_cause="x", what_to_check="y"),
    )
    outcome, verified = run(store, model)

    assert outcome.outcome == "no_safe_fix" and not verified
    assert "infra/aws/envs/prod/ec2_instance_web_1.tf" in said(model, 1) and "outside" in said(model, 1)
    refused = store.fix_attempts()[-1]
    assert refused.verification is Verification.REFUSED and "infra/aws/envs/prod" in refused.patch


def test_a_call_that_changes_nothing_and_a_request_without_a_runner(store: SqlStore) -> None:
    model = Scripted(propose_calls(update(name="web-1", env="prod", instance_type="t3.small")), ValueError("stop"))
    with pytest.raises(ValueError, match="stop"):
        run(store, model)
    assert "changes nothing" in said(model, 1) and "propose_tool_calls" in model.offered[0]

    model = Scripted(
        propose_calls(update(instance_type="t3.micro")), call("no_safe_fix", root_cause="x", what_to_check="y")
    )
    outcome, _ = run(store, model, runner=False)
    assert "propose the fix with propose_fix" in said(model, 1) and outcome.outcome == "no_safe_fix"
    assert "propose_tool_calls" not in model.offered[0]  # not offered; called anyway, it is sent back
    assert [a.kind for a in store.fix_attempts()][0] is FixKind.NONE  # the unrunnable proposal was no try


def test_the_diagnosis_shows_the_calls_fenced() -> None:
    hostile = "/infra update instance web-1 type=t3.micro\n```\n@everyone <img src=x>"
    lines = _as_commands(FixOutcome("offered", commands=(hostile,)))
    assert lines[2:-1] == fence(hostile) and lines[2].startswith("````")
    assert_renders_safely("\n".join(lines), inert=True)
    assert _as_commands(FixOutcome("offered")) == []


def test_malformed_calls_go_back_to_the_model_and_are_no_try(store: SqlStore) -> None:
    huge = update(instance_type="t3.micro", note="x" * 3000)
    model = Scripted(
        call("propose_tool_calls", root_cause=CAUSE, calls="update_resource"),
        propose_calls(huge),
        call("no_safe_fix", root_cause="x", what_to_check="y"),
    )
    outcome, verified = run(store, model)
    assert said(model, 1) == "calls must be a non-empty list of {tool, arguments}"
    assert "at most 2,000 characters" in said(model, 2) and not verified
    assert [a.kind for a in store.fix_attempts()] == [FixKind.NONE] and outcome.outcome == "no_safe_fix"


def test_a_tool_that_raises_is_an_error_result_as_the_mcp_server_sends_it() -> None:
    class Unreadable(MemoryRepo):
        def read_text(self, path: str) -> str | None:
            raise OSError(f"cannot read {path}")

    said = tool_runner(Unreadable(generated_repo().files))([update(instance_type="t3.micro")])
    assert isinstance(said, str) and said.startswith("call 1 (update_resource) failed: Error executing tool")
    assert "cannot read" in said
