"""Who gets which MCP tools over HTTP: the server's mode against the person's permission on the repository."""

from __future__ import annotations

import pytest

from bot.domain.mcp_access import Access, NoAccess, access_for, origin_allowed, repository_named
from bot.domain.permissions import PermissionPolicy


@pytest.mark.parametrize(
    ("permission", "mode", "read_only"),
    [
        ("admin", "propose", False),
        ("maintain", "propose", False),
        ("write", "propose", False),
        ("triage", "propose", True),
        ("read", "propose", True),
        ("write", "read-only", True),
        ("admin", "read-only", True),
    ],
)
def test_proposing_needs_what_create_needs_and_a_read_only_server_offers_it_to_no_one(
    permission: str, mode: str, read_only: bool
) -> None:
    assert access_for("ana", "acme/infra", permission, mode) == Access("ana", "acme/infra", read_only)  # type: ignore[arg-type]


@pytest.mark.parametrize("permission", ["none", "", "custom-role-github-reports-oddly"])
def test_no_permission_is_no_access_and_says_what_github_gives(permission: str) -> None:
    refused = access_for("zed", "acme/infra", permission, "propose")
    assert isinstance(refused, NoAccess) and refused.status == 403
    assert refused.reason.startswith("zed may not read acme/infra")


def test_the_policy_decides_as_for_commands() -> None:
    strict = PermissionPolicy(required={"create": "admin", "status": "write"})
    assert access_for("ana", "acme/infra", "write", "propose", strict) == Access("ana", "acme/infra", True)
    assert isinstance(access_for("rex", "acme/infra", "read", "propose", strict), NoAccess)


@pytest.mark.parametrize("value", ["acme/infra", "Acme-Corp/infra.live", "a_b/c-d"])
def test_a_repository_is_owner_slash_name(value: str) -> None:
    assert repository_named(value) == value


@pytest.mark.parametrize("value", [None, "", "acme", "acme/infra/extra", "acme/..", "ac me/infra", "acme/in;fra"])
def test_anything_else_is_a_400_that_shows_the_form(value: str | None) -> None:
    refused = repository_named(value)
    assert isinstance(refused, NoAccess) and refused.status == 400 and "OWNER/NAME" in refused.reason


def test_only_a_configured_origin_or_none_may_call() -> None:
    allowed = ("https://inspector.example.com",)
    assert origin_allowed(None, allowed)
    assert origin_allowed("https://inspector.example.com", allowed)
    assert origin_allowed("https://inspector.example.com/", allowed)
    assert not origin_allowed("https://inspector.example.com.evil.test", allowed)
    assert not origin_allowed("http://127.0.0.1:8080", allowed)  # the server's own host proves nothing (rebinding)
    assert not origin_allowed("null", allowed)
