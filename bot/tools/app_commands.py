"""The `/infra` lines a person would type for the helm and argocd change tools' changes (their results' command)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from bot.domain.app_layout import DEFAULT_PROJECT

__all__ = ["create_app_command", "helm_set_command", "helm_upgrade_command"]

_PLAIN = re.compile(r"[^\s\"'`\\]+")


def create_app_command(name: str, chart: str, namespace: str, env: str, project: str) -> str:
    """`/infra create app payments-api chart=example-data-app namespace=payments env=staging` (project when not the
    default one)."""
    extra = f" project={project}" if project != DEFAULT_PROJECT else ""
    return f"/infra create app {name} chart={chart} namespace={namespace} env={env}{extra}"


def helm_set_command(name: str, values: Mapping[str, str], env: str) -> str:
    """`/infra helm set payments-api replicaCount=3 image.tag=1.4.2 env=staging`; a value with spaces or quotes is
    written as a JSON string."""
    pairs = " ".join(
        f"{key}={value if _PLAIN.fullmatch(value) else json.dumps(value)}" for key, value in values.items()
    )
    return f"/infra helm set {name} {pairs} env={env}"


def helm_upgrade_command(name: str, version: str, env: str) -> str:
    """`/infra helm upgrade payments-api version=1.5.0 env=prod`."""
    return f"/infra helm upgrade {name} version={version} env={env}"
