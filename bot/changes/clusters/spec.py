"""What a cluster is per cloud: its module, label and naming rule, and the network module it is built on."""

from __future__ import annotations

from bot.changes.locate import NamingRule
from bot.changes.resource_kinds import AWS_PROVIDER, GOOGLE_PROVIDER, KindSpec
from bot.domain.models import Cloud, ResourceKind

__all__ = ["CLUSTER_SPECS", "NETWORK_MODULE", "cluster_spec"]

# infra/<cloud>/modules/network: the VPC a cluster runs in, one per cluster (each call names its own).
NETWORK_MODULE = "network"

CLUSTER_SPECS: dict[Cloud, KindSpec] = {
    Cloud.AWS: KindSpec(
        cloud=Cloud.AWS,
        kind=ResourceKind.CLUSTER,
        module="eks",
        label="EKS cluster",
        plural="EKS clusters",
        name_argument="cluster_name",
        naming=NamingRule({"aws_eks_cluster": "name"}, ("cluster_name",)),
        provider=AWS_PROVIDER,
    ),
    Cloud.GCP: KindSpec(
        cloud=Cloud.GCP,
        kind=ResourceKind.CLUSTER,
        module="gke",
        label="GKE cluster",
        plural="GKE clusters",
        name_argument="cluster_name",
        naming=NamingRule({"google_container_cluster": "name"}, ("cluster_name",)),
        provider=GOOGLE_PROVIDER,
    ),
}


def cluster_spec(cloud: Cloud, kind: ResourceKind) -> KindSpec | None:
    """The cluster spec of `cloud` when `kind` is a cluster, else None (the other kinds live in resource_kinds)."""
    return CLUSTER_SPECS[cloud] if kind is ResourceKind.CLUSTER else None
