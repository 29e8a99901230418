"""Request → ChangeSet for a new application: its Argo CD Application and values file, seed 001's layout once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

import yaml

from bot.changes.apps import app_text
from bot.changes.apps.application import AppSpec, all_applications, application_text, read_application
from bot.changes.apps.destinations import destination_permitted, project_destinations
from bot.changes.apps.names import NAME_PATTERN, bad_name, bad_repo_url, shown
from bot.changes.apps.scaffold import PLACEHOLDER_REPO_URL, example_chart_scaffold, example_project_scaffold
from bot.changes.helm.example_chart import EXAMPLE_PROJECT_FILE, example_chart_files
from bot.domain.app_layout import (
    CHARTS_DIR,
    DEFAULT_PROJECT,
    EXAMPLE_CHART,
    IN_CLUSTER_SERVER,
    PROJECTS_DIR,
    AppRef,
    chart_dir,
)
from bot.domain.models import ChangeSet, FileChange, Refusal
from bot.ports import RepoReader

__all__ = ["propose_app"]


def propose_app(
    repo: RepoReader,
    *,
    name: str,
    env: str,
    namespace: str,
    chart: str = EXAMPLE_CHART,
    project: str = DEFAULT_PROJECT,
    repo_url: str = "",
) -> ChangeSet | Refusal:
    """The files that deploy release `name` of `chart` into `namespace` in `env` through Argo CD, or why not.

    `repo_url` is the repository's git URL, which the Application's source names; left empty, it is the one the
    AppProject allows (its only sourceRepos entry), else a placeholder the description asks the reviewer to replace.
    """
    problem = bad_name(name=name, env=env, namespace=namespace, chart=chart)
    if problem is None and not NAME_PATTERN.fullmatch(project):
        problem = Refusal(message=f"{shown(project)} is not an AppProject name.", hint="Like data-apps.")
    if problem is None and repo_url:
        problem = bad_repo_url(repo_url)
    if problem is not None:
        return problem
    ref = AppRef(env, name)
    chart_files = _chart_files(repo, chart)
    if isinstance(chart_files, Refusal):
        return chart_files
    loaded = _project(repo, project)
    if isinstance(loaded, Refusal):
        return loaded
    project_doc, scaffolding_project = loaded
    url = _repo_url(project_doc, project, repo_url, scaffolding_project)
    if isinstance(url, Refusal):
        return url
    if not destination_permitted(project_destinations(project_doc), IN_CLUSTER_SERVER, namespace):
        return _namespace_refused(project_doc, project, namespace)

    existing = read_application(repo, ref)
    if isinstance(existing, Refusal):
        return existing
    if existing is not None:
        return _already_there(existing, ref, chart=chart, namespace=namespace, project=project, repo_url=repo_url)
    clash = _name_clash(repo, ref)
    if clash is not None:
        return clash

    files = list(chart_files)
    if scaffolding_project:
        files += example_project_scaffold(repo, url)
    files.append(
        FileChange(
            ref.application_path, application_text(ref, chart=chart, namespace=namespace, project=project, repo_url=url)
        )
    )
    values_written = repo.read_text(ref.values_path) is None
    if values_written:
        files.append(FileChange(ref.values_path, _values_text(repo, ref, chart)))
    return ChangeSet(
        title=app_text.create_title(ref, namespace),
        description=app_text.create_description(
            ref,
            chart=chart,
            namespace=namespace,
            project=project,
            placeholder_url=url == PLACEHOLDER_REPO_URL,
            files=files,
            values_kept=not values_written,
        ),
        files=tuple(files),
    )


def _chart_files(repo: RepoReader, chart: str) -> list[FileChange] | Refusal:
    """The example chart's files to scaffold (none when present); a chart that is neither there nor the example is
    refused with the charts that are."""
    if repo.read_text(f"{chart_dir(chart)}/Chart.yaml") is not None:
        return []
    if chart == EXAMPLE_CHART:
        return example_chart_scaffold(repo)
    known = sorted({path.split("/")[2] for path in repo.list_files(CHARTS_DIR + "/") if path.endswith("/Chart.yaml")})
    choices = ", ".join(sorted({*known, EXAMPLE_CHART}))
    return Refusal(
        message=f"There is no chart {shown(chart)} in {CHARTS_DIR}/.",
        hint=f"The charts Olympus can deploy: {choices} ({EXAMPLE_CHART} is scaffolded on first use).",
    )


def _project(repo: RepoReader, project: str) -> tuple[Mapping[str, Any], bool] | Refusal:
    """The AppProject as loaded, and whether Olympus scaffolds it with this change."""
    path = f"{PROJECTS_DIR}/{project}.yaml"
    text = repo.read_text(path)
    scaffolding = text is None and path == EXAMPLE_PROJECT_FILE
    if scaffolding:
        text = example_chart_files()[EXAMPLE_PROJECT_FILE]
    if text is None:
        known = sorted(p.rsplit("/", 1)[-1].removesuffix(".yaml") for p in repo.list_files(PROJECTS_DIR + "/"))
        return Refusal(
            message=f"There is no AppProject {shown(project)} in {PROJECTS_DIR}/.",
            hint=f"Use one of {', '.join(sorted({*known, DEFAULT_PROJECT}))} ({DEFAULT_PROJECT} is scaffolded on "
            "first use), or add the project in a pull request first.",
        )
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        loaded = None
    if not isinstance(loaded, dict) or loaded.get("kind") != "AppProject":
        return Refusal(message=f"{path} is not an Argo CD AppProject.", hint="Fix the file first.", location=path)
    return loaded, scaffolding


def _repo_url(project: Mapping[str, Any], name: str, asked: str, scaffolding: bool) -> str | Refusal:
    spec = project.get("spec")
    allowed = spec.get("sourceRepos") if isinstance(spec, dict) else None
    repos = [str(item) for item in allowed] if isinstance(allowed, list) else []
    if scaffolding:
        return asked or PLACEHOLDER_REPO_URL
    if not asked:
        plain = [item for item in repos if not any(char in item for char in "*?[!")]
        return plain[0] if len(plain) == 1 else PLACEHOLDER_REPO_URL
    if any(_repo_matches(pattern, asked) for pattern in repos):
        return asked
    return Refusal(
        message=f"AppProject {name} does not allow the source repository {shown(asked)}.",
        hint=f"Add it to spec.sourceRepos of {PROJECTS_DIR}/{name}.yaml in a pull request first.",
        location=f"{PROJECTS_DIR}/{name}.yaml",
    )


def _repo_matches(pattern: str, url: str) -> bool:
    # Argo CD compares sourceRepos without a trailing .git or /, as globs (a `!` entry denies; read it as no match).
    def bare(text: str) -> str:
        return text.removesuffix("/").removesuffix(".git")

    return not pattern.startswith("!") and fnmatchcase(bare(url), bare(pattern))


def _namespace_refused(project: Mapping[str, Any], name: str, namespace: str) -> Refusal:
    allowed = [f"{d.namespace} on {d.server or d.name}" for d in project_destinations(project)]
    return Refusal(
        message=f"AppProject {name} does not let applications deploy into namespace {namespace} on the "
        f"in-cluster server (its destinations: {'; '.join(allowed) or 'none'}).",
        hint="Pick a namespace the project allows (kube-*, argocd and default are the cluster's own), or change "
        f"the project's destinations in {PROJECTS_DIR}/{name}.yaml in a pull request first.",
        location=f"{PROJECTS_DIR}/{name}.yaml",
    )


def _already_there(
    existing: AppSpec, ref: AppRef, *, chart: str, namespace: str, project: str, repo_url: str
) -> ChangeSet | Refusal:
    wanted = {"chart": chart_dir(chart), "namespace": namespace, "project": project}
    found = {
        "chart": existing.chart_path or existing.remote_chart,
        "namespace": existing.namespace,
        "project": existing.project,
    }
    if repo_url:
        wanted["repoURL"], found["repoURL"] = repo_url, existing.repo_url
    differences = [
        f"{key} is {found[key] or '(not set)'}, not {wanted[key]}" for key in wanted if found[key] != wanted[key]
    ]
    if differences:
        return Refusal(
            message=f"Application {ref.app} already exists in {ref.env} with other settings: "
            + "; ".join(differences)
            + ".",
            hint=f"Change its values with `/infra helm set {ref.app} KEY=VALUE env={ref.env}`, or edit "
            f"{existing.path} in a pull request.",
            location=existing.path,
        )
    return ChangeSet(
        title=app_text.create_title(ref, namespace),
        description=app_text.unchanged_description(ref, existing.path),
        unchanged=True,
    )


def _name_clash(repo: RepoReader, ref: AppRef) -> Refusal | None:
    """Another Application already called `<app>-<env>` (app a-b in env c, and app a in env b-c)."""
    for other, spec in all_applications(repo):
        if other != ref and spec.name == ref.application:
            return Refusal(
                message=f"{spec.path} already defines an Application named {ref.application}.",
                hint="Argo CD's Application names are unique; pick another application name.",
                location=spec.path,
            )
    return None


def _values_text(repo: RepoReader, ref: AppRef, chart: str) -> str:
    defaults_text = repo.read_text(f"{chart_dir(chart)}/values.yaml")
    if defaults_text is None and chart == EXAMPLE_CHART:
        defaults_text = example_chart_files()[f"{chart_dir(chart)}/values.yaml"]
    try:
        defaults = yaml.safe_load(defaults_text or "") or {}
    except yaml.YAMLError:
        defaults = {}
    image = defaults.get("image") if isinstance(defaults, dict) else None
    tag = image.get("tag") if isinstance(image, dict) else None
    lines = [
        f"# Values of release {ref.app} in env {ref.env}, layered over {chart_dir(chart)}/values.yaml (which",
        "# documents every key). Olympus edits this file in place: comments and order stay.",
        f"# Change a value with `/infra helm set {ref.app} KEY=VALUE env={ref.env}`; the chart's values.schema.json",
        "# checks each one before a pull request is opened.",
    ]
    if isinstance(tag, str | int | float) and not isinstance(tag, bool):
        lines += [
            "",
            "image:",
            "  # The release to deploy: pin a tag, never `latest`, so the same values deploy the same code.",
            f"  tag: {json.dumps(str(tag))}",
        ]
    return "\n".join(lines) + "\n"
