"""What a proposed fix may change: only the failed project's Terraform files, and never what widens its reach.

A fix is written by a model from a failure's evidence, so it is untrusted code: before it is verified (validate,
plan, scanners, policies) it must stay inside the project (its directory and the local modules it calls), touch
only `.tf` and `.tfvars` files, and add no provider, no provisioner and no `external` data source, nor change the
backend (where the state lives) or `.olympus.yaml` (how Olympus treats the repository). Each broken rule is one
sentence naming the file and saying what to do instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from bot.changes.hcl_reader import Block, HclSyntaxError, parse

# Files a fix may write: Terraform's own configuration and variable values.
EDITABLE_SUFFIXES: Final = (".tf", ".tfvars")
# Blocks whose addition runs commands on the machine that plans or applies (policies/olympus says why).
_PROVISIONER_TYPES: Final = frozenset({"local-exec", "remote-exec", "file"})
MAX_FILES: Final = 10
MAX_FILE_CHARS: Final = 200_000


@dataclass(frozen=True)
class FileEdit:
    """One file of a fix: its path in the repository, its text before (None: new) and after (None: deleted)."""

    path: str
    before: str | None
    after: str | None


def patch_problems(edits: Sequence[FileEdit], project_dir: str, module_dirs: Iterable[str] = ()) -> list[str]:
    """Every rule the fix breaks, one sentence each; [] when it may go on to be verified."""
    if not edits:
        return ["the fix changes no file: propose an edit of the project's files, or say that no safe fix exists"]
    if len(edits) > MAX_FILES:
        return [f"the fix changes {len(edits)} files; a fix changes at most {MAX_FILES}: keep it to the failure"]
    allowed = [_normal(d) for d in (project_dir, *module_dirs)]
    problems: list[str] = []
    for edit in edits:
        problems += _path_problems(edit.path, allowed)
        if edit.after is not None and len(edit.after) > MAX_FILE_CHARS:
            problems.append(f"{edit.path} would hold {len(edit.after):,} characters: a fix is a small edit")
    if problems:
        return problems
    before = _blocks_of(edits, after=False, problems=problems)
    after = _blocks_of(edits, after=True, problems=problems)
    if problems:
        return problems
    problems += _added("provider", _providers(before), _providers(after), "use the providers the project has")
    problems += _added("provisioner", _provisioners(before), _provisioners(after), "use a provider's resource")
    problems += _added("`external` data source", _externals(before), _externals(after), "pass the value in a variable")
    if _backends(before) != _backends(after):
        problems.append(
            "the fix changes the backend (where the project's state lives): leave the `backend` and `cloud` blocks "
            "as they are"
        )
    return problems


def _normal(path: str) -> str:
    return posixpath.normpath(path.strip("/")) if path.strip("/") else "."


def _path_problems(path: str, allowed: Sequence[str]) -> list[str]:
    shown = path if len(path) <= 200 else path[:200] + "…"
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or ".." in path.split("/"):
        return [f"{shown!r} is not a path inside the repository: name files relative to its root, without `..`"]
    name = posixpath.basename(path)
    if name == ".olympus.yaml" or path.startswith(".github/"):
        return [f"{shown} configures Olympus or the repository's workflows: a fix never changes it"]
    if not name.endswith(EDITABLE_SUFFIXES):
        return [f"{shown} is not a Terraform file: a fix edits only `.tf` and `.tfvars` files"]
    folder = posixpath.dirname(path) or "."
    if not any(folder == d or folder.startswith(d + "/") or d == "." for d in allowed):
        inside = ", ".join(f"`{d}`" for d in allowed)
        return [f"{shown} is outside the failed project: a fix stays in {inside}"]
    return []


def _blocks_of(edits: Sequence[FileEdit], *, after: bool, problems: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for edit in edits:
        text = edit.after if after else edit.before
        if text is None or not edit.path.endswith(".tf"):
            continue
        try:
            blocks += parse(text)
        except HclSyntaxError as exc:
            if after:  # the original may be what failed; only the fix's own text must read
                problems.append(f"{edit.path} does not parse after the fix ({exc}): propose valid HCL")
    return blocks


def _added(noun: str, before: list[str], after: list[str], instead: str) -> list[str]:
    new = [item for item in after if after.count(item) > before.count(item)]
    return [f"the fix adds a {noun} ({', '.join(sorted(set(new)))}): {instead}"] if new else []


def _providers(blocks: Sequence[Block]) -> list[str]:
    found = [b.labels[0] for b in blocks if b.type == "provider" and b.labels]
    for terraform in (b for b in blocks if b.type == "terraform"):
        for required in terraform.child_blocks("required_providers"):
            found += [f"{name} (required_providers)" for name in required.attributes]
    return found


def _provisioners(blocks: Sequence[Block]) -> list[str]:
    return [b.labels[0] for b in _walk(blocks) if b.type == "provisioner" and b.labels and _is_exec(b.labels[0])]


def _is_exec(kind: str) -> bool:
    return kind in _PROVISIONER_TYPES or kind.endswith("-exec")


def _externals(blocks: Sequence[Block]) -> list[str]:
    return [f"data.external.{b.labels[-1]}" for b in blocks if b.type == "data" and b.labels[:1] == ("external",)]


def _backends(blocks: Sequence[Block]) -> list[str]:
    found: list[str] = []
    for terraform in (b for b in blocks if b.type == "terraform"):
        for kind in ("backend", "cloud"):
            for block in terraform.child_blocks(kind):
                found.append(repr((kind, block.labels, sorted((k, a.expr) for k, a in block.attributes.items()))))
    return sorted(found)


def _walk(blocks: Sequence[Block]) -> Iterator[Block]:
    for block in blocks:
        yield block
        yield from _walk(block.blocks)
