"""`/infra create cluster NAME ...`: parsing, defaults per cloud, did-you-mean, and the round trip to a tool call."""

from __future__ import annotations

import pytest

from bot.domain.commands import Create, Reply, parse, render_command, to_tool_call
from bot.domain.commands.help import help_text
from bot.domain.models import Cloud, ResourceKind, ResourceRequest


def _created(text: str) -> ResourceRequest:
    result = parse(text)
    assert isinstance(result, Create), result
    return result.request


def test_an_eks_cluster_gets_aws_defaults() -> None:
    request = _created("/infra create cluster apps cloud=aws env=dev")
    assert (request.cloud, request.kind, request.name, request.env, request.region) == (
        Cloud.AWS,
        ResourceKind.CLUSTER,
        "apps",
        "dev",
        "us-east-1",
    )
    assert dict(request.options) == {
        "cidr": "10.0.0.0/16",
        "kubernetes_version": "1.34",
        "node_max": "3",
        "node_min": "1",
        "node_type": "t3.large",
    }


def test_a_gke_cluster_gets_a_region_and_no_version() -> None:
    request = _created("/infra create cluster apps cloud=gcp env=dev")
    assert request.region == "us-central1"
    assert dict(request.options) == {
        "cidr": "10.0.0.0/16",
        "node_max": "3",
        "node_min": "1",
        "node_type": "e2-standard-2",
    }


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        (
            "/infra create cluster apps version=1.33 node_type=m7g.large min_nodes=2 max_nodes=5 env=prod",
            "create_eks_cluster",
        ),
        ("/infra create cluster apps cloud=gcp region=europe-west1 cidr=172.16.0.0/16", "create_gke_cluster"),
    ],
)
def test_cluster_commands_round_trip_and_map_to_their_tool(text: str, tool: str) -> None:
    result = parse(text)
    assert isinstance(result, Create)
    assert parse(render_command(result)) == result
    name, arguments = to_tool_call(result)
    assert name == tool and arguments["name"] == "apps"
    assert isinstance(arguments["node_min"], int) and isinstance(arguments["node_max"], int)
    assert ("kubernetes_version" in arguments) is (tool == "create_eks_cluster")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/infra create cluster apps nodetype=t3.large", "did you mean `node_type=`?"),
        ("/infra create cluster apps verison=1.33", "did you mean `version=`?"),
        ("/infra create cluster apps instance_type=t3.large", "did you mean `node_type=`?"),
        ("/infra create clustr apps", "did you mean `/infra create cluster apps`?"),
        ("/infra create eks apps", "did you mean `/infra create cluster apps cloud=aws`?"),
        ("/infra create cluster apps cloud=gcp version=1.33", "`version=` applies to a cluster on `aws` only"),
        ("/infra create cluster apps cloud=gcp node_type=t3.large", "not a Compute Engine machine type"),
        ("/infra create cluster apps node_type=e2-standard-2", "not an EC2 instance type"),
        ("/infra create cluster apps min_nodes=4 max_nodes=2", "`min_nodes=4` is more than `max_nodes=2`"),
        ("/infra create cluster apps max_nodes=0", "from 1 to 100"),
        ("/infra create cluster apps cidr=8.8.0.0/16", "must be a private range"),
        ("/infra create cluster apps cidr=10.0.0.0/8", "must be a /16 to /20 network"),
        ("/infra create cluster apps cidr=10.0.0.1/16", "not an IPv4 network"),
        ("/infra create cluster apps version=2.0", "not a Kubernetes version EKS offers"),
        ("/infra create cluster apps cloud=gcp region=US", "a GKE cluster lives in one region"),
        ("/infra create cluster Apps", "cluster names must be lowercase; use `apps`"),
        ("/infra create cluster 1apps", "cluster names must start with a letter"),
        ("/infra create cluster apps_1", "not `_`"),
        ("/infra create cluster " + "a" * 33, "cluster names must be 1–32 characters"),
        ("/infra update cluster apps max_nodes=5", "does not update them"),
        ("/infra destroy cluster apps", "does not destroy them"),
    ],
)
def test_mistakes_are_named_with_the_fix(text: str, expected: str) -> None:
    result = parse(text)
    assert isinstance(result, Reply), result
    assert expected in result.text


def test_help_create_lists_the_cluster_kind() -> None:
    text = help_text(topic="create")
    assert "create cluster NAME" in text and "bucket|instance|function|cluster" in text
    assert "EKS" in text and "GKE" in text
