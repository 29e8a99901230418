"""The helm domain's tools as typed functions: values edits and chart moves proposed, releases listed and rendered."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import bot.changes.apps as generators
from bot.app_ports import ChartRenderer
from bot.changes.apps.application import all_applications, read_application
from bot.domain.app_layout import AppRef, chart_dir
from bot.domain.manifests.objects import RenderProblem, parse_render
from bot.domain.models import ChangeSet, Refusal
from bot.errors import UserError
from bot.ports import RepoReader
from bot.tools.app_commands import helm_set_command, helm_upgrade_command
from bot.tools.app_parameters import AppEnv, AppName, ChartVersion, HelmValues
from bot.tools.app_results import ReleaseResult, ReleasesResult, RenderedObject, RenderResult
from bot.tools.change_tools import ChangeRefused, Tool, ToolRefused
from bot.tools.parameters import DEFAULT_ENV
from bot.tools.results import ChangeResult, RefusalResult, change_result

__all__ = ["HELM_MISSING", "changed", "helm_tools"]

HELM_MISSING = (
    "helm is not available here, so Olympus cannot render the release: run `olympus setup` (it installs the official "
    "helm 3.10.1), or set OLYMPUS_HELM to a helm 3 binary"
)


def changed(result: ChangeSet | Refusal, command: str) -> ChangeResult:
    """A generator's answer as a change tool's result; its refusal as ChangeRefused."""
    answer = change_result(result, command=command)
    if isinstance(answer, RefusalResult):
        raise ChangeRefused(answer)
    return answer


def helm_tools(repo: RepoReader, renderer: ChartRenderer | None = None) -> dict[str, Tool]:
    """set_helm_values, upgrade_chart, render_release and list_releases over `repo`, by name; render_release renders
    through `renderer` (HelmCli), and without one says how to get helm."""

    def set_helm_values(name: AppName, values: HelmValues, env: AppEnv = DEFAULT_ENV) -> ChangeResult:
        """Propose setting values of an application's Helm release in one env (its helm/values/<env>/<name>.yaml,
        edited in place); the chart's values.schema.json checks them first."""
        return changed(
            generators.propose_values(repo, name=name, env=env, settings=values), helm_set_command(name, values, env)
        )

    def upgrade_chart(name: AppName, version: ChartVersion, env: AppEnv = DEFAULT_ENV) -> ChangeResult:
        """Propose moving an application's chart to another version: the Application's targetRevision for a chart
        from a Helm or OCI repository, the chart's own version for one in helm/charts/."""
        return changed(
            generators.propose_chart_upgrade(repo, name=name, env=env, version=version),
            helm_upgrade_command(name, version, env),
        )

    def render_release(name: AppName, env: AppEnv = DEFAULT_ENV) -> RenderResult:
        """Render an application's release with `helm template` as the repository holds it: its objects, counted
        per kind, by identity only."""
        ref = AppRef(env, name)
        app = read_application(repo, ref)
        if isinstance(app, Refusal):
            raise ToolRefused(app.message)
        if app is None:
            raise ToolRefused(f"there is no application {name!r} in env {env!r}; call list_releases for the releases")
        chart = app.repo_chart
        if chart is None:
            raise ToolRefused(
                f"{app.name} deploys a chart from a Helm repository ({app.remote_chart or app.chart_path}); Olympus "
                "renders charts kept in helm/charts/ only, offline"
            )
        if renderer is None:
            raise ToolRefused(HELM_MISSING)
        with tempfile.TemporaryDirectory(prefix="olympus-render-") as scratch:
            root = Path(scratch)
            values = _written(repo, root, chart, ref.values_path)
            try:
                text = renderer.template(root / chart_dir(chart), name, app.namespace, values)
            except UserError as error:
                raise ToolRefused(f"{error.message}" + (f" ({error.hint})" if error.hint else "")) from None
        render = parse_render(text, default_namespace=app.namespace)
        if isinstance(render, RenderProblem):
            raise ToolRefused(f"the render of {app.name} cannot be read: {render.message}")
        keys = sorted(render.objects)
        return RenderResult(
            application=app.name,
            chart=chart_dir(chart),
            namespace=app.namespace,
            counts=dict(sorted(Counter(key.kind_label for key in keys).items())),
            objects=[
                RenderedObject(
                    api_version=str(render.objects[key].body.get("apiVersion", "")),
                    kind=key.kind,
                    name=key.name,
                    namespace=key.namespace,
                )
                for key in keys
            ],
        )

    def list_releases() -> ReleasesResult:
        """The Helm releases in the repository: each application in each env, its chart and its values file."""
        releases = []
        for ref, app in all_applications(repo):
            chart = app.repo_chart
            releases.append(
                ReleaseResult(
                    name=ref.app,
                    env=ref.env,
                    chart=chart_dir(chart) if chart else app.remote_chart or app.chart_path,
                    values_path=ref.values_path if chart else "",
                    application_path=app.path,
                )
            )
        return ReleasesResult(releases=releases)

    tools = [Tool(fn.__name__, fn, changes=True) for fn in (set_helm_values, upgrade_chart)]
    tools += [Tool(fn.__name__, fn, changes=False) for fn in (render_release, list_releases)]
    return {tool.name: tool for tool in tools}


def _written(repo: RepoReader, root: Path, chart: str, values_path: str) -> list[Path]:
    """The chart's files and the release's values file written under `root` as the repository holds them; the values
    file's path (none when it does not exist)."""
    for path in repo.list_files(chart_dir(chart) + "/"):
        text = repo.read_text(path)
        if text is not None:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    values = repo.read_text(values_path)
    if values is None:
        return []
    target = root / values_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(values, encoding="utf-8")
    return [target]
