"""The names an application change takes, checked before any path is built from them: each a refusal saying why."""

from __future__ import annotations

import re
from typing import Final

from bot.domain.helm_names import check_namespace, check_release_name
from bot.domain.models import Refusal

__all__ = ["ENV_PATTERN", "MAX_SETTINGS", "NAME_PATTERN", "REPO_URL_PATTERN", "bad_name", "bad_repo_url", "shown"]

# The most values one request sets.
MAX_SETTINGS: Final = 32
# The env is a path segment and the suffix of the Application's name: a DNS label, as short as Terraform's envs.
ENV_PATTERN: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
# A chart or AppProject name is a directory or file name under helm/charts or argocd/projects, and a DNS label.
NAME_PATTERN: Final = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# What Argo CD takes as a git repository: https or ssh, with nothing YAML or a shell could read as more.
REPO_URL_PATTERN: Final = re.compile(
    r"(https://[A-Za-z0-9.-]+(:[0-9]+)?|(ssh://)?git@[A-Za-z0-9.-]+[:/])[A-Za-z0-9._/~-]+"
)


def shown(text: str) -> str:
    """Untrusted text in a refusal: repr (so a newline or a quote shows as such), cut short."""
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def bad_name(*, name: str, env: str, namespace: str | None = None, chart: str | None = None) -> Refusal | None:
    """Why these names cannot be used, or None. `name` is the Helm release name and must satisfy Helm's own rule."""
    try:
        check_release_name(name)
    except ValueError as error:
        return Refusal(message=f"{shown(name)} is not an application name: {error}.", hint=_LABEL_HINT)
    if not ENV_PATTERN.fullmatch(env):
        return Refusal(
            message=f"{shown(env)} is not an env name.",
            hint="Env names are a lowercase letter, then letters, digits or hyphens, like dev or prod-eu.",
        )
    if namespace is not None:
        try:
            check_namespace(namespace)
        except ValueError as error:
            return Refusal(message=f"{shown(namespace)} is not a namespace: {error}.", hint=_LABEL_HINT)
    if chart is not None and not NAME_PATTERN.fullmatch(chart):
        return Refusal(message=f"{shown(chart)} is not a chart name.", hint=_LABEL_HINT)
    return None


def bad_repo_url(url: str) -> Refusal | None:
    if REPO_URL_PATTERN.fullmatch(url) and ".." not in url:
        return None
    return Refusal(
        message=f"{shown(url)} is not a git repository URL Olympus writes into an Application.",
        hint="Give an https:// or git@ URL of the repository, like https://github.com/example-org/infra.git.",
    )


_LABEL_HINT = "Use lowercase letters, digits and '-', starting and ending with a letter or digit, like payments-api."
