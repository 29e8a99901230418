"""Plan the applications a change touches: render base and head with helm, diff, lint, validate and scan the head."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.adapters.tool_paths import ScannerError
from bot.domain.app_changes import AppChange, changed_applications
from bot.domain.app_layout import APPS_DIR, AppRef, app_at
from bot.domain.app_plans import AppPlan, ObjectFinding, SchemaCheck
from bot.domain.app_sources import AppSource, project_path, template_path
from bot.domain.manifests import (
    ManifestDiff,
    ManifestObject,
    ParseMemo,
    Render,
    RenderProblem,
    diff_renders,
    parse_render,
)
from bot.domain.models import Finding
from bot.domain.policies.results import PolicyReport
from bot.errors import UserError
from bot.ports import RepoReader
from bot.services.context import AppCheckers

__all__ = ["AppsPlan", "applications_at", "find_app_changes", "plan_applications"]

_EMPTY = Render({})


@dataclass
class AppsPlan:
    """The plans of a change's applications, and the Application files at its head that could not be read."""

    plans: list[AppPlan] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    policies: PolicyReport = field(default_factory=PolicyReport)  # the kubernetes sets over the head renders

    @property
    def ok(self) -> bool:
        return not self.unreadable and not any(plan.failures for plan in self.plans)


def applications_at(reader: RepoReader) -> tuple[dict[AppRef, Mapping[str, Any]], list[tuple[str, str]]]:
    """The Applications of a tree by where they live, and the files under argocd/apps/ that are not one."""
    found: dict[AppRef, Mapping[str, Any]] = {}
    unreadable: list[tuple[str, str]] = []
    for path in reader.list_files(APPS_DIR + "/"):
        ref = app_at(path)
        text = reader.read_text(path) if ref is not None else None
        if ref is None or text is None:
            continue
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            unreadable.append((path, f"not valid YAML{where}"))
            continue
        if not isinstance(loaded, dict) or loaded.get("kind") != "Application":
            unreadable.append((path, "not an Argo CD Application (`kind: Application`)"))
            continue
        found[ref] = loaded
    return found, unreadable


def find_app_changes(
    base: RepoReader, head: RepoReader, changed_files: Sequence[str]
) -> tuple[tuple[AppChange, ...], list[tuple[str, str]]]:
    """The applications the change touches (bot.domain.app_changes), and the unreadable Applications among the
    changed files at its head."""
    base_apps, _ = applications_at(base)
    head_apps, unreadable = applications_at(head)
    changed = set(changed_files)
    return changed_applications(changed_files, base_apps, head_apps), [u for u in unreadable if u[0] in changed]


def plan_applications(
    checkers: AppCheckers, changes: Sequence[AppChange], base: RepoReader, head: RepoReader
) -> list[AppPlan]:
    """Each change's plan: both sides rendered, the diff, and the head's lint, schemas and scans.

    Only the changed applications are rendered and scanned; the scanners run once over all of their head objects.
    A chart that fails to render (a template error, values its schema refuses, a dependency missing from charts/)
    is that application's error, shown in its section, never the whole plan's.
    """
    plans: list[AppPlan] = []
    heads: list[list[ManifestObject]] = []
    with tempfile.TemporaryDirectory(prefix="olympus-apps-") as scratch:
        sides = _Tree(base, Path(scratch) / "base"), _Tree(head, Path(scratch) / "head")
        for change in changes:
            plan, objects = _plan_one(checkers, change, *sides)
            plans.append(plan)
            heads.append(objects)
    return _scanned(checkers, plans, heads)


@dataclass
class _Tree:
    """One side of the change written to disk as far as helm needs it: the charts and values files rendered."""

    reader: RepoReader
    root: Path
    _written: set[str] = field(default_factory=set)

    def write(self, path: str) -> bool:
        """Write one file (or every file under a folder, path ending in /); whether there was any."""
        if path in self._written:
            return True
        names = self.reader.list_files(path) if path.endswith("/") else [path]
        wrote = False
        for name in names:
            text = self.reader.read_text(name)
            if text is None:
                continue  # not there, or not text (a packaged dependency): helm says what it then lacks
            target = (self.root / name).resolve()
            if not target.is_relative_to(self.root.resolve()):
                raise ValueError(f"refusing to write {name!r} outside the scratch tree")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            wrote = True
        if wrote:
            self._written.add(path)
        return wrote


def _plan_one(
    checkers: AppCheckers, change: AppChange, base: _Tree, head: _Tree
) -> tuple[AppPlan, list[ManifestObject]]:
    plan = AppPlan(change)
    memo = ParseMemo()  # one per application: its two renders share most documents, each parsed once
    base_render, base_error = _render(checkers, base, change.base_source, memo)
    head_render, head_error = _render(checkers, head, change.head_source, memo)
    if isinstance(head_render, RenderProblem) or isinstance(base_render, RenderProblem):
        problem = head_render if isinstance(head_render, RenderProblem) else base_render
        assert isinstance(problem, RenderProblem)  # one of the two is; narrows the type for mypy
        return replace(plan, diff=problem, error=head_error, base_error=base_error), []
    if head_error:
        return replace(plan, error=head_error, base_error=base_error), []
    diff: ManifestDiff = diff_renders(base_render or _EMPTY, head_render or _EMPTY)
    plan = replace(plan, diff=diff, base_error=base_error)
    source = change.head_source
    if source is None or head_render is None:
        return plan, []  # removed: nothing at the head to lint, validate or scan
    objects = list(head_render.objects.values())
    lint = checkers.renderer.lint(head.root / source.chart_dir, _values(head, source), strict=True)
    kubernetes = checkers.kubernetes.check(objects, checkers.kube_version)
    custom = [item for item in objects if item.key.kind_label in kubernetes.unchecked]
    crds = checkers.crds.check([*_argocd_objects(head, change.ref, source), *custom])
    checked = replace(plan, lint=lint, kubernetes=kubernetes, kube_version=checkers.kube_version)
    return replace(checked, crds=_hide_secrets(crds, diff), head_objects=tuple(objects)), objects


def _render(
    checkers: AppCheckers, tree: _Tree, source: AppSource | None, memo: ParseMemo
) -> tuple[Render | RenderProblem | None, str]:
    """One side's render (None where the application does not exist), or why it could not be made."""
    if source is None:
        return None, ""
    if source.problem:
        return None, f"Olympus cannot render this application: {source.problem}."
    if not tree.write(source.chart_dir + "/"):
        return None, f"its chart {source.chart_dir} is not in the repository."
    missing = [path for path in source.values if not tree.write(path)]
    if missing:
        return None, f"its values file {missing[0]} is not in the repository (Argo CD would fail to render it too)."
    try:
        text = checkers.renderer.template(
            tree.root / source.chart_dir,
            source.release,
            source.namespace,
            _values(tree, source),
            kube_version=checkers.kube_version,
        )
    except UserError as error:
        hint = f"\nhint: {error.hint}" if error.hint else ""
        return None, f"error[{error.reference}]: {error.message}{hint}"
    return parse_render(text, default_namespace=source.namespace, memo=memo), ""


def _values(tree: _Tree, source: AppSource) -> list[Path]:
    return [tree.root / path for path in source.values]


def _argocd_objects(head: _Tree, ref: AppRef, source: AppSource) -> list[ManifestObject]:
    """The Application itself and its AppProject (when the repository keeps it), as objects to validate."""
    paths = [ref.application_path, *([project_path(source.project)] if source.project else [])]
    found: list[ManifestObject] = []
    for path in paths:
        text = head.reader.read_text(path)
        parsed = parse_render(text) if text is not None else None
        if isinstance(parsed, Render):
            found += [replace(item, source=path) for item in parsed.objects.values()]
    return found


def _hide_secrets(check: SchemaCheck, diff: ManifestDiff) -> SchemaCheck:
    hide = diff.sensitive.redact
    problems = tuple(replace(p, message=hide(p.message), path=hide(p.path)) for p in check.problems)
    return replace(check, problems=problems)


def _scanned(checkers: AppCheckers, plans: list[AppPlan], heads: list[list[ManifestObject]]) -> list[AppPlan]:
    """The plans with the scanners' findings on their head objects: one run of each scanner for all of them."""
    everything = [item for objects in heads for item in objects]
    owner = [n for n, objects in enumerate(heads) for _ in objects]
    if not everything:
        return plans
    found: list[list[Finding]] = [[] for _ in plans]
    errors: list[str] = []
    ran: list[str] = []
    for scanner in checkers.scanners:
        try:
            results = scanner.scan_objects(everything)
        except ScannerError as error:
            errors.append(f"{scanner.name}: {error}")
            continue
        ran.append(scanner.name)
        for result in results:
            n = owner[result.index]
            found[n].append(_finding(result, everything[result.index], plans[n]))
    scanned: list[AppPlan] = []
    for n, plan in enumerate(plans):
        if not heads[n]:
            scanned.append(plan)
            continue
        hide = plan.diff.sensitive.redact if isinstance(plan.diff, ManifestDiff) else str
        findings = sorted(
            (replace(f, title=hide(f.title), resource=hide(f.resource)) for f in found[n]),
            key=lambda f: (-f.severity.rank, f.resource, f.rule_id),
        )
        scanned.append(replace(plan, findings=tuple(findings), scan_errors=tuple(errors), scanners=tuple(ran)))
    return scanned


def _finding(result: ObjectFinding, item: ManifestObject, plan: AppPlan) -> Finding:
    source = plan.change.head_source
    chart_dir = source.chart_dir if source is not None else ""
    return Finding(
        rule_id=result.rule_id,
        severity=result.severity,
        title=result.title,
        resource=item.key.label,
        file=template_path(chart_dir, item.source),
        line=1,  # the template's, not the render's: no line of the rendered object is one of the repository
        link=result.link,
        tools=(result.tool,) if result.tool else (),
    )
