"""A `helm template` render read into Kubernetes objects, keyed by group, kind, namespace and name."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import yaml

from bot.domain.manifests.loading import ParseMemo, load_document

# A render is text from the chart under review: aliases could expand a few lines into billions of values
# ("billion laughs"). Every value counts, aliases expanded, and the whole render stops at this many.
MAX_RENDER_VALUES: Final = 2_000_000
# A YAML document starts at "---" in column 0, alone or followed by a space (YAML 1.2, 9.1.2): helm template
# puts one before every template's output.
_DOCUMENT_START: Final = re.compile(r"---(?:[ \t]|$)")
_SOURCE: Final = re.compile(r"# Source: (.+)")
# Kinds that live outside any namespace, so the release's namespace is not given to them. Kubernetes says so per
# resource (`kubectl api-resources --namespaced=false`); these are the built-in ones a chart renders.
_CLUSTER_SCOPED: Final = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiregistration.k8s.io", "APIService"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
    }
)


@dataclass(frozen=True, order=True)
class ObjectKey:
    """What names one Kubernetes object: its API group (not version), kind, namespace ("" if none) and name."""

    group: str
    kind: str
    namespace: str
    name: str

    @property
    def kind_label(self) -> str:
        """The kind as kubectl writes it: `Deployment.apps`, or `Service` for the core group."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def label(self) -> str:
        """The object as kubectl writes it, with its namespace: `Deployment.apps/web -n shop`."""
        where = f" -n {self.namespace}" if self.namespace else ""
        return f"{self.kind_label}/{self.name}{where}"


@dataclass(frozen=True)
class ManifestObject:
    """One object of a render: its key, the template it came from ("" if unnamed), and its body as loaded."""

    key: ObjectKey
    source: str
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Render:
    """Every object of one render, by key."""

    objects: Mapping[ObjectKey, ManifestObject]


@dataclass(frozen=True)
class RenderProblem:
    """Why a render could not be read: the document (its template, or its number) and what is wrong with it."""

    source: str
    reason: str
    side: str = ""  # "base" or "head" once diff_manifests knows which render it was

    @property
    def message(self) -> str:
        """The problem in one sentence."""
        side = f"the {self.side} render: " if self.side else ""
        return f"{side}{self.source}: {self.reason}"


def api_group(api_version: str) -> str:
    """The group of an apiVersion: "apps" of "apps/v1", "" (the core group) of "v1"."""
    return api_version.rpartition("/")[0]


def parse_render(text: str, *, default_namespace: str = "", memo: ParseMemo | None = None) -> Render | RenderProblem:
    """The objects of a multi-document render, or the first document that is not a Kubernetes object.

    memo, shared by the renders compared together (base and head), parses a document they both hold once."""
    objects: dict[ObjectKey, ManifestObject] = {}
    budget = MAX_RENDER_VALUES
    memo = memo if memo is not None else ParseMemo()
    for number, (source, document) in enumerate(_documents(text), start=1):
        where = source or f"document {number}"
        known = memo.documents.get(document)
        if known is not None:
            loaded, size = known
        else:
            loaded = _load(document, memo)
            if isinstance(loaded, _NotYaml):
                return RenderProblem(where, loaded.reason)
            size = _expanded_size(loaded, budget)
            if size <= budget:  # counted to the end, so exact: the same for any render that holds this document
                memo.documents[document] = loaded, size
        budget -= size
        if budget < 0:
            return RenderProblem(where, f"the render expands to more than {MAX_RENDER_VALUES:,} values")
        if loaded is None:
            continue  # an empty document: a template whose condition was false
        for item in _items(loaded):
            found = _object(item, source, default_namespace)
            if isinstance(found, str):
                return RenderProblem(where, found)
            if found.key in objects:
                first = objects[found.key].source or "an earlier document"
                return RenderProblem(where, f"{found.key.label} is rendered twice (first by {first})")
            objects[found.key] = found
    return Render(objects)


def _documents(text: str) -> Iterator[tuple[str, str]]:
    """(source, text) of each document, source from its `# Source:` comment."""
    lines: list[str] = []
    source = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        # The cheap prefix tests first: most lines are neither, and a regular expression per line costs.
        if line[:3] == "---" and _DOCUMENT_START.match(line):
            if lines:
                yield source, "\n".join(lines)
            lines, source = [line[3:]], ""
            continue
        if not source and line[:10] == "# Source: " and (found := _SOURCE.fullmatch(line.rstrip())):
            source = found.group(1).strip()
        lines.append(line)
    if lines:
        yield source, "\n".join(lines)


@dataclass(frozen=True)
class _NotYaml:
    """Why a document is not YAML: where, never the text around it."""

    reason: str


def _load(document: str, memo: ParseMemo) -> object:
    """The document's value, or why it is not YAML."""
    try:
        return load_document(document, memo)
    except yaml.MarkedYAMLError as exc:
        # str(exc) quotes the offending line, which may be a Secret's value: say where, not what.
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "a syntax error"
        at = f" (line {mark.line + 1}, column {mark.column + 1} of the document)" if mark is not None else ""
        return _NotYaml(f"not valid YAML: {problem}{at}")
    except (yaml.YAMLError, RecursionError):
        return _NotYaml("not valid YAML")


def _expanded_size(value: object, budget: int) -> int:
    """How many values value holds, aliases expanded, counting no further than budget + 1."""
    count = 0
    stack = [value]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _items(loaded: object) -> list[object]:
    """The objects of a document: itself, or the items of a `kind: List` (as kubectl reads one)."""
    if isinstance(loaded, dict) and loaded.get("kind") == "List" and isinstance(loaded.get("items"), list):
        return list(loaded["items"])
    return [loaded]


def _object(item: object, source: str, default_namespace: str) -> ManifestObject | str:
    if not isinstance(item, dict):
        return f"not a Kubernetes object (a YAML {_type_name(item)}, not a mapping)"
    metadata = item.get("metadata")
    kind, api_version = item.get("kind"), item.get("apiVersion", "")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not (isinstance(kind, str) and kind and isinstance(name, str) and name and isinstance(api_version, str)):
        return "not a Kubernetes object: it needs `kind`, `apiVersion` and `metadata.name` (strings)"
    assert isinstance(metadata, dict)  # name came from it; narrows the type for mypy
    group = api_group(api_version)
    namespace = metadata.get("namespace") or ""
    if not isinstance(namespace, str):
        return "`metadata.namespace` is not a string"
    if not namespace and (group, kind) not in _CLUSTER_SCOPED:
        namespace = default_namespace
    return ManifestObject(ObjectKey(group, kind, namespace, name), source, item)


def _type_name(value: object) -> str:
    return {str: "string", list: "list", int: "number", float: "number", bool: "boolean"}.get(type(value), "value")
