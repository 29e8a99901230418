"""Adopt drift: each drifted module call Olympus generated gets the options reality has, as `/infra update` sets."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.changes import locate
from bot.changes.overlay import Overlay
from bot.changes.resource_kinds import SPECS, KindSpec
from bot.changes.terraform import propose
from bot.domain.commands import Update, render_command
from bot.domain.drift.outside import IMPORTS_FILE, ImportTarget, import_blocks
from bot.domain.models import FileChange, Refusal, ResourceRequest
from bot.ports import RepoReader

__all__ = ["Adopted", "adopt", "with_imports"]

# The layout Olympus generates (bot/changes/layout.py): an env's calls, and the kinds' modules they call.
_ENV_DIR: Final = re.compile(r"infra/([a-z0-9-]+)/envs/([a-z0-9_-]+)\Z")
_MODULE_DIR: Final = re.compile(r"infra/([a-z0-9-]+)/modules/([A-Za-z0-9_-]+)\Z")


@dataclass(frozen=True)
class Adopted:
    """The files that carry reality into the module calls, and one `/infra update` line per call."""

    files: tuple[FileChange, ...]
    updates: tuple[str, ...]  # `/infra update bucket logs versioning=off env=dev`, for the description
    descriptions: tuple[str, ...]  # each update's own description of what it changes


def adopt(repo: RepoReader, project_dir: str, options: Mapping[str, tuple[tuple[str, str], ...]]) -> Adopted | Refusal:
    """Each module call's options set as `/infra update` sets them, one after the other on the same files."""
    env = _ENV_DIR.match(project_dir)
    if env is None:
        return Refusal(
            message=f"{project_dir} is not an env Olympus generates (infra/<cloud>/envs/<env>), so Olympus cannot "
            "carry the drift into its code.",
            hint="Restore it (`/infra fix drift restore`), or change the code by hand in a pull request.",
        )
    tf_dir = locate.read_dir(repo, project_dir)
    if isinstance(tf_dir, Refusal):
        return tf_dir
    written: dict[str, str] = {}
    updates: list[str] = []
    descriptions: list[str] = []
    for call_name, settings in sorted(options.items()):
        request = _request(tf_dir, call_name, env.group(1), env.group(2), settings)
        if isinstance(request, Refusal):
            return request
        change = propose(Overlay(repo, written), request)
        if isinstance(change, Refusal):
            return change
        if change.unchanged:
            continue
        written.update((file.path, file.content) for file in change.files)
        updates.append(_update_line(request))
        descriptions.append(change.description)
    files = tuple(FileChange(path, content) for path, content in sorted(written.items()))
    return Adopted(files, tuple(updates), tuple(descriptions))


def with_imports(repo: RepoReader, project_dir: str, adopted: Adopted, targets: Sequence[ImportTarget]) -> Adopted:
    """adopted plus an `import` block per resource the code declares that exists outside Terraform, in the project's
    olympus_imports.tf (added to the blocks already there): its apply imports them instead of creating them."""
    path = posixpath.join(project_dir, IMPORTS_FILE)
    existing = repo.read_text(path)
    blocks = import_blocks(targets)
    content = blocks if existing is None else existing.rstrip("\n") + "\n\n" + blocks.split("\n", 1)[1]
    lines = tuple(f"import {t.address} (id {t.id})" for t in targets)
    what = (
        f"`{IMPORTS_FILE}` gets an `import` block for each resource the code declares that exists outside "
        "Terraform: the apply imports it into the state instead of failing to create it."
    )
    files = tuple(f for f in adopted.files if f.path != path) + (FileChange(path, content),)
    return Adopted(files, adopted.updates + lines, adopted.descriptions + (what,))


def _request(
    tf_dir: locate.TfDir, call_name: str, cloud: str, env: str, settings: tuple[tuple[str, str], ...]
) -> ResourceRequest | Refusal:
    """The `/infra update` request of one module call: its kind from its source, its name from its arguments."""
    call = locate.module_call(tf_dir, call_name)
    source = call.block.attributes.get("source") if call is not None else None
    source_text = source.string() if source is not None else None
    module = _MODULE_DIR.match(posixpath.normpath(posixpath.join(tf_dir.path, source_text or "")))
    spec = _spec(cloud, module.group(2)) if module is not None and module.group(1) == cloud else None
    if call is None or spec is None:
        return Refusal(
            message=f"module {call_name} in {tf_dir.path} is not a call of a module Olympus generates.",
            hint="Restore the drift (`/infra fix drift restore`), or change the code by hand in a pull request.",
        )
    name = call.block.attributes.get(spec.name_argument)
    if name is None or name.string() is None:
        return Refusal(
            message=f"module {call_name} sets no literal {spec.name_argument}, so Olympus cannot tell which "
            f"{spec.label} it is.",
            hint="Restore the drift (`/infra fix drift restore`), or change the code by hand in a pull request.",
            location=call.location,
        )
    return ResourceRequest("update", spec.cloud, spec.kind, str(name.string()), env, options=settings)


def _spec(cloud: str, module: str) -> KindSpec | None:
    return next((spec for spec in SPECS.values() if spec.cloud.value == cloud and spec.module == module), None)


def _update_line(request: ResourceRequest) -> str:
    return render_command(Update(request))
