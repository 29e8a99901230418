"""A valid `.olympus.yaml` as types, parsed from text with every mistake found."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.backends import BackendSettings, backend_from_config
from bot.domain.models import Project
from bot.domain.policies.config import ADVISORY_DEFAULT, PolicySettings, policies_from_config
from bot.domain.repo_config.errors import ConfigError, ConfigErrors, single_error
from bot.domain.repo_config.schema import CONFIG_PATH, CONFIG_VERSION, DEFAULT_WORKSPACE, MAX_CONFIG_CHARS
from bot.domain.repo_config.schema_messages import schema_errors
from bot.domain.repo_config.semantics import normalize_dir, project_name, semantic_errors, workspaces_of
from bot.domain.repo_config.yaml_nodes import duplicate_keys, load_yaml


@dataclass(frozen=True)
class ProjectConfig:
    """One `projects` entry, validated and normalised.

    Project names: an entry with a `name` and a single workspace is called by that name; otherwise each
    workspace's project is called `<name or dir>` for the "default" workspace and `<name or dir>@<workspace>`
    for the others, so names stay unique when one directory is planned in several workspaces.
    """

    dir: str  # normalised: "/"-separated, no "./" or trailing slash, "." for the repository root
    name: str | None = None
    workspaces: tuple[str, ...] = (DEFAULT_WORKSPACE,)
    when_modified: tuple[str, ...] = ()  # empty: Project's default globs
    terraform_version: str | None = None

    def projects(self) -> tuple[Project, ...]:
        several = len(self.workspaces) > 1
        made = []
        for workspace in self.workspaces:
            name = project_name(self.name, self.dir, workspace, several)
            if self.when_modified:
                made.append(Project(name, self.dir, workspace, self.when_modified))
            else:
                made.append(Project(name, self.dir, workspace))
        return tuple(made)


@dataclass(frozen=True)
class RepoConfig:
    """A valid `.olympus.yaml`."""

    version: int = CONFIG_VERSION
    projects: tuple[ProjectConfig, ...] = ()
    apply_requirements: tuple[str, ...] = ()
    backend: BackendSettings | None = None  # where state lives (bot/domain/backends.py), set by `olympus init`
    allow_commands: tuple[str, ...] = ()  # of ALLOWABLE_COMMANDS
    parallel_plan: int | None = None  # at most this many projects planned at once; None: the machine's setting
    policies: PolicySettings = ADVISORY_DEFAULT  # the policy sets (bot/domain/policies/config.py)
    drift_schedule: bool = True  # `drift: {schedule: false}`: the App's scheduled drift checks skip the repository
    # `fixes: {auto: true}`: a failed plan, apply or sync runs the fix loop by itself. Off by default: as with
    # Atlantis or Digger, nothing spends a model's tokens or comments a diagnosis unless the repository turned it on.
    fixes_auto: bool = False

    def allows(self, command: str) -> bool:
        """Whether an off-by-default command (`import`, `state_rm`) is turned on."""
        return command in self.allow_commands

    def listed_projects(self) -> tuple[Project, ...]:
        """Every configured project, one per directory and workspace, in file order."""
        return tuple(project for entry in self.projects for project in entry.projects())

    def terraform_version_for(self, project: Project) -> str | None:
        for entry in self.projects:
            if entry.dir == project.dir and project.workspace in entry.workspaces:
                return entry.terraform_version
        return None


def parse_repo_config(text: str) -> RepoConfig | ConfigErrors:
    """The configuration in text, or every mistake in it; the caller reads the file."""
    if len(text) > MAX_CONFIG_CHARS:
        return single_error(
            "config-too-large",
            f"the file is {len(text):,} characters long; the limit is {MAX_CONFIG_CHARS:,}",
            "keep .olympus.yaml to the projects and settings Olympus reads",
        )
    loaded = load_yaml(text)
    if isinstance(loaded, ConfigError):
        return ConfigErrors((loaded,))
    node, data = loaded
    if data is None:
        return single_error("empty-config", "the file is empty", "start it with `version: 1`", line=1)
    errors = list(duplicate_keys(node))
    errors += schema_errors(data, node)
    if isinstance(data, dict):
        errors += semantic_errors(data, node)
    if errors or not isinstance(data, dict):  # a non-mapping always has a schema error
        unique = dict.fromkeys(errors)
        return ConfigErrors(tuple(sorted(unique, key=lambda e: (e.line or 0, e.column or 0, e.location))))
    return build_config(data)


def load_repo_config(read: Callable[[str], str | None]) -> RepoConfig | ConfigErrors | None:
    """The repository's configuration through read (repo-relative path → text), or None when it has none."""
    text = read(CONFIG_PATH)
    if text is not None:
        return parse_repo_config(text)
    for other in (".olympus.yml", "olympus.yaml", ".olympus.yaml.yaml"):
        if read(other) is not None:
            return single_error(
                "misnamed-config",
                f"found `{other}`, but Olympus reads `{CONFIG_PATH}`",
                f"rename `{other}` to `{CONFIG_PATH}`",
            )
    return None


def build_config(data: Mapping[str, Any]) -> RepoConfig:
    """The validated data as a RepoConfig."""
    projects = []
    for entry in data.get("projects") or ():
        projects.append(
            ProjectConfig(
                dir=normalize_dir(entry["dir"]),
                name=entry.get("name"),
                workspaces=workspaces_of(entry),
                when_modified=tuple(entry.get("when_modified") or ()),
                terraform_version=entry.get("terraform_version"),
            )
        )
    return RepoConfig(
        version=int(data["version"]),
        projects=tuple(projects),
        apply_requirements=tuple(data.get("apply_requirements") or ()),
        allow_commands=tuple(data.get("allow_commands") or ()),
        parallel_plan=data.get("parallel_plan"),
        backend=backend_from_config(data["backend"]) if data.get("backend") else None,
        policies=policies_from_config(data.get("policies")),
        drift_schedule=(data.get("drift") or {}).get("schedule", True) is not False,
        fixes_auto=(data.get("fixes") or {}).get("auto", False) is True,
    )
