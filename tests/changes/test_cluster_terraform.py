"""Generated cluster Terraform under the real tools: fmt, init + validate + plan against the AWS emulator (EKS and
its network, provider 3.39.0 offline), python-hcl2 parsing of the GKE modules, Checkov and Trivy (all slow).

There is no Google provider offline: the GKE and GCP network modules get fmt, hcl2 and the scanners only.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import hcl2
import pytest
from fakes.memory_repo import MemoryRepo
from terraform_samples import ScanResult, aws_env_files

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, provider_override
from bot.changes.terraform import propose
from bot.domain.commands import build_request
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest

pytestmark = pytest.mark.slow

Scanner = Callable[[Path], ScanResult]


def _request(cloud: Cloud, name: str, region: str = "", **options: str) -> ResourceRequest:
    built = build_request("create", cloud, ResourceKind.CLUSTER, name, region=region, options=options)
    assert isinstance(built, ResourceRequest), built
    return built


SCENARIOS: dict[str, tuple[dict[str, str], list[ResourceRequest]]] = {
    "aws-provider-3": (
        aws_env_files(),
        [_request(Cloud.AWS, "apps", "eu-west-1"), _request(Cloud.AWS, "batch", "eu-west-1", cidr="10.1.0.0/20")],
    ),
    "aws-provider-5": ({}, [_request(Cloud.AWS, "apps")]),
    "gcp": ({}, [_request(Cloud.GCP, "apps"), _request(Cloud.GCP, "data", "europe-west1", node_type="n2d-highmem-4")]),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    roots: dict[str, Path] = {}
    for scenario, (files, requests) in SCENARIOS.items():
        repo = MemoryRepo(files)
        for request in requests:
            result = propose(repo, request)
            assert isinstance(result, ChangeSet), (scenario, request, result)
            repo = repo.apply(result)
        roots[scenario] = repo.write_to(tmp_path_factory.mktemp(scenario))
    return roots


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        emulator.ensure_state_backend()
        yield emulator


def _terraform(binary: str, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _scan_dirs(root: Path) -> list[Path]:
    cloud_dir = next((root / "infra").iterdir())
    return [*sorted((cloud_dir / "envs").iterdir()), cloud_dir / "modules"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_generated_cluster_files_are_terraform_fmt_clean(
    scenario: str, generated: dict[str, Path], terraform_bin: str
) -> None:
    completed = _terraform(terraform_bin, ["fmt", "-check", "-diff", "-recursive", "infra"], generated[scenario], {})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_eks_and_its_network_validate_and_plan_on_the_emulator(
    generated: dict[str, Path], aws: LocalAws, terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    env_dir = generated["aws-provider-3"] / "infra/aws/envs/dev"
    (env_dir / OVERRIDE_FILE).write_text(provider_override(aws))
    (tmp_path / "backend.hcl").write_text(backend_config(aws, "tests/clusters/terraform.tfstate"))
    env = {**terraform_env, **aws.env}

    init = _terraform(
        terraform_bin, ["init", "-input=false", "-no-color", f"-backend-config={tmp_path}/backend.hcl"], env_dir, env
    )
    assert init.returncode == 0, init.stdout + init.stderr
    validate = json.loads(_terraform(terraform_bin, ["validate", "-json", "-no-color"], env_dir, env).stdout)
    assert validate["valid"] is True, validate["diagnostics"]
    plan = _terraform(terraform_bin, ["plan", "-input=false", "-no-color", "-out=tf.plan"], env_dir, env)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    shown = json.loads(_terraform(terraform_bin, ["show", "-json", "tf.plan"], env_dir, env).stdout)

    after = {change["address"]: change["change"]["after"] for change in shown["resource_changes"]}
    cluster = after["module.eks_apps.aws_eks_cluster.this"]
    assert cluster["name"] == "apps" and cluster["version"] == "1.34"
    assert cluster["vpc_config"][0]["endpoint_public_access"] is False
    assert cluster["encryption_config"][0]["resources"] == ["secrets"]
    assert len(cluster["enabled_cluster_log_types"]) == 5
    template = after["module.eks_apps.aws_launch_template.node"]["metadata_options"][0]
    assert (template["http_tokens"], template["http_put_response_hop_limit"]) == ("required", 1)
    # Three zones of the emulator's region: three public and three private subnets, carved from each VPC's range.
    subnets = {address: values["cidr_block"] for address, values in after.items() if ".aws_subnet." in address}
    assert sorted(cidr for address, cidr in subnets.items() if "network_apps" in address) == [
        "10.0.0.0/20",
        "10.0.128.0/18",
        "10.0.16.0/20",
        "10.0.192.0/18",
        "10.0.32.0/20",
        "10.0.64.0/18",
    ]
    assert len([a for a in subnets if "network_batch" in a]) == 6
    assert after["module.network_apps.aws_flow_log.this"]["traffic_type"] == "ALL"
    assert after["module.network_apps.aws_kms_key.flow_logs"]["enable_key_rotation"] is True
    assert not any(values.get("map_public_ip_on_launch") for values in after.values() if values)


def test_the_gke_modules_parse_with_python_hcl2(generated: dict[str, Path]) -> None:
    root = generated["gcp"] / "infra/gcp"
    parsed = {path.relative_to(root).as_posix(): hcl2.loads(path.read_text()) for path in sorted(root.rglob("*.tf"))}
    # python-hcl2 8 keeps block labels quoted, as they are written.
    resources = {
        label.strip('"'): body for block in parsed["modules/gke/main.tf"]["resource"] for label, body in block.items()
    }
    cluster = resources["google_container_cluster"]['"this"']
    assert cluster["enable_legacy_abac"] is False and cluster["enable_shielded_nodes"] is True
    assert cluster["private_cluster_config"][0]["enable_private_nodes"] is True
    assert cluster["network_policy"][0]["enabled"] is True
    calls = {name for block in parsed["envs/dev/gke_data.tf"]["module"] for name in block}
    assert {name.strip('"') for name in calls} == {"network_data", "gke_data"}


@pytest.mark.parametrize("scenario", ["aws-provider-3", "gcp"])
def test_checkov_fails_no_check_and_every_skip_has_a_reason(
    scenario: str, generated: dict[str, Path], checkov: Scanner
) -> None:
    for directory in _scan_dirs(generated[scenario]):
        result = checkov(directory).data
        checks = result["results"]
        assert result["summary"]["parsing_errors"] == 0, directory
        assert [(c["check_id"], c["resource"]) for c in checks["failed_checks"]] == [], directory
        assert checks["passed_checks"], directory
        assert all(c["check_result"].get("suppress_comment", "").strip() for c in checks["skipped_checks"])


@pytest.mark.parametrize("scenario", ["aws-provider-3", "gcp"])
def test_trivy_finds_nothing_high_or_critical(scenario: str, generated: dict[str, Path], trivy: Scanner) -> None:
    for directory in _scan_dirs(generated[scenario]):
        results = trivy(directory).data.get("Results") or []
        serious = [
            (m["AVDID"], m["Title"], r["Target"])
            for r in results
            for m in r.get("Misconfigurations") or []
            if m["Status"] == "FAIL" and m["Severity"] in ("HIGH", "CRITICAL")
        ]
        assert results, directory
        assert serious == [], directory
