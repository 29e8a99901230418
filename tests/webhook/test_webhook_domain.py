"""bot.domain.webhooks: the signature check (GitHub's test vector), routing of real payloads, required fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.webhooks import (
    HANDLED,
    MAX_NESTING,
    MAX_PAYLOAD_BYTES,
    Event,
    Ignored,
    Invalid,
    delivery_id_problem,
    parse_payload,
    route,
    sign,
    signature_is_valid,
)


def test_githubs_published_signature_vector_verifies(fixtures_dir: Path) -> None:
    vector = json.loads((fixtures_dir / "github-webhooks" / "signature-test-vector.json").read_text())
    secret, body = vector["secret"].encode(), vector["payload"].encode()
    assert sign(secret, body) == vector["expected_signature"]
    assert signature_is_valid(secret, body, vector["expected_signature"])


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18",  # last digit changed
        "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17",  # GitHub sends lower case
        " sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\u00e9",
    ],
)
def test_signatures_that_are_not_exactly_right_are_refused(header: str | None) -> None:
    assert not signature_is_valid(b"It's a Secret to Everybody", b"Hello, World!", header)


def test_the_signature_covers_the_raw_bytes_and_the_secret() -> None:
    good = sign(b"s3cret", b'{"a": 1}')
    assert signature_is_valid(b"s3cret", b'{"a": 1}', good)
    assert not signature_is_valid(b"s3cret", b'{"a":1}', good)  # same JSON, other bytes
    assert not signature_is_valid(b"other", b'{"a": 1}', good)
    assert not signature_is_valid(b"", b'{"a": 1}', sign(b"", b'{"a": 1}'))  # an empty secret verifies nothing


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=40))
def test_sign_then_verify_round_trips(body: bytes, secret: bytes) -> None:
    assert signature_is_valid(secret, body, sign(secret, body))


HANDLED_EXAMPLES = [
    ("issue_comment", "issue_comment/created.with-installation", "Codertocat/Hello-World", 1, None, 1),
    ("issue_comment", "issue_comment/created", "Codertocat/Hello-World", 1, None, None),
    ("issues", "issues/opened", "Codertocat/Hello-World", 1, None, None),
    ("issues", "issues/opened.with-empty-body", "Codertocat/Hello-World", 1, None, None),
    ("pull_request", "pull_request/opened", "Codertocat/Hello-World", 2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821", 1),
    ("pull_request", "pull_request/synchronize", "Codertocat/Hello-World", 2, None, 1),
    ("pull_request", "pull_request/reopened", "Codertocat/Hello-World", 2, None, 1),
    ("pull_request", "pull_request/closed", "Codertocat/Hello-World", 2, None, 1),
    ("pull_request_review", "pull_request_review/submitted", "Codertocat/Hello-World", 2, None, 1),
    ("check_run", "check_run/rerequested", "github/hello-world", None, None, 1),
    ("installation", "installation/created", None, None, None, 957387),
    ("installation", "installation/deleted", None, None, None, 2),
    ("installation", "installation/suspend", None, None, None, 16598467),
    ("installation_repositories", "installation_repositories/added", None, None, None, 957387),
    ("installation_repositories", "installation_repositories/removed", None, None, None, 2),
]


@pytest.mark.parametrize(("event", "name", "repo", "number", "head_sha", "installation"), HANDLED_EXAMPLES)
def test_real_payloads_of_handled_events_become_events(
    example: Any,
    event: str,
    name: str,
    repo: str | None,
    number: int | None,
    head_sha: str | None,
    installation: int | None,
) -> None:
    payload = example(name)
    routed = route(event, payload)
    assert isinstance(routed, Event), routed
    assert (routed.name, routed.action) == (event, payload["action"])
    assert routed.kind == f"{event}.{payload['action']}"
    assert (routed.repo, routed.number, routed.installation_id) == (repo, number, installation)
    assert routed.sender == payload["sender"]["login"]
    if head_sha is not None:
        assert routed.head_sha == head_sha
    if event in ("pull_request", "pull_request_review", "check_run"):
        assert routed.head_sha and len(routed.head_sha) == 40


def test_a_review_event_carries_the_reviewed_commit(example: Any) -> None:
    payload = example("pull_request_review/submitted")
    routed = route("pull_request_review", payload)
    assert isinstance(routed, Event) and routed.head_sha == payload["review"]["commit_id"]


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("issue_comment", "issue_comment/edited"),
        ("issue_comment", "issue_comment/deleted"),
        ("issues", "issues/labeled"),
        ("pull_request", "pull_request/labeled"),
        ("pull_request", "pull_request/ready_for_review"),
        ("pull_request_review", "pull_request_review/dismissed"),
        ("check_run", "check_run/completed"),
    ],
)
def test_other_actions_of_handled_events_are_ignored(example: Any, event: str, name: str) -> None:
    routed = route(event, example(name))
    assert isinstance(routed, Ignored) and event in routed.reason


def test_events_olympus_does_not_handle_are_ignored(examples_dir: Path) -> None:
    for event in ("ping", "push", "star", "workflow_run"):
        payload_file = next(iter(sorted((examples_dir / event).glob("*.json"))), None)
        payload = json.loads(payload_file.read_text()) if payload_file else {"zen": "Keep it logically awesome."}
        assert isinstance(route(event, payload), Ignored)


def test_every_handled_event_has_an_extractor() -> None:
    for event in HANDLED:
        assert not isinstance(route(event, {"action": "created"}), Event)  # empty payloads never pass


@pytest.mark.parametrize(
    ("event", "name", "remove", "named"),
    [
        ("issue_comment", "issue_comment/created.with-installation", ("comment", "body"), "comment.body"),
        ("issue_comment", "issue_comment/created.with-installation", ("issue", "number"), "issue.number"),
        ("issue_comment", "issue_comment/created.with-installation", ("repository",), "repository.full_name"),
        ("issue_comment", "issue_comment/created.with-installation", ("installation", "id"), "installation.id"),
        ("issues", "issues/opened", ("issue", "user"), "issue.user.login"),
        ("pull_request", "pull_request/synchronize", ("pull_request", "head"), "pull_request.head"),
        ("pull_request", "pull_request/opened", ("pull_request", "number"), "pull_request.number"),
        ("pull_request_review", "pull_request_review/submitted", ("review", "commit_id"), "review.commit_id"),
        ("check_run", "check_run/rerequested", ("check_run", "head_sha"), "check_run.head_sha"),
        ("installation", "installation/created", ("installation",), "installation.id"),
        ("installation_repositories", "installation_repositories/added", ("sender",), "sender.login"),
    ],
)
def test_a_handled_event_missing_a_field_it_needs_is_invalid_and_names_it(
    example: Any, event: str, name: str, remove: tuple[str, ...], named: str
) -> None:
    payload = example(name)
    holder = payload
    for key in remove[:-1]:
        holder = holder[key]
    del holder[remove[-1]]
    routed = route(event, payload)
    assert isinstance(routed, Invalid)
    assert named.split(".")[0] in routed.reason and routed.reason.startswith(f"{event}.{payload['action']}")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("issue", "number"), "1", "must be an integer"),
        (("issue", "number"), True, "must be an integer"),
        (("comment", "body"), 42, "must be a string"),
        (("repository", "full_name"), "", "is empty"),
        (("installation",), {"id": "1"}, "must be an integer"),
        (("action",), None, "needs a string 'action'"),
    ],
)
def test_fields_of_the_wrong_type_are_invalid(example: Any, path: tuple[str, ...], value: Any, expected: str) -> None:
    payload = example("issue_comment/created.with-installation")
    holder = payload
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    routed = route("issue_comment", payload)
    assert isinstance(routed, Invalid) and expected in routed.reason


@pytest.mark.parametrize(
    ("login", "kind"), [("olympus-app[bot]", "Bot"), ("dependabot[bot]", "User"), ("renovate", "Bot")]
)
def test_comments_and_issues_by_bots_are_ignored(example: Any, login: str, kind: str) -> None:
    for event, name in (("issue_comment", "issue_comment/created.with-installation"), ("issues", "issues/opened")):
        payload = example(name)
        payload["sender"] = {**payload["sender"], "login": login, "type": kind}
        routed = route(event, payload)
        assert isinstance(routed, Ignored) and login in routed.reason


def test_pull_requests_from_bots_are_still_events(example: Any) -> None:
    payload = example("pull_request/synchronize")
    payload["sender"] = {**payload["sender"], "login": "renovate[bot]", "type": "Bot"}
    assert isinstance(route("pull_request", payload), Event)


def test_a_comment_on_a_pull_request_is_an_issue_comment_event(fixtures_dir: Path) -> None:
    atlantis = fixtures_dir / "github-webhooks/atlantis-testdata/server/controllers/events/testdata"
    payload = json.loads((atlantis / "githubIssueCommentEvent.json").read_text())
    routed = route("issue_comment", payload)
    assert isinstance(routed, Event) and routed.number == payload["issue"]["number"]
    assert "pull_request" in payload["issue"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"payload=%7B%7D", "not JSON"),  # a hook set to form encoding
        (b'{"a": "\xff"}', "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": 1e999}', "too large"),
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    parsed = parse_payload(body)
    assert isinstance(parsed, Invalid) and reason in parsed.reason


def test_a_json_object_parses() -> None:
    assert parse_payload(b'{"action": "created", "n": 1.5}') == {"action": "created", "n": 1.5}


@pytest.mark.parametrize(
    ("delivery", "ok"),
    [
        ("72d3162e-cc78-11e3-81ab-4c9367dc0958", True),
        (None, False),
        ("  ", False),
        ("x" * 201, False),
        ("a b", False),
        ("id\n", False),
    ],
)
def test_delivery_ids(delivery: str | None, ok: bool) -> None:
    assert (delivery_id_problem(delivery) is None) == ok


def test_the_size_cap_is_githubs() -> None:
    assert MAX_PAYLOAD_BYTES == 25 * 1024 * 1024


@pytest.mark.parametrize(
    "number",
    [b"9" * 5000, str(2**70).encode(), str(2**63).encode(), str(-(2**63) - 1).encode(), b"-" + b"1" * 4301],
)
def test_integers_beyond_64_bits_are_refused_with_a_reason_not_a_value_error(number: bytes) -> None:
    parsed = parse_payload(b'{"installation": {"id": ' + number + b"}}")
    assert isinstance(parsed, Invalid) and "does not fit in 64 bits" in parsed.reason
    assert len(parsed.reason) < 200  # a 5,000-digit number is not echoed back whole


def test_integers_at_the_64_bit_bounds_parse() -> None:
    assert parse_payload(f'{{"a": {2**63 - 1}, "b": {-(2**63)}, "c": -0}}'.encode()) == {
        "a": 2**63 - 1,
        "b": -(2**63),
        "c": 0,
    }


def test_nesting_is_bounded_below_what_recursion_can_take() -> None:
    def nested(depth: int) -> bytes:
        return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)

    assert isinstance(parse_payload(nested(MAX_NESTING)), dict)
    refused = parse_payload(nested(MAX_NESTING + 1))
    assert isinstance(refused, Invalid) and "nests too deeply" in refused.reason
    listed = parse_payload(b'{"a": ' + b"[" * MAX_NESTING + b"]" * MAX_NESTING + b"}")
    assert isinstance(listed, Invalid) and "nests too deeply" in listed.reason


OUT_OF_RANGE = [
    (("installation", "id"), 0, "'installation.id' must be an integer from 1 to 9223372036854775807"),
    (("installation", "id"), -1, "'installation.id' must be an integer from 1"),
    (("installation", "id"), 2**63, "'installation.id' must be an integer from 1"),
    (("installation", "id"), 2**70, "'installation.id' must be an integer from 1"),
    (("installation", "id"), 1.0, "'installation.id' must be an integer"),
    (("issue", "number"), 0, "'issue.number' must be an integer from 1"),
    (("comment", "id"), -5, "'comment.id' must be an integer from 1"),
    (("repository", "full_name"), "../etc", "'repository.full_name' is not a repository's owner/name"),
    (("repository", "full_name"), "owner/..", "is not a repository's owner/name"),
    (("repository", "full_name"), "owner", "is not a repository's owner/name"),
    (("repository", "full_name"), "a/b/c", "is not a repository's owner/name"),
    (("repository", "full_name"), "o/" + "n" * 1100, "'repository.full_name' is longer than 1024 characters"),
    (("sender", "login"), "evil user", "'sender.login' is not a GitHub login"),
    (("sender", "login"), "x\x00", "'sender.login' is not a GitHub login"),
    (("comment", "user", "login"), "-", "'comment.user.login' is not a GitHub login"),
    (("comment", "body"), "x" * 65_537, "'comment.body' is longer than 65536 characters"),
    (("action",), "Created", "needs a string 'action' of lower-case letters"),
    (("action",), "created" * 10, "needs a string 'action' of lower-case letters"),
]


@pytest.mark.parametrize(("path", "value", "expected"), OUT_OF_RANGE)
def test_values_a_column_or_a_worker_cannot_take_are_invalid_and_named(
    example: Any, path: tuple[str, ...], value: Any, expected: str
) -> None:
    payload = example("issue_comment/created.with-installation")
    holder = payload
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    routed = route("issue_comment", payload)
    assert isinstance(routed, Invalid) and expected in routed.reason, routed


def test_ids_at_the_top_of_the_64_bit_range_are_events(example: Any) -> None:
    payload = example("issue_comment/created.with-installation")
    payload["installation"]["id"] = payload["issue"]["number"] = payload["comment"]["id"] = 2**63 - 1
    payload["comment"]["body"] = "x" * 65_536
    routed = route("issue_comment", payload)
    assert isinstance(routed, Event) and routed.installation_id == routed.number == 2**63 - 1


@pytest.mark.parametrize(
    ("event", "name", "change", "expected"),
    [
        ("pull_request", "pull_request/opened", ("pull_request", "head", "sha", "HEAD"), "is not a commit id"),
        ("pull_request", "pull_request/opened", ("pull_request", "head", "sha", "A" * 40), "is not a commit id"),
        ("pull_request", "pull_request/opened", ("pull_request", "number", -2), "must be an integer from 1"),
        ("pull_request", "pull_request/opened", ("pull_request", "base", "ref", 7), "must be a string"),
        ("pull_request_review", "pull_request_review/submitted", ("review", "state", "ok!"), "is not a word"),
        ("check_run", "check_run/rerequested", ("check_run", "id", True), "'check_run.id' must be an integer"),
        (
            "check_run",
            "check_run/rerequested",
            ("check_run", "pull_requests", [{"number": 1}, {"number": 2**64}]),
            "'check_run.pull_requests[1].number' must be an integer from 1",
        ),
        (
            "check_run",
            "check_run/rerequested",
            ("check_run", "pull_requests", ["#1"]),
            "'check_run.pull_requests[0]' must be an object",
        ),
        ("issues", "issues/opened", ("issue", "labels", [{"name": 7}]), "'issue.labels[0].name' must be a string"),
        ("issues", "issues/opened", ("issue", "labels", "infra-request"), "'issue.labels' must be a list"),
        (
            "installation",
            "installation/created",
            ("repositories", [{"full_name": "octo/.."}]),
            "'repositories[0].full_name' is not a repository's owner/name",
        ),
        (
            "installation_repositories",
            "installation_repositories/added",
            ("repositories_added", {"full_name": "octo/x"}),
            "'repositories_added' must be a list",
        ),
    ],
)
def test_fields_workers_read_are_checked_too(
    example: Any, event: str, name: str, change: tuple[Any, ...], expected: str
) -> None:
    payload = example(name)
    *path, value = change
    holder = payload
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    routed = route(event, payload)
    assert isinstance(routed, Invalid) and expected in routed.reason, routed


def test_a_sha256_commit_id_and_an_empty_repository_list_are_accepted(example: Any) -> None:
    payload = example("pull_request/opened")
    payload["pull_request"]["head"]["sha"] = "ab" * 32
    assert isinstance(route("pull_request", payload), Event)
    installed = example("installation/created")
    installed["repositories"] = []
    assert isinstance(route("installation", installed), Event)
