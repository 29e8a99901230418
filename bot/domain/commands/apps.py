"""`/infra create app`, `/infra helm set|upgrade` and `/infra sync`: the grammar of Helm releases Argo CD deploys."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from bot.domain.app_layout import DEFAULT_PROJECT, EXAMPLE_CHART
from bot.domain.commands.types import PREFIX, CreateApp, Reply, SetValues, Sync, UpgradeChart
from bot.domain.commands.wording import closest, listing, problems_reply, quote_word, shown
from bot.domain.helm_names import check_namespace, check_release_name

__all__ = [
    "APP_USAGE",
    "HELM_USAGE",
    "SYNC_USAGE",
    "app_tool_call",
    "parse_create_app",
    "parse_helm",
    "parse_sync",
    "render_app_command",
]

APP_USAGE: Final = f"`{PREFIX} create app NAME [chart=...] [namespace=...] [env=...] [project=...]`"
HELM_USAGE: Final = (
    f"`{PREFIX} helm set NAME KEY=VALUE... [env=...]` or `{PREFIX} helm upgrade NAME version=VERSION [env=...]`"
)
SYNC_USAGE: Final = f"`{PREFIX} sync [NAME] [env=...]`"
DEFAULT_ENV: Final = "dev"
_APP_KEYS: Final = ("chart", "namespace", "env", "project")
_UPGRADE_KEYS: Final = ("version", "env")
_SYNC_KEYS: Final = ("env",)
# An env names a folder (argocd/apps/<env>/): a DNS label, as Argo CD's own names are.
_ENV: Final = re.compile(r"[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")
# A values key, dotted by level (`image.tag`); each level as YAML keys are commonly written, no quoting needed.
_VALUES_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}(\.[A-Za-z_][A-Za-z0-9_-]{0,62}){0,9}")
# SemVer 2 as Helm reads a chart version, with an optional leading v (OCI tags often carry one).
_VERSION: Final = re.compile(
    r"v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]{1,40})?(\+[0-9A-Za-z.-]{1,40})?"
)
_VALUE_MAX: Final = 256


def parse_create_app(words: Sequence[str]) -> CreateApp | Reply:
    """The words after `create app`."""
    if not words or "=" in words[0]:
        return Reply(f"`{PREFIX} create app` needs a name, e.g. `{PREFIX} create app payments-api namespace=payments`")
    name, rest = words[0], words[1:]
    pairs, problems = _pairs(rest, _APP_KEYS, "create app")
    name_problems = _name_problems(name)
    problems += name_problems
    env = pairs.get("env", DEFAULT_ENV)
    problems += _env_problems(env)
    # Without namespace=, the release gets a namespace of its own name: a bad name is then said once, as a name.
    namespace = pairs.get("namespace", name)
    if "namespace" in pairs or not name_problems:
        problems += [f"namespace `{shown(namespace)}`: {p}" for p in _checked(check_namespace, namespace)]
    chart = pairs.get("chart", EXAMPLE_CHART)
    problems += [f"chart `{shown(chart)}` is not a chart name: {p}" for p in _checked(check_release_name, chart)]
    project = pairs.get("project", DEFAULT_PROJECT)
    problems += [f"project `{shown(project)}` is not a project name: {p}" for p in _checked(check_namespace, project)]
    if problems:
        return problems_reply(problems, APP_USAGE)
    return CreateApp(name=name, env=env, namespace=namespace, chart=chart, project=project)


def parse_helm(words: Sequence[str]) -> SetValues | UpgradeChart | Reply:
    """The words after `helm`: `set NAME key=value...` or `upgrade NAME version=V`."""
    if not words:
        return Reply(f"`{PREFIX} helm` needs `set` or `upgrade`: {HELM_USAGE}")
    verb, rest = words[0].lower(), list(words[1:])
    if verb not in ("set", "upgrade"):
        match = closest(verb, ("set", "upgrade"))
        near = f"; did you mean `{PREFIX} helm {match}`?" if match else f"; use {HELM_USAGE}"
        return Reply(f"unknown `{PREFIX} helm` command `{shown(words[0])}`{near}")
    if not rest or "=" in rest[0]:
        example = "replicaCount=3" if verb == "set" else "version=1.5.0"
        return Reply(f"`{PREFIX} helm {verb}` needs a release name, e.g. `{PREFIX} helm {verb} payments-api {example}`")
    name, settings = rest[0], rest[1:]
    return _parse_set(name, settings) if verb == "set" else _parse_upgrade(name, settings)


def parse_sync(words: Sequence[str]) -> Sync | Reply:
    """The words after `sync`: an optional application name, then `env=`."""
    name = words[0] if words and "=" not in words[0] else None
    pairs, problems = _pairs(words[1:] if name is not None else words, _SYNC_KEYS, "sync")
    if name is not None:
        problems += _name_problems(name)
    env = pairs.get("env")
    if env is not None:
        problems += _env_problems(env)
    if problems:
        return problems_reply(problems, SYNC_USAGE)
    return Sync(name, env)


def render_app_command(cmd: CreateApp | SetValues | UpgradeChart | Sync) -> str:
    """The canonical line of an application command, every setting spelled out; parse() reads it back."""
    if isinstance(cmd, CreateApp):
        return (
            f"{PREFIX} create app {cmd.name} chart={cmd.chart} namespace={cmd.namespace} env={cmd.env} "
            f"project={cmd.project}"
        )
    if isinstance(cmd, SetValues):
        settings = " ".join(f"{key}={quote_word(value)}" for key, value in cmd.settings)
        return f"{PREFIX} helm set {cmd.name} {settings} env={cmd.env}"
    if isinstance(cmd, UpgradeChart):
        return f"{PREFIX} helm upgrade {cmd.name} version={cmd.version} env={cmd.env}"
    words = [PREFIX, "sync", *([cmd.name] if cmd.name else []), *([f"env={cmd.env}"] if cmd.env else [])]
    return " ".join(words)


def app_tool_call(cmd: CreateApp | SetValues | UpgradeChart) -> tuple[str, dict[str, object]]:
    """The MCP tool (helm and argocd servers) and its arguments that carry out an application command."""
    if isinstance(cmd, CreateApp):
        return "create_app", {
            "name": cmd.name,
            "chart": cmd.chart,
            "namespace": cmd.namespace,
            "env": cmd.env,
            "project": cmd.project,
        }
    if isinstance(cmd, SetValues):
        return "set_helm_values", {"name": cmd.name, "env": cmd.env, "values": dict(cmd.settings)}
    return "upgrade_chart", {"name": cmd.name, "env": cmd.env, "version": cmd.version}


def _parse_set(name: str, words: Sequence[str]) -> SetValues | Reply:
    problems = _name_problems(name)
    env = DEFAULT_ENV
    settings: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            problems.append(f"unexpected `{shown(word)}`: values are written `key=value` (`image.tag=1.4.2`)")
        elif key == "env":
            env = value
            problems += _env_problems(value)
        elif not _VALUES_KEY.fullmatch(key):
            problems.append(
                f"`{shown(key)}` is not a values key: letters, digits, `_` and `-`, levels joined by `.` (`image.tag`)"
            )
        elif key in settings:
            problems.append(f"`{key}` is given twice; keep one")
        elif len(value) > _VALUE_MAX:
            problems.append(f"the value of `{key}` is {len(value)} characters long; at most {_VALUE_MAX}")
        elif any(ord(char) < 32 for char in value):
            problems.append(f"the value of `{key}` holds a control character; values are one line of text")
        else:
            settings[key] = value
    if not settings and not problems:
        problems.append("give at least one value to set, e.g. `replicaCount=3`")
    if problems:
        return problems_reply(problems, f"`{PREFIX} helm set NAME KEY=VALUE... [env=...]`")
    return SetValues(name=name, env=env, settings=tuple(sorted(settings.items())))


def _parse_upgrade(name: str, words: Sequence[str]) -> UpgradeChart | Reply:
    pairs, problems = _pairs(words, _UPGRADE_KEYS, "helm upgrade")
    problems += _name_problems(name)
    env = pairs.get("env", DEFAULT_ENV)
    problems += _env_problems(env)
    version = pairs.get("version")
    if version is None:
        problems.append("`version=` is needed: the chart version to move to, e.g. `version=1.5.0`")
    elif not _VERSION.fullmatch(version):
        problems.append(f"`{shown(version)}` is not a chart version: Helm wants SemVer 2, e.g. `1.5.0`")
    if problems or version is None:
        return problems_reply(problems, f"`{PREFIX} helm upgrade NAME version=VERSION [env=...]`")
    return UpgradeChart(name=name, env=env, version=version)


def _pairs(words: Sequence[str], allowed: Sequence[str], form: str) -> tuple[dict[str, str], list[str]]:
    pairs: dict[str, str] = {}
    problems: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            problems.append(f"unexpected `{shown(word)}`: settings are written `key=value`")
        elif key not in allowed:
            match = closest(key.lower(), allowed)
            near = f"did you mean `{match}=`?" if match else f"use {listing(k + '=' for k in allowed)}"
            problems.append(f"`{shown(key)}` is not a setting of `{form}`; {near}")
        elif key in pairs:
            problems.append(f"`{key}` is given twice; keep one")
        elif not value:
            problems.append(f"`{key}=` needs a value")
        else:
            pairs[key] = value
    return pairs, problems


def _name_problems(name: str) -> list[str]:
    return [f"`{shown(name)}` is not an application name: {p}" for p in _checked(check_release_name, name)]


def _env_problems(env: str) -> list[str]:
    if _ENV.fullmatch(env):
        return []
    return [f"env `{shown(env)}` must be lower-case letters, digits and `-`, at most 32 characters (`staging`)"]


def _checked(check: Callable[[str], str], value: str) -> list[str]:
    try:
        check(value)
    except ValueError as error:
        return [_reason(str(error))]
    return []


def _reason(message: str) -> str:
    # helm_names words its errors as "<what> '<value>' must be ..."; the reply already quotes the value.
    _, _, rest = message.partition("' ")
    return rest or message
