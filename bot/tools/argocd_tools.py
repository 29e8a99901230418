"""The argocd domain's tools as typed functions: Applications proposed and listed, their status read; none syncs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import bot.changes.apps as generators
from bot.changes.apps.application import all_applications, read_application
from bot.domain.app_layout import AppRef
from bot.domain.models import Refusal
from bot.errors import UserError
from bot.ports import RepoReader
from bot.tools.app_commands import create_app_command
from bot.tools.app_parameters import DEFAULT_CHART, DEFAULT_PROJECT, AppEnv, AppName, ArgoProject, ChartName, Namespace
from bot.tools.app_results import ApplicationResult, ApplicationsResult, ApplicationStatusResult, ResourceStatus
from bot.tools.change_tools import Tool, ToolRefused
from bot.tools.helm_tools import changed
from bot.tools.parameters import DEFAULT_ENV
from bot.tools.results import ChangeResult

__all__ = ["ARGOCD_MISSING", "AppStatus", "argocd_tools"]

# The Application's name → Argo CD's Application object as `GET /api/v1/applications/{name}` returns it.
AppStatus = Callable[[str], dict[str, Any]]

ARGOCD_MISSING = (
    "Argo CD is not configured, so Olympus cannot read the application's status: set OLYMPUS_ARGOCD_SERVER (its URL) "
    "and OLYMPUS_ARGOCD_TOKEN_FILE (a file holding an API token with read access to applications)"
)


def argocd_tools(repo: RepoReader, app_status: AppStatus | None = None, *, repo_url: str = "") -> dict[str, Tool]:
    """create_app, list_applications and get_application_status over `repo`, by name. `repo_url` is the repository's
    git URL when known (the new Application's source); `app_status` reads an Application from Argo CD."""

    def create_app(
        name: AppName,
        namespace: Namespace,
        chart: ChartName = DEFAULT_CHART,
        env: AppEnv = DEFAULT_ENV,
        project: ArgoProject = DEFAULT_PROJECT,
    ) -> ChangeResult:
        """Propose a new application: an Argo CD Application (argocd/apps/<env>/<name>.yaml) deploying a chart of
        helm/charts/ into a namespace, and its values file; Argo CD syncs it only after the pull request is merged."""
        proposed = generators.propose_app(
            repo, name=name, env=env, namespace=namespace, chart=chart, project=project, repo_url=repo_url
        )
        return changed(proposed, create_app_command(name, chart, namespace, env, project))

    def list_applications() -> ApplicationsResult:
        """The Argo CD Applications in the repository: each one's project, destination and source."""
        return ApplicationsResult(
            applications=[
                ApplicationResult(
                    application=app.name,
                    name=ref.app,
                    env=ref.env,
                    project=app.project,
                    namespace=app.namespace,
                    server=app.server,
                    repo_url=app.repo_url,
                    target_revision=app.target_revision,
                    source=app.remote_chart or app.chart_path,
                    path=app.path,
                )
                for ref, app in all_applications(repo)
            ]
        )

    def get_application_status(name: AppName, env: AppEnv = DEFAULT_ENV) -> ApplicationStatusResult:
        """An application's sync status and health as Argo CD reports them now, with each object's."""
        app = read_application(repo, AppRef(env, name))
        if isinstance(app, Refusal):
            raise ToolRefused(app.message)
        if app is None:
            raise ToolRefused(f"there is no application {name!r} in env {env!r}; call list_applications for them")
        if app_status is None:
            raise ToolRefused(ARGOCD_MISSING)
        try:
            found = app_status(app.name)
        except UserError as error:
            raise ToolRefused(f"Argo CD did not answer for {app.name}: {error.message}") from None
        return status_of(app.name, found)

    tools = [Tool("create_app", create_app, changes=True)]
    tools += [Tool(fn.__name__, fn, changes=False) for fn in (list_applications, get_application_status)]
    return {tool.name: tool for tool in tools}


def status_of(application: str, found: Mapping[str, Any]) -> ApplicationStatusResult:
    """The status fields of Argo CD's v1alpha1Application object (swagger.json), every other field left out."""
    status = _map(found.get("status"))
    sync, health, operation = _map(status.get("sync")), _map(status.get("health")), _map(status.get("operationState"))
    resources = [
        ResourceStatus(
            kind=_text(item.get("kind")),
            name=_text(item.get("name")),
            namespace=_text(item.get("namespace")),
            status=_text(item.get("status")),
            health=_text(_map(item.get("health")).get("status")),
        )
        for item in status.get("resources") or []
        if isinstance(item, Mapping)
    ]
    return ApplicationStatusResult(
        application=application,
        sync_status=_text(sync.get("status")) or "Unknown",
        health_status=_text(health.get("status")) or "Unknown",
        revision=_text(sync.get("revision")),
        operation_phase=_text(operation.get("phase")),
        operation_message=_text(operation.get("message")),
        resources=resources,
    )


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return str(value)[:500] if value is not None else ""
