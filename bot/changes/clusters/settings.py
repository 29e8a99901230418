"""A cluster request's options → the two module calls' arguments (network, then cluster), and the reviewers' notes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.changes.hcl_render import Reference
from bot.domain.commands.kinds.cluster import CLUSTER
from bot.domain.models import Cloud, ResourceRequest

__all__ = ["ClusterCalls", "OptionProblem", "cluster_calls"]

Arguments = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class ClusterCalls:
    """The arguments of the network's and the cluster's module calls, which of them the request spelled out (an
    existing cluster is "the same" when these match), and what reviewers should know."""

    network: Arguments
    cluster: Arguments
    requested_network: Arguments
    requested_cluster: Arguments
    notes: tuple[str, ...]


@dataclass(frozen=True)
class OptionProblem:
    message: str
    hint: str


def cluster_calls(request: ResourceRequest, network_call: str, region: str) -> ClusterCalls | OptionProblem:
    """The module arguments for `request`; `network_call` is the network's module name the cluster refers to."""
    allowed = CLUSTER.defaults_for(request.cloud)
    options = {**allowed, **dict(request.options)}
    unknown = sorted(key for key in dict(request.options) if key not in allowed)
    if unknown:
        return OptionProblem(
            f"{', '.join(unknown)} does not apply to a cluster on {request.cloud.value}.",
            f"A cluster on {request.cloud.value} takes: {', '.join(sorted(allowed))}.",
        )
    problems = [problem for key, value in sorted(options.items()) for problem in CLUSTER.problems(key, value)]
    problems += CLUSTER.request_problems(request.cloud, region, options)
    if problems:
        return OptionProblem("; ".join(problems) + ".", "Ask again with the settings corrected.")
    node_type, low, high = options["node_type"], int(options["node_min"]), int(options["node_max"])
    cidr = options["cidr"]
    network: Arguments = (("name", request.name), ("cidr", cidr))
    if request.cloud is Cloud.AWS:
        version = options["kubernetes_version"]
        cluster: Arguments = (
            ("cluster_name", request.name),
            ("kubernetes_version", version),
            ("subnet_ids", Reference(f"module.{network_call}.private_subnet_ids")),
            ("node_instance_type", node_type),
            ("node_min", low),
            ("node_max", high),
        )
        requested_cluster = _requested(cluster, request, {"kubernetes_version", "node_type", "node_min", "node_max"})
        notes = (
            f"Kubernetes {version} on EKS; a managed node group of {low} to {high} {node_type} nodes in the private "
            "subnets (the default AMI EKS picks for that version; set `ami_type` in the module for Graviton types).",
            f"Network: a VPC on {cidr} over 3 availability zones of {region}, public and private subnets, one NAT "
            "gateway (set nat_gateway_per_zone = true in the network call for one per zone).",
        )
    else:
        network = (("name", request.name), ("region", region), ("cidr", cidr))
        cluster = (
            ("cluster_name", request.name),
            ("region", region),
            ("network", Reference(f"module.{network_call}.network")),
            ("subnetwork", Reference(f"module.{network_call}.subnetwork")),
            ("pods_range_name", Reference(f"module.{network_call}.pods_range_name")),
            ("services_range_name", Reference(f"module.{network_call}.services_range_name")),
            ("control_plane_cidr", Reference(f"module.{network_call}.control_plane_cidr")),
            ("authorized_cidr", Reference(f"module.{network_call}.cidr")),
            ("node_machine_type", node_type),
            ("node_min", low),
            ("node_max", high),
        )
        requested_cluster = _requested(cluster, request, {"node_type", "node_min", "node_max"})
        notes = (
            f"A regional GKE cluster in {region} on the REGULAR release channel; one node pool autoscaled from {low} "
            f"to {high} {node_type} nodes per zone.",
            f"Network: a VPC with one subnet on {cidr} (nodes, then pods and services as secondary ranges), Cloud "
            "Router and NAT for the private nodes.",
        )
    given = dict(request.options)
    requested_network = tuple((key, value) for key, value in network if key == "cidr" and "cidr" in given)
    return ClusterCalls(network, cluster, requested_network, requested_cluster, notes)


# The request's option key for each cluster-call argument that holds a literal setting.
_ARGUMENT_OPTIONS = {
    "kubernetes_version": "kubernetes_version",
    "node_instance_type": "node_type",
    "node_machine_type": "node_type",
    "node_min": "node_min",
    "node_max": "node_max",
}


def _requested(arguments: Arguments, request: ResourceRequest, keys: set[str]) -> Arguments:
    given = dict(request.options)
    return tuple(
        (name, value)
        for name, value in arguments
        if _ARGUMENT_OPTIONS.get(name) in keys and _ARGUMENT_OPTIONS[name] in given
    )
