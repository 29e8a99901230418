"""The sync after merge, pure: which Applications a merge changed, what Argo CD's JSON says of one, and the report.

Argo CD's answers (v1alpha1Application, v1alpha1ApplicationTree in its swagger.json) are read here; their messages
come from the cluster and from whoever wrote the manifests, so they are untrusted text and reach markdown escaped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import yaml

from bot.domain.app_layout import app_at, application_name, chart_of_path, values_path
from bot.domain.markdown import code, escape_text

__all__ = [
    "DEGRADED",
    "HEALTHY",
    "SYNCED",
    "AppStatus",
    "SyncOutcome",
    "UnhealthyResource",
    "applications_to_sync",
    "check_conclusion",
    "operation_done",
    "outcome_line",
    "prune_policy",
    "status_of",
    "sync_report",
]

SYNCED: Final = "Synced"
HEALTHY: Final = "Healthy"
PROGRESSING: Final = "Progressing"
DEGRADED: Final = "Degraded"
# The phases in which Argo CD's operation is over (gitops-engine's OperationPhase).
FINISHED_PHASES: Final = frozenset({"Succeeded", "Failed", "Error"})
# The outcomes of one application's sync, in the words the report and the audit log use.
RESULTS: Final = {
    "synced": "✅ synced and healthy",
    "degraded": "❌ degraded",
    "progressing": "⏳ not healthy before the timeout",
    "dry-run-failed": "❌ dry run failed: not synced",
    "sync-failed": "❌ sync failed",
    "error": "⚠️ Argo CD could not be asked",
}
_MAX_RESOURCES: Final = 20


@dataclass(frozen=True)
class UnhealthyResource:
    """A live object that is not Healthy, with Argo CD's message about it (untrusted)."""

    kind: str
    name: str
    namespace: str
    health: str
    message: str


@dataclass(frozen=True)
class AppStatus:
    """What Argo CD says of one Application at one moment."""

    name: str
    sync: str  # Synced | OutOfSync | Unknown
    health: str  # Healthy | Progressing | Degraded | Missing | Suspended | Unknown
    revision: str
    phase: str  # the last operation's phase (Running, Succeeded, Failed, Error), "" when none
    operation_message: str
    dry_run: bool  # the last operation was a dry run
    unhealthy: tuple[UnhealthyResource, ...] = ()

    @property
    def settled(self) -> bool:
        """Synced, Healthy, and no operation still running: the sync is done."""
        return self.sync == SYNCED and self.health == HEALTHY and self.phase != "Running"


@dataclass(frozen=True)
class SyncOutcome:
    """How one Application's sync after merge ended: `result` is a key of RESULTS; `detail` an error's message."""

    application: str
    result: str
    revision: str
    prune: bool
    status: AppStatus | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.result == "synced"


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def prune_policy(application: Mapping[str, Any]) -> bool:
    """Whether the Application's own policy prunes (spec.syncPolicy.automated.prune: true); off otherwise."""
    return _get(application, "spec", "syncPolicy", "automated", "prune") is True


def operation_done(application: Mapping[str, Any], *, dry_run: bool) -> str | None:
    """The phase the last operation ended in when it was a dry run (or a sync, `dry_run` False); None before that."""
    state = _get(application, "status", "operationState")
    phase = str(_get(state, "phase") or "")
    if phase not in FINISHED_PHASES or bool(_get(state, "operation", "sync", "dryRun")) != dry_run:
        return None
    return phase


def status_of(application: Mapping[str, Any], tree: Mapping[str, Any] | None = None) -> AppStatus:
    """Argo CD's Application (and its resource tree, for the unhealthy objects' messages) as an AppStatus."""
    status = _get(application, "status") or {}
    state = _get(status, "operationState") or {}
    nodes = (_get(tree, "nodes") or []) if tree is not None else (_get(status, "resources") or [])
    unhealthy = tuple(
        UnhealthyResource(
            kind=str(node.get("kind") or ""),
            name=str(node.get("name") or ""),
            namespace=str(node.get("namespace") or ""),
            health=str(_get(node, "health", "status") or ""),
            message=str(_get(node, "health", "message") or ""),
        )
        for node in nodes
        if isinstance(node, Mapping) and str(_get(node, "health", "status") or HEALTHY) != HEALTHY
    )
    return AppStatus(
        name=str(_get(application, "metadata", "name") or ""),
        sync=str(_get(status, "sync", "status") or "Unknown"),
        health=str(_get(status, "health", "status") or "Unknown"),
        revision=str(_get(status, "sync", "revision") or ""),
        phase=str(state.get("phase") or "") if isinstance(state, Mapping) else "",
        operation_message=str(_get(state, "message") or ""),
        dry_run=bool(_get(state, "operation", "sync", "dryRun")),
        unhealthy=unhealthy,
    )


def applications_to_sync(changed: Iterable[str], app_files: Mapping[str, str]) -> list[str]:
    """The names of the Applications a merge changed, sorted: each Application file of `app_files` (path → its text
    at the merge commit) that changed itself, or whose values file or in-repository chart changed.

    An Application file that no longer parses is left out: the plan step reported it before the merge.
    """
    changed_paths = set(changed)
    changed_charts = {chart for chart in map(chart_of_path, changed_paths) if chart}
    names: set[str] = set()
    for path, text in app_files.items():
        ref = app_at(path)
        if ref is None:
            continue
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not isinstance(document, Mapping) or document.get("kind") != "Application":
            continue
        name = str(_get(document, "metadata", "name") or application_name(ref.app, ref.env))
        charts, values = _sources_of(document)
        values.add(values_path(ref.env, ref.app))
        if path in changed_paths or values & changed_paths or charts & changed_charts:
            names.add(name)
    return sorted(names)


def _sources_of(document: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The in-repository charts an Application renders, and its values files as repository paths."""
    spec = document.get("spec") or {}
    sources = [spec.get("source")] + list(spec.get("sources") or []) if isinstance(spec, Mapping) else []
    charts: set[str] = set()
    values: set[str] = set()
    for source in sources:
        path = _get(source, "path")
        if not isinstance(path, str):
            continue
        chart = chart_of_path(posixpath.normpath(path) + "/")
        if chart:
            charts.add(chart)
        for ref in _get(source, "helm", "valueFiles") or []:
            if isinstance(ref, str):
                # Argo CD resolves valueFiles against the source's path.
                values.add(posixpath.normpath(posixpath.join(path, ref)))
    return charts, values


def check_conclusion(outcome: SyncOutcome) -> str:
    """The conclusion of the `olympus/sync: NAME` check run."""
    if outcome.ok:
        return "success"
    return "neutral" if outcome.result == "progressing" else "failure"


def outcome_line(outcome: SyncOutcome) -> str:
    """One sentence of plain text for a check run's title."""
    return f"{outcome.application}: {RESULTS.get(outcome.result, outcome.result)}"


def sync_report(outcomes: Sequence[SyncOutcome], *, server: str, revision: str) -> str:
    """The markdown the pull request gets: a table of every Application, then what went wrong with each that failed."""
    if not outcomes:
        return "### Sync after merge\n\nThis merge changed no Argo CD Application: nothing to sync."
    lines = [
        "### Sync after merge",
        "",
        f"Argo CD at {code(server)} was asked to sync {len(outcomes)} application(s) at {code(revision[:12])}: "
        "a dry run first, then the sync.",
        "",
        "| Application | Result | Sync | Health | Revision | Prune |",
        "| :-- | :-- | :-- | :-- | :-- | :-- |",
    ]
    for outcome in outcomes:
        status = outcome.status
        cells = [
            code(outcome.application, in_table=True),
            RESULTS.get(outcome.result, escape_text(outcome.result)),
            escape_text(status.sync) if status else "—",
            escape_text(status.health) if status else "—",
            code(status.revision[:12], in_table=True) if status and status.revision else "—",
            "on (the Application's policy)" if outcome.prune else "off",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for outcome in outcomes:
        if not outcome.ok:
            lines += ["", *_details(outcome)]
    return "\n".join(lines)


def _details(outcome: SyncOutcome) -> list[str]:
    lines = [f"**{code(outcome.application)}**: {RESULTS.get(outcome.result, escape_text(outcome.result))}"]
    if outcome.detail:
        lines += ["", f"- {escape_text(outcome.detail, limit=600)}"]
    status = outcome.status
    if status is not None and status.operation_message and outcome.result in ("dry-run-failed", "sync-failed"):
        lines += ["", f"- Argo CD: {escape_text(status.operation_message, limit=600)}"]
    if status is not None and status.unhealthy:
        lines.append("")
        for resource in status.unhealthy[:_MAX_RESOURCES]:
            where = f"{resource.kind} {resource.namespace}/{resource.name}".replace("  ", " ")
            said = f": {escape_text(resource.message, limit=400)}" if resource.message else ""
            lines.append(f"- {escape_text(where)} is {escape_text(resource.health)}{said}")
        if len(status.unhealthy) > _MAX_RESOURCES:
            lines.append(f"- … and {len(status.unhealthy) - _MAX_RESOURCES} more")
    if outcome.result == "progressing":
        lines += ["", "Argo CD goes on syncing; `/infra sync` on this pull request reports again."]
    return lines
