"""A create, update or destroy request validated the same way whichever door it came through (slash, MCP tool, LLM)."""

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
    """Validate a create, update or destroy request the way every door does (slash command, MCP tool, LLM).

    `options` use ResourceRequest's keys (versioning, instance_type, runtime, memory_mb, timeout_s); a create
    gets DEFAULT_OPTIONS for what is missing and the cloud's default region; an update keeps only the options
    given (at least one) and no region, as it changes a resource where it is; a destroy takes no options.
    """
    problems: list[str] = []
    if action not in ("create", "update", "destroy"):
        return Invalid((f"unknown action `{shown(action)}`; use `create`, `update` or `destroy`",))
    problems += name_problems(cloud, kind, name)
    problems += env_problems(env)
    given = dict(options or {})
    if action == "destroy":
        problems += [f"`{shown(key)}` does not apply to destroy; leave it out" for key in sorted(given)]
        if problems:
            return Invalid(tuple(problems))
        return ResourceRequest(action=action, cloud=cloud, kind=kind, name=name, env=env)
    rules = KIND_RULES[kind]
    allowed = rules.defaults_for(cloud)
    for key in sorted(given):
        elsewhere = [other.value for other in Cloud if key in rules.defaults_for(other)]
        if key not in allowed and elsewhere:
            user_key = next((user for user, option in rules.option_keys.items() if option == key), key)
            problems.append(
                f"`{shown(user_key)}=` applies to a {kind.value} on {listing(elsewhere)} only, not on {cloud.value}; "
                "leave it out"
            )
        elif key not in allowed:
            problems.append(f"`{shown(key)}` is not a setting of a {kind.value}; use {listing(allowed)}")
    known = {key: value for key, value in given.items() if key in allowed}
    if action == "update" and not given:
        problems.append(f"an update needs at least one setting to change: {_setting_keys(kind)}")
    merged = known if action == "update" else {**allowed, **known}
    for key, value in sorted(merged.items()):
        problems += rules.problems(key, value)
    if action == "update":
        if region:
            problems.append("an update does not move a resource: leave `region` out")
        if problems:
            return Invalid(tuple(problems))
        updated = {key: rules.normalized(key, value) for key, value in merged.items()}
        return ResourceRequest(
            action=action, cloud=cloud, kind=kind, name=name, env=env, options=tuple(sorted(updated.items()))
        )
    chosen = region or rules.default_region.get(cloud) or DEFAULT_REGION[cloud]
    problem = region_problem(cloud, chosen)
    if problem:
        problems.append(problem)
    problems += rules.request_problems(cloud, "" if problem else chosen, merged)
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


def _setting_keys(kind: ResourceKind) -> str:
    """The kind's own settings as a user writes them (`memory=`, `timeout=`), for a sentence."""
    return listing(f"{key}=" for key in KIND_RULES[kind].option_keys)


def env_problems(env: str) -> list[str]:
    if _ENV.fullmatch(env):
        return []
    return [
        f"`{shown(env)}` is not an environment name: use a lowercase letter, then up to 31 lowercase letters, "
        "digits or hyphens (e.g. `dev`, `staging`, `prod-eu`)"
    ]
