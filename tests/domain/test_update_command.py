"""`/infra update KIND NAME key=value...`: what parses, what is refused and how, and that it renders back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    HELP_TEXT,
    LAMBDA_RUNTIMES,
    TOPICS,
    VERBS,
    Help,
    Invalid,
    Reply,
    Update,
    build_request,
    help_text,
    parse,
    render_command,
    to_tool_call,
)
from bot.domain.models import Cloud, ResourceKind, ResourceRequest
from bot.domain.permissions import DEFAULT_POLICY, command_kind


def update(kind: ResourceKind, name: str, env: str = "dev", cloud: Cloud = Cloud.AWS, **options: str) -> Update:
    return Update(ResourceRequest("update", cloud, kind, name, env, "", tuple(sorted(options.items()))))


def reply_text(text: str) -> str:
    result = parse(text)
    assert isinstance(result, Reply), result
    return result.text


VALID = [
    ("/infra update instance web-1 type=t3.large", update(ResourceKind.INSTANCE, "web-1", instance_type="t3.large")),
    (
        "/infra update instance web-1 type=m7g.2xlarge env=prod",
        update(ResourceKind.INSTANCE, "web-1", "prod", instance_type="m7g.2xlarge"),
    ),
    ("/infra update function resize memory=512", update(ResourceKind.FUNCTION, "resize", memory_mb="512")),
    (
        "/infra update function resize memory=512 timeout=30 runtime=python3.12",
        update(ResourceKind.FUNCTION, "resize", memory_mb="512", timeout_s="30", runtime="python3.12"),
    ),
    # numbers are normalized as create normalizes them
    ("/infra update function resize timeout=0060", update(ResourceKind.FUNCTION, "resize", timeout_s="60")),
    ("/infra update bucket logs versioning=off", update(ResourceKind.BUCKET, "logs", versioning="off")),
    ("/infra update bucket logs versioning=Enabled", update(ResourceKind.BUCKET, "logs", versioning="on")),
    (
        "/infra update bucket media versioning=off cloud=gcp env=staging",
        update(ResourceKind.BUCKET, "media", "staging", Cloud.GCP, versioning="off"),
    ),
    ("/INFRA UPDATE function resize memory=256", update(ResourceKind.FUNCTION, "resize", memory_mb="256")),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_updates(text: str, expected: Update) -> None:
    result = parse(text)
    assert result == expected
    assert parse(render_command(result)) == result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/infra update", "`/infra update` needs a resource kind and a name"),
        ("/infra update function", "`/infra update function` needs a name, e.g. `/infra update function resize`"),
        ("/infra update function resize", "an update needs at least one setting to change: `runtime=`, `memory=`"),
        ("/infra update bucket logs env=prod", "an update needs at least one setting to change: `versioning=`"),
        ("/infra update function resize memroy=512", "`memroy` is not a setting of `update function`; did you mean"),
        ("/infra update function resize memory_mb=512", "did you mean `memory=`?"),
        ("/infra update instance web-1 instance_type=t3.large", "did you mean `type=`?"),
        ("/infra update function resize region=eu-west-1 memory=512", "`region` is not a setting of `update function`"),
        ("/infra update bucket logs memory=512", "`memory` is not a setting of `update bucket`"),
        ("/infra update function resize memory=99999", "from 128 to 10240, not `99999`"),
        ("/infra update function resize runtime=python2.7", "is not a current Lambda runtime"),
        ("/infra update function resize runtime=pyhton3.12", "did you mean `python3.12`?"),
        ("/infra update instance web-1 type=huge", "`huge` is not an EC2 instance type"),
        ("/infra update bucket logs versioning=maybe", "use `versioning=on` or `versioning=off`"),
        ("/infra update bucket logs versioning=off cloud=azure", "unknown cloud `azure`"),
        ("/infra update bucket Logs_Archive versioning=off", "S3 bucket names must be lowercase"),
        ("/infra update function resize memory=512 env=Prod", "`Prod` is not an environment name"),
        ("/infra update function resize memory=512 memory=256", "`memory` is given twice"),
        ("/infra update database db size=2", "unknown resource kind `database`"),
        ("/infra update lambda resize memory=512", "did you mean `/infra update function resize memory=512`?"),
        ("/infra updte function resize memory=512", "did you mean `/infra update function resize memory=512`?"),
    ],
)
def test_invalid_updates_say_what_is_wrong(text: str, expected: str) -> None:
    assert expected in reply_text(text)


def test_a_reply_shows_the_form_of_the_kinds_update() -> None:
    text = reply_text("/infra update function resize memory=1")
    assert "The form is `/infra update function NAME [runtime=...] [memory=...] [timeout=...]" in text
    assert "[region" not in text


def test_every_problem_is_listed_at_once() -> None:
    text = reply_text("/infra update function resize memory=1 timeout=0 runtime=cobol env=9")
    assert text.count("\n- ") == 4


def test_render_puts_the_settings_first_and_spells_out_the_env() -> None:
    command = update(ResourceKind.FUNCTION, "resize", memory_mb="512")
    assert render_command(command) == "/infra update function resize memory=512 env=dev"
    bucket = update(ResourceKind.BUCKET, "media", cloud=Cloud.GCP, versioning="off")
    assert render_command(bucket) == "/infra update bucket media versioning=off cloud=gcp env=dev"


def test_tool_calls_type_each_setting() -> None:
    command = update(ResourceKind.FUNCTION, "resize", "prod", memory_mb="512", timeout_s="30", runtime="java21")
    assert to_tool_call(command) == (
        "update_resource",
        {
            "cloud": "aws",
            "kind": "function",
            "name": "resize",
            "env": "prod",
            "memory_mb": 512,
            "runtime": "java21",
            "timeout_s": 30,
        },
    )
    bucket = to_tool_call(update(ResourceKind.BUCKET, "logs", versioning="off"))
    assert bucket == (
        "update_resource",
        {"cloud": "aws", "kind": "bucket", "name": "logs", "env": "dev", "versioning": False},
    )


def test_build_request_keeps_only_the_given_settings_and_no_region() -> None:
    built = build_request("update", Cloud.AWS, ResourceKind.FUNCTION, "resize", options={"memory_mb": "0512"})
    assert built == ResourceRequest(
        "update", Cloud.AWS, ResourceKind.FUNCTION, "resize", options=(("memory_mb", "512"),)
    )
    moved = build_request(
        "update", Cloud.AWS, ResourceKind.FUNCTION, "resize", region="eu-west-1", options={"runtime": "java21"}
    )
    assert isinstance(moved, Invalid) and "leave `region` out" in moved.problems[0]
    empty = build_request("update", Cloud.AWS, ResourceKind.INSTANCE, "web-1")
    assert isinstance(empty, Invalid) and "`type=`" in empty.problems[0]


def test_help_lists_update_and_has_its_page() -> None:
    assert "update" in VERBS and "update" in TOPICS
    for form in ("update instance NAME type=T", "update function NAME", "update bucket NAME versioning=on"):
        assert f"/infra {form}" in HELP_TEXT, form
    assert parse("/infra help update") == Help("update") == parse("/infra update --help")
    page = help_text("cli", "update")
    assert page.startswith("**`/infra update`**") and "change branch" in page and "`create`" in page


def test_update_needs_what_create_needs() -> None:
    command = update(ResourceKind.FUNCTION, "resize", memory_mb="512")
    assert command_kind(command) == "update"
    assert DEFAULT_POLICY.needed("update") == DEFAULT_POLICY.needed("create") == "write"


_SETTINGS = {
    ResourceKind.BUCKET: {"versioning": st.sampled_from(["on", "off"])},
    ResourceKind.INSTANCE: {"type": st.sampled_from(["t3.micro", "t3.large", "m7g.2xlarge", "c7gn.metal"])},
    ResourceKind.FUNCTION: {
        "runtime": st.sampled_from(LAMBDA_RUNTIMES),
        "memory": st.integers(128, 10240).map(str),
        "timeout": st.integers(1, 900).map(str),
    },
}


@st.composite
def update_lines(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(_SETTINGS)))  # a cluster is created only (test_cluster_command.py)
    keys = draw(st.lists(st.sampled_from(sorted(_SETTINGS[kind])), min_size=1, unique=True))
    words = [f"{key}={draw(_SETTINGS[kind][key])}" for key in keys]
    if draw(st.booleans()):
        words.append(f"env={draw(st.from_regex(r'[a-z][a-z0-9-]{0,31}', fullmatch=True))}")
    if kind is ResourceKind.BUCKET and draw(st.booleans()):
        words.append(f"cloud={draw(st.sampled_from(['aws', 'gcp']))}")
    name = {ResourceKind.BUCKET: "logs-archive", ResourceKind.INSTANCE: "web-1", ResourceKind.FUNCTION: "resize"}
    return " ".join(["/infra", "update", kind.value, name[kind], *draw(st.permutations(words))])


@settings(max_examples=200)
@given(update_lines())
def test_every_valid_update_round_trips(line: str) -> None:
    result = parse(line)
    assert isinstance(result, Update), (line, result)
    assert parse(render_command(result)) == result
    tool, arguments = to_tool_call(result)
    assert tool == "update_resource" and arguments["name"] == result.request.name
