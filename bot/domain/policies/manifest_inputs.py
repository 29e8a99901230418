"""What a policy set is given for an application: conftest's `--combine` array of its rendered objects, and data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from bot.domain.manifests.canonical import shown_body
from bot.domain.manifests.objects import ManifestObject

_COMPACT: Final = (",", ":")


def object_address(item: ManifestObject) -> str:
    """`Kind/namespace/name` (namespace "" when cluster-scoped): how a message names the object it is about."""
    return f"{item.key.kind}/{item.key.namespace}/{item.key.name}"


def combined_input(app_id: str, objects: Iterable[ManifestObject]) -> str:
    """conftest `--combine`'s input: `[{"path": ..., "contents": ...}]`, one per object, Secret values redacted
    (the policies' messages are shown, so no Secret value may reach them)."""
    entries = [
        {"path": f"{app_id}/{object_address(item)}", "contents": dict(shown_body(item))}
        for item in sorted(objects, key=lambda o: o.key)
    ]
    return json.dumps(entries, separators=_COMPACT)


def manifest_data(parameters: Mapping[str, Any], name: str, env: str, namespace: str, chart: str) -> dict[str, Any]:
    """`data.olympus` for an application: the set's parameters and the application judged."""
    return {
        "olympus": {
            "parameters": dict(parameters),
            "application": {"name": name, "env": env, "namespace": namespace, "chart": chart},
        }
    }
