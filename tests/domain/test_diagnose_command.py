"""`/infra diagnose [-p PROJECT]`: parsed, refused with its usage, rendered back, helped and permitted like plan."""

from __future__ import annotations

import pytest

from bot.domain.commands import Diagnose, Help, Reply, help_text, parse, render_command
from bot.domain.permissions import DEFAULT_POLICY, Allowed, PermissionPolicy, Refused, command_kind, may_run


@pytest.mark.parametrize(
    ("text", "project"),
    [
        ("/infra diagnose", None),
        ("/infra DIAGNOSE -p stacks/app", "stacks/app"),
        ("/infra diagnose --project logs", "logs"),
        ("/infra diagnose --project=logs", "logs"),
        ('/infra diagnose -p "dir with space"', "dir with space"),
    ],
)
def test_diagnose_parses_and_renders_back(text: str, project: str | None) -> None:
    parsed = parse(text)
    assert parsed == Diagnose(project)
    assert isinstance(parsed, Diagnose) and parse(render_command(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("/infra diagnose now", "takes only `-p PROJECT`; unexpected `now`"),
        ("/infra diagnose -p", "`-p` needs a project's name"),
        ("/infra diagnose -p -d", "`-p` needs a project's name"),
        ("/infra diagnose -p a b", "diagnose one project per command; unexpected `b`"),
    ],
)
def test_bad_words_get_the_usage(text: str, said: str) -> None:
    reply = parse(text)
    assert isinstance(reply, Reply) and said in reply.text and "`/infra diagnose [-p PROJECT]`" in reply.text


def test_a_misspelled_verb_is_pointed_at_diagnose() -> None:
    reply = parse("/infra diagnoze -p app")
    assert isinstance(reply, Reply) and "did you mean `/infra diagnose -p app`?" in reply.text


def test_help_lists_it_and_has_its_page() -> None:
    assert "| `/infra diagnose [-p PROJECT]` |" in help_text("app")
    assert parse("/infra diagnose --help") == Help("diagnose") and parse("/infra help diagnose") == Help("diagnose")
    page = help_text("app", "diagnose")
    assert page.startswith("**`/infra diagnose`**") and "review suggestions" in page and "fork" in page
    assert "`olympus diagnose" in help_text("cli", "diagnose")


def test_it_needs_what_plan_needs_unless_configured() -> None:
    kind = command_kind(Diagnose())
    assert kind == "diagnose" and DEFAULT_POLICY.needed(kind) == DEFAULT_POLICY.needed("plan") == "write"
    assert isinstance(may_run(kind, "write", [], DEFAULT_POLICY), Allowed)
    refused = may_run(kind, "read", [], DEFAULT_POLICY)
    assert isinstance(refused, Refused) and "`/infra diagnose`" in refused.reason
    teams = PermissionPolicy(required={"plan": "admin"}, teams={"plan": ("octo-org/infra",)})
    assert teams.needed(kind) == "admin" and teams.teams_for(kind) == ("octo-org/infra",)
    own = PermissionPolicy(required={"plan": "write", "diagnose": "maintain"})
    assert own.needed(kind) == "maintain"
