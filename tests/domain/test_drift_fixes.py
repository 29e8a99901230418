"""The pieces of `/infra fix drift`'s pull requests: the restore's trailer, its branch, and drift → options."""

from __future__ import annotations

from bot.domain.branches import fix_drift_branch
from bot.domain.drift.fixes import adoption_of, restored_projects, restores_trailer
from bot.domain.plans import HIDDEN, AttributeChange, ResourceChange

BUCKET = "module.s3_bucket_logs.aws_s3_bucket.this"


def drifted(address: str, *changes: tuple[str, object, object], action: str = "update") -> ResourceChange:
    attributes = tuple(AttributeChange(name, old, new) for name, old, new in changes)
    return ResourceChange(address, action, (action,), attributes=attributes)


def test_the_trailer_names_the_project_and_is_read_back_from_any_commit_once() -> None:
    messages = [
        f"Restore dev\n\nOlympus-Command: /infra fix drift restore\n{restores_trailer('infra/aws/envs/dev')}\n",
        "Unrelated\n\nnot a trailer: Olympus-Restores-Drift: prod\n",
        f"Again\n\n{restores_trailer('infra/aws/envs/dev')}\n{restores_trailer('staging')}",
    ]
    assert restored_projects(messages) == ("infra/aws/envs/dev", "staging")
    assert restored_projects(["Olympus-Restores-Drift:   \n"]) == ()


def test_one_branch_per_project_and_way_told_apart_when_the_name_is_not_readable() -> None:
    assert fix_drift_branch("aws-dev", "restore") == "infra/fix-drift-aws-dev-restore"
    assert fix_drift_branch("aws-dev", "adopt") == "infra/fix-drift-aws-dev-adopt"
    dev = fix_drift_branch("infra/aws/envs/dev", "restore")
    assert dev.startswith("infra/fix-drift-infra-aws-envs-dev-restore.") and len(dev.rsplit(".", 1)[1]) == 8
    assert dev != fix_drift_branch("infra-aws/envs/dev", "restore")


def test_generated_modules_settings_become_their_update_options() -> None:
    resources = [
        drifted(BUCKET, ("versioning[0].enabled", True, False)),
        drifted(
            "module.s3_bucket_logs.aws_s3_bucket_versioning.this",
            ("versioning_configuration[0].status", "Enabled", "Suspended"),
        ),
        drifted("module.ec2_instance_web.aws_instance.this", ("instance_type", "t3.micro", "t3.small")),
        drifted(
            "module.lambda_function_resize.aws_lambda_function.this",
            ("memory_size", 256, 512),
            ("timeout", 30, 60),
            ("runtime", "python3.12", "python3.13"),
            ("last_modified", "2026-01-01", "2026-12-03"),  # follows from the others
        ),
    ]
    adoption = adoption_of(resources)
    assert adoption.possible and adoption.problems == ()
    assert dict(adoption.options) == {
        "s3_bucket_logs": (("versioning", "off"),),
        "ec2_instance_web": (("instance_type", "t3.small"),),
        "lambda_function_resize": (("memory_mb", "512"), ("runtime", "python3.13"), ("timeout_s", "60")),
    }


def test_what_no_option_carries_is_named_and_stops_the_adoption() -> None:
    adoption = adoption_of(
        [
            drifted(BUCKET, ("versioning[0].enabled", True, False), ('tags_all["owner"]', None, "mallory")),
            drifted("module.s3_bucket_logs.aws_s3_bucket_public_access_block.this", action="delete"),
            drifted("aws_s3_bucket.by_hand", ("versioning[0].enabled", True, False)),
            drifted("module.lambda_function_f.aws_lambda_function.this", ("memory_size", 256, HIDDEN)),
        ]
    )
    assert not adoption.possible
    assert adoption.problems == (
        f'{BUCKET}: tags_all["owner"] is no setting of its module call',
        "module.s3_bucket_logs.aws_s3_bucket_public_access_block.this was deleted outside Terraform: a deletion is "
        "restored, not adopted",
        "aws_s3_bucket.by_hand is not inside a module call Olympus generates",
        "module.lambda_function_f.aws_lambda_function.this: memory_size is hidden (sensitive, or known only later)",
    )


def test_two_readings_of_one_option_that_disagree_are_not_adopted() -> None:
    adoption = adoption_of(
        [
            drifted(BUCKET, ("versioning[0].enabled", True, False)),
            drifted(
                "module.s3_bucket_logs.aws_s3_bucket_versioning.this",
                ("versioning_configuration[0].status", "Suspended", "Enabled"),
            ),
        ]
    )
    assert adoption.problems == (
        "module.s3_bucket_logs.aws_s3_bucket_versioning.this reads versioning otherwise than the rest of module "
        "s3_bucket_logs",
    )
    assert not adoption_of([]).possible  # nothing drifted: nothing to adopt
