"""`/infra create app`, `/infra helm set|upgrade` and `/infra sync`: parsed, refused with the fix, and read back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.branches import branch_of
from bot.domain.commands import (
    CreateApp,
    Reply,
    SetValues,
    Sync,
    UpgradeChart,
    help_text,
    parse,
    render_command,
    to_tool_call,
)
from bot.domain.commands.comment import _SHELL_CHARACTERS
from bot.domain.permissions import DEFAULT_POLICY, Allowed, Refused, command_kind, may_run


def test_create_app_as_the_issue_writes_it() -> None:
    parsed = parse("/infra create app payments-api chart=example-data-app namespace=payments env=staging")
    assert parsed == CreateApp("payments-api", "staging", "payments", "example-data-app", "data-apps")
    assert to_tool_call(parsed) == (
        "create_app",
        {
            "name": "payments-api",
            "chart": "example-data-app",
            "namespace": "payments",
            "env": "staging",
            "project": "data-apps",
        },
    )
    assert branch_of(parsed) == "infra/create-app-payments-api-staging"


def test_create_app_defaults_namespace_to_its_name_and_env_to_dev() -> None:
    assert parse("/infra create app billing") == CreateApp("billing", "dev", "billing", "example-data-app", "data-apps")


def test_helm_set_types_nothing_itself_and_sorts_the_keys() -> None:
    parsed = parse("/infra helm set payments-api replicaCount=3 image.tag=1.4.2 env=staging")
    assert parsed == SetValues("payments-api", "staging", (("image.tag", "1.4.2"), ("replicaCount", "3")))
    tool, args = to_tool_call(parsed)
    assert tool == "set_helm_values"
    assert args == {"name": "payments-api", "env": "staging", "values": {"image.tag": "1.4.2", "replicaCount": "3"}}


def test_helm_set_keeps_a_dotted_env_key_apart_from_the_release_env() -> None:
    parsed = parse('/infra helm set api env.LOG_LEVEL="debug info" env=prod')
    assert parsed == SetValues("api", "prod", (("env.LOG_LEVEL", "debug info"),))


def test_helm_upgrade() -> None:
    parsed = parse("/infra helm upgrade payments-api version=1.5.0 env=prod")
    assert parsed == UpgradeChart("payments-api", "prod", "1.5.0")
    assert to_tool_call(parsed) == ("upgrade_chart", {"name": "payments-api", "env": "prod", "version": "1.5.0"})


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/infra sync", Sync()),
        ("/infra sync payments-api", Sync("payments-api")),
        ("/infra sync env=prod", Sync(None, "prod")),
    ],
)
def test_sync(line: str, expected: Sync) -> None:
    assert parse(line) == expected


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/infra create app", "needs a name"),
        ("/infra create app Payments_API", "is not an application name"),
        ("/infra create app api namspace=x", "did you mean `namespace=`?"),
        ("/infra create app api namespace=Kube_System", "namespace `Kube_System`"),
        ("/infra create app api env=Prod!", "env `Prod!` must be lower-case"),
        ("/infra create app api chart=../../etc", "is not a chart name"),
        ("/infra helm", "needs `set` or `upgrade`"),
        ("/infra helm sett api a=1", "did you mean `/infra helm set`?"),
        ("/infra helm set api", "at least one value"),
        ("/infra helm set api replicaCount", "values are written `key=value`"),
        ("/infra helm set api ../x=1", "is not a values key"),
        ("/infra helm set api a=1 a=2", "`a` is given twice"),
        ("/infra helm upgrade api", "`version=` is needed"),
        ("/infra helm upgrade api version=latest", "is not a chart version"),
        ("/infra helm upgrade api verison=1.0.0", "did you mean `version=`?"),
        ("/infra sync a b", "settings are written `key=value`"),
    ],
)
def test_bad_input_is_answered_with_the_fix(line: str, says: str) -> None:
    parsed = parse(line)
    assert isinstance(parsed, Reply)
    assert says in parsed.text


def test_an_invalid_name_is_said_once() -> None:
    parsed = parse("/infra create app Bad_Name")
    assert isinstance(parsed, Reply)
    assert parsed.text.count("must be lower-case") == 1


def test_a_value_cannot_carry_a_control_character() -> None:
    parsed = parse('/infra helm set api image.tag="a\tb"')
    assert isinstance(parsed, Reply)
    assert "control character" in parsed.text


def test_branches_tell_requests_apart_and_find_the_same_one_again() -> None:
    one = parse("/infra helm set api replicaCount=3")
    again = parse("/infra helm set api replicaCount=3 env=dev")
    other = parse("/infra helm set api replicaCount=4")
    assert isinstance(one, SetValues) and isinstance(again, SetValues) and isinstance(other, SetValues)
    assert branch_of(one) == branch_of(again) != branch_of(other)
    assert branch_of(one).startswith("infra/helm-set-api-dev.")
    # a hyphen in the env makes `a-b` + `c` and `a` + `b-c` read alike: the hash tells them apart
    assert branch_of(CreateApp("a-b", "c", "x", "x", "p")) != branch_of(CreateApp("a", "b-c", "x", "x", "p"))


def test_who_may_run_them() -> None:
    assert command_kind(CreateApp("a", "dev", "a", "c", "p")) == "create"
    assert command_kind(SetValues("a", "dev", (("k", "v"),))) == "update"
    assert command_kind(UpgradeChart("a", "dev", "1.0.0")) == "update"
    assert command_kind(Sync()) == "sync"
    assert isinstance(may_run("sync", "write", (), DEFAULT_POLICY), Allowed)
    assert isinstance(may_run("sync", "read", (), DEFAULT_POLICY), Refused)


def test_help_lists_them_and_has_their_pages() -> None:
    text = help_text("app")
    for form in ("create app NAME", "helm set NAME", "helm upgrade NAME", "sync [NAME]"):
        assert form in text
    assert "values.schema.json" in help_text("app", "helm")
    assert "Before the merge it is refused" in help_text("app", "sync")
    assert "The CLI has no Argo CD" in help_text("cli", "sync")


_label = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
# What a comment may carry: printable ASCII without the shell characters the reader refuses.
_value = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="".join(_SHELL_CHARACTERS) + "\\"),
    min_size=1,
    max_size=12,
)
_key = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,8}(\.[a-zA-Z_][a-zA-Z0-9_]{0,8}){0,2}", fullmatch=True)


@given(
    name=_label, env=_label, settings=st.dictionaries(_key.filter(lambda k: k != "env"), _value, min_size=1, max_size=4)
)
def test_set_values_read_back_as_themselves(name: str, env: str, settings: dict[str, str]) -> None:
    command = SetValues(name, env, tuple(sorted(settings.items())))
    assert parse(render_command(command)) == command


@given(name=_label, env=_label, namespace=_label, chart=_label, project=_label)
def test_create_app_reads_back_as_itself(name: str, env: str, namespace: str, chart: str, project: str) -> None:
    command = CreateApp(name, env, namespace, chart, project)
    assert parse(render_command(command)) == command
