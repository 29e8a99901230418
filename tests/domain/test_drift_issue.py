"""The drift issue's body: marker first, a table of resources and attributes, since and last checked, the ways out;
hostile names from the cloud or the code cannot break out of the marker, a code span or the table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markdown_safety import assert_renders_safely, tokens

from bot.domain.drift import (
    DriftStatus,
    drift_marker,
    drift_marker_of,
    drift_report,
    render_drift_issue,
    render_resolved_issue,
)
from bot.domain.models import Project

SINCE = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
HOSTILE = "x` | <img src=x onerror=alert(1)> --> @org/team [a](javascript:x) \u202e\n| forged | row |"


def plan_with(*drift: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "resource_drift": list(drift), "errored": False}


def entry(address: str, actions: list[str], before: Any, after: Any) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "change": {"actions": actions, "before": before, "after": after}}


def test_the_body_has_the_marker_the_table_the_times_and_both_ways_out() -> None:
    report = drift_report(
        Project("aws-dev", "infra/aws/envs/dev"),
        plan_with(
            entry("aws_s3_bucket.logs", ["update"], {"tags": {"team": "core"}}, {"tags": {"team": "ops"}}),
            entry("aws_s3_bucket_policy.logs", ["delete"], {"policy": "{}"}, None),
        ),
        2,
    )
    body = render_drift_issue("acme/infra", report, since=SINCE, checked_at=NOW)
    first, rest = body.split("\n", 1)
    assert first == "<!-- olympus:drift repo=acme/infra project=aws-dev -->"
    assert drift_marker_of(body) == ("acme/infra", "aws-dev")
    assert '| `aws_s3_bucket.logs` | `tags["team"]` | `"core"` | `"ops"` |' in rest
    assert "| `aws_s3_bucket_policy.logs` | | exists | _deleted outside Terraform_ |" in rest
    assert "Seen since 2026-12-01 08:30 UTC, last checked 2026-12-02 20:00 UTC." in rest
    assert "`/infra fix drift restore` (proposed)" in rest and "`/infra fix drift adopt`" in rest
    assert_renders_safely(rest, inert=True)


def test_hostile_addresses_values_and_names_stay_inside_their_cells() -> None:
    report = drift_report(
        Project(HOSTILE, "infra/aws/envs/dev"),
        plan_with(entry(f'aws_s3_bucket.b["{HOSTILE}"]', ["update"], {"tags": {HOSTILE: HOSTILE}}, {"tags": {}})),
        2,
    )
    body = render_drift_issue(f"acme/{HOSTILE}", report, since=SINCE, checked_at=NOW)
    first, rest = body.split("\n", 1)
    assert first.count("-->") == 1 and first.endswith(" -->")  # the names cannot close the marker early
    assert drift_marker_of(body) == (f"acme/{HOSTILE}", HOSTILE)
    assert_renders_safely(rest, inert=True)
    assert "\u202e" not in body and "\\u202e" in body  # shown, not obeyed
    table_rows = [line for line in rest.split("\n") if line.startswith("| ") and "resource" not in line]
    assert len(table_rows) == 1  # the newline and pipes in the names forged no row
    cells = [t for t in tokens(rest) if t.type == "td_open"]
    assert len(cells) == 4


def test_the_resolved_body_says_the_drift_is_gone() -> None:
    report = drift_report(Project("aws-dev", "infra/aws/envs/dev"), plan_with(), 0)
    assert report.status is DriftStatus.CLEAN
    body = render_resolved_issue("acme/infra", report, since=SINCE, checked_at=NOW)
    assert body.startswith(drift_marker("acme/infra", "aws-dev") + "\n")
    assert "The drift seen since 2026-12-01 08:30 UTC is gone" in body and "closes this issue" in body
    assert_renders_safely(body.split("\n", 1)[1], inert=True)


def test_a_long_drift_is_cut_under_githubs_limit_and_counted() -> None:
    before, after = {"tags": {"a": "1" * 100}}, {"tags": {"a": "2"}}
    many = [entry(f"aws_s3_bucket.b{i}", ["update"], before, after) for i in range(900)]
    report = drift_report(Project("aws-dev", "infra/aws/envs/dev"), plan_with(*many), 2)
    body = render_drift_issue("acme/infra", report, since=SINCE, checked_at=NOW)
    assert len(body) < 65_536
    assert "| … and 600 more rows | | | |" in body
