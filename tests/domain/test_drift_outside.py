"""Planned creates that may exist outside Terraform: which are probed, the import blocks written for them, and how
Terraform's "no such object" answers are read; then how such a resource shows in the report and the issue."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from markdown_safety import assert_renders_safely

from bot.domain.drift import DriftStatus, WayOut, drift_report, render_drift_issue
from bot.domain.drift.outside import ImportTarget, import_blocks, import_candidates, not_found, probe_failed_otherwise
from bot.domain.models import Project

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def create(address: str, kind: str, after: dict[str, Any], actions: tuple[str, ...] = ("create",)) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": kind, "change": {"actions": list(actions), "after": after}}


def test_only_creates_of_types_whose_id_the_plan_knows_are_probed() -> None:
    plan = {
        "resource_changes": [
            create("module.b.aws_s3_bucket.this", "aws_s3_bucket", {"bucket": "logs"}),
            create("aws_lambda_function.f", "aws_lambda_function", {"function_name": "resize"}),
            create("aws_s3_bucket.later", "aws_s3_bucket", {}),  # the name is known only after apply
            create("aws_instance.web", "aws_instance", {"ami": "ami-1"}),  # the cloud picks an instance's id
            create("aws_s3_bucket.kept", "aws_s3_bucket", {"bucket": "kept"}, ("update",)),
            create('aws_s3_bucket.odd["a"]', "aws_s3_bucket", {"bucket": 'x"\n}\nresource "evil" {'}),
            {"address": "data.aws_s3_bucket.d", "mode": "data", "type": "aws_s3_bucket", "change": {}},
        ]
    }
    assert import_candidates(plan) == [
        ImportTarget("aws_lambda_function.f", "resize"),
        ImportTarget("module.b.aws_s3_bucket.this", "logs"),
    ]


def test_import_blocks_name_the_address_and_quote_the_id() -> None:
    text = import_blocks([ImportTarget('module.b["eu"].aws_s3_bucket.this', "logs")])
    assert 'import {\n  to = module.b["eu"].aws_s3_bucket.this\n  id = "logs"\n}\n' in text
    assert text.startswith("# ")


def diagnostic(summary: str, *, address: str | None = None, detail: str = "", severity: str = "error") -> str:
    body: dict[str, Any] = {"severity": severity, "summary": summary, "detail": detail}
    if address is not None:
        body["address"] = address
    return json.dumps({"@level": "error", "type": "diagnostic", "diagnostic": body})


def test_no_such_object_answers_name_their_address_in_the_field_or_the_detail() -> None:
    lines = "\n".join(
        [
            json.dumps({"type": "version", "terraform": "1.11.4"}),
            diagnostic("Cannot import non-existent remote object", address="module.b.aws_s3_bucket.this"),
            diagnostic(
                "Cannot import non-existent remote object",
                detail='While attempting to import an existing object to\n"aws_iam_role.r", the provider detected',
            ),
            "not json",
        ]
    )
    assert not_found(lines) == {"module.b.aws_s3_bucket.this", "aws_iam_role.r"}
    assert not probe_failed_otherwise(lines)
    assert probe_failed_otherwise(lines + "\n" + diagnostic("Error acquiring the state lock"))
    assert not probe_failed_otherwise(diagnostic("Deprecated attribute", severity="warning"))


def test_a_resource_found_outside_terraform_is_drift_adopted_by_default_and_shown_in_the_issue() -> None:
    target = ImportTarget("module.s3_bucket_logs.aws_s3_bucket.this", "logs")
    project = Project("infra/aws/envs/dev", "infra/aws/envs/dev")
    report = drift_report(project, {"resource_drift": []}, 2, imports=(target,))
    assert report.status is DriftStatus.DRIFTED and report.way_out is WayOut.ADOPT
    assert [r.action for r in report.outside] == ["outside"] and not report.changed and not report.deleted
    body = render_drift_issue("acme/infra", report, since=NOW, checked_at=NOW)
    assert "0 changed, 0 deleted, 1 created. " in body
    row = "| `module.s3_bucket_logs.aws_s3_bucket.this` | | _not in the state_ | _created outside Terraform_, id "
    assert row + '`"logs"` |' in body
    _, rest = body.split("\n", 1)
    assert_renders_safely(rest, inert=True)

    deleted = {"address": "aws_s3_bucket_policy.p", "mode": "managed", "change": {"actions": ["delete"]}}
    mixed = drift_report(project, {"resource_drift": [deleted]}, 2, imports=(target,))
    assert mixed.way_out is WayOut.RESTORE  # a deletion is always restored
