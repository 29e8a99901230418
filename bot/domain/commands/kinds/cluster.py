"""A Kubernetes cluster's options (EKS on AWS, GKE on GCP): version, node type and count, and the network's range."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from bot.domain.commands.kinds.rules import KindRules
from bot.domain.commands.wording import shown
from bot.domain.models import Cloud, ResourceKind
from bot.domain.regions import GCS_REGIONS

__all__ = ["CLUSTER", "CLUSTER_NODE_TYPES", "EKS_VERSION", "GKE_MACHINE_TYPE", "NODE_COUNT"]

# The Kubernetes minor versions EKS offers in standard or extended support, reviewed 2026-11 against
# https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html ; the default is the newest that
# Checkov's CKV_AWS_339 (supported versions) also knows.
EKS_VERSION = re.compile(r"1\.(29|3[0-9])")
DEFAULT_EKS_VERSION = "1.34"
# family.size, as for instances (kinds/instance.py).
EKS_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9-]{0,15}\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]{0,2}xlarge|metal)"
)
# series-kind[-vCPUs], e.g. e2-standard-2, n2d-highmem-8, c3-standard-4-lssd, e2-medium.
GKE_MACHINE_TYPE = re.compile(r"[a-z][a-z0-9]{0,5}-[a-z0-9]{1,12}(-[0-9]{1,3})?(-[a-z0-9]{1,8})?")
CLUSTER_NODE_TYPES: Mapping[Cloud, re.Pattern[str]] = {Cloud.AWS: EKS_INSTANCE_TYPE, Cloud.GCP: GKE_MACHINE_TYPE}
NODE_COUNT = (1, 100)  # per node group (EKS) or per zone (GKE); Olympus's own cap, far below either quota
# The network's range: big enough for nodes, pods and services of a small cluster, and a private range.
CIDR_PREFIXES = (16, 20)
GKE_DEFAULT_REGION = "us-central1"


def _problems(key: str, value: str) -> list[str]:
    if key == "kubernetes_version" and not EKS_VERSION.fullmatch(value):
        return [f"`version={shown(value)}` is not a Kubernetes version EKS offers; use one such as `1.34`"]
    if key == "node_type" and not any(pattern.fullmatch(value) for pattern in CLUSTER_NODE_TYPES.values()):
        return [
            f"`node_type={shown(value)}` is not a node type; use an EC2 instance type such as `t3.large` (EKS) or "
            "a machine type such as `e2-standard-2` (GKE)"
        ]
    if key in ("node_min", "node_max"):
        low, high = NODE_COUNT
        user = "min_nodes" if key == "node_min" else "max_nodes"
        if not (value.isascii() and value.isdigit() and len(value) <= 4 and low <= int(value) <= high):
            return [f"`{user}=` must be a whole number from {low} to {high}, not `{shown(value)}`"]
    if key == "cidr":
        return _cidr_problems(value)
    return []


def _cidr_problems(value: str) -> list[str]:
    low, high = CIDR_PREFIXES
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return [f"`cidr={shown(value)}` is not an IPv4 network such as `10.0.0.0/16` (its host bits zero)"]
    if not low <= network.prefixlen <= high:
        return [f"`cidr={value}` must be a /{low} to /{high} network, not a /{network.prefixlen}"]
    if not network.is_private or network.is_loopback or network.is_link_local:
        return [f"`cidr={value}` must be a private range (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)"]
    return []


def _normalized(key: str, value: str) -> str:
    return str(int(value)) if key in ("node_min", "node_max") else value


def _request_problems(cloud: Cloud, region: str, options: Mapping[str, str]) -> list[str]:
    """What no single setting shows: a node type of the other cloud, fewer max than min nodes, a GKE multi-region."""
    problems: list[str] = []
    node_type = options.get("node_type", "")
    if node_type and not CLUSTER_NODE_TYPES[cloud].fullmatch(node_type):
        example = "t3.large" if cloud is Cloud.AWS else "e2-standard-2"
        what = "an EC2 instance type" if cloud is Cloud.AWS else "a Compute Engine machine type"
        problems.append(f"`node_type={shown(node_type)}` is not {what}; use one such as `{example}`")
    low, high = options.get("node_min", ""), options.get("node_max", "")
    if low.isdigit() and high.isdigit() and int(low) > int(high):
        problems.append(f"`min_nodes={low}` is more than `max_nodes={high}`; raise max_nodes or lower min_nodes")
    if cloud is Cloud.GCP and region and region.lower() not in GCS_REGIONS:
        problems.append(
            f"a GKE cluster lives in one region, not `{shown(region)}`; use one such as `region={GKE_DEFAULT_REGION}`"
        )
    return problems


CLUSTER = KindRules(
    kind=ResourceKind.CLUSTER,
    example_name="apps",
    create_keys=("cloud", "version", "node_type", "min_nodes", "max_nodes", "cidr", "region", "env"),
    option_keys={
        "version": "kubernetes_version",
        "node_type": "node_type",
        "min_nodes": "node_min",
        "max_nodes": "node_max",
        "cidr": "cidr",
    },
    defaults={"node_min": "1", "node_max": "3", "cidr": "10.0.0.0/16"},
    problems=_problems,
    normalized=_normalized,
    key_synonyms={
        "kubernetes_version": "version",
        "k8s_version": "version",
        "instance_type": "node_type",
        "machine_type": "node_type",
        "node_count": "max_nodes",
        "nodes": "max_nodes",
        "vpc_cidr": "cidr",
    },
    cloud_defaults={
        Cloud.AWS: {"kubernetes_version": DEFAULT_EKS_VERSION, "node_type": "t3.large"},
        # GKE follows its release channel (REGULAR): no version to pin.
        Cloud.GCP: {"node_type": "e2-standard-2"},
    },
    default_region={Cloud.GCP: GKE_DEFAULT_REGION},
    request_problems=_request_problems,
)
