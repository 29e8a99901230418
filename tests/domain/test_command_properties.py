"""Properties of the /infra grammar: every suggestion parses, commands round-trip, a longer comment never runs."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import (
    TOPICS,
    Apply,
    Command,
    Help,
    Import,
    NotForMe,
    Plan,
    Reply,
    RunsTerraform,
    StateRm,
    parse,
    render_command,
)

# Where a reply proposes a whole command: "did you mean `...`", "e.g. `...`", and the help it points to.
SUGGESTION = re.compile(r"(?:did you mean|e\.g\.) `(/infra[^`]*)`|`(/infra help[^`]*)`")

VOCABULARY = [
    "create",
    "destroy",
    "plan",
    "apply",
    "import",
    "state",
    "rm",
    "unlock",
    "status",
    "help",
    "bucket",
    "instance",
    "function",
    "s3",
    "gcs",
    "lambda",
    "ec2",
    "logs-archive",
    "web-1",
    "resize",
    "x",
    "Bad_Name",
    "cloud=gcp",
    "cloud=gpc",
    "region=eu-west-1",
    "region=eu-wset-1",
    "env=prod",
    "regoin=eu-west-1",
    "type=t3.micro",
    "memory=256",
    "runtime=pyhton3.12",
    "versioning=off",
    "-p",
    "-d",
    "-w",
    "--verbose",
    "--",
    "-h",
    "aws_s3_bucket.logs",
    "logs-archive",
    "-chdir=..",
    "-target=aws_s3_bucket.logs",
]
PREFIXES = ["/infra", "/Infra", "/INFRA", "terraform", "Terraform", "/terraform", "/infar", "/infr", "/imfra"]


@st.composite
def typo(draw: st.DrawFn) -> str:
    """A vocabulary word, or the same with one character deleted, doubled, swapped or replaced."""
    word = draw(st.sampled_from(VOCABULARY))
    if len(word) < 2 or draw(st.booleans()):
        return word
    at = draw(st.integers(0, len(word) - 2))
    edit = draw(st.sampled_from(["delete", "double", "swap", "replace"]))
    if edit == "delete":
        return word[:at] + word[at + 1 :]
    if edit == "double":
        return word[: at + 1] + word[at:]
    if edit == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + draw(st.sampled_from("aeioulnrst")) + word[at + 1 :]


def suggestions(reply: Reply) -> list[str]:
    return [first or second for first, second in SUGGESTION.findall(reply.text)]


@settings(max_examples=1500)
@given(st.sampled_from(PREFIXES), st.lists(typo(), max_size=6))
def test_every_suggested_command_parses(prefix: str, words: list[str]) -> None:
    result = parse(" ".join([prefix, *words]))
    if isinstance(result, Reply):
        for line in suggestions(result):
            suggested = parse(line)
            assert isinstance(suggested, Command), (words, result.text, line, suggested)


def test_the_suggestion_check_sees_suggestions() -> None:
    """The property above is only as good as its extraction: it finds each kind of suggestion."""
    cases = {
        "/infra crate bucket logs-archive": ["/infra create bucket logs-archive"],
        "terraform plan": ["/infra plan"],
        "/infra create bucket": ["/infra create bucket logs-archive"],
        "/infra appely apply": ["/infra help apply"],
    }
    for text, expected in cases.items():
        result = parse(text)
        assert isinstance(result, Reply) and suggestions(result) == expected, (text, result)


PROJECT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/@-]{0,20}", fullmatch=True)
DIR_PART = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._ -]{0,10}", fullmatch=True).filter(lambda p: p == p.strip())
DIR = st.one_of(st.just("."), st.lists(DIR_PART, min_size=1, max_size=3).map("/".join))
WORKSPACE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True).filter(lambda w: ".." not in w)
# Words for Terraform after `--`: flags that are not blocked, plain words, words with spaces and quotes.
EXTRA = st.one_of(
    st.from_regex(r"-(target|var|replace|parallelism|refresh)=[A-Za-z0-9._\"'\[\] =-]{0,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9\"' .=:/-]{0,12}", fullmatch=True).filter(lambda w: not w.startswith("-")),
)
_MODULE = r"(module\.[a-z][a-z0-9_]{0,6}(\[[0-9]\])?\.)?"
_KEY = r'(\[[0-9]{1,2}\]|\["[a-z0-9 -]{0,6}"\])?'
ADDRESS = st.from_regex(_MODULE + r"(data\.)?aws_[a-z_]{1,8}\.[a-z][a-z0-9_-]{0,8}" + _KEY, fullmatch=True)
IMPORT_ID = st.from_regex(r"[A-Za-z0-9:/._ \"'=@+,-]{1,24}", fullmatch=True).filter(lambda i: not i.startswith("-"))


@st.composite
def run_commands(draw: st.DrawFn) -> RunsTerraform:
    flags: dict[str, object] = {}
    if draw(st.booleans()):
        flags["project"] = draw(PROJECT)
    else:
        if draw(st.booleans()):
            flags["dir"] = draw(DIR)
        if draw(st.booleans()):
            flags["workspace"] = draw(WORKSPACE)
    flags["verbose"] = draw(st.booleans())
    flags["extra_args"] = tuple(draw(st.lists(EXTRA, max_size=4)))
    form = draw(st.sampled_from(["plan", "apply", "import", "state rm"]))
    if form == "plan":
        return Plan(**flags)  # type: ignore[arg-type]
    if form == "apply":
        return Apply(**flags)  # type: ignore[arg-type]
    if form == "import":
        return Import(address=draw(ADDRESS), id=draw(IMPORT_ID), **flags)  # type: ignore[arg-type]
    return StateRm(addresses=tuple(draw(st.lists(ADDRESS, min_size=1, max_size=3))), **flags)  # type: ignore[arg-type]


@settings(max_examples=600)
@given(run_commands())
def test_every_valid_run_command_round_trips(command: RunsTerraform) -> None:
    line = render_command(command)  # type: ignore[arg-type]
    assert parse(line) == command, line
    # However it is wrapped or cased, as Atlantis reads it: backticks, spaces, the prefix's case.
    assert parse(f"  `{line}`\n") == command
    assert parse(line.replace("/infra", "/INFRA", 1)) == command


@given(st.sampled_from([None, *TOPICS]))
def test_help_round_trips(topic: str | None) -> None:
    assert parse(render_command(Help(topic))) == Help(topic)


@settings(max_examples=400)
@given(
    st.one_of(run_commands(), st.sampled_from([Help(), Help("plan")])),
    st.sampled_from(["\n", "\r\n", "\n\n", "\r", "\u2028"]),
    st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != "" and t.strip().strip("`").strip() != ""),
)
def test_a_command_followed_by_more_text_never_runs(command: Command, gap: str, more: str) -> None:
    """`/infra apply` then "not yet": whatever follows on later lines, the comment is answered, never run."""
    result = parse(render_command(command) + gap + more)
    assert isinstance(result, Reply) and result.text.startswith("Olympus did not run this comment"), result
    assert not isinstance(result, NotForMe)
