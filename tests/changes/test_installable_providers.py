"""A new env in a repository that pins nothing targets the newest provider Terraform can install there, and the
scaffold writes where its state lives."""

from __future__ import annotations

from pathlib import Path

from fakes.memory_repo import MemoryRepo

from bot.adapters.provider_versions import installable_lookup, mirror_versions
from bot.changes import terraform
from bot.changes.provider_pins import ProviderChoice, choose
from bot.changes.resource_kinds import AWS_PROVIDER
from bot.domain.backends import BackendSettings, backend_hcl, state_key
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest

REQUEST = ResourceRequest(action="create", cloud=Cloud.AWS, kind=ResourceKind.BUCKET, name="logs-x", region="eu-west-1")


def test_the_newest_installable_release_within_the_templates_line_is_chosen() -> None:
    offline = choose(AWS_PROVIDER, {}, {}, lambda: [(3, 39, 0)])
    assert isinstance(offline, ProviderChoice)
    assert (offline.selected, offline.constraint) == ((3, 39, 0), "~> 3.39")
    assert "newest the configured Terraform can install" in offline.evidence
    # 6.x is past the line the templates are tested on; 2.x is before `default_tags`.
    online = choose(AWS_PROVIDER, {}, {}, lambda: [(2, 70, 0), (5, 80, 0), (5, 81, 1), (6, 2, 0)])
    assert isinstance(online, ProviderChoice) and online.selected == (5, 81, 1) and online.constraint == "~> 5.81"
    nothing = choose(AWS_PROVIDER, {}, {}, lambda: [(2, 70, 0)])
    assert isinstance(nothing, ProviderChoice) and nothing.constraint == AWS_PROVIDER.default_constraint


def test_a_pin_in_the_repository_wins_and_the_lookup_is_not_asked() -> None:
    asked: list[bool] = []
    from bot.changes.hcl_reader import parse

    pinned = {"versions.tf": parse('terraform {\n  required_providers {\n    aws = "~> 4.0"\n  }\n}\n')}
    choice = choose(AWS_PROVIDER, pinned, {}, lambda: asked.append(True) or [(3, 39, 0)])
    assert isinstance(choice, ProviderChoice) and choice.major == 4 and not asked


def test_the_mirror_is_what_the_sandbox_installs(tmp_path: Path) -> None:
    for version in ("3.39.0", "3.40.0-beta1", "not-a-version"):
        (tmp_path / "registry.terraform.io/hashicorp/aws" / version).mkdir(parents=True)
    assert mirror_versions(tmp_path, "hashicorp/aws") == [(3, 39, 0)]
    lookup = installable_lookup(tmp_path / "cache", lambda: tmp_path)
    assert list(lookup("hashicorp/aws")) == [(3, 39, 0)]


def test_a_new_env_gets_its_backend_hcl_and_code_for_the_installable_version() -> None:
    settings = BackendSettings("s3", "acme-tfstate", "eu-west-1", "acme-tflock", "platform")
    repo = MemoryRepo({".olympus.yaml": "version: 1\nbackend:\n  type: s3\n  bucket: acme-tfstate\n"
                       "  region: eu-west-1\n  dynamodb_table: acme-tflock\n  key_prefix: platform\n"})  # fmt: skip
    change = terraform.propose(repo, REQUEST, installable=lambda source: [(3, 39, 0)])
    assert isinstance(change, ChangeSet)
    files = {file.path: file.content for file in change.files}
    assert files["infra/aws/envs/dev/backend.hcl"] == backend_hcl(settings, "infra/aws/envs/dev")
    assert 'version = "~> 3.39"' in files["infra/aws/envs/dev/versions.tf"]
    assert "versioning {" in files["infra/aws/modules/s3_bucket/main.tf"]  # the < 4.0 inline form


def test_state_keys_never_collide_between_envs() -> None:
    s3 = BackendSettings("s3", "b", "eu-west-1", prefix="team/")
    assert state_key(s3, "infra/aws/envs/dev") == "team/infra/aws/envs/dev/terraform.tfstate"
    assert state_key(s3, "infra/aws/envs/dev") != state_key(s3, "infra/aws/envs/prod")
    gcs = backend_hcl(BackendSettings("gcs", "b"), "infra/gcp/envs/dev")
    assert 'prefix = "infra/gcp/envs/dev"' in gcs and "key" not in gcs
    assert 'bucket  = "b\\"x"' in backend_hcl(BackendSettings("s3", 'b"x', "r"), "d")  # quoted, never broken out of
