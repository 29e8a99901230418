"""The Action's drift summary (a row per project, hostile names kept in their cells) and the issue's `since`, read
back from the body Olympus wrote, as the Action's one-job store recalls it."""

from __future__ import annotations

from datetime import UTC, datetime

from markdown_safety import assert_renders_safely, tokens
from shown import shown

from bot.domain.drift import (
    DriftReport,
    DriftStatus,
    drift_report,
    render_drift_issue,
    render_resolved_issue,
    seen_since_of,
    sweep_as_dict,
)
from bot.domain.drift.summary import drift_summary
from bot.domain.models import Project

SINCE = datetime(2026, 12, 1, 8, 30, 42, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
HOSTILE = "x` | <img src=x onerror=alert(1)> @org/team [a](javascript:x)\n| forged | row |"
DEV = Project("aws-dev", "infra/aws/envs/dev")


def drifted(project: Project, after: str = "ops") -> DriftReport:
    drift = {
        "address": "aws_s3_bucket.logs",
        "mode": "managed",
        "change": {"actions": ["update"], "before": {"tags": {"team": "core"}}, "after": {"tags": {"team": after}}},
    }
    return drift_report(project, {"format_version": "1.2", "resource_drift": [drift], "errored": False}, 0)


def test_a_row_per_project_with_its_status_and_its_issue() -> None:
    reports = [
        drifted(DEV),
        DriftReport(Project("aws-prod", "infra/aws/envs/prod"), DriftStatus.CLEAN),
        DriftReport(Project("gcp", "infra/gcp", "staging"), DriftStatus.LOCKED, locked_by="acme/infra#7"),
        DriftReport(Project("broken", "infra/broken"), DriftStatus.ERROR, error="Init\nError: no such provider"),
    ]
    issues = {"aws-dev": ("opened", 12), "aws-prod": ("closed", 9), "gcp": ("none", 4)}
    text = drift_summary(
        "main", "0123456789abcdef", reports, issues, issues_url="https://github.com/acme/infra/issues", run_url="R"
    )
    assert text.startswith("### Drift of `main` at `0123456789ab`\n\n4 project(s) checked, 1 drifted.")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `aws-dev` | `infra/aws/envs/dev` | 🔀 drifted: 1 changed, 0 deleted outside Terraform (way out proposed: "
        "restore) | [#12](https://github.com/acme/infra/issues/12) opened |",
        "| `aws-prod` | `infra/aws/envs/prod` | ✅ clean | [#9](https://github.com/acme/infra/issues/9) closed |",
        "| `gcp` | `infra/gcp · staging` | 🔒 locked by acme/infra\\#7: not checked "
        "| [#4](https://github.com/acme/infra/issues/4) |",
        "| `broken` | `infra/broken` | ❌ error: Error\\: no such provider | — |",
    ]
    assert "no plan sees them" in shown(text)


def test_hostile_names_stay_in_their_cells() -> None:
    hostile = Project(HOSTILE, HOSTILE)
    reports = [drifted(hostile), DriftReport(DEV, DriftStatus.LOCKED, locked_by=HOSTILE)]
    text = drift_summary("main", "abc", reports, {}, issues_url="u", run_url="r")
    assert_renders_safely(text)
    rows = [t for t in tokens(text) if t.type == "tr_open"]
    assert len(rows) == 3  # the header and the two projects: no row forged
    assert not any(t.type in ("html_inline", "html_block", "image") for t in tokens(text))
    links = [t.attrs.get("href") for t in tokens(text) if t.type == "link_open"]
    assert links == ["r"]  # the run's, and no link a name made


def test_the_issue_says_since_when_to_the_minute_and_a_resolved_one_does_not() -> None:
    body = render_drift_issue("acme/infra", drifted(DEV), since=SINCE, checked_at=NOW)
    assert seen_since_of(body) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    # A value from the cloud that looks like the sentence comes after it: the first one is Olympus's.
    body = render_drift_issue(
        "acme/infra", drifted(DEV, "Seen since 1999-01-01 00:00 UTC, last checked "), since=SINCE, checked_at=NOW
    )
    assert seen_since_of(body) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert seen_since_of(render_resolved_issue("acme/infra", drifted(DEV), since=SINCE, checked_at=NOW)) is None
    assert seen_since_of(body.replace("2026-12-01 08:30", "2026-13-45 08:30")) is None  # a human's edit


def test_the_sweep_as_data_is_what_olympus_drift_json_prints() -> None:
    data = sweep_as_dict("acme/infra", "main", "abc", [drifted(DEV)], {}, now=NOW)
    assert set(data) == {"repo", "branch", "commit", "projects", "unseen"}
    (project,) = data["projects"]
    assert project["checked_at"] == NOW.isoformat() and project["since"] is None and project["status"] == "drifted"
