"""Rendered objects against schemas: Kubernetes' own (kubernetes-validate, offline) and CRDs' (datree-style files)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

from bot.domain.app_plans import SchemaCheck, SchemaProblem
from bot.domain.manifests import ManifestObject
from bot.domain.manifests.objects import api_group
from bot.errors import UserError

__all__ = ["CRD_SCHEMAS_SETTING", "CrdSchemas", "KubernetesSchemas"]

CRD_SCHEMAS_SETTING = "OLYMPUS_CRD_SCHEMAS"
_MESSAGE_CHARS = 300


class KubernetesSchemas:
    """Each object against the schema of its kind at a Kubernetes version, strictly (unknown fields are errors).

    kubernetes-validate ships Kubernetes' OpenAPI schemas per minor version inside the wheel, so nothing is fetched;
    a kind it has no schema for (a custom resource) is reported as unchecked, not passed.
    """

    def check(self, objects: Sequence[ManifestObject], kube_version: str) -> SchemaCheck:
        problems: list[SchemaProblem] = []
        unchecked: list[str] = []
        checked = 0
        for item in objects:
            try:
                kubernetes_validate.validate(dict(item.body), kube_version, strict=True)
            except kubernetes_validate.ValidationError as error:
                problems.append(_problem(item, error))
            except kubernetes_validate.SchemaNotFoundError:
                unchecked.append(item.key.kind_label)
                continue
            except kubernetes_validate.VersionNotSupportedError:
                raise UserError(
                    "kube-version-unsupported",
                    f"kubernetes-validate {kubernetes_validate.__version__} has no schemas for Kubernetes "
                    f"{kube_version}",
                    f"set OLYMPUS_KUBE_VERSION to one of {', '.join(kubernetes_validate.all_versions()[-5:])} "
                    "(or upgrade kubernetes-validate)",
                ) from None
            checked += 1
        return SchemaCheck(tuple(problems), tuple(dict.fromkeys(unchecked)), checked)


class CrdSchemas:
    """Custom resources (Argo CD's Application and AppProject, ...) against JSON schemas generated from their CRDs.

    The schemas are files of a folder laid out as datree's CRDs-catalog is: `<group>/<kind>_<version>.json`, kind in
    lower case (`argoproj.io/application_v1alpha1.json`). Without a folder nothing is checked, and every check says
    so and how to turn it on.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._validators: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def check(self, objects: Sequence[ManifestObject]) -> SchemaCheck:
        if self.directory is None:
            return SchemaCheck(
                unchecked=tuple(dict.fromkeys(item.key.kind_label for item in objects)),
                off=f"CRD schema validation is off: set {CRD_SCHEMAS_SETTING} to a folder of CRD JSON schemas "
                "laid out as datree's CRDs-catalog is (<group>/<kind>_<version>.json)",
            )
        problems: list[SchemaProblem] = []
        unchecked: list[str] = []
        checked = 0
        for item in objects:
            validator = self._validator(item)
            if validator is None:
                unchecked.append(item.key.kind_label)
                continue
            checked += 1
            for error in sorted(validator.iter_errors(dict(item.body)), key=lambda e: list(e.absolute_path)):
                problems.append(_problem(item, error))
        return SchemaCheck(tuple(problems), tuple(dict.fromkeys(unchecked)), checked)

    def _validator(self, item: ManifestObject) -> Any:
        assert self.directory is not None  # checked by the caller
        api_version = str(item.body.get("apiVersion") or "")
        group, version = api_group(api_version), api_version.rpartition("/")[2]
        if not group or not version:
            return None  # the core group's kinds are Kubernetes' own, not a CRD's
        path = self.directory / group / f"{item.key.kind.lower()}_{version}.json"
        with self._lock:
            if path not in self._validators:
                self._validators[path] = _load_validator(path)
            return self._validators[path]


def _load_validator(path: Path) -> Any:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(
            "crd-schema-unreadable",
            f"{path} is not a JSON schema Olympus can read: {exc}",
            f"point {CRD_SCHEMAS_SETTING} at a folder of JSON schemas generated from CRDs (datree's CRDs-catalog)",
        ) from None
    # The catalog's schemas name no draft; they are written for draft 7, as kubeconform reads them.
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return validator_class(schema)


def _problem(item: ManifestObject, error: jsonschema.ValidationError) -> SchemaProblem:
    where = ".".join(str(part) for part in error.absolute_path) or "(the object)"
    if item.key.group == "" and item.key.kind == "Secret":
        # jsonschema's message quotes the value that failed, and a Secret's values are never shown.
        message = f"fails the schema's `{error.validator}` rule"
    else:
        message = error.message if len(error.message) <= _MESSAGE_CHARS else error.message[:_MESSAGE_CHARS] + "…"
    return SchemaProblem(item.key.label, where, message)
