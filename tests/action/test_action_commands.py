"""The Action's plumbing: inputs, modes, workflow-command escaping, multi-line outputs and the credentials seam."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.domain.models import Finding, Severity
from bot.entrypoints.action import resolve_mode, run_action
from bot.entrypoints.action_inputs import ActionInputs, read_inputs
from bot.entrypoints.action_job import credentials_env, mask_credentials
from bot.entrypoints.action_workflow import annotation_for, escape_data, escape_property, output_lines
from bot.errors import UserError


def test_messages_and_properties_are_escaped_as_the_runner_expects() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_a_finding_becomes_an_annotation_that_cannot_inject_a_command() -> None:
    finding = Finding(
        "CKV_AWS_18",
        Severity.HIGH,
        "no logging\n::add-mask::x",
        "aws_s3_bucket.a",
        "infra/a,b:c.tf",
        0,
        link="https://x",
    )
    line = annotation_for(finding, "repository")
    assert line == (
        "::error file=repository/infra/a%2Cb%3Ac.tf,line=1,title=CKV_AWS_18::"
        "HIGH: no logging%0A::add-mask::x (aws_s3_bucket.a)%0Ahttps://x"
    )
    assert "\n" not in line
    low = Finding("CKV_AWS_21", Severity.MEDIUM, "t", "", "main.tf", 3)
    assert annotation_for(low).startswith("::warning file=main.tf,line=3,")


def test_outputs_use_random_delimiters_that_no_value_can_close() -> None:
    text = output_lines({"plans": '[{"a": 1}]\nsecond line', "add": "1"})
    first, second = text.split("\n")[0], text.split("\n")[4]
    assert first.startswith("plans<<ghadelimiter_") and second.startswith("add<<ghadelimiter_")
    assert first.split("<<")[1] != second.split("<<")[1]
    assert text.split("\n")[1:3] == ['[{"a": 1}]', "second line"]
    assert text.split("\n")[3] == first.split("<<")[1]


def test_inputs_are_read_from_either_form_and_checked() -> None:
    inputs = read_inputs(
        {
            "INPUT_PROJECTS": "aws-dev, aws-prod\n",
            "INPUT_AWS-PLAN-ROLE": "arn:aws:iam::1:role/plan",
            "OLYMPUS_COMMENT_MODE": "off",
            "INPUT_GITHUB_TOKEN": "ghs_secretvalue",
        }
    )
    assert inputs.projects == ("aws-dev", "aws-prod")
    assert inputs.aws_plan_role == "arn:aws:iam::1:role/plan"
    assert inputs.comment_mode == "off" and inputs.mode == "auto" and inputs.terraform_binary == "embedded"
    assert "ghs_secretvalue" not in repr(inputs)
    with pytest.raises(UserError, match="comment-mode"):
        read_inputs({"INPUT_COMMENT_MODE": "loud"})


@pytest.mark.parametrize(
    ("mode", "event", "expected"),
    [
        ("auto", "pull_request", "plan"),
        ("auto", "issue_comment", "apply"),
        ("auto", "pull_request_review", "apply"),
        ("plan", "pull_request", "plan"),
        ("apply", "issue_comment", "apply"),
    ],
)
def test_the_mode_follows_the_event(mode: str, event: str, expected: str) -> None:
    assert resolve_mode(ActionInputs(mode=mode), {"action": "opened"}, event) == expected


@pytest.mark.parametrize("mode", ["auto", "plan"])
def test_a_closed_pull_request_releases_its_locks_instead_of_planning(mode: str) -> None:
    assert resolve_mode(ActionInputs(mode=mode), {"action": "closed"}, "pull_request") == "unlock"


@pytest.mark.parametrize(
    ("mode", "event", "reference"),
    [
        ("auto", "pull_request_target", "unsafe-event"),
        ("plan", "pull_request_target", "unsafe-event"),
        ("plan", "issue_comment", "wrong-event"),
        ("auto", "push", "unsupported-event"),
    ],
)
def test_events_olympus_does_not_plan_on_are_refused(mode: str, event: str, reference: str) -> None:
    with pytest.raises(UserError) as refused:
        resolve_mode(ActionInputs(mode=mode), {}, event)
    assert refused.value.reference == reference


def test_without_role_inputs_there_are_no_cloud_credentials() -> None:
    assert credentials_env("plan", ActionInputs()) == {}


def test_role_inputs_outside_actions_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_REPOSITORY", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UserError) as refused:
        credentials_env("plan", ActionInputs(aws_plan_role="arn:aws:iam::1:role/plan"))
    assert refused.value.reference == "not-in-actions"


def test_every_credential_is_masked_except_plain_settings() -> None:
    lines: list[str] = []
    mask_credentials(
        {"AWS_ACCESS_KEY_ID": "ASIAX", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_REGION": "eu-west-1"}, lines.append
    )
    assert lines == ["::add-mask::ASIAX", "::add-mask::s3cr3t"]


def test_an_apply_without_a_github_token_says_which_permissions_to_grant(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"issue": {"number": 3, "pull_request": {"url": "x"}}, "comment": {"body": "/infra apply"}})
    )
    env = {
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo-org/infra",
        "GITHUB_SHA": "0" * 40,
        "RUNNER_TEMP": str(tmp_path),
    }
    with pytest.raises(UserError) as refused:
        run_action(env, lambda line: None)
    assert refused.value.reference == "no-github-token"
    assert "actions: read" in refused.value.hint and "pull-requests: read" in refused.value.hint


def test_github_refusing_the_jobs_token_names_the_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.entrypoints.action as action
    from bot.ports import CodeHostError

    def refused(*args: object) -> None:
        raise CodeHostError(
            "create refs/olympus/locks/x in octo-org/infra", "HTTP 403: Resource not accessible", status=403
        )

    monkeypatch.setattr(action, "_step", lambda mode: refused)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "opened", "pull_request": {"number": 3}}))
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo-org/infra",
        "GITHUB_SHA": "0" * 40,
        "RUNNER_TEMP": str(tmp_path),
    }
    with pytest.raises(UserError) as error:
        run_action(env, lambda line: None)
    assert error.value.reference == "github-refused"
    assert "create refs/olympus/locks/x" in error.value.message and "HTTP 403" in error.value.message
    assert "contents: write" in error.value.hint and "actions: read" in error.value.hint


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("/infra apply\nnot yet, waiting for review", "Olympus did not run this comment"),
        ("/infra applied it myself", "unknown verb `applied`"),
        ("/infra apply-later", "unknown verb `apply-later`"),
    ],
)
def test_an_apply_comment_with_more_than_the_command_applies_nothing(tmp_path: Path, body: str, says: str) -> None:
    """The workflow starts the job for any comment beginning `/infra apply`; the job reads it as the App does."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"issue": {"number": 3, "pull_request": {"url": "x"}}, "comment": {"body": body}}))
    summary = tmp_path / "summary.md"
    env = {
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo-org/infra",
        "GITHUB_SHA": "0" * 40,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    # No token, no GitHub: the job stops before it reads anything, let alone applies.
    assert run_action(env, lambda line: None) == 2
    text = summary.read_text()
    assert text.startswith("### Not run") and says in text
