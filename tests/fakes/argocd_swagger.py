"""Argo CD's own Swagger 2.0 description as JSON Schema: refs resolved in place, the one allOf merged, unknown fields
refused everywhere, so the Argo CD double can check every body it reads and every body it sends."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

SWAGGER_RELATIVE_PATH = Path("argocd") / "argo-cd" / "assets" / "swagger.json"


def strict_definitions(definitions: dict[str, Any]) -> dict[str, Any]:
    """The description's definitions, with every object schema closed (additionalProperties false) and each allOf
    folded into the schema that holds it (jsonschema would check each branch alone, and a closed branch would then
    refuse the other branch's fields)."""
    strict = copy.deepcopy(definitions)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            for part in node.pop("allOf", []):
                target = strict[part["$ref"].rsplit("/", 1)[1]] if "$ref" in part else part
                node.setdefault("properties", {}).update(copy.deepcopy(target.get("properties", {})))
            if node.get("type") == "object" and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(strict)
    return strict


@dataclass(frozen=True)
class ArgoCdSwagger:
    """The definitions the double needs, each as a validator over the whole (closed) definitions document."""

    definitions: dict[str, Any]
    paths: dict[str, Any]

    @classmethod
    def load(cls, fixtures_dir: Path) -> ArgoCdSwagger:
        document = json.loads((fixtures_dir / SWAGGER_RELATIVE_PATH).read_text(encoding="utf-8"))
        assert document["swagger"] == "2.0", "the Argo CD description is expected in Swagger 2.0"
        return cls(strict_definitions(document["definitions"]), document["paths"])

    def body_schema(self, path: str, method: str) -> str:
        """The definition an operation's body parameter names (`applicationApplicationSyncRequest`)."""
        for parameter in self.paths[path][method]["parameters"]:
            if parameter["in"] == "body":
                return str(parameter["schema"]["$ref"]).rsplit("/", 1)[1]
        raise KeyError(f"{method} {path} takes no body")

    def response_schema(self, path: str, method: str, status: int) -> str:
        responses = self.paths[path][method]["responses"]
        response = responses.get(str(status)) or responses["default"]
        return str(response["schema"]["$ref"]).rsplit("/", 1)[1]

    def problems(self, definition: str, instance: Any) -> list[str]:
        """Why `instance` is not a valid `definition`, one line per error (none: it is valid)."""
        schema = {"$ref": f"#/definitions/{definition}", "definitions": self.definitions}
        validator = Draft4Validator(schema)
        return [
            f"{definition} at /{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
            for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        ]
