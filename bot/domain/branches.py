"""The git branch of a change request: readable, one per request, and always a ref git and GitHub accept."""

from __future__ import annotations

import hashlib
import re
from typing import Final

from bot.domain.commands.types import ChangeCommand, Create, CreateApp, Destroy, SetValues, Update
from bot.domain.models import Cloud, ResourceRequest

__all__ = ["BRANCH_PREFIX", "READABLE_NAME_MAX", "branch_for", "branch_of", "fix_drift_branch"]

BRANCH_PREFIX: Final = "infra/"
# The name's part of the branch; a longer name is cut and told apart by the hash. With the rest this keeps the
# branch's last component (a file under .git/refs/heads/infra/ and a worktree directory) far below 255 bytes.
READABLE_NAME_MAX: Final = 100
_NOT_READABLE: Final = re.compile(r"[^a-z0-9_]+")


def branch_for(request: ResourceRequest) -> str:
    """infra/<action>-<kind>-<name>-<env>: one branch per request, so asking twice finds the same branch.

    The name is shown lowercase, with each run of other characters (dots, repeated hyphens) as one hyphen. When that
    loses anything, when the env holds a hyphen (`a-dev` in `x` and `a` in `dev-x` would read alike) or the cloud is
    not AWS (the cloud is not spelled out), a dot and 8 hex digits of the request's SHA-256 follow: no other branch
    holds a dot, so two requests never share a branch, not even on a file system that ignores case.
    """
    readable = _NOT_READABLE.sub("-", request.name.lower()).strip("-")
    if len(readable) > READABLE_NAME_MAX:
        readable = readable[:READABLE_NAME_MAX].rstrip("-")
    branch = f"{BRANCH_PREFIX}{request.action}-{request.kind.value}-{readable or 'x'}-{request.env}"
    if readable == request.name and "-" not in request.env and request.cloud is Cloud.AWS:
        return branch
    identity = "\0".join((request.action, request.cloud.value, request.kind.value, request.name, request.env))
    return f"{branch}.{hashlib.sha256(identity.encode()).hexdigest()[:8]}"


def branch_of(command: ChangeCommand) -> str:
    """The branch of any change command: branch_for a resource's request, an app's own form for Helm and Argo CD.

    infra/create-app-<name>-<env>, infra/helm-set-<name>-<env>.<hash>, infra/helm-upgrade-<name>-<env>.<hash>: the
    values and the version are not spelled out (dots, quotes, any length), so the hash tells one request from another;
    asking the same again finds the same branch.
    """
    if isinstance(command, Create | Update | Destroy):
        return branch_for(command.request)
    if isinstance(command, CreateApp):
        action, detail = "create-app", ""
    elif isinstance(command, SetValues):
        action, detail = "helm-set", "\0".join(f"{key}={value}" for key, value in command.settings)
    else:
        action, detail = "helm-upgrade", command.version
    branch = f"{BRANCH_PREFIX}{action}-{command.name}-{command.env}"
    if not detail and "-" not in command.env:
        return branch
    identity = "\0".join((action, command.name, command.env, detail))
    return f"{branch}.{hashlib.sha256(identity.encode()).hexdigest()[:8]}"


def fix_drift_branch(project: str, way: str) -> str:
    """infra/fix-drift-<project>-<way>: one branch per project and way out, so asking twice finds the same PR.

    A project's name shown otherwise than as it is (`infra/aws/envs/dev` reads `infra-aws-envs-dev`) gets a dot and
    8 hex digits of its SHA-256, as branch_for does, so two projects never share a branch.
    """
    readable = _NOT_READABLE.sub("-", project.lower()).strip("-")[:READABLE_NAME_MAX].rstrip("-")
    branch = f"{BRANCH_PREFIX}fix-drift-{readable or 'x'}-{way}"
    if readable == project:
        return branch
    return f"{branch}.{hashlib.sha256(project.encode()).hexdigest()[:8]}"
