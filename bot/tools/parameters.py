"""The tools' parameters: what each means, and the domain's limits on it, as the input schemas advertise them.

Every limit comes from the domain's own constants. Pydantic checks only each argument's type: the limits go into the
schema alone (`json_schema_extra`), because the domain checks them (bot/domain/commands/requests.py), names the nearest
valid value and lists every problem of a call at once, which a schema validator stopping at the first cannot.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from bot.domain.commands.kinds import DEFAULT_OPTIONS, LAMBDA_RUNTIMES, MEMORY_MB, TIMEOUT_S
from bot.domain.commands.kinds.cluster import CLUSTER, EKS_INSTANCE_TYPE, EKS_VERSION, GKE_MACHINE_TYPE, NODE_COUNT
from bot.domain.commands.kinds.instance import _INSTANCE_TYPE
from bot.domain.commands.requests import _ENV
from bot.domain.models import Cloud, ResourceKind
from bot.domain.naming import CLUSTER_NAME_MAX, EC2_NAME_MAX, LAMBDA_NAME_MAX, S3_NAME_MAX
from bot.domain.regions import AWS_REGIONS, DEFAULT_REGION, GCS_DUAL_REGIONS, GCS_MULTI_REGIONS, GCS_REGIONS

__all__ = [
    "DEFAULT_CIDR",
    "DEFAULT_EKS_NODE_TYPE",
    "DEFAULT_EKS_VERSION",
    "DEFAULT_ENV",
    "DEFAULT_GKE_MACHINE_TYPE",
    "DEFAULT_NODE_MAX",
    "DEFAULT_NODE_MIN",
    "DEFAULT_INSTANCE_TYPE",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_RUNTIME",
    "DEFAULT_TIMEOUT_S",
    "DEFAULT_VERSIONING",
    "AwsRegion",
    "Cidr",
    "CloudName",
    "ClusterName",
    "EksNodeType",
    "Env",
    "FunctionName",
    "GcsLocation",
    "GcsName",
    "GcpRegion",
    "GkeMachineType",
    "InstanceName",
    "InstanceType",
    "KindName",
    "KubernetesVersion",
    "MemoryMb",
    "NewInstanceType",
    "NewMemoryMb",
    "NewRuntime",
    "NewTimeoutS",
    "NewVersioning",
    "NodeMax",
    "NodeMin",
    "Name",
    "ProjectName",
    "Runtime",
    "S3Name",
    "TimeoutS",
    "Versioning",
]


def _field(description: str, schema: JsonDict | None = None) -> Any:
    return Field(description=description, json_schema_extra=schema)


def _omittable(description: str, schema: JsonDict) -> Any:
    """A parameter whose default depends on the repository: no default in the schema, None in Python for "omitted"."""

    def shape(property_schema: JsonDict) -> None:
        property_schema.pop("default", None)
        property_schema.update(schema)

    extra: Callable[[JsonDict], None] = shape
    return Field(description=description, json_schema_extra=extra)


def _anchored(pattern: re.Pattern[str]) -> str:
    # The domain matches its patterns whole (fullmatch); a JSON schema pattern matches anywhere unless anchored. `$`
    # ends the text in ECMA-262, the dialect schemas are written in, but also matches before a final newline in
    # Python's `re` (which Python validators use): `(?!\n)` makes both refuse "dev\n", as the domain does.
    return f"^(?:{pattern.pattern})$(?!\n)"


def _enum_of(values: Iterable[Cloud] | Iterable[ResourceKind]) -> Any:
    # Inline, not pydantic's `$ref` to a `$defs` entry: the schema a client shows a model reads as one flat object.
    return WithJsonSchema({"type": "string", "enum": [value.value for value in values]})


_NAME = "The resource's name; it must follow the cloud's naming rules."

Name = Annotated[str, _field(_NAME)]
S3Name = Annotated[str, _field(_NAME, {"maxLength": S3_NAME_MAX})]
GcsName = Annotated[str, _field(_NAME)]
InstanceName = Annotated[str, _field(_NAME, {"maxLength": EC2_NAME_MAX})]
FunctionName = Annotated[str, _field(_NAME, {"maxLength": LAMBDA_NAME_MAX})]

DEFAULT_ENV = "dev"
Env = Annotated[
    str, _field("The environment: a lowercase letter, then letters, digits or hyphens.", {"pattern": _anchored(_ENV)})
]

AwsRegion = Annotated[
    str | SkipJsonSchema[None],
    _omittable(
        "An AWS region, e.g. eu-west-1; left out, it is the env's region (the one its Terraform pins), else "
        f"{DEFAULT_REGION[Cloud.AWS]}.",
        {"type": "string", "enum": sorted(AWS_REGIONS)},
    ),
]
GcsLocation = Annotated[
    str | SkipJsonSchema[None],
    _omittable(
        "A Cloud Storage location: a multi-region such as US or EU, a dual-region such as EUR4, or a region such as "
        "europe-west1; left out, it is the env's region (the one its Terraform pins), else "
        f"{DEFAULT_REGION[Cloud.GCP]}.",
        {"type": "string", "enum": [*GCS_MULTI_REGIONS, *GCS_DUAL_REGIONS, *GCS_REGIONS]},
    ),
]

DEFAULT_VERSIONING = DEFAULT_OPTIONS[ResourceKind.BUCKET]["versioning"] == "on"
Versioning = Annotated[
    bool, _field("Keep overwritten and deleted objects as noncurrent versions; false turns versioning off.")
]

DEFAULT_INSTANCE_TYPE = DEFAULT_OPTIONS[ResourceKind.INSTANCE]["instance_type"]
InstanceType = Annotated[
    str, _field("An EC2 instance type, e.g. t3.micro or m7g.large.", {"pattern": _anchored(_INSTANCE_TYPE)})
]

_FUNCTION = DEFAULT_OPTIONS[ResourceKind.FUNCTION]
DEFAULT_RUNTIME = _FUNCTION["runtime"]
DEFAULT_MEMORY_MB = int(_FUNCTION["memory_mb"])
DEFAULT_TIMEOUT_S = int(_FUNCTION["timeout_s"])
Runtime = Annotated[str, _field("A Lambda runtime AWS supports, e.g. python3.12.", {"enum": list(LAMBDA_RUNTIMES)})]
MemoryMb = Annotated[
    int,
    _field(f"Memory in MB, from {MEMORY_MB[0]} to {MEMORY_MB[1]}.", {"minimum": MEMORY_MB[0], "maximum": MEMORY_MB[1]}),
]
TimeoutS = Annotated[
    int,
    _field(
        f"Timeout in seconds, from {TIMEOUT_S[0]} to {TIMEOUT_S[1]}.",
        {"minimum": TIMEOUT_S[0], "maximum": TIMEOUT_S[1]},
    ),
]

# update_resource's settings: the same limits, each left out (None) to keep what the resource has.
_KEEP = " Left out, it stays as it is."
NewVersioning = Annotated[
    bool | SkipJsonSchema[None],
    _omittable("A bucket's versioning: true turns it on, false off." + _KEEP, {"type": "boolean"}),
]
NewInstanceType = Annotated[
    str | SkipJsonSchema[None],
    _omittable(
        "An instance's new EC2 instance type, e.g. t3.large." + _KEEP,
        {"type": "string", "pattern": _anchored(_INSTANCE_TYPE)},
    ),
]
NewRuntime = Annotated[
    str | SkipJsonSchema[None],
    _omittable(
        "A function's new Lambda runtime, e.g. python3.13." + _KEEP, {"type": "string", "enum": list(LAMBDA_RUNTIMES)}
    ),
]
NewMemoryMb = Annotated[
    int | SkipJsonSchema[None],
    _omittable(
        f"A function's new memory in MB, from {MEMORY_MB[0]} to {MEMORY_MB[1]}." + _KEEP,
        {"type": "integer", "minimum": MEMORY_MB[0], "maximum": MEMORY_MB[1]},
    ),
]
NewTimeoutS = Annotated[
    int | SkipJsonSchema[None],
    _omittable(
        f"A function's new timeout in seconds, from {TIMEOUT_S[0]} to {TIMEOUT_S[1]}." + _KEEP,
        {"type": "integer", "minimum": TIMEOUT_S[0], "maximum": TIMEOUT_S[1]},
    ),
]

# Pydantic checks these two itself: the tools take the domain's enums, and anything else is the wrong type.
CloudName = Annotated[Cloud, _enum_of(Cloud), Field(description="The cloud the resource is on.")]
# A cluster is created only (create_eks_cluster, create_gke_cluster): the update and destroy tools do not offer it.
KindName = Annotated[
    ResourceKind,
    _enum_of(kind for kind in ResourceKind if kind is not ResourceKind.CLUSTER),
    Field(description="The kind of resource."),
]

ProjectName = Annotated[str, _field("A project name, as list_projects gives it.")]

# create_eks_cluster and create_gke_cluster: the cluster's kind rules (bot/domain/commands/kinds/cluster.py).
ClusterName = Annotated[
    str,
    _field(
        "The cluster's name: a lowercase letter, then lowercase letters, digits or hyphens; its network, roles and "
        "service account are named after it.",
        {"maxLength": CLUSTER_NAME_MAX},
    ),
]
_AWS_CLUSTER = CLUSTER.defaults_for(Cloud.AWS)
_GCP_CLUSTER = CLUSTER.defaults_for(Cloud.GCP)
DEFAULT_EKS_VERSION = _AWS_CLUSTER["kubernetes_version"]
DEFAULT_EKS_NODE_TYPE = _AWS_CLUSTER["node_type"]
DEFAULT_GKE_MACHINE_TYPE = _GCP_CLUSTER["node_type"]
DEFAULT_NODE_MIN = int(_AWS_CLUSTER["node_min"])
DEFAULT_NODE_MAX = int(_AWS_CLUSTER["node_max"])
DEFAULT_CIDR = _AWS_CLUSTER["cidr"]
KubernetesVersion = Annotated[
    str,
    _field("The Kubernetes minor version of the EKS control plane, e.g. 1.34.", {"pattern": _anchored(EKS_VERSION)}),
]
EksNodeType = Annotated[
    str, _field("The EC2 instance type of the nodes, e.g. t3.large.", {"pattern": _anchored(EKS_INSTANCE_TYPE)})
]
GkeMachineType = Annotated[
    str,
    _field(
        "The Compute Engine machine type of the nodes, e.g. e2-standard-2.", {"pattern": _anchored(GKE_MACHINE_TYPE)}
    ),
]
NodeMin = Annotated[
    int,
    _field(
        f"Fewest nodes (per zone on GKE), from {NODE_COUNT[0]} to {NODE_COUNT[1]}.",
        {"minimum": NODE_COUNT[0], "maximum": NODE_COUNT[1]},
    ),
]
NodeMax = Annotated[
    int,
    _field(
        f"Most nodes (per zone on GKE), from {NODE_COUNT[0]} to {NODE_COUNT[1]}; at least node_min.",
        {"minimum": NODE_COUNT[0], "maximum": NODE_COUNT[1]},
    ),
]
Cidr = Annotated[str, _field("The network's private IPv4 range, a /16 to /20, e.g. 10.0.0.0/16.")]
GcpRegion = Annotated[
    str | SkipJsonSchema[None],
    _omittable(
        "A GCP region for the regional cluster, e.g. europe-west1; left out, it is us-central1.",
        {"type": "string", "enum": list(GCS_REGIONS)},
    ),
]
