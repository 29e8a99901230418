"""Terraform projects in a repository: find the root modules, and which of them a change affects.

Everything here is pure: the caller lists the repository's files (repo-relative, "/"-separated) and passes a
`read(path) -> text | None`. Only Terraform files (`*.tf`, `*.tf.json`, OpenTofu's `*.tofu`, `*.tofu.json`) are
read: for the `module` blocks of the ones that mention `module`, and in a module's repository also for the provider
and backend blocks only a root module has (line-initial `provider "x" {`, `backend "x" {`, `cloud {`: a
commented-out block does not count, one inside a heredoc or block comment does).

How `module` blocks are found, and what a root module configures: bot/domain/module_blocks.py.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.app_layout import is_app_file
from bot.domain.models import Project
from bot.domain.module_blocks import (
    ModuleCall,
    configures_root,
    json_configures_root,
    json_module_sources,
    module_calls,
    module_sources,
)
from bot.domain.project_globs import ROOT_DIR, GlobIndex, glob_regex
from bot.domain.repo_config import ConfigError, ConfigErrors, RepoConfig

__all__ = [
    "ROOT_DIR",
    "TERRAFORM_SUFFIXES",
    "ModuleCall",
    "ModuleGraph",
    "ProjectConfigError",
    "Reader",
    "affected_projects",
    "build_module_graph",
    "check_project_dirs",
    "dir_of",
    "discover_projects",
    "glob_regex",
    "module_calls",
    "module_sources",
]

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")
# Files Terraform reads only in the directory it runs in, so a directory holding one is run as a root module.
ROOT_ONLY_FILES = ("terraform.tfvars", "terraform.tfvars.json", "backend.hcl", ".terraform.lock.hcl")
ROOT_ONLY_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")

Reader = Callable[[str], str | None]


class ProjectConfigError(ValueError):
    """Configured projects that do not match the repository's files; `errors` says what to fix in each."""

    def __init__(self, errors: ConfigErrors) -> None:
        super().__init__(errors.render())
        self.errors = errors


@dataclass(frozen=True)
class ModuleGraph:
    """Which directories hold Terraform files, and which local modules each of them calls."""

    terraform_dirs: frozenset[str]
    calls: Mapping[str, frozenset[str]] = field(default_factory=dict)  # caller dir -> called dirs

    @property
    def called_dirs(self) -> frozenset[str]:
        return frozenset(target for targets in self.calls.values() for target in targets)

    def modules_of(self, dir: str) -> frozenset[str]:
        """Every local module dir calls, directly or through other modules (cycles are tolerated)."""
        seen: set[str] = set()
        stack = list(self.calls.get(dir, ()))
        while stack:
            target = stack.pop()
            if target not in seen:
                seen.add(target)
                stack.extend(self.calls.get(target, ()))
        seen.discard(dir)
        return frozenset(seen)


def build_module_graph(files: Iterable[str], read: Reader) -> ModuleGraph:
    """The module graph of the repository: every Terraform directory and its local module calls."""
    by_dir: dict[str, list[str]] = {}
    for path in files:
        if path.endswith(TERRAFORM_SUFFIXES) and not _hidden(path):
            by_dir.setdefault(dir_of(path), []).append(path)
    calls: dict[str, frozenset[str]] = {}
    for dir, paths in by_dir.items():
        targets = set()
        for path in paths:
            text = read(path)
            if text is None or "module" not in text:
                continue
            sources = json_module_sources(text) if path.endswith(".json") else module_sources(text)
            for source in sources:
                target = _local_target(dir, source)
                if target is not None and target != dir:
                    targets.add(target)
        if targets:
            calls[dir] = frozenset(targets)
    return ModuleGraph(frozenset(by_dir), calls)


def discover_projects(
    files: Sequence[str], read: Reader, config: RepoConfig | None = None, *, graph: ModuleGraph | None = None
) -> list[Project]:
    """The projects of a repository, sorted by dir then workspace.

    With a configuration listing projects, exactly those (each dir must hold Terraform files, else
    ProjectConfigError). Otherwise every directory holding Terraform files is a root module unless a local
    `module` block anywhere calls it, or it lies under a `modules/` directory; hidden directories (`.terraform/`,
    `.github/`) are skipped.

    A repository whose top directory is itself a module its own directories call is a module's repository, laid out
    as Terraform's standard module structure says: the module, `modules/`, and `examples/` that call it
    (https://developer.hashicorp.com/terraform/language/modules/develop/structure). Its root modules are the
    examples and the directories that configure what only a root module may (a provider, a backend, or a
    terraform.tfvars, backend.hcl or lock file beside them); the others, such as the terraform-aws-modules
    repositories' `wrappers/*`, are modules called from elsewhere through the registry, and a module meant to be
    called configures no provider (https://developer.hashicorp.com/terraform/language/modules/develop/providers).

    Discovered projects are named after their dir and use the "default" workspace.
    """
    if config is not None and config.projects:
        problems = check_project_dirs(config, files)
        if problems:
            raise ProjectConfigError(problems)
        return _sorted(config.listed_projects())
    graph = graph if graph is not None else build_module_graph(files, read)
    called = graph.called_dirs
    roots = [d for d in graph.terraform_dirs if d not in called and "modules" not in d.split("/")]
    if ROOT_DIR in called and ROOT_DIR in graph.terraform_dirs:
        root_like = _root_like_dirs([d for d in roots if "examples" not in d.split("/")], files, read)
        roots = [d for d in roots if d in root_like or "examples" in d.split("/")]
    return _sorted(Project(name=d, dir=d) for d in roots)


def _root_like_dirs(dirs: Iterable[str], files: Iterable[str], read: Reader) -> set[str]:
    """The dirs that configure what only a root module does (a provider, a backend), or hold a file Terraform reads
    only in the directory it runs in (terraform.tfvars, backend.hcl, .terraform.lock.hcl)."""
    wanted = set(dirs)
    found: set[str] = set()
    for path in files:
        dir = dir_of(path)
        if dir not in wanted or dir in found:
            continue
        name = path.rpartition("/")[2]
        if name in ROOT_ONLY_FILES or name.endswith(ROOT_ONLY_SUFFIXES):
            found.add(dir)
        elif path.endswith(TERRAFORM_SUFFIXES) and (text := read(path)) is not None:
            if json_configures_root(text) if path.endswith(".json") else configures_root(text):
                found.add(dir)
    return found


def check_project_dirs(config: RepoConfig, files: Iterable[str]) -> ConfigErrors:
    """Configured project dirs that do not exist or hold no Terraform files (empty when all are fine)."""
    existing: set[str] = {ROOT_DIR}
    terraform_dirs: set[str] = set()
    for path in files:
        dir = dir_of(path)
        if path.endswith(TERRAFORM_SUFFIXES):
            terraform_dirs.add(dir)
        while dir not in existing:
            existing.add(dir)
            dir = dir_of(dir)
    errors = []
    for index, entry in enumerate(config.projects):
        if entry.dir in terraform_dirs:
            continue
        location = f"projects[{index}].dir"
        if entry.dir not in existing:
            close = difflib.get_close_matches(entry.dir, sorted(terraform_dirs), n=1, cutoff=0.7)
            hint = f"did you mean `{close[0]}`? " if close else ""
            errors.append(
                ConfigError(
                    "dir-not-found",
                    location,
                    f"`{entry.dir}` does not exist in the repository",
                    hint + "`dir` is relative to the repository root; fix it, or remove the project",
                )
            )
            continue
        below = sorted(d for d in terraform_dirs if entry.dir == ROOT_DIR or d.startswith(entry.dir + "/"))
        hint = "point `dir` at the directory holding the root module's .tf files"
        if below:
            shown = ", ".join(f"`{d}`" for d in below[:5]) + (", …" if len(below) > 5 else "")
            hint += f"; Terraform files are in {shown}"
        errors.append(ConfigError("dir-without-terraform", location, f"`{entry.dir}` holds no .tf files", hint))
    return ConfigErrors(tuple(errors))


def affected_projects(
    projects: Iterable[Project],
    changed_files: Iterable[str],
    files: Iterable[str],
    read: Reader,
    *,
    graph: ModuleGraph | None = None,
) -> list[Project]:
    """The projects a change touches, sorted by dir then workspace, each once.

    A project is affected when a changed (added, modified or deleted) file matches one of its `when_modified`
    globs, which are relative to its dir (`*` stays in one directory, `**` crosses them, `../` reaches shared
    code), or when the file belongs to a local module the project calls, directly or through other modules.
    A file belongs to the nearest directory above it that holds Terraform files (or is called as a module), so
    a module's templates and policy files count, while a nested module counts only when it is called; the files of
    Helm and Argo CD applications (bot/domain/app_layout.py) belong to none.
    """
    projects = list(projects)
    graph = graph if graph is not None else build_module_graph(files, read)
    users: dict[str, set[Project]] = {}
    for project in projects:
        for module in graph.modules_of(project.dir):
            users.setdefault(module, set()).add(project)
    owners = graph.terraform_dirs | graph.called_dirs
    globs = GlobIndex(projects)
    affected: set[Project] = set()
    for raw in changed_files:
        path = _clean(raw)
        affected |= globs.matching(path)
        # An application's chart, values and Argo CD manifests are Argo CD's, not a file of the Terraform module
        # above them (a module repository's root): they change no Terraform project unless its globs name them.
        owner = None if is_app_file(path) else _owner(path, owners)
        if owner is not None:
            affected |= users.get(owner, set())
    return _sorted(affected)


def dir_of(path: str) -> str:
    """The directory of a repo-relative path ("." for the repository root)."""
    head = path.rpartition("/")[0]
    return head or ROOT_DIR


def _local_target(dir: str, source: str) -> str | None:
    """The repo-relative dir a local module source points at; None for remote or out-of-repository sources."""
    if not source.startswith(("./", "../")) and source not in (".", ".."):
        return None
    target = posixpath.normpath(posixpath.join(dir, source))
    if target == ".." or target.startswith("../"):
        return None
    return target


def _owner(path: str, owners: frozenset[str]) -> str | None:
    """The nearest directory above path that holds Terraform files or is called as a module."""
    dir = dir_of(path)
    while True:
        if dir in owners:
            return dir
        if dir == ROOT_DIR:
            return None
        dir = dir_of(dir)


def _clean(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path


def _hidden(path: str) -> bool:
    """Whether path lies in a hidden directory (`.terraform/`, `.github/`); hidden files themselves count."""
    dir = path.rpartition("/")[0]
    return dir.startswith(".") or "/." in dir


def _sorted(projects: Iterable[Project]) -> list[Project]:
    return sorted(set(projects), key=lambda p: (p.dir, p.workspace, p.name))
