"""Which tool belongs to which domain server: the tools grouped by name, at most MAX_TOOLS a domain.

A new tool joins a domain by adding its name here (tests/tools/test_domains.py fails for a tool in none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["DOMAINS", "LEGACY_ONLY", "MAX_TOOLS", "Domain", "domain_named"]

# A model picks among a few tools well and among many worse; each server stays within this many.
MAX_TOOLS: Final = 8


@dataclass(frozen=True)
class Domain:
    """One domain server: its name, what it is for in a line (the router shows it), and its tools' names."""

    name: str
    summary: str
    tools: tuple[str, ...]
    read_only: bool = False


DOMAINS: Final = (
    Domain(
        "aws",
        "AWS Terraform: propose S3 buckets, EC2 instances, Lambda functions and EKS clusters (with their VPC), "
        "changes to one, or its removal.",
        (
            "create_s3_bucket",
            "create_ec2_instance",
            "create_lambda_function",
            "create_eks_cluster",
            "update_aws_resource",
            "destroy_aws_resource",
        ),
    ),
    Domain(
        "gcp",
        "Google Cloud Terraform: propose Cloud Storage buckets and GKE clusters (with their VPC), changes to one, "
        "or its removal.",
        ("create_gcs_bucket", "create_gke_cluster", "update_gcp_resource", "destroy_gcp_resource"),
    ),
    Domain(
        "helm",
        "Helm releases: propose values edits and chart version moves; read only, list releases and render one.",
        ("set_helm_values", "upgrade_chart", "render_release", "list_releases"),
    ),
    Domain(
        "argocd",
        "Argo CD applications: propose a new application; read only, list applications and read one's sync and "
        "health status. No tool syncs: Olympus syncs after a reviewed merge.",
        ("create_app", "list_applications", "get_application_status"),
    ),
    Domain(
        "state",
        "Read only: projects, plan summaries, locks, the resources Olympus manages, health and tool metrics.",
        ("list_projects", "get_plan_summary", "list_locks", "list_managed_resources", "ping", "metrics"),
        read_only=True,
    ),
)

# Served by build_server's single server only: each cloud's server has its own destroy and update, the cloud fixed.
LEGACY_ONLY: Final = frozenset({"destroy_resource", "update_resource"})


def domain_named(name: str) -> Domain:
    """The domain called `name`; KeyError for any other."""
    for domain in DOMAINS:
        if domain.name == name:
            return domain
    raise KeyError(name)
