"""What the dashboard lets a reader do, checked as the equivalent command is: release a lock (maintain or admin)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import QueryParams

from bot.entrypoints.dashboard.access import Access, Refused
from bot.ports import Store

__all__ = ["note_text", "routes"]

# What the locks page says after an unlock: fixed sentences, the lock named from the query (escaped as any value).
_NOTES: Mapping[str, str] = {
    "released": "Released the lock on {dir} ({workspace}) of {repo}, held by {holder}: that change plans again to "
    "take it back.",
    "not-held": "The lock on {dir} ({workspace}) of {repo} was no longer held: nothing to release.",
}


def note_text(note: str, query: QueryParams) -> str:
    """The sentence an unlock's redirect asks the locks page to show; "" for none (or an unknown note)."""
    template = _NOTES.get(note)
    if template is None:
        return ""
    return template.format(**{key: query.get(key, "") for key in ("repo", "dir", "workspace", "holder")})


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
        lock = store.lock_for(repo, dir, workspace)
        params = {"repo": repo, "dir": dir, "workspace": workspace, "door": "dashboard"}
        with store.audited(reader.login, "unlock", {**params, "holder": lock.holder if lock else None}) as outcome:
            released = lock is not None and store.release_lock(repo, dir, workspace, lock.holder)
            if not released:
                outcome.result = "not held"
        shown = {**params, "holder": lock.holder if lock else ""}
        shown.pop("door")
        root = request.scope.get("root_path", "").rstrip("/")
        query = urlencode({"note": "released" if released else "not-held", **shown})
        return RedirectResponse(f"{root}/locks?{query}", 303)
