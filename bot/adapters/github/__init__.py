"""The GitHub adapter: App authentication, the CodeHost over PyGithub, retries, and a RepoReader over GitHub."""

from __future__ import annotations

from bot.adapters.github.app_auth import (
    DEFAULT_API_URL,
    GitHubApp,
    InstallationTokens,
    PrivateKey,
    load_private_key,
    normalize_api_url,
)
from bot.adapters.github.codehost import GitHubCodeHost
from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.adapters.github.retry import Retrying, RetryPolicy

__all__ = [
    "DEFAULT_API_URL",
    "GitHubApp",
    "GitHubCodeHost",
    "GitHubRepoReader",
    "InstallationTokens",
    "PrivateKey",
    "RetryPolicy",
    "Retrying",
    "load_private_key",
    "normalize_api_url",
]
