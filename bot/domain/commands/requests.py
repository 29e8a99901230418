"""A create or destroy request validated the same way whichever door it came through (slash, MCP tool, LLM)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.domain.commands.kinds import KIND_RULES
from bot.domain.commands.types import Invalid
from bot.domain.commands.wording import listing, shown
from bot.domain.models import Cloud, ResourceKind, ResourceRequest
from bot.domain.naming import name_problems
from bot.domain.regions import DEFAULT_REGION, canonical_region, region_problem

__all__ = ["build_request", "env_problems"]

_ENV = re.compile(r"[a-z][a-z0-9-]{0,31}")


def build_request(
    action: str,
    cloud: Cloud,
    kind: ResourceKind,
    name: str,
    *,
    region: str = "",
    env: str = "dev",
    options: Mapping[str, str] | None = None,
) -> ResourceRequest | Invalid:
    """Validate a create or destroy request the way every door does (slash command, MCP tool, LLM).

    `options` use ResourceRequest's keys (versioning, instance_type, runtime, memory_mb, timeout_s); a create
    gets DEFAULT_OPTIONS for what is missing and the cloud's default region; a destroy takes no options.
    """
    problems: list[str] = []
    if action not in ("create", "destroy"):
        return Invalid((f"unknown action `{shown(action)}`; use `create` or `destroy`",))
    problems += name_problems(cloud, kind, name)
    problems += env_problems(env)
    given = dict(options or {})
    if action == "destroy":
        problems += [f"`{shown(key)}` does not apply to destroy; leave it out" for key in sorted(given)]
        if problems:
            return Invalid(tuple(problems))
        return ResourceRequest(action=action, cloud=cloud, kind=kind, name=name, env=env)
    rules = KIND_RULES[kind]
    allowed = rules.defaults
    for key in sorted(given):
        if key not in allowed:
            problems.append(f"`{shown(key)}` is not a setting of a {kind.value}; use {listing(allowed)}")
    merged = {**allowed, **{key: value for key, value in given.items() if key in allowed}}
    for key, value in sorted(merged.items()):
        problems += rules.problems(key, value)
    chosen = region or DEFAULT_REGION[cloud]
    problem = region_problem(cloud, chosen)
    if problem:
        problems.append(problem)
    if problems:
        return Invalid(tuple(problems))
    normalized = {key: rules.normalized(key, value) for key, value in merged.items()}
    return ResourceRequest(
        action=action,
        cloud=cloud,
        kind=kind,
        name=name,
        env=env,
        region=canonical_region(cloud, chosen),
        options=tuple(sorted(normalized.items())),
    )


def env_problems(env: str) -> list[str]:
    if _ENV.fullmatch(env):
        return []
    return [
        f"`{shown(env)}` is not an environment name: use a lowercase letter, then up to 31 lowercase letters, "
        "digits or hyphens (e.g. `dev`, `staging`, `prod-eu`)"
    ]
