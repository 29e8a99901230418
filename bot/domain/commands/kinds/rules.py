"""The shape of one resource kind's option rules: its settings, their defaults, and how each is checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.domain.models import Cloud, ResourceKind

__all__ = ["KindRules"]


@dataclass(frozen=True)
class KindRules:
    """What `/infra create KIND` accepts beyond cloud, region and env, with the MCP tools' option keys."""

    kind: ResourceKind
    example_name: str  # shown when a command forgets the name
    # The keys `/infra create` accepts, in the order the usage line shows them.
    create_keys: tuple[str, ...]
    # The user's key → ResourceRequest's option key, for the kind's own settings.
    option_keys: Mapping[str, str]
    # ResourceRequest option key → what a create gets when the user leaves it out.
    defaults: Mapping[str, str]
    # (option key, value) → one sentence per problem, each saying how to fix it.
    problems: Callable[[str, str], list[str]]
    # (option key, value) → the value as the request stores it ("0512" → "512").
    normalized: Callable[[str, str], str] = lambda key, value: value
    # Other words people write for the kind's keys ("instance_type" for "type").
    key_synonyms: Mapping[str, str] = field(default_factory=dict)
    # Defaults that differ per cloud (a cluster's node type), merged over `defaults`; only these clouds take them.
    cloud_defaults: Mapping[Cloud, Mapping[str, str]] = field(default_factory=dict)
    # Where a create lands when it names no region, where that differs from the cloud's default.
    default_region: Mapping[Cloud, str] = field(default_factory=dict)
    # (cloud, region, options) → problems no single setting shows (min above max, a setting of the other cloud).
    request_problems: Callable[[Cloud, str, Mapping[str, str]], list[str]] = lambda cloud, region, options: []

    def defaults_for(self, cloud: Cloud) -> Mapping[str, str]:
        """What a create on `cloud` gets for each setting left out; its keys are the settings that cloud takes."""
        return {**self.defaults, **self.cloud_defaults.get(cloud, {})}
