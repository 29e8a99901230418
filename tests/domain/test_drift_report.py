"""Drift reports from plan JSON: statuses, attributes leaf by leaf, secrets hidden, the way out, since, the record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.drift import (
    DriftCheck,
    DriftStatus,
    WayOut,
    drift_detail,
    drift_report,
    errored,
    first_error_line,
    locked,
    next_since,
    report_as_dict,
)
from bot.domain.models import Project
from bot.domain.sensitive import SensitiveValues

PROJECT = Project("aws-dev", "infra/aws/envs/dev")
T0 = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
SECRET = "hunter2-very-secret"


def drift_entry(address: str, actions: list[str], before: Any, after: Any, **change: Any) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": address.split(".")[-2],
        "change": {"actions": actions, "before": before, "after": after, **change},
    }


def refresh_plan(*drift: dict[str, Any], module_calls: dict[str, Any] | None = None) -> dict[str, Any]:
    """A refresh-only plan document as `terraform show -json` writes it: resource_drift, no resource_changes."""
    return {
        "format_version": "1.2",
        "resource_drift": list(drift),
        "configuration": {"root_module": {"module_calls": module_calls or {}}},
        "applyable": bool(drift),
        "complete": True,
        "errored": False,
    }


BUCKET_BEFORE = {"bucket": "logs", "tags": {"team": "core"}, "versioning": [{"enabled": True, "mfa_delete": False}]}
BUCKET_AFTER = {
    "bucket": "logs",
    "tags": {"team": "hacked", "cost-center:x": "9"},
    "versioning": [{"enabled": False, "mfa_delete": False}],
}


def test_no_drift_and_no_changes_is_clean_and_changes_alone_are_unapplied() -> None:
    assert drift_report(PROJECT, refresh_plan(), 0).status is DriftStatus.CLEAN
    unapplied = drift_report(PROJECT, refresh_plan(), 2)
    assert unapplied.status is DriftStatus.UNAPPLIED and unapplied.code_differs and not unapplied.resources


def test_attribute_changes_are_listed_leaf_by_leaf_and_deletions_as_deleted() -> None:
    report = drift_report(
        PROJECT,
        refresh_plan(
            drift_entry("aws_s3_bucket.logs", ["update"], BUCKET_BEFORE, BUCKET_AFTER),
            drift_entry("aws_s3_bucket.gone", ["delete"], {"bucket": "gone"}, None),
        ),
        2,
    )
    assert report.status is DriftStatus.DRIFTED
    changed, deleted = report.changed[0], report.deleted[0]
    assert [(a.name, a.before, a.after) for a in changed.attributes] == [
        ('tags["cost-center:x"]', "null", '"9"'),
        ('tags["team"]', '"core"', '"hacked"'),
        ("versioning[0].enabled", "true", "false"),
    ]
    assert deleted.address == "aws_s3_bucket.gone" and deleted.action == "delete"
    assert report.way_out is WayOut.RESTORE  # a deletion is never adopted


def test_a_providers_null_to_empty_rewrite_is_not_drift() -> None:
    # hashicorp/aws 3.x reads an unset `tags` back as {}: Terraform lists it, its normal plan says "No changes".
    before, after = {"tags": None, "rule": [{"tags": None}]}, {"tags": {}, "rule": [{"tags": {}}]}
    entry = drift_entry("aws_kms_key.k", ["update"], before, after)
    assert drift_report(PROJECT, refresh_plan(entry), 0).status is DriftStatus.CLEAN


def test_sensitive_values_are_never_shown_wherever_they_went() -> None:
    before = {"tags": {"token": SECRET}, "tags_all": {"token": SECRET, "team": "a"}, "password": SECRET}
    after = {"tags": {"token": "new-secret-value"}, "tags_all": {"token": "new-secret-value", "team": "b"}}
    entry = drift_entry(
        "aws_db_instance.db",
        ["update"],
        before,
        after,
        before_sensitive={"tags": {"token": True}, "password": True},
        after_sensitive={"tags": {"token": True}},
    )
    report = drift_report(PROJECT, refresh_plan(entry), 2, SensitiveValues([SECRET]))
    shown = json.dumps(report_as_dict(report, checked_at=T0, since=T0))
    assert SECRET not in shown and "new-secret-value" not in shown
    names = {a.name: (a.before, a.after) for a in report.resources[0].attributes}
    assert names["tags"] == ("(sensitive value)", "(sensitive value)")  # a hidden change is still a change
    assert names['tags_all["team"]'] == ('"a"', '"b"')


def _module_drift(address: str) -> dict[str, Any]:
    # Versioning suspended outside Terraform: a setting the generated module's call carries (versioning=off).
    return drift_entry(address, ["update"], {"versioning": [{"enabled": True}]}, {"versioning": [{"enabled": False}]})


@pytest.mark.parametrize(
    ("source", "way_out"),
    [
        ("../../modules/s3_bucket", WayOut.ADOPT),  # infra/aws/modules/s3_bucket: Olympus wrote it
        ("../../../../vendor/modules/x", WayOut.RESTORE),  # vendor/modules/x: someone else's
        ("terraform-aws-modules/s3-bucket/aws", WayOut.RESTORE),  # a registry module: not Olympus's to edit
    ],
)
def test_drift_is_adopted_only_in_modules_olympus_generated(source: str, way_out: WayOut) -> None:
    plan = refresh_plan(_module_drift("module.logs.aws_s3_bucket.this"), module_calls={"logs": {"source": source}})
    assert drift_report(PROJECT, plan, 2).way_out is way_out


def test_drift_no_option_of_the_module_call_carries_is_restored() -> None:
    tags = drift_entry("module.logs.aws_s3_bucket.this", ["update"], {"tags": {"a": "1"}}, {"tags": {"a": "2"}})
    plan = refresh_plan(tags, module_calls={"logs": {"source": "../../modules/s3_bucket"}})
    assert drift_report(PROJECT, plan, 2).way_out is WayOut.RESTORE  # no option sets a bucket's tags


def test_drift_of_a_resource_the_root_declares_itself_is_restored() -> None:
    plan = refresh_plan(_module_drift("aws_s3_bucket.this"))
    assert drift_report(PROJECT, plan, 2).way_out is WayOut.RESTORE


def test_since_is_kept_while_drift_lasts_and_forgotten_once_it_is_gone() -> None:
    later = T0 + timedelta(hours=6)
    assert next_since(None, DriftStatus.DRIFTED, T0) == T0
    drifted = DriftCheck("acme/infra", "aws-dev", T0, DriftStatus.DRIFTED, since=T0)
    assert next_since(drifted, DriftStatus.DRIFTED, later) == T0
    assert next_since(drifted, DriftStatus.LOCKED, later) == T0  # a check that could not look changes nothing
    assert next_since(drifted, DriftStatus.ERROR, later) == T0
    assert next_since(drifted, DriftStatus.CLEAN, later) is None
    assert next_since(drifted, DriftStatus.UNAPPLIED, later) is None


def test_the_record_keeps_addresses_and_counts_never_values() -> None:
    report = drift_report(
        PROJECT, refresh_plan(drift_entry("aws_s3_bucket.logs", ["update"], BUCKET_BEFORE, BUCKET_AFTER)), 2
    )
    detail = drift_detail(report)
    assert detail["changed"] == 1 and detail["deleted"] == 0 and detail["way_out"] == "restore"
    assert detail["addresses"][0]["address"] == "aws_s3_bucket.logs"
    assert "hacked" not in json.dumps(detail)
    assert drift_detail(locked(PROJECT, "infra/create-bucket-x-dev"))["locked_by"] == "infra/create-bucket-x-dev"


def test_an_error_is_recorded_by_the_line_that_says_what_failed() -> None:
    error = "terraform plan failed (exit 1):\n│ Error: No valid credential sources found\n│\n│ more"
    assert first_error_line(error) == "│ Error: No valid credential sources found"
    assert drift_detail(errored(PROJECT, error))["error"] == "│ Error: No valid credential sources found"
    assert first_error_line("") == ""
