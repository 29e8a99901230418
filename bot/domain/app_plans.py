"""One application's plan: its rendered diff, lint, schema and scanner results, and whether its check passes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from bot.domain.app_changes import AppChange, AppStatus
from bot.domain.helm_lint import LintResult
from bot.domain.manifests import ManifestDiff, ManifestObject, RenderProblem
from bot.domain.models import Finding, Severity

__all__ = ["FAILING_SEVERITIES", "AppPlan", "ObjectFinding", "SchemaCheck", "SchemaProblem"]

# A finding this severe fails the application's check run, as a destroy is flagged in a Terraform plan.
FAILING_SEVERITIES: Final = frozenset({Severity.HIGH, Severity.CRITICAL})


@dataclass(frozen=True)
class SchemaProblem:
    """One way an object breaks its schema: the object (kubectl's label), where in it, and what is wrong."""

    object: str
    path: str
    message: str


@dataclass(frozen=True)
class SchemaCheck:
    """What one schema validator said of a set of objects.

    `off` says why the validator did not run at all (it is not configured): shown as such, never as a pass.
    `unchecked` names the kinds it has no schema for, which were not checked.
    """

    problems: tuple[SchemaProblem, ...] = ()
    unchecked: tuple[str, ...] = ()
    checked: int = 0
    off: str = ""


@dataclass(frozen=True)
class ObjectFinding:
    """A scanner's failed check on the `index`-th object it was given."""

    index: int
    rule_id: str
    severity: Severity
    title: str
    link: str = ""
    tool: str = ""


@dataclass(frozen=True)
class AppPlan:
    """Everything the plan step found out about one changed application."""

    change: AppChange
    # The rendered diff; a RenderProblem when a render is not Kubernetes YAML; None when nothing could be rendered.
    diff: ManifestDiff | RenderProblem | None = None
    # Why a side could not be rendered (helm's error, or an Application Olympus cannot render), made safe to show.
    error: str = ""
    base_error: str = ""  # the base failed to render (the diff then shows every head object as added)
    lint: LintResult | None = None
    kubernetes: SchemaCheck | None = None
    kube_version: str = ""  # the Kubernetes version rendered and validated for
    crds: SchemaCheck | None = None
    findings: tuple[Finding, ...] = ()
    scan_errors: tuple[str, ...] = ()  # a scanner that failed on this render: not scanned, said so
    scanners: tuple[str, ...] = ()  # the scanners that ran, so "no findings" means something
    # The head render's objects, for the policy sets that target kubernetes (not compared: they hold Secrets).
    head_objects: tuple[ManifestObject, ...] = field(default=(), compare=False, repr=False)

    @property
    def name(self) -> str:
        """The Argo CD Application's name: `<app>-<env>`."""
        return self.change.ref.application

    @property
    def failures(self) -> tuple[str, ...]:
        """Why this application's check fails, in a few words each; empty when it passes."""
        reasons: list[str] = []
        if self.error:
            reasons.append("the chart did not render")
        if isinstance(self.diff, RenderProblem):
            reasons.append("the render is not valid Kubernetes YAML")
        if self.lint is not None and not self.lint.passed:
            reasons.append("helm lint --strict failed")
        for label, check in (("Kubernetes", self.kubernetes), ("CRD", self.crds)):
            if check is not None and check.problems:
                reasons.append(f"{len(check.problems):,} {label} schema error(s)")
        severe = [f for f in self.findings if f.severity in FAILING_SEVERITIES]
        if severe:
            reasons.append(f"{len(severe):,} high or critical scanner finding(s)")
        if self.scan_errors:
            reasons.append("a scanner failed")
        return tuple(reasons)

    @property
    def removed(self) -> bool:
        return self.change.status is AppStatus.REMOVED
