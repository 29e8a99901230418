"""`olympus init`: say where a repository's Terraform state lives, in `.olympus.yaml` and each env's backend.hcl."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.backends import BACKEND_FILE, BackendSettings, backend_hcl, backend_yaml
from bot.domain.models import FileChange
from bot.domain.projects import ProjectConfigError, discover_projects
from bot.domain.repo_config import CONFIG_PATH, CONFIG_VERSION, ConfigErrors, parse_repo_config
from bot.errors import UserError
from bot.ports import RepoReader
from bot.services.local_readiness import unconfigured_backends

CONFIG_HEADER = (
    "# Olympus's settings for this repository (README: Configuration). `olympus init` wrote the backend.\n"
    f"version: {CONFIG_VERSION}\n"
)


@dataclass(frozen=True)
class InitPlan:
    """The files `init` writes, and the envs it leaves alone (another backend type, or already configured)."""

    files: tuple[FileChange, ...]
    skipped: tuple[str, ...]


def init_files(reader: RepoReader, settings: BackendSettings, *, native_s3_locking: bool = True) -> InitPlan:
    """`.olympus.yaml` with the backend section, and a backend.hcl for every env whose partial backend block of
    this type has no settings yet. Refused when the file already names another backend."""
    files: list[FileChange] = []
    config_text = reader.read_text(CONFIG_PATH)
    if config_text is None:
        files.append(FileChange(CONFIG_PATH, CONFIG_HEADER + backend_yaml(settings)))
    else:
        parsed = parse_repo_config(config_text)
        if isinstance(parsed, ConfigErrors):
            raise UserError(
                "invalid-config",
                "the repository configuration has mistakes:\n" + parsed.render(),
                "fix each one in .olympus.yaml and run `olympus init` again",
            )
        if parsed.backend is None:
            files.append(FileChange(CONFIG_PATH, config_text.rstrip("\n") + "\n" + backend_yaml(settings)))
        elif parsed.backend != settings:
            raise UserError(
                "already-initialized",
                f"{CONFIG_PATH} already keeps state in {parsed.backend.describe()}",
                f"edit the `backend` section of {CONFIG_PATH} and each env's {BACKEND_FILE} to move it "
                "(and the state itself: `terraform init -migrate-state`)",
            )
    skipped: list[str] = []
    if not settings.is_sandbox:
        for directory, kind, _missing in unconfigured_backends(reader, _project_dirs(reader)):
            if kind != settings.type:
                skipped.append(f"{directory} (its backend is {kind})")
                continue
            text = backend_hcl(settings, directory, native_s3_locking=native_s3_locking)
            files.append(FileChange(f"{directory}/{BACKEND_FILE}", text))
    return InitPlan(tuple(files), tuple(skipped))


def _project_dirs(reader: RepoReader) -> Sequence[str]:
    try:
        return [project.dir for project in discover_projects(reader.list_files(), reader.read_text)]
    except ProjectConfigError:
        return []


class EmptyTree:
    """A RepoReader over a repository without commits: nothing to read yet."""

    def list_files(self, prefix: str = "") -> list[str]:
        return []

    def read_text(self, path: str) -> str | None:
        return None
