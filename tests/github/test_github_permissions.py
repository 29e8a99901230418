"""Which permission each command needs, and what a refusal says."""

from __future__ import annotations

import pytest

from bot.domain.commands import parse
from bot.domain.permissions import DEFAULT_POLICY, Allowed, PermissionPolicy, Refused, command_kind, may_run, rank


@pytest.mark.parametrize(
    ("kind", "permission", "allowed"),
    [
        ("plan", "write", True),
        ("plan", "triage", False),
        ("create", "write", True),
        ("create", "read", False),
        ("destroy", "maintain", True),
        ("destroy", "read", False),
        ("apply", "write", False),
        ("apply", "maintain", True),
        ("apply", "admin", True),
        ("status", "read", True),
        ("status", "none", False),
        ("unlock", "write", True),
    ],
)
def test_default_policy(kind: str, permission: str, allowed: bool) -> None:
    assert isinstance(may_run(kind, permission), Allowed) is allowed


def test_a_refusal_says_who_may_run_it() -> None:
    refused = may_run("apply", "write")
    assert isinstance(refused, Refused)
    assert refused.reason == (
        "`/infra apply` may be run by people with the maintain permission (or higher) on this repository; "
        "you have write."
    )


def test_a_named_team_may_apply_without_maintain() -> None:
    policy = PermissionPolicy(teams={"apply": ("acme/platform",)})
    assert may_run("apply", "write", teams=["ACME/Platform"], policy=policy) == Allowed()
    refused = may_run("apply", "write", teams=["acme/other"], policy=policy)
    assert isinstance(refused, Refused)
    assert "or members of @acme/platform" in refused.reason
    assert policy.teams_for("apply") == ("acme/platform",)
    assert policy.teams_for("plan") == ()


def test_unknown_kinds_and_permissions_are_closed() -> None:
    assert DEFAULT_POLICY.needed("teleport") == "admin"
    assert rank("custom-role") == rank("none") == 0
    assert isinstance(may_run("plan", "custom-role"), Refused)
    assert isinstance(may_run("plan", " Write "), Allowed)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/infra create bucket logs-archive", "create"),
        ("/infra destroy bucket logs-archive", "destroy"),
        ("/infra plan", "plan"),
        ("/infra apply", "apply"),
        ("/infra unlock", "unlock"),
        ("/infra status", "status"),
        ("/infra import aws_s3_bucket.logs logs-archive", "import"),
        ("/infra state rm aws_s3_bucket.logs", "state_rm"),
    ],
)
def test_command_kind_of_parsed_commands(text: str, kind: str) -> None:
    assert command_kind(parse(text)) == kind  # type: ignore[arg-type]


def test_import_and_state_rm_need_what_apply_needs() -> None:
    for kind in ("import", "state_rm"):
        assert DEFAULT_POLICY.needed(kind) == "maintain"
        assert isinstance(may_run(kind, "write"), Refused)
        assert PermissionPolicy(required={"apply": "admin"}).needed(kind) == "admin"
        assert PermissionPolicy(required={"apply": "admin", kind: "maintain"}).needed(kind) == "maintain"
    refused = may_run("state_rm", "write")
    assert isinstance(refused, Refused) and refused.reason.startswith("`/infra state rm` may be run by")
