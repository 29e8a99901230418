"""An object's YAML as Olympus shows it: Secret values redacted, keys in a stable order, the same text each time."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Any, Final

import yaml

from bot.domain.manifests.objects import ManifestObject

# What stands in for every value of a Secret's data and stringData.
REDACTED: Final = "(redacted)"
SECRET_FIELDS: Final = ("data", "stringData")
_DUMPER_BASE: Final[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_DUMPER_BASE):  # type: ignore[misc]  # a base chosen at import time: C when libyaml is there
    """Writes anchors out in full: `&id001` labels depend on which values share memory, not on the object."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def is_secret(item: ManifestObject) -> bool:
    """Whether the object is a core Secret, whose data and stringData values must never be shown."""
    return item.key.group == "" and item.key.kind == "Secret"


def shown_body(item: ManifestObject) -> Mapping[str, Any]:
    """The body as it may be shown: a Secret's data and stringData values replaced by REDACTED, keys kept."""
    if not is_secret(item):
        return item.body
    body = dict(item.body)
    for field in SECRET_FIELDS:
        if field in body:
            values = body[field]
            body[field] = dict.fromkeys(values, REDACTED) if isinstance(values, dict) else REDACTED
    return body


def secret_values(item: ManifestObject) -> dict[str, object]:
    """A Secret's values by "field.key" (empty for any other object), to tell which changed without showing them."""
    if not is_secret(item):
        return {}
    found: dict[str, object] = {}
    for field in SECRET_FIELDS:
        values = item.body.get(field)
        if isinstance(values, dict):
            found.update((f"{field}.{key}", value) for key, value in values.items())
        elif values is not None:
            found[field] = values
    return found


def secret_texts(item: ManifestObject) -> Iterator[str]:
    """Every text a Secret's values are written as: stringData as is, data as base64 and decoded."""
    for key, value in secret_values(item).items():
        if not isinstance(value, str):
            continue
        yield value
        if key.startswith("data."):
            try:
                yield base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                pass  # not base64 text: Kubernetes would refuse it, and the raw form is hidden already


def aligned(head: object, base: object) -> object:
    """head with its mapping keys in base's order where base has them (new keys after), so a diff shows changes
    and not reordering."""
    if isinstance(head, dict) and isinstance(base, dict):
        order = [key for key in base if key in head] + [key for key in head if key not in base]
        return {key: aligned(head[key], base.get(key)) for key in order}
    if isinstance(head, list) and isinstance(base, list):
        return [aligned(item, base[i] if i < len(base) else None) for i, item in enumerate(head)]
    return head


def canonical_yaml(body: object) -> str:
    """body as block YAML in its own key order, the same text for the same value every time."""
    dumped: str = yaml.dump(
        body, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1_000_000
    )
    return dumped
