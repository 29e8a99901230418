"""The /infra grammar: commands, replies that say what is wrong, and a parser that never raises."""

from __future__ import annotations

import re

import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    DEFAULT_OPTIONS,
    HELP_TEXT,
    LAMBDA_RUNTIMES,
    TOPICS,
    UNREADABLE,
    Apply,
    Ask,
    Command,
    Create,
    Destroy,
    Door,
    Help,
    Import,
    Invalid,
    NotForMe,
    Plan,
    Reply,
    StateRm,
    Status,
    Unlock,
    build_request,
    help_text,
    parse,
    parse_request,
    render_command,
    to_tool_call,
)
from bot.domain.models import Cloud, ResourceKind, ResourceRequest
from bot.domain.naming import name_problems
from bot.domain.regions import AWS_REGIONS, GCS_LOCATIONS

RESULT_TYPES = (Create, Destroy, Plan, Apply, Import, StateRm, Unlock, Status, Help, Ask, Reply, NotForMe)


def reply_text(text: str) -> str:
    result = parse(text)
    assert isinstance(result, Reply), result
    return result.text


def bucket(name: str, **fields: object) -> ResourceRequest:
    base: dict[str, object] = {
        "action": "create",
        "cloud": Cloud.AWS,
        "kind": ResourceKind.BUCKET,
        "name": name,
        "env": "dev",
        "region": "us-east-1",
        "options": (("versioning", "on"),),
    }
    return ResourceRequest(**{**base, **fields})  # type: ignore[arg-type]


# --- what is and is not for Olympus ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "please /infra help",
        "/infrastructure create",
        "/infra-bot help",
        "\u200b/infra help",
        "atlantis plan",
        "Looks good to me.\n/infra apply",
    ],
)
def test_text_not_starting_with_infra_is_not_for_me(text: str) -> None:
    assert parse(text) == NotForMe()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/infra", Help()),
        ("/infra help", Help()),
        ("  \n\t /infra help", Help()),
        ("/infra unlock", Unlock()),
        ("/infra status", Status()),
        ("/INFRA help", Help()),
        ("/infra status\r\n\r\n", Status()),
        ("/infra\tplan", Plan()),
        ("/infra plan -p logs", Plan(project="logs")),
        ("/infra plan --project=logs", Plan(project="logs")),
        ("/infra apply -d infra/aws/envs/dev/", Apply(dir="infra/aws/envs/dev")),
        ("/infra apply --dir ./infra", Apply(dir="infra")),
        ("/infra apply -d .", Apply(dir=".")),
        ("/infra apply", Apply()),
    ],
)
def test_simple_commands(text: str, expected: Command) -> None:
    assert parse(text) == expected


def test_an_issue_body_is_a_request_then_its_description() -> None:
    body = "/infra create bucket logs-archive\n\nWe need it for the audit logs; `/infra apply` later."
    assert parse_request(body) == Create(bucket("logs-archive"))
    assert isinstance(parse(body), Reply)  # as a comment, the same text is not run
    assert parse_request("We need a bucket.\n/infra create bucket logs-archive") == NotForMe()


# --- create and destroy ------------------------------------------------------------------------------------


def test_create_bucket_fills_defaults() -> None:
    assert parse("/infra create bucket logs-archive") == Create(bucket("logs-archive"))


def test_create_bucket_with_every_setting() -> None:
    result = parse("/infra create bucket logs-archive cloud=aws region=eu-west-1 env=prod versioning=off")
    assert result == Create(bucket("logs-archive", region="eu-west-1", env="prod", options=(("versioning", "off"),)))


def test_create_gcs_bucket_defaults_to_the_us_multi_region() -> None:
    assert parse("/infra create bucket media-assets cloud=gcp") == Create(
        bucket("media-assets", cloud=Cloud.GCP, region="US")
    )
    result = parse("/infra create bucket media-assets cloud=gcp region=EUROPE-WEST1")
    assert isinstance(result, Create) and result.request.region == "europe-west1"


def test_create_instance() -> None:
    assert parse("/infra create instance web-1 type=m7g.large region=eu-central-1 env=staging") == Create(
        ResourceRequest(
            action="create",
            cloud=Cloud.AWS,
            kind=ResourceKind.INSTANCE,
            name="web-1",
            env="staging",
            region="eu-central-1",
            options=(("instance_type", "m7g.large"),),
        )
    )


def test_create_function_fills_defaults_and_normalizes_numbers() -> None:
    result = parse("/infra create function resize memory=0512 timeout=30")
    assert result == Create(
        ResourceRequest(
            action="create",
            cloud=Cloud.AWS,
            kind=ResourceKind.FUNCTION,
            name="resize",
            env="dev",
            region="us-east-1",
            options=(("memory_mb", "512"), ("runtime", "python3.12"), ("timeout_s", "30")),
        )
    )


@pytest.mark.parametrize("kind", [kind for kind in ResourceKind if kind is not ResourceKind.CLUSTER])
def test_destroy(kind: ResourceKind) -> None:
    assert parse(f"/infra destroy {kind.value} old-thing env=prod") == Destroy(
        ResourceRequest(action="destroy", cloud=Cloud.AWS, kind=kind, name="old-thing", env="prod")
    )


def test_destroy_gcs_bucket() -> None:
    result = parse("/infra destroy bucket old-media cloud=gcp")
    assert isinstance(result, Destroy) and result.request.cloud is Cloud.GCP


# --- replies that say what is wrong ------------------------------------------------------------------------


def test_unknown_verb_suggests_the_nearest_command() -> None:
    assert reply_text("/infra crate bucket logs-archive") == (
        "unknown verb `crate`; did you mean `/infra create bucket logs-archive`?"
    )
    assert reply_text("/infra destory bucket old-logs") == (
        "unknown verb `destory`; did you mean `/infra destroy bucket old-logs`?"
    )


def test_a_suggestion_that_would_not_parse_is_not_made() -> None:
    # `x` is too short for an S3 bucket and `apply` takes no word: neither line would be a valid command.
    assert reply_text("/infra destory bucket x") == (
        "unknown verb `destory` (the nearest is `destroy`); `/infra help destroy` shows its form."
    )
    assert reply_text("/infra appely apply") == (
        "unknown verb `appely` (the nearest is `apply`); `/infra help apply` shows its form."
    )


def test_unknown_verb_without_a_near_one_lists_the_verbs() -> None:
    text = reply_text("/infra frobnicate")
    assert "unknown verb `frobnicate`" in text and "`create`" in text and "`/infra help`" in text


def test_unknown_kind_suggests_the_nearest() -> None:
    assert reply_text("/infra create bukcet logs") == (
        "unknown resource kind `bukcet`; did you mean `/infra create bucket logs`?"
    )
    assert "Olympus knows `bucket`, `instance`, `function`" in reply_text("/infra create database main")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/infra create s3 logs", "`/infra create bucket logs cloud=aws`"),
        ("/infra create gcs logs", "`/infra create bucket logs cloud=gcp`"),
        ("/infra create lambda resize", "`/infra create function resize`"),
        ("/infra destroy ec2 web-1", "`/infra destroy instance web-1`"),
    ],
)
def test_cloud_words_for_kinds_are_translated(text: str, expected: str) -> None:
    assert expected in reply_text(text)


def test_missing_kind_and_missing_name() -> None:
    assert "needs a resource kind and a name" in reply_text("/infra create")
    assert reply_text("/infra create bucket") == (
        "`/infra create bucket` needs a name, e.g. `/infra create bucket logs-archive`"
    )
    assert reply_text("/infra destroy function env=prod") == (
        "`/infra destroy function` needs a name, e.g. `/infra destroy function resize env=prod`"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/infra create bucket logs location=EU",
            "`location` is not a setting of `create bucket`; did you mean `region=`?",
        ),
        ("/infra create bucket logs regoin=eu-west-1", "did you mean `region=`?"),
        ("/infra create bucket logs type=t3.micro", "`type` is not a setting of `create bucket`"),
        ("/infra create instance web instance_type=t3.micro", "did you mean `type=`?"),
        ("/infra destroy bucket logs region=eu-west-1", "`region` is not a setting of `destroy bucket`"),
        ("/infra create bucket logs region=eu-west-1 region=eu-west-2", "`region` is given twice; keep one"),
        ("/infra create bucket logs region=", "`region=` needs a value"),
        ("/infra create bucket logs extra", "unexpected `extra`: settings are written `key=value`"),
        ("/infra create bucket logs cloud=azure", "unknown cloud `azure`; use `cloud=aws` or `cloud=gcp`"),
        ("/infra create bucket logs cloud=gpc", "did you mean `cloud=gcp`?"),
        ("/infra create bucket logs versioning=maybe", "use `versioning=on` or `versioning=off`"),
        ("/infra create bucket logs region=eu-wset-1", "`eu-wset-1` is not an AWS region; did you mean `eu-west-1`?"),
        ("/infra create bucket logs cloud=gcp region=europe-west13", "did you mean `europe-west3`?"),
        ("/infra create bucket logs env=Prod", "`Prod` is not an environment name"),
        ("/infra create bucket logs env=" + "p" * 33, "is not an environment name"),
        ("/infra create bucket Logs_Archive", "S3 bucket names must be lowercase"),
        ("/infra create bucket my-google-logs cloud=gcp", '"google"'),
        ("/infra create instance web type=t3", "`t3` is not an EC2 instance type"),
        ("/infra create instance web type=T3.MICRO", "is not an EC2 instance type"),
        ("/infra create function f runtime=python2.7", "`python2.7` is not a current Lambda runtime"),
        ("/infra create function f runtime=pyhton3.12", "did you mean `python3.12`?"),
        ("/infra create function f memory=127", "from 128 to 10240, not `127`"),
        ("/infra create function f memory=10241", "from 128 to 10240"),
        ("/infra create function f memory=1e3", "whole number"),
        ("/infra create function f timeout=0", "from 1 to 900, not `0`"),
        ("/infra create function f timeout=901", "from 1 to 900"),
        ("/infra create function f timeout=٣", "whole number"),
        ("/infra create instance web cloud=gcp", "instances on AWS only"),
        ("/infra status now", "`/infra status` takes no arguments; unexpected `now`."),
        ("/infra plan -p a -d b", "cannot be used at the same time as `-d/--dir` or `-w/--workspace`"),
        ("/infra plan -p", "`-p` needs a value"),
        ("/infra plan -p a -p b", "given twice"),
        ("/infra plan logs", "unexpected `logs`"),
        ("/infra plan -d /etc", "absolute path"),
        ("/infra plan -d infra/../../etc", "name the directory without `..`"),
        ("/infra apply -d infra//x", "not a directory Olympus accepts"),
        ("/infra apply -p -bad", "not a project name"),
    ],
)
def test_replies_say_what_is_wrong(text: str, expected: str) -> None:
    assert expected in reply_text(text)


def test_every_problem_is_listed_with_the_form() -> None:
    text = reply_text("/infra create function Bad.Name runtime=ruby1 memory=1 timeout=1000 region=mars env=9")
    assert text.startswith("Olympus cannot do that:\n- ")
    assert text.count("\n- ") == 6
    assert text.endswith(
        "The form is `/infra create function NAME [cloud=...] [runtime=...] [memory=...] [timeout=...] "
        "[region=...] [env=...]`."
    )


@pytest.mark.parametrize(
    ("char", "word"),
    [
        (";", "a semicolon"),
        ("|", "a pipe"),
        ("&", "an ampersand"),
        ("$", "a dollar sign"),
        ("`", "a backtick"),
        ("<", "a less-than sign"),
        (">", "a greater-than sign"),
        ("(", "a parenthesis"),
        ("}", "a brace"),
        ("\\", "a backslash"),
    ],
)
def test_shell_metacharacters_are_refused_with_a_reason(char: str, word: str) -> None:
    text = reply_text(f"/infra create bucket logs{char}x")
    assert text.startswith(f"The command contains {word}.")
    assert "never runs commands through a shell" in text
    assert f"logs{char}x" not in text  # the reply names the character; it does not echo the user's text


def test_several_metacharacters_are_all_named() -> None:
    assert reply_text("/infra create bucket $(rm -rf /); echo").startswith(
        "The command contains a dollar sign, a parenthesis and a semicolon."
    )


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"])
def test_text_after_a_line_break_means_the_comment_is_not_run(separator: str) -> None:
    assert reply_text(f"/infra create bucket logs{separator}rm").startswith("Olympus did not run this comment")


@pytest.mark.parametrize("quote", ["'", '"'])
def test_an_unclosed_quote_is_named(quote: str) -> None:
    assert "quote that is never closed" in reply_text(f"/infra create bucket logs{quote}x")


def test_invisible_unicode_is_named() -> None:
    text = reply_text("/infra create bucket lo\u202egs")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in text


def test_absurd_lengths_are_refused() -> None:
    assert "at most 1000" in reply_text("/infra create bucket logs " + "x" * 1000)
    assert "at most 255" in reply_text("/infra create bucket " + "a" * 256)
    # A long comment body after the command means the comment is not run, however long it is.
    assert reply_text("/infra status\n" + "x" * 100_000).startswith("Olympus did not run this comment")


# --- help, rendering and tool calls ------------------------------------------------------------------------


def test_help_text_names_every_verb() -> None:
    for verb in (
        "create bucket",
        "create instance",
        "create function",
        "destroy",
        "plan",
        "apply",
        "unlock",
        "status",
        "ask",
        "help",
    ):
        assert f"/infra {verb}" in HELP_TEXT
    assert HELP_TEXT.count("`") % 2 == 0


@pytest.mark.parametrize("door", ["app", "cli"])
@pytest.mark.parametrize("topic", [None, *TOPICS])
def test_help_is_worded_for_its_door_and_its_examples_run(door: Door, topic: str | None) -> None:
    text = help_text(door, topic)
    assert text.count("`") % 2 == 0
    if door == "cli":
        assert "pull request" not in text
    if topic is not None:
        assert text.startswith(f"**`/infra {'state rm' if topic == 'state' else topic}`**")
    [example] = re.findall(r"Example: `([^`]+)`", text)
    assert isinstance(parse(example), Command), example


def test_the_app_help_is_the_default() -> None:
    assert HELP_TEXT == help_text() == help_text("app")
    assert "on this pull request" in HELP_TEXT and "change branch" in help_text("cli")


@pytest.mark.parametrize(
    ("command", "line"),
    [
        (Create(bucket("logs")), "/infra create bucket logs cloud=aws region=us-east-1 env=dev versioning=on"),
        (
            Destroy(bucket("logs", action="destroy", region="", options=())),
            "/infra destroy bucket logs cloud=aws env=dev",
        ),
        (Plan(project="p"), "/infra plan -p p"),
        (Apply(dir="infra/x"), "/infra apply -d infra/x"),
        (Plan(), "/infra plan"),
        (Unlock(), "/infra unlock"),
        (Status(), "/infra status"),
        (Help(), "/infra help"),
        (Ask("a bucket\nfor logs"), "/infra ask a bucket\nfor logs"),
    ],
)
def test_render_command(command: Command, line: str) -> None:
    assert render_command(command) == line
    assert parse(line) == command


def test_tool_calls_for_every_kind() -> None:
    def call(text: str) -> tuple[str, dict[str, object]]:
        result = parse(text)
        assert isinstance(result, Create | Destroy)
        return to_tool_call(result)

    assert call("/infra create bucket logs region=eu-west-1 versioning=off") == (
        "create_s3_bucket",
        {"name": "logs", "region": "eu-west-1", "env": "dev", "versioning": False},
    )
    assert call("/infra create bucket logs cloud=gcp region=eu") == (
        "create_gcs_bucket",
        {"name": "logs", "location": "EU", "env": "dev", "versioning": True},
    )
    assert call("/infra create instance web env=prod") == (
        "create_ec2_instance",
        {"name": "web", "instance_type": "t3.micro", "region": "us-east-1", "env": "prod"},
    )
    assert call("/infra create function f runtime=nodejs22.x memory=256") == (
        "create_lambda_function",
        {"name": "f", "runtime": "nodejs22.x", "region": "us-east-1", "env": "dev", "memory_mb": 256, "timeout_s": 10},
    )
    assert call("/infra destroy function f env=prod") == (
        "destroy_resource",
        {"cloud": "aws", "kind": "function", "name": "f", "env": "prod"},
    )


# --- build_request, shared with the MCP tools --------------------------------------------------------------


def test_build_request_fills_defaults_and_sorts_options() -> None:
    assert build_request(
        "create", Cloud.AWS, ResourceKind.FUNCTION, "f", options={"timeout_s": "5"}
    ) == ResourceRequest(
        action="create",
        cloud=Cloud.AWS,
        kind=ResourceKind.FUNCTION,
        name="f",
        region="us-east-1",
        options=(("memory_mb", "128"), ("runtime", "python3.12"), ("timeout_s", "5")),
    )


def test_build_request_refuses_unknown_options_and_destroy_options() -> None:
    assert build_request("create", Cloud.AWS, ResourceKind.BUCKET, "logs", options={"runtime": "x"}) == Invalid(
        ("`runtime` is not a setting of a bucket; use `versioning`",)
    )
    invalid = build_request("destroy", Cloud.AWS, ResourceKind.BUCKET, "logs", options={"versioning": "on"})
    assert invalid == Invalid(("`versioning` does not apply to destroy; leave it out",))
    assert isinstance(build_request("delete", Cloud.AWS, ResourceKind.BUCKET, "logs"), Invalid)


def test_every_kind_has_defaults() -> None:
    assert set(DEFAULT_OPTIONS) == set(ResourceKind)


def test_lambda_runtimes_are_real_runtime_identifiers() -> None:
    known = botocore.session.get_session().get_service_model("lambda").shape_for("Runtime").enum
    assert set(LAMBDA_RUNTIMES) <= set(known)
    assert "python3.12" in LAMBDA_RUNTIMES and "python2.7" not in LAMBDA_RUNTIMES


def test_every_real_instance_type_is_accepted() -> None:
    known = botocore.session.get_session().get_service_model("ec2").shape_for("InstanceType").enum
    refused = [
        t
        for t in known
        if isinstance(
            build_request("create", Cloud.AWS, ResourceKind.INSTANCE, "w", options={"instance_type": t}), Invalid
        )
    ]
    assert len(known) > 500 and refused == []


# --- properties --------------------------------------------------------------------------------------------


@settings(max_examples=500)
@given(st.text(max_size=400))
def test_parse_never_raises_on_any_text(text: str) -> None:
    result = parse(text)
    assert isinstance(result, RESULT_TYPES)
    assert result != Reply(UNREADABLE)  # no internal error was swallowed


WORDS = st.sampled_from(
    [
        "create",
        "destroy",
        "plan",
        "apply",
        "bucket",
        "instance",
        "function",
        "logs",
        "-p",
        "-d",
        "cloud=gcp",
        "region=eu-west-1",
        "env=prod",
        "versioning=off",
        "type=t3.micro",
        "memory=256",
        "timeout=30",
        "runtime=python3.12",
        "region=",
        "=x",
        "==",
        "-p=",
        "x" * 300,
        "\u200b",
        "é",
        ";",
        "`",
        "/",
        "..",
    ]
)


@settings(max_examples=500)
@given(st.lists(st.one_of(WORDS, st.text(min_size=1, max_size=20)), max_size=8), st.sampled_from([" ", "  ", "\t"]))
def test_parse_never_raises_on_command_like_text(words: list[str], gap: str) -> None:
    result = parse("/infra " + gap.join(words))
    assert isinstance(result, RESULT_TYPES) and not isinstance(result, NotForMe)
    assert result != Reply(UNREADABLE)
    if isinstance(result, Reply):
        assert result.text.count("`") % 2 == 0  # every quote of user text is closed
    else:
        assert parse(render_command(result)) == result


def _valid(cloud: Cloud, kind: ResourceKind):  # type: ignore[no-untyped-def]
    pattern = {
        ResourceKind.BUCKET: r"[a-z0-9][a-z0-9-]{1,40}[a-z0-9]",
        ResourceKind.INSTANCE: r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}",
        ResourceKind.FUNCTION: r"[A-Za-z0-9_-]{1,64}",
    }[kind]
    return st.from_regex(pattern, fullmatch=True).filter(lambda name: not name_problems(cloud, kind, name))


@st.composite
def create_commands(draw: st.DrawFn) -> tuple[str, ResourceRequest]:
    # Clusters have a round trip of their own (tests/domain/test_cluster_command.py).
    kind = draw(st.sampled_from([kind for kind in ResourceKind if kind is not ResourceKind.CLUSTER]))
    cloud = draw(st.sampled_from(list(Cloud))) if kind is ResourceKind.BUCKET else Cloud.AWS
    name = draw(_valid(cloud, kind))
    env = draw(st.from_regex(r"[a-z][a-z0-9-]{0,31}", fullmatch=True))
    region = draw(st.sampled_from(sorted(AWS_REGIONS if cloud is Cloud.AWS else GCS_LOCATIONS)))
    settings_: dict[str, str] = {"env": env, "region": region}
    options = dict(DEFAULT_OPTIONS[kind])
    if kind is ResourceKind.BUCKET:
        settings_["cloud"] = cloud.value
        options["versioning"] = settings_["versioning"] = draw(st.sampled_from(["on", "off"]))
    elif kind is ResourceKind.INSTANCE:
        options["instance_type"] = settings_["type"] = draw(st.sampled_from(["t3.micro", "m7g.2xlarge", "c5.metal"]))
    else:
        options["runtime"] = settings_["runtime"] = draw(st.sampled_from(LAMBDA_RUNTIMES))
        options["memory_mb"] = settings_["memory"] = str(draw(st.integers(128, 10240)))
        options["timeout_s"] = settings_["timeout"] = str(draw(st.integers(1, 900)))
    chosen = draw(st.lists(st.sampled_from(sorted(settings_)), unique=True))
    if "cloud" not in chosen and cloud is Cloud.GCP:
        chosen.append("cloud")
    if "region" not in chosen:
        region = "us-east-1" if cloud is Cloud.AWS else "US"
    for key, default in (
        ("versioning", "on"),
        ("type", "t3.micro"),
        ("runtime", "python3.12"),
        ("memory", "128"),
        ("timeout", "10"),
    ):
        if key in settings_ and key not in chosen:
            option = {"type": "instance_type", "memory": "memory_mb", "timeout": "timeout_s"}.get(key, key)
            options[option] = default
    text = " ".join(["/infra", "create", kind.value, name, *(f"{key}={settings_[key]}" for key in chosen)])
    request = ResourceRequest(
        action="create",
        cloud=cloud,
        kind=kind,
        name=name,
        env=settings_["env"] if "env" in chosen else "dev",
        region=region,
        options=tuple(sorted(options.items())),
    )
    return text, request


@settings(max_examples=300)
@given(create_commands())
def test_valid_create_commands_round_trip(case: tuple[str, ResourceRequest]) -> None:
    text, request = case
    result = parse(text)
    assert result == Create(request)
    assert parse(render_command(result)) == result
    tool, args = to_tool_call(result)
    assert tool.startswith("create_") and args["name"] == request.name


@settings(max_examples=200)
@given(
    st.sampled_from([kind for kind in ResourceKind if kind is not ResourceKind.CLUSTER]),
    st.from_regex(r"[a-z0-9][a-z0-9-]{1,30}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,31}", fullmatch=True),
)
def test_valid_destroy_commands_round_trip(kind: ResourceKind, name: str, env: str) -> None:
    expected = build_request("destroy", Cloud.AWS, kind, name, env=env)
    result = parse(f"/infra destroy {kind.value} {name} env={env}")
    if isinstance(expected, Invalid):
        assert isinstance(result, Reply)
    else:
        assert result == Destroy(expected)
        assert parse(render_command(result)) == result


@settings(max_examples=300)
@given(
    st.sampled_from(["create", "destroy"]),
    st.sampled_from(list(Cloud)),
    st.sampled_from([kind for kind in ResourceKind if kind is not ResourceKind.CLUSTER]),
    st.text(max_size=80),
    st.text(max_size=30),
    st.text(max_size=30),
    st.dictionaries(
        st.sampled_from(["versioning", "instance_type", "runtime", "memory_mb", "timeout_s", "x`"]),
        st.text(max_size=20),
        max_size=3,
    ),
)
def test_build_request_never_raises_and_its_problems_are_markdown_safe(
    action: str, cloud: Cloud, kind: ResourceKind, name: str, region: str, env: str, options: dict[str, str]
) -> None:
    """MCP tools pass arbitrary strings here; every problem is quoted safely for a PR comment."""
    result = build_request(action, cloud, kind, name, region=region, env=env, options=options)
    if isinstance(result, Invalid):
        assert result.problems and all(problem.count("`") % 2 == 0 for problem in result.problems), result
    else:
        assert result.name == name and result.env == env
