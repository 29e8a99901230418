"""What each generated module makes from a resource's name, the limit of each, and so the longest name that fits."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Cloud, ResourceKind

__all__ = ["DERIVED", "DerivedName", "longest_name"]

# The module call's own file, infra/<cloud>/envs/<env>/<module>_<slug>.tf: Linux file systems take 255 bytes per
# path component (NAME_MAX), and the slug is the name with one "_" in front when it starts with a digit.
_NAME_MAX = "https://man7.org/linux/man-pages/man3/pathconf.3.html (NAME_MAX)"


@dataclass(frozen=True)
class DerivedName:
    """One attribute the kind's module (bot/changes/templates/terraform/modules/) builds from the name.

    Its value is the name, cut to `keeps` characters when the template cuts it with substr(), inside `added` fixed
    characters; `limit` is the most AWS, Google or the Terraform provider accepts, from `source`.
    """

    # "<resource type>.<argument>", "<resource type>.<argument>.<key>" for a map entry, or "file:..." for a file name
    attribute: str
    added: int
    limit: int
    source: str
    keeps: int | None = None

    def longest_name(self) -> int | None:
        """The longest name this attribute takes; None when the template's cut makes every name fit."""
        if self.keeps is not None:
            return None
        return self.limit - self.added

    def length_for(self, name_length: int) -> int:
        kept = name_length if self.keeps is None else min(name_length, self.keeps)
        return kept + self.added


def _file(module: str) -> DerivedName:
    return DerivedName(f"file:{module}_<slug>.tf", len(f"{module}__.tf"), 255, _NAME_MAX)


_S3_KMS_DESCRIPTION = len("Encrypts objects in S3 bucket .")
_LAMBDA_KMS_DESCRIPTION = len("Encrypts Lambda function : environment, logs, dead-letter queue.")
_EC2_SG_DESCRIPTION = len("Instance : no inbound traffic, HTTPS out to the VPC only (SSM and other VPC endpoints).")
_KMS_CREATE_KEY = (
    "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-Description"
)
# hashicorp/aws 3.x accepts an IAM role name_prefix of 1-32 characters; 4.0 and later take 64 - 26 = 38, the role
# name's 64 less the 26 of the unique suffix. Olympus supports 3.38 and later (bot/changes/resource_kinds.py).
_IAM_ROLE_PREFIX = (
    "https://github.com/hashicorp/terraform-provider-aws/blob/v3.39.0/aws/resource_aws_iam_role.go "
    "(name_prefix: StringLenBetween(1, 32)); https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"
)

DERIVED: dict[tuple[Cloud, ResourceKind], tuple[DerivedName, ...]] = {
    (Cloud.AWS, ResourceKind.BUCKET): (
        DerivedName(
            "aws_s3_bucket.bucket",
            0,
            63,
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        ),
        DerivedName("aws_kms_key.description", _S3_KMS_DESCRIPTION, 8192, _KMS_CREATE_KEY),
        # An object key prefix: keys are at most 1,024 bytes.
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
        DerivedName(
            "aws_s3_bucket_logging.target_prefix",
            1,
            1024,
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
        ),
        DerivedName(
            "aws_s3_bucket.target_prefix",
            1,
            1024,
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
        ),
        _file("s3_bucket"),
    ),
    (Cloud.GCP, ResourceKind.BUCKET): (
        DerivedName("google_storage_bucket.name", 0, 222, "https://cloud.google.com/storage/docs/buckets#naming"),
        DerivedName(
            "google_storage_bucket.log_object_prefix", 0, 1024, "https://cloud.google.com/storage/docs/objects#naming"
        ),
        _file("gcs_bucket"),
    ),
    (Cloud.AWS, ResourceKind.FUNCTION): (
        DerivedName(
            "aws_lambda_function.function_name",
            0,
            64,
            "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName",
        ),
        DerivedName(
            "aws_cloudwatch_log_group.name",
            len("/aws/lambda/"),
            512,
            "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
        ),
        DerivedName(
            "aws_sqs_queue.name",
            len("-dlq"),
            80,
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
        ),
        DerivedName("aws_kms_key.description", _LAMBDA_KMS_DESCRIPTION, 8192, _KMS_CREATE_KEY),
        DerivedName("aws_iam_role.name_prefix", 1, 32, _IAM_ROLE_PREFIX, keeps=31),
        _file("lambda_function"),
    ),
    (Cloud.AWS, ResourceKind.INSTANCE): (
        DerivedName(
            "aws_instance.tags.Name",
            0,
            256,
            "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions",
        ),
        DerivedName(
            "aws_security_group.description",
            _EC2_SG_DESCRIPTION,
            255,
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        ),
        # 3.x caps the prefix at 100; 5.x at 255 - 26.
        DerivedName(
            "aws_security_group.name_prefix",
            1,
            100,
            "https://github.com/hashicorp/terraform-provider-aws/blob/v3.39.0/aws/resource_aws_security_group.go",
            keeps=90,
        ),
        DerivedName("aws_iam_role.name_prefix", 1, 32, _IAM_ROLE_PREFIX, keeps=31),
        # 3.x caps the prefix at 64; 5.x at 128 - 26.
        DerivedName(
            "aws_iam_instance_profile.name_prefix",
            1,
            64,
            "https://github.com/hashicorp/terraform-provider-aws/blob/v3.39.0/aws/resource_aws_iam_instance_profile.go",
            keeps=31,
        ),
        _file("ec2_instance"),
    ),
}


def longest_name(cloud: Cloud, kind: ResourceKind) -> int:
    """The longest name that every attribute the kind's module derives from it takes."""
    return min(bound for d in DERIVED[(cloud, kind)] if (bound := d.longest_name()) is not None)
