"""The way out of a project's drift that Olympus proposes first: restore reality, or adopt it into the code."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Final

from bot.domain.drift.fixes import adoption_of
from bot.domain.plans import ResourceChange

# infra/<cloud>/modules/<kind>: where Olympus's generator writes the modules its changes call.
_GENERATED: Final = re.compile(r"infra/[a-z0-9-]+/modules/[^/]+(/|\Z)")
_MODULE_CALL: Final = re.compile(r"module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?\.")


class WayOut(StrEnum):
    """The two ways out of drift, as `/infra fix drift restore|adopt` names them."""

    RESTORE = "restore"  # keep the code; the next apply puts reality back
    ADOPT = "adopt"  # change the code to match reality


def default_way_out(project_dir: str, resources: Sequence[ResourceChange], module_sources: Mapping[str, str]) -> WayOut:
    """ADOPT when every drift is a change, inside a module Olympus generated, of an attribute one of its module
    call's options sets (versioning, instance type, a function's runtime, memory, timeout), or a resource the code
    declares that exists outside Terraform; else RESTORE.

    The code is the reviewed intent, so putting reality back is the safe default. Only where Olympus wrote the
    module itself does it know how to carry a changed setting back into the code (its module call's arguments, as
    `/infra update` does); a deleted resource is always restored, since adopting it would delete code nobody
    reviewed for deletion. Drift no option carries (tags, a setting the module fixes) is restored too: proposing
    adopt there would only be refused. An object made outside Terraform under a name the code declares cannot be
    restored (the apply would fail: the name is taken), only adopted with an `import` block.
    """
    changed = [resource for resource in resources if resource.action != "outside"]
    for resource in changed:
        if resource.action != "update":
            return WayOut.RESTORE
        found = _MODULE_CALL.match(resource.address)
        source = module_sources.get(found.group(1), "") if found else ""
        if not source.startswith(("./", "../")):
            return WayOut.RESTORE
        if not _GENERATED.match(posixpath.normpath(posixpath.join(project_dir, source))):
            return WayOut.RESTORE
    return WayOut.ADOPT if not changed or adoption_of(changed).possible else WayOut.RESTORE
