"""Update: change the given arguments of a resource's own module call in place, the rest of its file as it was."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.changes import change_text, locate
from bot.changes.hcl_reader import Attribute
from bot.changes.hcl_render import hcl_value
from bot.changes.layout import Layout, resource_region
from bot.changes.locate import Definition, TfDir
from bot.changes.provider_pins import ProviderChoice, choose, narrow
from bot.changes.resource_options import LAMBDA_RUNTIMES, VERSIONING_SKIPS, OptionProblem, Settings, settings_for
from bot.domain.models import ChangeSet, FileChange, Refusal, ResourceRequest
from bot.ports import RepoReader

__all__ = ["update"]

# Arguments that follow from a requested one and would be wrong left alone: a Graviton type needs an arm64 AMI.
_FOLLOWS = {"instance_type": ("architecture",)}


def update(repo: RepoReader, layout: Layout, env: TfDir) -> ChangeSet | Refusal:
    """The ChangeSet that sets the request's options in the resource's module call, or why not."""
    spec, request = layout.spec, layout.request
    call = _own_call(repo, layout, env)
    if isinstance(call, Refusal):
        return call
    module_dir = locate.read_dir(repo, layout.module_dir)
    if isinstance(module_dir, Refusal):
        return module_dir
    provider = _provider(layout, env, module_dir)
    if isinstance(provider, Refusal):
        return provider
    # The call's current settings fill in what the request leaves out, so each is checked as a whole (a runtime
    # against the env's provider), and only the requested ones (and what follows from them) are written.
    settings = settings_for(spec, _with_current(request, call), provider)
    if isinstance(settings, OptionProblem):
        return Refusal(message=settings.message, hint=settings.hint, location=call.location)
    asked = {key for key, _value in request.options}
    asked |= {follower for key in asked for follower in _FOLLOWS.get(key, ())}
    wanted = [(argument, value) for argument, value in settings.arguments if argument in asked]
    undeclared = sorted({argument for argument, _value in wanted} - locate.declared_variables(module_dir))
    if undeclared:
        return Refusal(
            message=f"{layout.module_dir} does not take {', '.join(undeclared)}, so Olympus cannot set it in "
            f"{call.path}.",
            hint=f"Add the variable to {layout.module_dir}, or change the module call by hand in a pull request.",
            location=call.location,
        )
    changes = [(argument, value) for argument, value in wanted if _literal(call, argument) != value]
    region = resource_region(layout, env)
    if isinstance(region, Refusal):
        return region
    title = change_text.title("Update", spec, request, region)
    if not changes:
        return ChangeSet(
            title=title,
            description=change_text.unchanged_description(spec, request, call.location),
            unchanged=True,
        )
    text = repo.read_text(call.path) or ""
    edited = _edited(text, call, changes)
    if isinstance(edited, Refusal):
        return edited
    edited = _versioning_skips(edited, layout, dict(changes))
    attributes = call.block.attributes
    lines = [f"`{name}`: {_shown(attributes.get(name))} → `{hcl_value(value)}`" for name, value in changes]
    return ChangeSet(
        title=title,
        description=change_text.update_description(spec, request, call.path, lines, _notes(call, changes, settings)),
        files=(FileChange(call.path, edited),),
    )


def _notes(call: Definition, changes: list[tuple[str, object]], settings: Settings) -> list[str]:
    """What reviewers should know: the settings after the change, and what a change brings with it."""
    notes = list(settings.notes)
    changed = dict(changes)
    if "architecture" in changed:
        notes.append(
            f"The architecture changes to {changed['architecture']}: the AMI changes with it, so the plan replaces "
            "the instance (its root volume is not kept)."
        )
    elif "instance_type" in changed:
        notes.append("A new instance type is applied by stopping and starting the instance.")
    runtime = changed.get("runtime")
    handler = _literal(call, "handler")
    if isinstance(runtime, str) and runtime in LAMBDA_RUNTIMES and LAMBDA_RUNTIMES[runtime][0] != handler:
        notes.append(
            f"The handler stays `{handler}`; a fresh {runtime} package's is `{LAMBDA_RUNTIMES[runtime][0]}`: "
            "change it in the module call if the package's entry point differs."
        )
    return notes


def _own_call(repo: RepoReader, layout: Layout, env: TfDir) -> Definition | Refusal:
    """The resource's Olympus module call, or a refusal saying where Olympus looked and how to create it."""
    spec, request = layout.spec, layout.request
    create = _create_line(request)
    if not env.exists:
        return Refusal(
            message=f"There is no env {request.env} under {layout.envs_dir}, so no {spec.label} {request.name} "
            "to update.",
            hint=f"Create it first: `{create}`.",
        )
    call = locate.module_call(env, layout.module_name)
    attribute = call.block.attributes.get(spec.name_argument) if call is not None else None
    if call is not None and attribute is not None and attribute.string() == request.name:
        return call
    by_hand = locate.named(env, spec.naming, request.name)
    if by_hand:
        return Refusal(
            message=(
                f"{spec.label} {request.name} is defined by {by_hand[0].address} in {by_hand[0].location}, not by "
                "an Olympus module call; Olympus updates only the module calls it wrote."
            ),
            hint=f"Change it in {by_hand[0].path} in a pull request.",
            location=by_hand[0].location,
        )
    return Refusal(
        message=(
            f"There is no {spec.label} {request.name} in {request.env}: Olympus looked for module "
            f"{layout.module_name} in {layout.env_dir} (its own file would be {layout.call_path})."
        ),
        hint=f"Create it with `{create}`.",
    )


def _create_line(request: ResourceRequest) -> str:
    cloud = f" cloud={request.cloud.value}" if request.cloud.value != "aws" else ""
    return f"/infra create {request.kind.value} {request.name}{cloud} env={request.env}"


def _provider(layout: Layout, env: TfDir, module_dir: TfDir) -> ProviderChoice | Refusal:
    policy = layout.spec.provider
    choice = choose(policy, env.parsed(), {})
    if isinstance(choice, Refusal) or not module_dir.exists:
        return choice
    return narrow(choice, policy, module_dir.parsed())


def _literal(call: Definition, argument: str) -> object:
    attribute = call.block.attributes.get(argument)
    return attribute.value if attribute is not None and attribute.is_literal else None


def _with_current(request: ResourceRequest, call: Definition) -> ResourceRequest:
    """The request with the call's current literal settings for the options it does not change."""
    given = dict(request.options)
    for key in ("versioning", "instance_type", "runtime", "memory_mb", "timeout_s"):
        value = _literal(call, key)
        if key in given or value is None or isinstance(value, list | dict):
            continue
        if isinstance(value, bool):
            given[key] = "on" if value else "off"
        elif isinstance(value, str | int):
            given[key] = str(value)
    return ResourceRequest(
        request.action, request.cloud, request.kind, request.name, request.env, options=tuple(sorted(given.items()))
    )


def _shown(attribute: Attribute | None) -> str:
    return f"`{attribute.expr}`" if attribute is not None else "(not set)"


def _edited(text: str, call: Definition, changes: list[tuple[str, object]]) -> str | Refusal:
    """The file with each argument's value replaced on its own line, or added at the end of the block."""
    lines = text.splitlines(keepends=True)
    missing: list[tuple[str, object]] = []
    for argument, value in changes:
        attribute = call.block.attributes.get(argument)
        if attribute is None:
            missing.append((argument, value))
            continue
        index = attribute.line - 1
        line = lines[index] if index < len(lines) else ""
        match = re.match(rf"(\s*{re.escape(argument)}\s*=\s*)", line)
        if match is None or not line[match.end() :].startswith(attribute.expr):
            return Refusal(
                message=f"{call.path}:{attribute.line} sets {argument} over several lines; Olympus edits only "
                "one-line values.",
                hint=f"Set {argument} = {hcl_value(value)} there in a pull request.",
                location=f"{call.path}:{attribute.line}",
            )
        rest = line[match.end() + len(attribute.expr) :]
        lines[index] = match.group(1) + hcl_value(value) + rest
    if missing:
        end = _closing_line(lines, call)
        if end is None:
            return Refusal(
                message=f"Olympus could not find where module {call.block.labels[0]} ends in {call.path}.",
                hint="Add the arguments by hand in a pull request.",
                location=call.location,
            )
        # Its own group after a blank line, so `terraform fmt` has nothing to align anew.
        width = max(len(argument) for argument, _value in missing)
        added = ["\n", *(f"  {argument.ljust(width)} = {hcl_value(value)}\n" for argument, value in missing)]
        lines[end:end] = added
    return "".join(lines)


def _closing_line(lines: list[str], call: Definition) -> int | None:
    """The index of the line holding the block's closing `}`: the first `}` alone at the block's own indent."""
    start = call.block.line - 1
    indent = len(lines[start]) - len(lines[start].lstrip())
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip("\n") == " " * indent + "}":
            return index
    return None


def _versioning_skips(text: str, layout: Layout, changes: Mapping[str, object]) -> str:
    """The scanner skips Olympus writes for versioning=off: added when it turns off, removed when it turns on."""
    if "versioning" not in changes:
        return text
    checks, ignores = VERSIONING_SKIPS[layout.spec.cloud]
    header = f"module {hcl_value(layout.module_name)} {{\n"
    above = "".join(f"# {check}: {reason}\n#trivy:ignore:{check}\n" for check, reason in ignores)
    inside = "".join(f"  #checkov:skip={check}:{reason}\n" for check, reason in checks)
    if changes["versioning"] is False:
        if inside and inside not in text:
            text = text.replace(header, header + inside, 1)
        if above and above not in text:
            text = text.replace(header, above + header, 1)
        return text
    return text.replace(above + header, header, 1).replace(header + inside, header, 1)
