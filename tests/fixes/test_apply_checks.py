"""What a fix of a failed apply must change in its plan: a new name or an import for a name the cloud refused, a new
value for the attribute it rejected; a fix that leaves it as it was, or removes the resource, is not verified."""

from __future__ import annotations

from typing import Any

from bot.domain.fixes.apply_checks import apply_fix_problem, planned_resources
from bot.services.fix_evidence import RecordedFailure, recorded_failures


def plan(*changes: dict[str, Any]) -> dict[str, Any]:
    """A plan document's resource_changes, in `terraform show -json`'s shape."""
    return {"format_version": "1.2", "resource_changes": list(changes)}


def change(
    address: str, after: dict[str, Any], *, actions: tuple[str, ...] = ("create",), unknown: tuple[str, ...] = (),
    importing: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    type_, name = address.rsplit(".", 1)
    body: dict[str, Any] = {"actions": list(actions), "after": after, "after_unknown": dict.fromkeys(unknown, True)}
    if importing is not None:
        body["importing"] = {"id": importing}
    return {"address": address, "mode": "managed", "type": type_, "name": name, "change": body}


BUCKET = "aws_s3_bucket.assets"
UNFIXED = planned_resources(plan(change(BUCKET, {"bucket": "corpus-assets"}, unknown=("arn",))))


def check(failure_class: str, address: str, fixed: dict[str, Any], before: Any = UNFIXED) -> tuple[bool, str]:
    return apply_fix_problem(failure_class, address, before, planned_resources(fixed))


def test_a_taken_name_must_change() -> None:
    ok, why = check("name-taken", BUCKET, plan(change(BUCKET, {"bucket": "acme-assets"})))
    assert ok and why == "aws_s3_bucket.assets's bucket changes from 'corpus-assets' to 'acme-assets'"
    same = check("name-taken", BUCKET, plan(change(BUCKET, {"bucket": "corpus-assets", "tags": {"a": "b"}})))
    assert same == (False, "aws_s3_bucket.assets is still planned with bucket 'corpus-assets', the name that is taken")


def test_renaming_the_address_is_not_renaming_the_bucket() -> None:
    renamed = plan(change("aws_s3_bucket.site_assets", {"bucket": "corpus-assets"}))
    ok, why = check("name-taken", BUCKET, renamed)
    assert not ok and why.startswith("aws_s3_bucket.site_assets is still planned with bucket 'corpus-assets'")
    assert check("name-taken", BUCKET, plan(change("aws_s3_bucket.site", {"bucket": "site-7"})))[0]


def test_a_name_left_to_aws_or_a_removed_resource() -> None:
    prefixed = plan(change(BUCKET, {"bucket_prefix": "corpus-assets-"}, unknown=("bucket",)))
    assert check("name-taken", BUCKET, prefixed) == (
        True,
        "aws_s3_bucket.assets's bucket is left to AWS to choose (known after apply)",
    )  # noqa: E501
    assert check("name-taken", BUCKET, plan()) == (False, "the fix removes aws_s3_bucket.assets instead of fixing it")


def test_a_resource_that_exists_outside_is_imported_or_renamed() -> None:
    role = "aws_iam_role.ci"
    before = planned_resources(plan(change(role, {"name": "corpus-ci"})))
    imported = plan(change(role, {"name": "corpus-ci"}, actions=("update",), importing="corpus-ci"))
    assert check("exists-outside", role, imported, before) == (
        True,
        "aws_iam_role.ci is imported (id corpus-ci) instead of created",
    )  # noqa: E501
    assert check("exists-outside", role, plan(change(role, {"name": "corpus-ci-2"})), before)[0]
    ok, why = check("exists-outside", role, plan(change(role, {"name": "corpus-ci"})), before)
    assert not ok and "already in use in this account" in why
    # An import is no fix of a name someone else holds: only a new name is.
    assert not check("name-taken", role, plan(change(role, {"name": "corpus-ci"}, importing="corpus-ci")), before)[0]


def test_a_refused_value_must_change() -> None:
    web = "aws_instance.web"
    before = planned_resources(plan(change(web, {"ami": "ami-1", "instance_type": "t9.mega"})))
    fixed = plan(change(web, {"ami": "ami-1", "instance_type": "t3.micro"}))
    assert check("invalid-instance-type", web, fixed, before) == (
        True,
        "aws_instance.web's instance_type 't9.mega' → 't3.micro'",
    )  # noqa: E501
    assert not check("invalid-ami", web, fixed, before)[0]  # the AMI is still the refused one
    looked_up = plan(change(web, {"instance_type": "t9.mega"}, unknown=("ami",)))
    assert check("invalid-ami", web, looked_up, before)[0]


def test_other_classes_need_some_change_and_no_site_checks_only_the_plan() -> None:
    assert not check("unknown", BUCKET, plan(change(BUCKET, {"bucket": "corpus-assets"}, unknown=("arn",))))[0]
    assert check("unknown", BUCKET, plan(change(BUCKET, {"bucket": "corpus-assets", "acl": "private"})))[0]
    ok, why = check("name-taken", "", plan(change(BUCKET, {"bucket": "corpus-assets"})))
    assert ok and why.startswith("only the plan is checked")


def test_data_sources_and_odd_documents_are_skipped() -> None:
    found = planned_resources(
        {"resource_changes": [{"address": "data.aws_ami.x", "mode": "data", "type": "aws_ami"}, "noise", {}]}
    )
    assert found == {}


def test_a_doors_failed_apply_is_handed_to_the_loop_and_a_plan_is_not() -> None:
    output = "app: Error: creating S3 Bucket (logs): BucketAlreadyExists"
    assert recorded_failures("apply", ["app"], output) == {"app": RecordedFailure("apply", output)}
    assert recorded_failures("plan", ["app"], "Error: Unsupported argument") == {}  # the loop plans again itself
    assert recorded_failures("apply", ["app"], "") == {}  # nothing seen: the loop reproduces what it can
