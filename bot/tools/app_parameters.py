"""The helm and argocd tools' parameters: what each means and its limits, as the input schemas advertise them.

The limits are the generators' own patterns (bot/changes/apps/names.py); as in parameters.py they go into the schema
only, and the generators check them, so a mistake is worded the same whoever made the call.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field
from pydantic.config import JsonDict

from bot.changes.apps.names import ENV_PATTERN, MAX_SETTINGS, NAME_PATTERN
from bot.changes.apps.versions import SEMVER
from bot.domain.app_layout import DEFAULT_PROJECT, EXAMPLE_CHART
from bot.domain.helm_names import NAMESPACE_MAX, RELEASE_NAME_MAX

__all__ = [
    "DEFAULT_CHART",
    "DEFAULT_PROJECT",
    "AppEnv",
    "AppName",
    "ArgoProject",
    "ChartName",
    "ChartVersion",
    "HelmValues",
    "Namespace",
]

DEFAULT_CHART = EXAMPLE_CHART
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def _anchored(pattern: re.Pattern[str]) -> str:
    # As parameters.py's: whole-text match in both ECMA-262 and Python's `re` (`$` alone allows a final newline).
    return f"^(?:{pattern.pattern})$(?!\n)"


def _field(description: str, schema: JsonDict) -> Any:
    return Field(description=description, json_schema_extra=schema)


AppName = Annotated[
    str,
    _field(
        "The application's name: its Helm release name, and its Argo CD Application is <name>-<env>. Lowercase "
        "letters, digits and '-', like payments-api.",
        {"pattern": _anchored(_DNS_LABEL), "maxLength": RELEASE_NAME_MAX},
    ),
]
AppEnv = Annotated[
    str,
    _field(
        "The environment: a lowercase letter, then letters, digits or hyphens.", {"pattern": _anchored(ENV_PATTERN)}
    ),
]
ChartName = Annotated[
    str,
    _field(
        f"A chart in the repository's helm/charts/; {EXAMPLE_CHART} is scaffolded on first use.",
        {"pattern": _anchored(NAME_PATTERN)},
    ),
]
Namespace = Annotated[
    str,
    _field(
        "The Kubernetes namespace the application deploys into; the AppProject must allow it (never kube-*, argocd "
        "or default with the scaffolded project).",
        {"pattern": _anchored(_DNS_LABEL), "maxLength": NAMESPACE_MAX},
    ),
]
ArgoProject = Annotated[
    str,
    _field(
        f"The Argo CD AppProject (argocd/projects/<project>.yaml); {DEFAULT_PROJECT} is scaffolded on first use.",
        {"pattern": _anchored(NAME_PATTERN)},
    ),
]
ChartVersion = Annotated[
    str, _field("The chart version to move to, SemVer 2 like 1.5.0.", {"pattern": _anchored(SEMVER)})
]
HelmValues = Annotated[
    dict[str, str],
    _field(
        "The values to set, by dotted key (image.tag, resources.limits.memory) to the value as text; each is typed "
        "and checked by the chart's values.schema.json. Never secrets: values files are committed.",
        {
            "minProperties": 1,
            "maxProperties": MAX_SETTINGS,
            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$"},
        },
    ),
]
