"""What a repository's MCP tools read besides its files: projects, saved plans, locks, probes, helm and Argo CD."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.app_ports import ApplicationSyncer
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.plan_lookup import latest_plan_summary
from bot.tools.domain_servers import ToolSources
from bot.tools.health import Probe
from bot.tools.server import projects_in

__all__ = ["repository_sources"]


def repository_sources(
    loop: Loop,
    reader: RepoReader,
    probes: Mapping[str, Probe],
    *,
    plans: bool = True,
    syncer: ApplicationSyncer | None = None,
    repo_url: str = "",
) -> ToolSources:
    """The tool sources of `loop`'s repository, read through `reader`; `plans` False where the loop has no local
    branches to find saved plans on (the App's), so get_plan_summary reads as nothing saved. render_release renders
    with the loop's helm (when it plans applications), get_application_status asks `syncer`'s Argo CD (when set up),
    and a new Application names `repo_url` (when known)."""

    def locks() -> list[dict[str, Any]]:
        return [
            {
                "dir": lock.dir,
                "workspace": lock.workspace,
                "holder": lock.holder,
                "acquired_at": lock.acquired_at.isoformat(),
            }
            for lock in loop.store.locks()
            if lock.repo == loop.repo_id
        ]

    return ToolSources(
        list_projects=lambda: projects_in(reader),
        plan_summary=(lambda project: latest_plan_summary(loop, project)) if plans else None,
        locks=locks,
        probes=probes,
        renderer=loop.apps.renderer if loop.apps is not None else None,
        app_status=(lambda name: dict(syncer.application(name))) if syncer is not None else None,
        repo_url=repo_url,
    )
