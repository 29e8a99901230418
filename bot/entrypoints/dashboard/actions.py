"""What the dashboard lets a reader do, checked as the equivalent command is: release a lock (maintain or admin)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.domain.dashboard import AuditFilter
from bot.domain.dashboard_access import Reader
from bot.entrypoints.dashboard.access import Access, Refused
from bot.ports import Store

__all__ = ["note_text", "routes"]

# What the locks page says after an unlock: fixed sentences, the lock named from the audit entry the unlock wrote
# (never from the link, which anyone could write to show a made-up "released" note).
_NOTES: Mapping[str, str] = {
    "ok": "Released the lock on {dir} ({workspace}) of {repo}, held by {holder}: that change plans again to take it "
    "back.",
    "not held": "The lock on {dir} ({workspace}) of {repo} was no longer held: nothing to release.",
}


def note_text(store: Store, unlocked: int | None, reader: Reader) -> str:
    """The sentence for the reader's own unlock, audit entry `unlocked`; "" for none, or another's entry."""
    if unlocked is None:
        return ""
    entries = store.audit_page(AuditFilter(action="unlock"), limit=1, before=unlocked + 1, repos=reader.repos)
    entry = next((e for e in entries if e.id == unlocked and e.actor == reader.login), None)
    template = _NOTES.get(entry.result) if entry is not None else None
    if entry is None or template is None:
        return ""
    return template.format(**{key: entry.params.get(key) or "" for key in ("repo", "dir", "workspace", "holder")})


def routes(app: FastAPI, store: Store, access: Access) -> None:
    """POST /locks/unlock: the Unlock button of the locks page."""

    @app.post("/locks/unlock")
    def unlock(
        request: Request,
        repo: Annotated[str, Form()],
        dir: Annotated[str, Form()],
        workspace: Annotated[str, Form()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        # Asked of GitHub now, not the page's cached roles: a permission taken away a moment ago counts.
        reader = access.current_reader(request)
        if not reader.csrf or not secrets.compare_digest(csrf, reader.csrf):
            raise Refused("the form is not this session's (reload the locks page and try again)")
        if reader.login is None or not reader.may_unlock(repo):
            raise Refused(f"releasing a lock of {repo} needs the maintain or admin permission on it")
        started = store.clock()
        lock = store.lock_for(repo, dir, workspace)
        released = lock is not None and store.release_lock(repo, dir, workspace, lock.holder)
        params = {"repo": repo, "dir": dir, "workspace": workspace, "door": "dashboard"}
        entry = store.audit(
            reader.login,
            "unlock",
            {**params, "holder": lock.holder if lock else None},
            started,
            store.clock(),
            "ok" if released else "not held",
        )
        root = request.scope.get("root_path", "").rstrip("/")
        return RedirectResponse(f"{root}/locks?{urlencode({'unlocked': entry})}", 303)
