"""A fix proposed as change-tool calls, for real: an env Olympus's generator wrote (instance web-1), its type set to
t9.mega by hand; the apply fails on the emulator (which checks instance types, as AWS does); the loop, given the door's
recorded output, hears Claude (replayed from tests/cassettes/claude/fix_tool_calls_invalid-instance-type.yaml,
constructed) propose update_resource first on a name the tool refuses, then on web-1. The generator's rewrite of the
module call is verified (init, validate, plan, policies, the apply check) and then applied on the emulator."""

from __future__ import annotations

import importlib.resources
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from unittest import mock

import pytest
from claude_replay import Replay
from failure_corpus import STEPS, corpus_loop, corpus_terraform_env, instance_types_checked, run_until_failure
from moto.core.responses import ActionResult
from moto.ec2.responses.monitoring import Monitoring

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, provider_override
from bot.adapters.sqlstore import SqlStore
from bot.adapters.terraform import TerraformCli
from bot.domain.fixes.attempts import FixKind, Verification
from bot.domain.interpretation import ModelLimits
from bot.domain.models import Project
from bot.services.checkout import Checkout
from bot.services.fix_evidence import RecordedFailure, reproduce_failure
from bot.services.fix_requests import baseline_findings, diagnose_failure
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.in_process import call_in_process
from bot.tools.proposal_tools import proposal_tools

pytestmark = pytest.mark.slow

ENV = "infra/aws/envs/dev"
MODULE = "infra/aws/modules/ec2_instance"
CALL_FILE = f"{ENV}/ec2_instance_web_1.tf"
LIMITS = ModelLimits("claude-sonnet-4-6", max_tokens=4096, max_tool_calls=8, token_budget=200_000)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def generated_repo(root: Path) -> Path:
    """The demo's dev env (pinned to the offline provider) with the generator's instance web-1, then t9.mega."""
    with importlib.resources.as_file(importlib.resources.files("bot.entrypoints") / "demo_seed") as seed:
        shutil.copytree(seed, root)
    created = call_in_process(
        proposal_tools(FileSystemRepo(root)), "create_ec2_instance", {"name": "web-1", "instance_type": "t3.small"}
    )
    for file in created["files"]:
        (root / file["path"]).parent.mkdir(parents=True, exist_ok=True)
        (root / file["path"]).write_text(file["content"])
    call = root / CALL_FILE
    call.write_text(call.read_text().replace('instance_type = "t3.small"', 'instance_type = "t9.mega"'))
    return root


def test_an_update_resource_fix_of_a_failed_apply_is_verified_and_applies(
    aws: LocalAws, claude_cassette: Callable[[str], AbstractContextManager[Replay]], tmp_path: Path
) -> None:
    repo = generated_repo(tmp_path / "repo")
    assert 'instance_type = "t9.mega"' in (repo / CALL_FILE).read_text()
    cache = tmp_path / "cache"
    cache.mkdir()
    env = corpus_terraform_env(aws, cache)

    # The door's apply, for real: the emulator refuses the type.
    run = tmp_path / "run"
    shutil.copytree(repo, run)
    (run / ENV / OVERRIDE_FILE).write_text(provider_override(aws))
    (run / ENV / "backend.hcl").write_text(backend_config(aws, "tool-calls/dev/terraform.tfstate"))
    with instance_types_checked(aws, ""):
        door = run_until_failure("apply", run / ENV, env)
    assert "InvalidInstanceType" in door.output

    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as store:
        loop = corpus_loop(store, aws, cache, tmp_path / "state", scanned=False)
        project = Project("dev", ENV)
        reader = FileSystemRepo(repo)
        workdir = tmp_path / "checkout"
        shutil.copytree(repo, workdir)
        checkout = Checkout("infra/web", "c0" * 20, reader, tuple(reader.list_files()), workdir, base_reader=reader)
        failed = reproduce_failure(loop, workdir, project, recorded=RecordedFailure("apply", door.output))
        assert failed is not None and failed.step == "apply"

        with claude_cassette("fix_tool_calls_invalid-instance-type") as replay:
            failure, outcome = diagnose_failure(
                loop, replay.model, LIMITS, checkout, project, [MODULE], failed,
                diff="", baseline=baseline_findings(loop, repo, [ENV, MODULE]), scratch=lambda: _copy(repo, tmp_path),
                tries=3,
            )  # fmt: skip
        assert failure.code == "invalid-instance-type"
        assert outcome.outcome == "offered", outcome
        assert outcome.commands == ("/infra update instance web-1 type=t3.micro env=dev",)
        (edit,) = outcome.edits
        assert edit.path == CALL_FILE and edit.after == (edit.before or "").replace('"t9.mega"', '"t3.micro"')

        # The model was offered the tool, and heard the tool's own refusal of its first call.
        assert "propose_tool_calls" in {tool["name"] for tool in replay.sent[0]["tools"]}
        refusal = replay.sent[2]["messages"][-1]["content"][-1]
        assert refusal["is_error"] and "call 1 (update_resource) was refused" in refusal["content"]
        attempts = list(reversed(store.fix_attempts()))
        assert [(a.kind, a.verification) for a in attempts] == [
            (FixKind.TOOL_CALLS, Verification.REFUSED),
            (FixKind.TOOL_CALLS, Verification.PASSED),
        ]
        assert attempts[1].tool_calls[0]["arguments"]["name"] == "web-1"
        assert "instance_type 't9.mega' → 't3.micro'" in attempts[1].verification_detail
        assert attempts[1].patch.startswith(f"--- a/{CALL_FILE}")

    # The proof the loop cannot give: the fix, applied on the emulator with its checks on.
    (run / CALL_FILE).write_text(edit.after or "")
    terraform = TerraformCli.locate()
    with instance_types_checked(aws, ""), mock.patch.object(Monitoring, "monitor_instances", _monitor_instances):
        terraform.check(STEPS["plan"], run / ENV, env=env)
        applied = terraform.run(STEPS["apply"], run / ENV, env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr


def _monitor_instances(self: Monitoring) -> ActionResult:
    """MonitorInstances, which the module's `monitoring = true` calls and moto does not implement: each instance's
    detailed monitoring is on, in the shape moto serializes for the EC2 API (as its stop_instances does)."""
    ids = self._get_param("InstanceIds", [])
    return ActionResult({"InstanceMonitorings": [{"InstanceId": i, "Monitoring": {"State": "enabled"}} for i in ids]})


def _copy(repo: Path, under: Path) -> AbstractContextManager[Path]:
    from test_corpus_fix_loop import scratch_copy

    return scratch_copy(repo, under / "scratch")
