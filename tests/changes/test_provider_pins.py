"""Provider versions: constraint arithmetic, and which evidence wins (own lock, own constraints, siblings, default)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.changes.hcl_reader import parse
from bot.changes.provider_pins import ProviderChoice, choose, narrow
from bot.changes.resource_kinds import AWS_PROVIDER, GOOGLE_PROVIDER
from bot.changes.version_constraints import UNBOUNDED, Constraint, ConstraintError, format_version
from bot.domain.models import Refusal

U = UNBOUNDED


@pytest.mark.parametrize(
    ("text", "newest"),
    [
        ("3.39.0", (3, 39, 0)),
        ("= 3.39.0", (3, 39, 0)),
        ("~> 3.39", (3, U, U)),
        ("~> 3.39.1", (3, 39, U)),
        ("~> 3", (3, U, U)),
        (">= 4.0, < 6", (5, U, U)),
        (">= 4.0, < 5.2.1", (5, 2, 0)),
        ("<= 4.67.0", (4, 67, 0)),
        (">= 3.0", (U, U, U)),
        ("!= 5.1.0", (U, U, U)),
    ],
)
def test_newest_allowed_version(text: str, newest: tuple[int, int, int]) -> None:
    assert Constraint.parse(text).newest() == newest


@pytest.mark.parametrize(
    ("text", "allowed", "refused"),
    [
        ("~> 3.39", [(3, 39, 0), (3, 76, 1)], [(3, 38, 9), (4, 0, 0)]),
        ("~> 3.39.1", [(3, 39, 1), (3, 39, 9)], [(3, 39, 0), (3, 40, 0)]),
        (">= 4.0, < 6", [(4, 0, 0), (5, 99, 0)], [(3, 99, 0), (6, 0, 0)]),
        ("3.39.0", [(3, 39, 0)], [(3, 39, 1)]),
        ("> 1.0, != 1.2.0", [(1, 0, 1), (1, 3, 0)], [(1, 0, 0), (1, 2, 0)]),
    ],
)
def test_allows(text: str, allowed: list[tuple[int, int, int]], refused: list[tuple[int, int, int]]) -> None:
    constraint = Constraint.parse(text)

    assert all(constraint.allows(version) for version in allowed)
    assert not any(constraint.allows(version) for version in refused)


@given(st.tuples(st.integers(0, 9), st.integers(0, 99), st.integers(0, 99)), st.integers(1, 3))
def test_the_newest_allowed_version_is_allowed(version: tuple[int, int, int], precision: int) -> None:
    text = "~> " + ".".join(str(part) for part in version[:precision])

    constraint = Constraint.parse(text)

    assert constraint.allows(constraint.newest())


@pytest.mark.parametrize("text", ["banana", "~>", ">= 1.x", ""])
def test_bad_constraints_raise(text: str) -> None:
    with pytest.raises(ConstraintError):
        Constraint.parse(text)


def test_format_version() -> None:
    assert format_version((3, 39, 0)) == "3.39.0"
    assert format_version((5, U, U)) == "5.x"
    assert format_version((3, 39, U)) == "3.39.x"
    assert format_version((U, U, U)) == "any version"


REQUIRED = (
    'terraform {\n  required_providers {\n    %s = {\n      source  = "%s"\n      version = "%s"\n    }\n  }\n}\n'
)
VERSIONS = REQUIRED.replace("%s", "aws", 1).replace("%s", "hashicorp/aws", 1)
LOCK = 'provider "registry.terraform.io/hashicorp/aws" {\n  version     = "%s"\n  constraints = "%s"\n}\n'


def choice(env: dict[str, str], siblings: dict[str, dict[str, str]] | None = None) -> ProviderChoice | Refusal:
    parsed_env = {path: parse(text) for path, text in env.items()}
    parsed_siblings = {
        name: {path: parse(text) for path, text in sibling.items()} for name, sibling in (siblings or {}).items()
    }
    return choose(AWS_PROVIDER, parsed_env, parsed_siblings)


def test_own_lock_wins() -> None:
    result = choice({"e/versions.tf": VERSIONS % ">= 3.38", "e/.terraform.lock.hcl": LOCK % ("3.39.0", ">= 3.38")})

    assert isinstance(result, ProviderChoice)
    assert (result.selected, result.locked, result.location) == ((3, 39, 0), True, "e/.terraform.lock.hcl:1")


def test_own_constraints_pick_the_newest_they_allow() -> None:
    result = choice({"e/versions.tf": VERSIONS % ">= 4.0, < 6"})

    assert isinstance(result, ProviderChoice)
    assert (result.selected, result.locked, result.major) == ((5, U, U), False, 5)


def test_constraints_in_several_files_intersect_and_legacy_forms_count() -> None:
    legacy = 'provider "aws" {\n  version = "< 4.0"\n}\n'
    shorthand = 'terraform {\n  required_providers {\n    aws = ">= 3.50"\n  }\n}\n'

    result = choice({"e/a.tf": legacy, "e/b.tf": shorthand})

    assert isinstance(result, ProviderChoice)
    assert result.selected == (3, U, U)


def test_other_providers_and_other_sources_are_ignored() -> None:
    other = REQUIRED % ("aws", "example/aws", "1.0.0")

    result = choice({"e/versions.tf": other})

    assert isinstance(result, ProviderChoice)
    assert result.constraint == "~> 5.0"


def test_conflicting_constraints_are_refused_with_both_locations() -> None:
    result = choice({"e/a.tf": VERSIONS % "~> 3.39", "e/b.tf": VERSIONS % ">= 4.0"})

    assert isinstance(result, Refusal)
    assert "e/a.tf:3" in result.message and "e/b.tf:3" in result.message


def test_siblings_lock_and_constraint_guide_a_new_env() -> None:
    prod = {"prod/versions.tf": VERSIONS % "3.39.0", "prod/.terraform.lock.hcl": LOCK % ("3.39.0", "3.39.0")}
    qa = {"qa/versions.tf": VERSIONS % "~> 3.0", "qa/.terraform.lock.hcl": LOCK % ("3.20.0", "~> 3.0")}

    result = choice({}, {"prod": prod, "qa": qa})

    assert isinstance(result, ProviderChoice)
    assert (result.selected, result.constraint) == ((3, 39, 0), "3.39.0")


def test_a_sibling_lock_outside_its_own_major_line_gets_a_pessimistic_pin() -> None:
    prod = {"prod/versions.tf": VERSIONS % ">= 3.0", "prod/.terraform.lock.hcl": LOCK % ("3.39.0", ">= 3.0")}

    result = choice({}, {"prod": prod})

    assert isinstance(result, ProviderChoice)
    assert result.constraint == "~> 3.39"


def test_google_defaults_and_refuses_versions_without_default_labels() -> None:
    old = REQUIRED % ("google", "hashicorp/google", "~> 4.80")

    default = choose(GOOGLE_PROVIDER, {}, {})
    refused = choose(GOOGLE_PROVIDER, {"e/versions.tf": parse(old)}, {})

    assert isinstance(default, ProviderChoice) and default.constraint == "~> 6.0"
    assert isinstance(refused, Refusal) and "default_labels" in refused.message


def test_unreadable_constraint_is_refused_with_its_location() -> None:
    result = choice({"e/versions.tf": VERSIONS % "latest please"})

    assert isinstance(result, Refusal)
    assert result.location == "e/versions.tf:3"


def test_narrow_takes_a_module_constraint_into_account() -> None:
    wide = choice({"e/versions.tf": VERSIONS % ">= 3.38"})
    assert isinstance(wide, ProviderChoice)

    narrowed = narrow(wide, AWS_PROVIDER, {"m/versions.tf": parse(VERSIONS % ">= 3.38, < 4.0")})
    clash = narrow(wide, AWS_PROVIDER, {"m/versions.tf": parse(VERSIONS % "< 3.0")})

    assert isinstance(narrowed, ProviderChoice) and narrowed.selected == (3, U, U)
    assert isinstance(clash, Refusal) and clash.location == "m/versions.tf:3"
