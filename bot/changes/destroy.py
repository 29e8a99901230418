"""Destroy: delete the resource's own module-call file, if Olympus wrote it and nothing else refers to it."""

from __future__ import annotations

from bot.changes import change_text, locate
from bot.changes.layout import Layout, resource_region
from bot.changes.locate import TfDir
from bot.domain.models import ChangeSet, FileChange, Refusal
from bot.ports import RepoReader

# The content of a FileChange that deletes its file (the ChangeSet convention).
DELETE = ""


def destroy(repo: RepoReader, layout: Layout, env: TfDir) -> ChangeSet | Refusal:
    """The ChangeSet deleting the resource's call file, or why not."""
    spec, request = layout.spec, layout.request
    if not env.exists:
        envs = [path.rsplit("/", 1)[-1] for path in locate.child_dirs(repo, layout.envs_dir)]
        return Refusal(
            message=f"There is no env {request.env} under {layout.envs_dir}.",
            hint=f"Envs: {', '.join(envs)}." if envs else f"{layout.envs_dir} holds no envs yet.",
        )
    call = locate.module_call(env, layout.module_name)
    call_name = None
    if call is not None and (attribute := call.block.attributes.get(spec.name_argument)) is not None:
        call_name = attribute.string()
    if call is None or call_name != request.name:
        by_hand = locate.named(env, spec.naming, request.name)
        if by_hand:
            return Refusal(
                message=(
                    f"{spec.label} {request.name} is defined by {by_hand[0].address} in {by_hand[0].location}, "
                    "not by an Olympus module call; Olympus removes only the files it wrote."
                ),
                hint=f"Remove it from {by_hand[0].path} in a pull request.",
                location=by_hand[0].location,
            )
        existing = locate.names(env, spec.naming)
        listing = ", ".join(existing) if existing else "none"
        return Refusal(
            message=f"There is no {spec.label} {request.name} in {request.env}.",
            hint=f"{spec.plural} in {request.env}: {listing}.",
        )
    if call.path != layout.call_path:
        return Refusal(
            message=(
                f"module {layout.module_name} lives in {call.path}, not in its own file {layout.call_path}; "
                "Olympus deletes only whole files it wrote."
            ),
            hint=f"Remove the module block from {call.path} in a pull request.",
            location=call.location,
        )
    users = locate.references(env, f"module.{layout.module_name}", outside=call.path)
    if users:
        return Refusal(
            message=(
                f"{spec.label} {request.name} is still used: {', '.join(users)} refer to module.{layout.module_name}."
            ),
            hint="Remove those references first (for a log bucket: the access_log_bucket of buckets logging to it).",
            location=users[0],
        )
    region = resource_region(layout, env)
    if isinstance(region, Refusal):
        return region
    return ChangeSet(
        title=change_text.title("Destroy", spec, request, region),
        description=change_text.destroy_description(spec, request, call.path, layout.module_dir),
        files=(FileChange(call.path, DELETE),),
    )
