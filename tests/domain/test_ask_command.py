"""`/infra ask`, `@olympus` and the `infra-request` label: which comments and issues are requests in plain words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.commands import Ask, Create, Help, NotForMe, Plan, Reply, parse, parse_request, render_command
from bot.domain.permissions import command_kind
from bot.domain.plain_requests import after_mention, comment_request, in_words, issue_request

FORM_BODY = "### What do you need?\n\nA bucket for the billing exports\n\n### Environment\n\ndev\n\n### Cloud\n\naws"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/infra ask a bucket for logs", Ask("a bucket for logs")),
        ("/Infra ASK a bucket\nin Ireland, for dev\n", Ask("a bucket\nin Ireland, for dev")),
        ("/infra ask\na bucket", Ask("a bucket")),
        ("`/infra ask a bucket`", Ask("a bucket")),
        ("/infra ask name it `logs`", Ask("name it `logs`")),  # its own backticks are the request's
        ("/infra ask --help", Help("ask")),
        ("/infra help ask", Help("ask")),
    ],
)
def test_ask_takes_the_rest_of_the_comment_later_lines_included(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_ask_without_words_says_what_it_needs_and_near_misses_get_the_nearest_form() -> None:
    empty = parse("/infra ask   ")
    assert isinstance(empty, Reply) and "needs a request in plain words" in empty.text
    misspelled = parse("/infra aks a bucket")
    assert isinstance(misspelled, Reply) and misspelled.text.endswith("did you mean `/infra ask a bucket`?")
    assert isinstance(parse("/infra asked"), Reply)  # not `ask` followed by "ed"


def test_only_ask_is_exempt_from_the_alone_rule() -> None:
    not_run = parse("/infra apply\n/infra ask apply it")
    assert isinstance(not_run, Reply) and not_run.text.startswith("Olympus did not run this comment")


def test_an_issue_body_that_asks_is_all_request() -> None:
    assert parse_request("/infra ask a bucket\nfor the billing exports") == Ask("a bucket\nfor the billing exports")


@settings(max_examples=300)
@given(st.text(min_size=1, max_size=200).map(str.strip).filter(lambda t: t and t.lower() not in ("-h", "--help")))
def test_ask_round_trips(text: str) -> None:
    assert parse(render_command(Ask(text))) == Ask(text)


def test_asking_needs_what_create_needs() -> None:
    assert command_kind(Ask("a bucket")) == "create"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("@olympus make me a bucket", Ask("make me a bucket")),
        ("  @Olympus, a bucket\nfor logs", Ask("a bucket\nfor logs")),
        ("@olympus[bot]: a bucket", Ask("a bucket")),
        ("@olympus-ci a bucket", NotForMe()),  # another account
        ("thanks @olympus", NotForMe()),  # a mention further on is not addressed to it
        ("@olympus /infra plan", Plan()),  # a command after the mention runs as typed
        ("@olympus", Help()),  # the commands, not a model's reading of nothing
        ("@olympus help", Help()),
        ("/infra ask /infra ask a bucket", Ask("a bucket")),
        ("/infra ask /infra plan", Plan()),
        ("/infra plan", Plan()),
        ("just a comment", NotForMe()),
    ],
)
def test_what_a_comment_asks_for(body: str, expected: object) -> None:
    assert comment_request(body) == expected


def test_a_mention_after_the_grammar_keeps_its_not_alone_rule() -> None:
    result = comment_request("@olympus /infra apply\nnot yet")
    assert isinstance(result, Reply) and result.text.startswith("Olympus did not run this comment")


def test_the_mention_is_a_setting() -> None:
    assert comment_request("@infra-bot a bucket", "infra-bot") == Ask("a bucket")
    assert comment_request("@olympus a bucket", "infra-bot") == NotForMe()
    assert after_mention("@infra.bot x", "infra.bot") == "x" and after_mention("@infraxbot x", "infra.bot") is None


def test_a_labelled_issue_is_its_whole_body_and_an_unlabelled_one_only_its_command() -> None:
    assert issue_request(FORM_BODY, ["infra-request"]) == Ask(FORM_BODY)
    assert issue_request(FORM_BODY, ["bug"]) == NotForMe()
    create = issue_request("/infra create bucket logs-archive\nfor the logs", ["infra-request"])
    assert isinstance(create, Create)  # the grammar first: the command is run as typed
    assert issue_request("/infra ask a bucket\nfor logs", []) == Ask("a bucket\nfor logs")


def test_words_that_are_a_command_are_the_command() -> None:
    assert in_words("  /infra plan ") == Plan()
    assert in_words("a bucket") == Ask("a bucket")
    assert isinstance(in_words("/infra appely"), Reply)
