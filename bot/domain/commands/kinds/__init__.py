"""Each resource kind's option rules, one module per kind, and what every kind shares (cloud, region, env)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.commands.kinds.bucket import BUCKET
from bot.domain.commands.kinds.cluster import CLUSTER
from bot.domain.commands.kinds.function import FUNCTION, LAMBDA_RUNTIMES, MEMORY_MB, TIMEOUT_S
from bot.domain.commands.kinds.instance import INSTANCE
from bot.domain.commands.kinds.rules import KindRules
from bot.domain.models import ResourceKind

__all__ = [
    "DEFAULT_OPTIONS",
    "DESTROY_KEYS",
    "KINDS",
    "KIND_RULES",
    "KIND_SYNONYMS",
    "LAMBDA_RUNTIMES",
    "MEMORY_MB",
    "TIMEOUT_S",
    "KindRules",
    "key_synonym",
]

KIND_RULES: Mapping[ResourceKind, KindRules] = {rules.kind: rules for rules in (BUCKET, INSTANCE, FUNCTION, CLUSTER)}
KINDS = tuple(kind.value for kind in ResourceKind)
# What a create request gets when the user leaves a setting out; slash commands and MCP tools share these.
DEFAULT_OPTIONS: Mapping[ResourceKind, Mapping[str, str]] = {kind: rules.defaults for kind, rules in KIND_RULES.items()}
DESTROY_KEYS = ("cloud", "env")
# Words people use for a kind; each maps to the kind and any setting it implies.
KIND_SYNONYMS: Mapping[str, tuple[ResourceKind, str]] = {
    "s3": (ResourceKind.BUCKET, "cloud=aws"),
    "gcs": (ResourceKind.BUCKET, "cloud=gcp"),
    "ec2": (ResourceKind.INSTANCE, ""),
    "vm": (ResourceKind.INSTANCE, ""),
    "server": (ResourceKind.INSTANCE, ""),
    "lambda": (ResourceKind.FUNCTION, ""),
    "eks": (ResourceKind.CLUSTER, "cloud=aws"),
    "gke": (ResourceKind.CLUSTER, "cloud=gcp"),
    "k8s": (ResourceKind.CLUSTER, ""),
    "kubernetes": (ResourceKind.CLUSTER, ""),
}
_SHARED_KEY_SYNONYMS = {"location": "region", "environment": "env", "provider": "cloud"}


def key_synonym(kind: ResourceKind, key: str) -> str | None:
    """The key Olympus uses for another word a user wrote (`location` → `region`), or None."""
    word = key.lower()
    return KIND_RULES[kind].key_synonyms.get(word) or _SHARED_KEY_SYNONYMS.get(word)
