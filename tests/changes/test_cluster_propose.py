"""The cluster generator: which files a create writes, idempotence, and the refusals (fast, in memory)."""

from __future__ import annotations

from fakes.memory_repo import MemoryRepo
from terraform_samples import aws_env_files

from bot.changes.terraform import propose
from bot.domain.commands import build_request
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest

AWS_CALL = "infra/aws/envs/dev/eks_apps.tf"
GCP_CALL = "infra/gcp/envs/dev/gke_apps.tf"


def _request(cloud: Cloud = Cloud.AWS, name: str = "apps", region: str = "", **options: str) -> ResourceRequest:
    built = build_request("create", cloud, ResourceKind.CLUSTER, name, region=region, options=options)
    assert isinstance(built, ResourceRequest), built
    return built


def _change(repo: MemoryRepo, request: ResourceRequest) -> ChangeSet:
    result = propose(repo, request)
    assert isinstance(result, ChangeSet), result
    return result


def _refusal(repo: MemoryRepo, request: ResourceRequest) -> Refusal:
    result = propose(repo, request)
    assert isinstance(result, Refusal), result
    return result


def test_an_eks_cluster_writes_both_modules_and_one_call_file() -> None:
    change = _change(MemoryRepo(aws_env_files()), _request(region="eu-west-1"))
    paths = {file.path for file in change.files}
    for module in ("network", "eks"):
        assert {
            f"infra/aws/modules/{module}/{name}" for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf")
        } <= paths
    assert AWS_CALL in paths and not any(path.startswith("infra/aws/envs/dev/versions") for path in paths)
    call = next(file.content for file in change.files if file.path == AWS_CALL)
    assert 'module "network_apps"' in call and 'module "eks_apps"' in call
    assert "subnet_ids         = module.network_apps.private_subnet_ids" in call
    assert 'kubernetes_version = "1.34"' in call
    assert change.title == "Create EKS cluster apps in dev (eu-west-1)"
    assert "endpoint private only" in change.description


def test_the_eip_follows_the_provider_generation() -> None:
    old = _change(MemoryRepo(aws_env_files()), _request(region="eu-west-1"))
    new = _change(MemoryRepo(), _request())
    network = "infra/aws/modules/network/main.tf"
    old_main = next(file.content for file in old.files if file.path == network)
    new_main = next(file.content for file in new.files if file.path == network)
    assert "vpc = true" in old_main and 'domain = "vpc"' not in old_main
    assert 'domain = "vpc"' in new_main and "vpc = true" not in new_main
    # A new env gets its root-module skeleton too.
    assert "infra/aws/envs/dev/versions.tf" in {file.path for file in new.files}


def test_eks_security_settings_are_in_the_module() -> None:
    change = _change(MemoryRepo(), _request())
    eks = next(file.content for file in change.files if file.path == "infra/aws/modules/eks/main.tf")
    for setting in (
        "endpoint_public_access  = false",
        'resources = ["secrets"]',
        "enable_key_rotation     = true",
        'http_tokens                 = "required"',
        '"api", "audit", "authenticator", "controllerManager", "scheduler"',
    ):
        assert setting in eks


def test_a_gke_cluster_refers_to_its_network() -> None:
    change = _change(MemoryRepo(), _request(Cloud.GCP, region="europe-west1"))
    call = next(file.content for file in change.files if file.path == GCP_CALL)
    assert 'region = "europe-west1"' in call and "network             = module.network_apps.network" in call
    gke = next(file.content for file in change.files if file.path == "infra/gcp/modules/gke/main.tf")
    for setting in ("enable_private_nodes    = true", "workload_pool", "enable_legacy_abac          = false"):
        assert setting in gke
    assert "issue_client_certificate = false" in gke and "channel = var.release_channel" in gke


def test_asking_twice_changes_nothing_and_other_settings_are_refused() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(_change(repo, _request(region="eu-west-1")))
    assert _change(repo, _request(region="eu-west-1")).unchanged
    refused = _refusal(repo, _request(region="eu-west-1", node_max="5"))
    assert "different settings: node_max = 3, not 5" in refused.message and refused.location.startswith(AWS_CALL)
    cidr = _refusal(repo, _request(region="eu-west-1", cidr="10.1.0.0/16"))
    assert 'cidr = "10.0.0.0/16", not "10.1.0.0/16"' in cidr.message


def test_a_second_cluster_reuses_the_modules() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(_change(repo, _request(region="eu-west-1")))
    second = _change(repo, _request(name="batch", region="eu-west-1"))
    assert [file.path for file in second.files] == ["infra/aws/envs/dev/eks_batch.tf"]


def test_a_name_taken_outside_olympus_is_refused() -> None:
    files = {**aws_env_files(), "infra/aws/envs/dev/main.tf": 'resource "aws_eks_cluster" "x" {\n  name = "apps"\n}\n'}
    refused = _refusal(MemoryRepo(files), _request(region="eu-west-1"))
    assert "already defined in dev by aws_eks_cluster.x" in refused.message


def test_a_call_file_that_is_something_else_is_refused() -> None:
    files = {**aws_env_files(), AWS_CALL: "locals {\n  x = 1\n}\n"}
    refused = _refusal(MemoryRepo(files), _request(region="eu-west-1"))
    assert "does not call module eks_apps" in refused.message


def test_an_existing_module_without_the_variables_is_refused() -> None:
    files = {**aws_env_files(), "infra/aws/modules/eks/main.tf": 'variable "cluster_name" {}\n'}
    refused = _refusal(MemoryRepo(files), _request(region="eu-west-1"))
    assert "does not declare the variables Olympus passes" in refused.message and "node_max" in refused.message


def test_a_region_other_than_the_envs_is_refused() -> None:
    refused = _refusal(MemoryRepo(aws_env_files()), _request(region="us-west-2"))
    assert "deploys to eu-west-1" in refused.message


def test_update_and_destroy_are_refused_with_what_to_do() -> None:
    for action in ("update", "destroy"):
        request = ResourceRequest(action, Cloud.AWS, ResourceKind.CLUSTER, "apps", options=())
        assert "does not" in _refusal(MemoryRepo(), request).message


def test_a_node_type_of_the_other_cloud_is_refused_by_the_generator_too() -> None:
    request = ResourceRequest(
        "create", Cloud.GCP, ResourceKind.CLUSTER, "apps", region="us-central1", options=(("node_type", "t3.large"),)
    )
    assert "Compute Engine machine type" in _refusal(MemoryRepo(), request).message
