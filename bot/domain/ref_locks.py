"""Project locks kept on GitHub as git refs: the ref's name per project, and the claim its commit message carries."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

# Outside refs/heads and refs/tags: no branch or tag appears, and no push or create workflow runs.
LOCK_NAMESPACE = "refs/olympus/locks/"
_READABLE = re.compile(r"[^A-Za-z0-9_-]+")
MESSAGE_TITLE = "olympus lock"


@dataclass(frozen=True)
class LockClaim:
    """Who holds one project's lock: the change (owner/repo#N), and where the lock was taken."""

    holder: str
    dir: str
    workspace: str
    commit: str = ""  # the head commit that was planned when the lock was taken
    run: str = ""  # the workflow run that took it


def lock_ref(dir: str, workspace: str) -> str:
    """The ref that is one project's lock: readable, and safe as a git ref name whatever the directory is called."""
    readable = _READABLE.sub("-", f"{dir}-{workspace}").strip("-")[:80] or "root"
    digest = hashlib.sha256(f"{dir}\0{workspace}".encode()).hexdigest()[:16]
    return f"{LOCK_NAMESPACE}{readable}-{digest}"


def lock_message(claim: LockClaim) -> str:
    """The lock commit's message: a title a person reads in `git log`, then the claim as JSON."""
    body = {"holder": claim.holder, "dir": claim.dir, "workspace": claim.workspace, "commit": claim.commit}
    body["run"] = claim.run
    return f"{MESSAGE_TITLE}: {claim.dir} ({claim.workspace}) held by {claim.holder}\n\n{json.dumps(body)}\n"


def parse_lock_message(message: str) -> LockClaim | None:
    """The claim in a lock commit's message; None when the commit is not a lock."""
    title, _, rest = message.partition("\n\n")
    if not title.startswith(MESSAGE_TITLE):
        return None
    try:
        data = json.loads(rest)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("holder", "dir", "workspace")):
        return None
    return LockClaim(
        holder=data["holder"],
        dir=data["dir"],
        workspace=data["workspace"],
        commit=str(data.get("commit") or ""),
        run=str(data.get("run") or ""),
    )
