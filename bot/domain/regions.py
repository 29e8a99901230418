"""The regions Olympus accepts: AWS regions and Cloud Storage locations, with did-you-mean checks."""

from __future__ import annotations

import difflib

from bot.domain.models import Cloud

__all__ = [
    "AWS_CHINA_REGIONS",
    "AWS_COMMERCIAL_REGIONS",
    "AWS_GOVCLOUD_REGIONS",
    "AWS_REGIONS",
    "DEFAULT_REGION",
    "GCS_DUAL_REGIONS",
    "GCS_MULTI_REGIONS",
    "GCS_REGIONS",
    "GCS_LOCATIONS",
    "canonical_region",
    "region_problem",
]

# The `aws` partition's regions, as in botocore's endpoints.json (tests check the two agree).
AWS_COMMERCIAL_REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)
AWS_GOVCLOUD_REGIONS: tuple[str, ...] = ("us-gov-east-1", "us-gov-west-1")
AWS_CHINA_REGIONS: tuple[str, ...] = ("cn-north-1", "cn-northwest-1")
AWS_REGIONS: frozenset[str] = frozenset(AWS_COMMERCIAL_REGIONS + AWS_GOVCLOUD_REGIONS + AWS_CHINA_REGIONS)

# https://cloud.google.com/storage/docs/locations — location names are case-insensitive.
GCS_MULTI_REGIONS: tuple[str, ...] = ("ASIA", "EU", "US")
# Predefined dual-regions; configurable ones (a pair of regions) are not supported by Olympus yet.
GCS_DUAL_REGIONS: tuple[str, ...] = ("ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4")
GCS_REGIONS: tuple[str, ...] = (
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
)
GCS_LOCATIONS: frozenset[str] = frozenset(GCS_MULTI_REGIONS + GCS_DUAL_REGIONS + GCS_REGIONS)

DEFAULT_REGION: dict[Cloud, str] = {Cloud.AWS: "us-east-1", Cloud.GCP: "US"}


def canonical_region(cloud: Cloud, region: str) -> str:
    """The spelling Olympus writes: AWS as given; GCS multi- and dual-regions upper case, regions lower case."""
    if cloud is Cloud.GCP:
        upper = region.upper()
        if upper in GCS_MULTI_REGIONS or upper in GCS_DUAL_REGIONS:
            return upper
        return region.lower()
    return region


def region_problem(cloud: Cloud, region: str) -> str | None:
    """None when the region is valid for the cloud; otherwise what is wrong, with the nearest valid region."""
    if cloud is Cloud.AWS:
        if region in AWS_REGIONS:
            return None
        known: list[str] = sorted(AWS_REGIONS)
        candidate = region.lower()
        what = "AWS region"
    else:
        if canonical_region(cloud, region) in GCS_LOCATIONS:
            return None
        known = sorted(GCS_LOCATIONS)
        candidate = canonical_region(cloud, region)
        what = "Cloud Storage location"
    # Quoted in markdown: cut short, and no backtick that could end the quote early.
    shown = (region if len(region) <= 40 else region[:40] + "...").replace("`", "'")
    message = f"`{shown}` is not an {what}" if what[0] == "A" else f"`{shown}` is not a {what}"
    matches = difflib.get_close_matches(candidate, known, n=1, cutoff=0.6)
    if matches:
        return f"{message}; did you mean `{matches[0]}`?"
    return f"{message}; use one such as `{DEFAULT_REGION[cloud]}`"
