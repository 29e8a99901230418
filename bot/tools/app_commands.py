"""The `/infra` lines a person would type for the helm and argocd change tools' changes (their results' command).

The grammar's own rendering (bot/domain/commands), so that the line a tool returns is one parse() reads back into
the same command: the interpreter turns the model's proposals into commands by parsing these lines.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.commands import CreateApp, SetValues, UpgradeChart, render_command

__all__ = ["create_app_command", "helm_set_command", "helm_upgrade_command"]


def create_app_command(name: str, chart: str, namespace: str, env: str, project: str) -> str:
    """`/infra create app payments-api chart=example-data-app namespace=payments env=staging project=data-apps`."""
    return render_command(CreateApp(name=name, env=env, namespace=namespace, chart=chart, project=project))


def helm_set_command(name: str, values: Mapping[str, str], env: str) -> str:
    """`/infra helm set payments-api image.tag=1.4.2 replicaCount=3 env=staging`, keys sorted."""
    return render_command(SetValues(name=name, env=env, settings=tuple(sorted(values.items()))))


def helm_upgrade_command(name: str, version: str, env: str) -> str:
    """`/infra helm upgrade payments-api version=1.5.0 env=prod`."""
    return render_command(UpgradeChart(name=name, env=env, version=version))
