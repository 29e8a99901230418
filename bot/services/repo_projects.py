"""The projects of a repository at one commit: its configuration, its root modules, and what a change touches."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from bot.domain.commands import Target
from bot.domain.models import Project
from bot.domain.projects import (
    ModuleGraph,
    ProjectConfigError,
    affected_projects,
    build_module_graph,
    dir_of,
    discover_projects,
    module_calls,
)
from bot.domain.repo_config import ConfigErrors, RepoConfig, load_repo_config
from bot.domain.terraform_failures import ModuleSources
from bot.errors import UserError
from bot.ports import RepoReader


def repo_config(repo: RepoReader) -> RepoConfig | None:
    """The repository's `.olympus.yaml`, or None; every mistake in it is reported at once."""
    config = load_repo_config(repo.read_text)
    if isinstance(config, ConfigErrors):
        raise UserError(
            "invalid-config",
            "the repository configuration has mistakes:\n" + config.render(),
            "fix each one in .olympus.yaml and run the command again",
        )
    return config


def projects_of(repo: RepoReader) -> list[Project]:
    """Every project of the repository: its root modules, or those `.olympus.yaml` names."""
    files = repo.list_files()
    graph = build_module_graph(files, repo.read_text)
    try:
        return discover_projects(files, repo.read_text, repo_config(repo), graph=graph)
    except ProjectConfigError as exc:
        raise UserError("invalid-config", str(exc), "fix the project dirs in .olympus.yaml") from None


def affected_projects_of(repo: RepoReader, changed: Sequence[str], restores: Sequence[str] = ()) -> list[Project]:
    """The projects changed files touch, including through the local modules the projects call, and the projects
    a restore of drift names (`restores`, from its commits' trailers: see bot/domain/drift/fixes.py).

    A restore changes no file, yet its plan and apply are those of its project; a name that is no project is ignored.
    """
    files = repo.list_files()
    graph = build_module_graph(files, repo.read_text)
    try:
        projects = discover_projects(files, repo.read_text, repo_config(repo), graph=graph)
    except ProjectConfigError as exc:
        raise UserError("invalid-config", str(exc), "fix the project dirs in .olympus.yaml") from None
    touched = affected_projects(projects, changed, files, repo.read_text, graph=graph)
    named = [p for p in projects if p.name in restores and p not in touched]
    return touched + named if named else touched


def module_dirs_of(repo: RepoReader, project: Project, graph: ModuleGraph | None = None) -> list[str]:
    """Every local module dir the project calls, directly or through other modules."""
    graph = graph or build_module_graph(repo.list_files(), repo.read_text)
    return sorted(graph.modules_of(project.dir))


def module_sources_of(repo: RepoReader, project: Project) -> ModuleSources:
    """The `module` blocks of a project and of the local modules it calls, keyed as Terraform's errors name them:
    (the file relative to the project's dir, the block's label)."""
    files = repo.list_files()
    dirs = {project.dir, *build_module_graph(files, repo.read_text).modules_of(project.dir)}
    found: dict[tuple[str, str], str] = {}
    for path in files:
        if path.endswith((".tf", ".tofu")) and dir_of(path) in dirs and (text := repo.read_text(path)) is not None:
            relative = posixpath.relpath(path, project.dir) if project.dir != "." else path
            found.update(((relative, call.name), call.source) for call in module_calls(text))
    return found


def select_projects(projects: Sequence[Project], only: str | Target | None) -> list[Project]:
    """The projects named by `-p NAME`, `-d DIR` and/or `-w WORKSPACE` (a name or dir as text), or all of them.

    Naming one the change does not touch is an error.
    """
    if only is None:
        return list(projects)
    if isinstance(only, Target):
        chosen = [p for p in projects if only.matches(p)]
        asked = f"this change does not touch a project matching `{only.describe()}`"
    else:
        chosen = [p for p in projects if only in (p.name, p.dir)]
        asked = f"this change does not touch a project named {only!r}"
    if not chosen:
        names = ", ".join(p.name for p in projects)
        raise UserError("unknown-project", asked, f"the projects it touches are: {names or 'none'}")
    return chosen
