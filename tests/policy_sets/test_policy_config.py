"""`.olympus.yaml`'s `policies`: the default set advisory without it, blocking with it, repository sets, mistakes."""

from __future__ import annotations

import pytest

from bot.domain.models import Project
from bot.domain.policies.config import ADVISORY_DEFAULT, DEFAULT_SET, PolicySet
from bot.domain.repo_config import ConfigErrors, RepoConfig, parse_repo_config


def parsed(text: str) -> RepoConfig:
    config = parse_repo_config(text)
    assert isinstance(config, RepoConfig), config
    return config


def test_without_a_policies_section_the_default_set_is_advisory() -> None:
    assert parsed("version: 1\n").policies == ADVISORY_DEFAULT
    (default,) = ADVISORY_DEFAULT.sets
    assert default.name == DEFAULT_SET and default.builtin and not default.blocking


def test_a_policies_section_makes_the_default_set_block_and_adds_the_repositorys_sets() -> None:
    config = parsed(
        "version: 1\n"
        "policies:\n"
        "  default:\n"
        "    owners: [alice, acme/platform]\n"
        "    parameters: {required_tags: [team], allowed_regions: [eu-west-1]}\n"
        "  sets:\n"
        "    - {name: security, paths: [policy/security], projects: ['infra/aws/envs/prod*'], owners: [acme/sec]}\n"
        "    - {name: costs, paths: [policy/costs.rego], blocking: false, namespace: costs}\n"
        "  timeout_seconds: 5\n"
    ).policies
    default, security, costs = config.sets
    assert default.blocking and default.owners == ("alice", "acme/platform")
    assert default.parameters == {"required_tags": ["team"], "allowed_regions": ["eu-west-1"]}
    assert security.judges(Project("prod", "infra/aws/envs/prod")) and not security.judges(Project("dev", "infra/dev"))
    assert not costs.blocking and costs.namespace == "costs" and costs.judges(Project("dev", "infra/dev"))
    assert config.timeout_seconds == 5 and config.named("costs") == costs


def test_the_default_set_can_be_turned_off_and_then_nothing_is_judged_without_sets() -> None:
    assert parsed("version: 1\npolicies:\n  default: false\n").policies.off
    only_own = parsed("version: 1\npolicies:\n  default: false\n  sets: [{name: own, paths: [p]}]\n").policies
    assert [s.name for s in only_own.sets] == ["own"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("  default: maybe\n", "policies.default"),
        ("  sets: [{name: Bad Name, paths: [p]}]\n", "policies.sets[0].name"),
        ("  sets: [{name: a}]\n", "paths"),
        ("  sets: [{name: a, paths: [p]}, {name: a, paths: [q]}]\n", "duplicate-policy-set"),
        ("  sets: [{name: olympus, paths: [p]}]\n", "duplicate-policy-set"),
        ("  default: {owners: ['not a login']}\n", "owners"),
        ("  timeout_seconds: 0\n", "timeout_seconds"),
        ("  default: {parameters: {required_tag: [x]}}\n", "required_tag"),
    ],
)
def test_mistakes_are_named_with_where_they_are(body: str, words: str) -> None:
    errors = parse_repo_config("version: 1\npolicies:\n" + body)
    assert isinstance(errors, ConfigErrors), errors
    assert words in errors.render(), errors.render()


def test_a_set_without_projects_judges_every_project() -> None:
    assert PolicySet("any", ("p",)).judges(Project("x", "anywhere"))
