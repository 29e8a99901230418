"""The repository's `.olympus.yaml`: its JSON Schema, parsing, and errors that say where and how to fix."""

from bot.domain.repo_config.config import ProjectConfig, RepoConfig, load_repo_config, parse_repo_config
from bot.domain.repo_config.errors import ConfigError, ConfigErrors
from bot.domain.repo_config.schema import (
    ALLOWABLE_COMMANDS,
    APPLY_REQUIREMENTS,
    CONFIG_PATH,
    CONFIG_VERSION,
    DEFAULT_WORKSPACE,
    MAX_CONFIG_CHARS,
    REPO_CONFIG_SCHEMA,
)
from bot.domain.repo_config.semantics import dir_problem, normalize_dir

__all__ = [
    "ALLOWABLE_COMMANDS",
    "APPLY_REQUIREMENTS",
    "CONFIG_PATH",
    "CONFIG_VERSION",
    "DEFAULT_WORKSPACE",
    "MAX_CONFIG_CHARS",
    "REPO_CONFIG_SCHEMA",
    "ConfigError",
    "ConfigErrors",
    "ProjectConfig",
    "RepoConfig",
    "dir_problem",
    "load_repo_config",
    "normalize_dir",
    "parse_repo_config",
]
