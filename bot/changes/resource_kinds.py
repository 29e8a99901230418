"""What Olympus can create per cloud and kind: the module it uses, how the thing is named, its provider."""

from __future__ import annotations

from dataclasses import dataclass

from bot.changes.locate import NamingRule
from bot.changes.provider_pins import ProviderPolicy
from bot.domain.models import Cloud, ResourceKind

AWS_PROVIDER = ProviderPolicy(
    source="hashicorp/aws",
    default_constraint="~> 5.0",
    oldest_supported=(3, 38, 0),
    why_oldest="the env's providers.tf uses `default_tags`, added in 3.38.0",
)
GOOGLE_PROVIDER = ProviderPolicy(
    source="hashicorp/google",
    default_constraint="~> 6.0",
    oldest_supported=(5, 0, 0),
    why_oldest="the env's providers.tf uses `default_labels`, added in 5.0.0",
)

# Where a Terraform provider block and required_providers entry call each provider.
PROVIDER_NAMES = {Cloud.AWS: "aws", Cloud.GCP: "google"}
DEFAULT_REGIONS = {Cloud.AWS: "us-east-1", Cloud.GCP: "US"}


@dataclass(frozen=True)
class KindSpec:
    """One kind Olympus generates for one cloud."""

    cloud: Cloud
    kind: ResourceKind
    module: str  # the directory under infra/<cloud>/modules/, and the prefix of module calls and files
    label: str  # "S3 bucket", for titles and messages
    plural: str
    name_argument: str  # the module argument holding the cloud name
    naming: NamingRule
    provider: ProviderPolicy
    # Bucket names are unique across the whole cloud, so a name taken in another env is taken here too.
    globally_unique: bool = False


SPECS: dict[tuple[Cloud, ResourceKind], KindSpec] = {
    (Cloud.AWS, ResourceKind.BUCKET): KindSpec(
        cloud=Cloud.AWS,
        kind=ResourceKind.BUCKET,
        module="s3_bucket",
        label="S3 bucket",
        plural="S3 buckets",
        name_argument="bucket_name",
        naming=NamingRule({"aws_s3_bucket": "bucket"}, ("bucket_name", "bucket")),
        provider=AWS_PROVIDER,
        globally_unique=True,
    ),
    (Cloud.AWS, ResourceKind.INSTANCE): KindSpec(
        cloud=Cloud.AWS,
        kind=ResourceKind.INSTANCE,
        module="ec2_instance",
        label="EC2 instance",
        plural="EC2 instances",
        name_argument="instance_name",
        naming=NamingRule({"aws_instance": "tags.Name"}, ("instance_name",)),
        provider=AWS_PROVIDER,
    ),
    (Cloud.AWS, ResourceKind.FUNCTION): KindSpec(
        cloud=Cloud.AWS,
        kind=ResourceKind.FUNCTION,
        module="lambda_function",
        label="Lambda function",
        plural="Lambda functions",
        name_argument="function_name",
        naming=NamingRule({"aws_lambda_function": "function_name"}, ("function_name",)),
        provider=AWS_PROVIDER,
    ),
    (Cloud.GCP, ResourceKind.BUCKET): KindSpec(
        cloud=Cloud.GCP,
        kind=ResourceKind.BUCKET,
        module="gcs_bucket",
        label="GCS bucket",
        plural="GCS buckets",
        name_argument="bucket_name",
        naming=NamingRule({"google_storage_bucket": "name"}, ("bucket_name", "bucket", "name")),
        provider=GOOGLE_PROVIDER,
        globally_unique=True,
    ),
}


def spec_for(cloud: Cloud, kind: ResourceKind) -> KindSpec | None:
    return SPECS.get((cloud, kind))
