"""`/infra approve_policies [--policy-set NAME]`: its grammar, its rendering, its help page and who may run it."""

from __future__ import annotations

import pytest

from bot.domain.commands import ApprovePolicies, Reply, help_text, parse, render_command
from bot.domain.permissions import Allowed, command_kind, may_run


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("/infra approve_policies", ApprovePolicies()),
        ("/infra approve_policies --policy-set security", ApprovePolicies("security")),
        ("/infra approve_policies --policy-set=costs", ApprovePolicies("costs")),
    ],
)
def test_the_forms_it_takes(comment: str, expected: ApprovePolicies) -> None:
    assert parse(comment) == expected
    assert parse(render_command(expected)) == expected


@pytest.mark.parametrize(
    ("comment", "said"),
    [
        ("/infra approve_policies --policy-set", "needs a policy set's name"),
        ("/infra approve_policies --policy-set a b", "one policy set per command"),
        ("/infra approve_policies -p dev", "takes only `--policy-set NAME`"),
        ("/infra approve_policies --policy-set 'Bad Name'", "not a policy set's name"),
    ],
)
def test_mistakes_get_the_usage(comment: str, said: str) -> None:
    reply = parse(comment)
    assert isinstance(reply, Reply) and said in reply.text, reply


def test_it_has_a_help_page_and_needs_only_read_access_ownership_is_checked_when_recorded() -> None:
    assert "policy set" in help_text("app", "approve_policies")
    assert may_run(command_kind(ApprovePolicies()), "read") == Allowed()
