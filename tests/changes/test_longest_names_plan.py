"""The longest names Olympus accepts plan under real Terraform: every attribute derived from them fits (slow)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.memory_repo import MemoryRepo
from terraform_samples import aws_env_files

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, provider_override
from bot.changes.terraform import propose
from bot.domain.commands import build_request
from bot.domain.derived_names import DERIVED
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest
from bot.domain.naming import EC2_NAME_MAX, LAMBDA_NAME_MAX

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        emulator.ensure_state_backend()
        yield emulator


def _request(kind: ResourceKind, name: str, **options: str) -> ResourceRequest:
    request = build_request("create", Cloud.AWS, kind, name, region="eu-west-1", options=options)
    assert isinstance(request, ResourceRequest), request
    return request


def _terraform(binary: str, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_longest_instance_and_function_names_plan_on_provider_3(
    tmp_path: Path, aws: LocalAws, terraform_bin: str, terraform_env: dict[str, str]
) -> None:
    # hashicorp/aws 3.39.0 has the tightest limits Olympus supports (an IAM role name_prefix of at most 32).
    instance = "i" * (EC2_NAME_MAX - 1) + "1"
    function = "f" * (LAMBDA_NAME_MAX - 1) + "1"
    repo = MemoryRepo(aws_env_files())
    for request in (
        _request(ResourceKind.INSTANCE, instance),
        _request(ResourceKind.FUNCTION, function, runtime="java11"),
    ):
        change = propose(repo, request)
        assert isinstance(change, ChangeSet), change
        repo = repo.apply(change)
    env_dir = repo.write_to(tmp_path / "repo") / "infra/aws/envs/dev"
    (env_dir / OVERRIDE_FILE).write_text(provider_override(aws))
    (tmp_path / "backend.hcl").write_text(backend_config(aws, "tests/longest-names/terraform.tfstate"))
    env = {**terraform_env, **aws.env, "TF_VAR_lambda_package_bucket": "packages"}

    init = _terraform(
        terraform_bin, ["init", "-input=false", "-no-color", f"-backend-config={tmp_path}/backend.hcl"], env_dir, env
    )
    assert init.returncode == 0, init.stdout + init.stderr
    plan = _terraform(terraform_bin, ["plan", "-input=false", "-no-color", "-out=tf.plan"], env_dir, env)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    shown = json.loads(_terraform(terraform_bin, ["show", "-json", "tf.plan"], env_dir, env).stdout)

    after = {change["address"]: change["change"]["after"] for change in shown["resource_changes"]}
    prefixes = {address: values["name_prefix"] for address, values in after.items() if values.get("name_prefix")}
    assert len(prefixes) == 4, prefixes  # the instance's group, role and profile; the function's role
    limits = {
        d.attribute: d.limit
        for kind in (ResourceKind.INSTANCE, ResourceKind.FUNCTION)
        for d in DERIVED[(Cloud.AWS, kind)]
    }
    for address, prefix in prefixes.items():
        resource_type = address.split(".")[-2]
        assert len(prefix) <= limits[f"{resource_type}.name_prefix"], (address, prefix)
    (function_after,) = [v for a, v in after.items() if a.endswith("aws_lambda_function.this")]
    assert function_after["function_name"] == function
