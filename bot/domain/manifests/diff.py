"""Two renders compared object by object: what is added, removed or changed, with a unified diff of each change."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.manifests.canonical import (
    aligned,
    canonical_yaml,
    is_secret,
    secret_texts,
    secret_values,
    shown_body,
)
from bot.domain.manifests.loading import ParseMemo
from bot.domain.manifests.objects import ManifestObject, ObjectKey, Render, RenderProblem, parse_render
from bot.domain.sensitive import NO_SECRETS, SensitiveValues


class Status(StrEnum):
    """What happened to an object, in the order a reviewer reads them: what is lost first."""

    REMOVED = "removed"
    CHANGED = "changed"
    ADDED = "added"


@dataclass(frozen=True)
class ObjectChange:
    """One object that differs: its unified diff, and the Secret keys whose values changed (names only)."""

    key: ObjectKey
    status: Status
    diff: str  # of the shown YAML (Secret values redacted); "" when only redacted values changed
    redacted_keys: tuple[str, ...] = ()  # "data.password": its value changed, which no diff shows
    source: str = ""  # the template it comes from (at the head; at the base when removed)

    @property
    def only_redacted(self) -> bool:
        """Whether the only difference is in values that are never shown."""
        return not self.diff and bool(self.redacted_keys)


@dataclass(frozen=True)
class KindCounts:
    """How many objects of one kind are added, changed and removed."""

    kind: str
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass(frozen=True)
class ManifestDiff:
    """Every object of both renders, classified once: changes (removed, changed, added; each by key), unchanged."""

    changes: tuple[ObjectChange, ...]
    unchanged: tuple[ObjectKey, ...]
    # Every Secret value of both renders, so a copy of one in any other object's diff is hidden too.
    sensitive: SensitiveValues = field(default=NO_SECRETS, compare=False)

    def of_status(self, status: Status) -> tuple[ObjectChange, ...]:
        """The changes of one status, by key."""
        return tuple(change for change in self.changes if change.status is status)

    def by_kind(self) -> tuple[KindCounts, ...]:
        """Counts per kind that changed at all, by kind."""
        tally: Counter[tuple[str, Status]] = Counter((c.key.kind_label, c.status) for c in self.changes)
        kinds = sorted({kind for kind, _ in tally})
        return tuple(
            KindCounts(kind, tally[kind, Status.ADDED], tally[kind, Status.CHANGED], tally[kind, Status.REMOVED])
            for kind in kinds
        )


def diff_renders(base: Render, head: Render) -> ManifestDiff:
    """How head's objects differ from base's."""
    changes: list[ObjectChange] = []
    unchanged: list[ObjectKey] = []
    for key in sorted(base.objects.keys() | head.objects.keys()):
        before, after = base.objects.get(key), head.objects.get(key)
        change = _change(key, before, after)
        if change is None:
            unchanged.append(key)
        else:
            changes.append(change)
    order = list(Status)
    changes.sort(key=lambda c: (order.index(c.status), c.key))
    texts = [text for render in (base, head) for item in render.objects.values() for text in secret_texts(item)]
    return ManifestDiff(tuple(changes), tuple(unchanged), SensitiveValues.of(*texts) if texts else NO_SECRETS)


def diff_manifests(base: str, head: str, *, default_namespace: str = "") -> ManifestDiff | RenderProblem:
    """The diff of two renders' texts, or the problem with the first one that cannot be read."""
    renders: list[Render] = []
    memo = ParseMemo()  # the documents both renders hold (most of them, in a pull request) are parsed once
    for side, text in (("base", base), ("head", head)):
        parsed = parse_render(text, default_namespace=default_namespace, memo=memo)
        if isinstance(parsed, RenderProblem):
            return RenderProblem(parsed.source, parsed.reason, side)
        renders.append(parsed)
    return diff_renders(*renders)


def _change(key: ObjectKey, before: ManifestObject | None, after: ManifestObject | None) -> ObjectChange | None:
    label = key.label
    if before is None:
        assert after is not None  # the key came from one of the two renders
        return ObjectChange(key, Status.ADDED, _unified([], _lines(shown_body(after)), label), (), after.source)
    if after is None:
        return ObjectChange(key, Status.REMOVED, _unified(_lines(shown_body(before)), [], label), (), before.source)
    # One value for both: a document both renders hold, parsed once. A Secret still takes the long way, where a
    # NaN value (NaN != NaN) has always counted as changed.
    if (before.body is after.body and not is_secret(before)) or _same(before.body, after.body):
        return None  # most objects of a render: no YAML to write
    old = shown_body(before)
    old_lines = _lines(old)
    new_lines = _lines(aligned(shown_body(after), old))
    redacted = _changed_secret_keys(before, after)
    if old_lines == new_lines and not redacted:
        return None
    diff = _unified(old_lines, new_lines, label) if old_lines != new_lines else ""
    return ObjectChange(key, Status.CHANGED, diff, redacted, after.source)


def _changed_secret_keys(before: ManifestObject, after: ManifestObject) -> tuple[str, ...]:
    """Keys in both Secrets whose values differ (a key added or removed shows in the diff, by name)."""
    old, new = secret_values(before), secret_values(after)
    # Compared with their types: 1 == True in Python, but not to Kubernetes.
    return tuple(sorted(k for k in old.keys() & new.keys() if type(old[k]) is not type(new[k]) or old[k] != new[k]))


def _same(a: object, b: object) -> bool:
    """Whether a and b are the same value, key order aside, with types compared too (1 == True in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)  # same type as a; narrows the type for mypy
        return a.keys() == b.keys() and all(_same(value, b[key]) for key, value in a.items())
    if isinstance(a, list):
        assert isinstance(b, list)  # same type as a; narrows the type for mypy
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _lines(body: object) -> list[str]:
    return canonical_yaml(body).splitlines()


def _unified(old: Sequence[str], new: Sequence[str], label: str) -> str:
    return "\n".join(difflib.unified_diff(old, new, f"base {label}", f"head {label}", lineterm=""))
