"""The plan of application changes with the real helm: base and head rendered, diffed, linted, validated, scanned."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from app_repos import app_files, application, crd_schemas, platform_files
from helm_tools import helm_or_fail
from local_repos import commit_files, empty_repo
from olympus_cli import git

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.helm import HelmCli
from bot.adapters.kube_schemas import CrdSchemas, KubernetesSchemas
from bot.adapters.localgit import LocalGit
from bot.adapters.manifest_scan import CheckovManifests, TrivyManifests
from bot.app_ports import ManifestScanner
from bot.domain.app_changes import AppStatus
from bot.domain.app_plans import AppPlan
from bot.domain.app_report import app_check, applications_lines
from bot.domain.manifests import ManifestDiff, Status
from bot.domain.models import Severity
from bot.services.context import AppCheckers
from bot.services.plan_apps import find_app_changes, plan_applications

CHART = "helm/charts/example-data-app"
NAMESPACE = "data-staging-payments"
VALUES = "helm/values/staging/payments-api.yaml"


def checkers(*, crds: Path | None = None, scanners: list[ManifestScanner] | None = None) -> AppCheckers:
    return AppCheckers(
        renderer=HelmCli(helm_or_fail()),
        kubernetes=KubernetesSchemas(),
        crds=CrdSchemas(crds),
        scanners=scanners or [],
    )


def plan(repo: Path, apps: AppCheckers | None = None) -> list[AppPlan]:
    """Plan the branch `change` against main, as the plan step of a pull request does."""
    local = LocalGit.open(repo)
    base, head = GitTreeReader(local, "main"), GitTreeReader(local, "change")
    changed = git(repo, "diff", "--name-only", "main...change").split()
    changes, unreadable = find_app_changes(base, head, changed)
    assert not unreadable
    return plan_applications(apps or checkers(crds=crd_schemas()), changes, base, head)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = empty_repo(tmp_path / "infra")
    commit_files(root, {**platform_files(), **app_files("payments-api", "staging", NAMESPACE)})
    return root


def diff_of(result: AppPlan) -> ManifestDiff:
    assert isinstance(result.diff, ManifestDiff), result
    return result.diff


def test_a_values_change_is_one_changed_deployment_with_its_diff(repo: Path) -> None:
    commit_files(repo, {VALUES: "replicaCount: 2\nenv:\n  LOG_LEVEL: debug\n"}, "log level", branch="change")
    [result] = plan(repo)
    assert result.change.status is AppStatus.CHANGED and result.change.because == (VALUES,)
    [change] = diff_of(result).changes
    assert change.key.label == f"Deployment.apps/payments-api-example-data-app -n {NAMESPACE}"
    assert change.status is Status.CHANGED
    changed_lines = [line for line in change.diff.splitlines()[2:] if line[:1] in "+-"]
    assert changed_lines == ["+        env:", "+        - name: LOG_LEVEL", "+          value: debug"]
    assert result.lint is not None and result.lint.passed
    assert result.kubernetes is not None and not result.kubernetes.problems and result.kubernetes.checked == 4
    # The Application and its AppProject, against the CRD schemas.
    assert result.crds is not None and not result.crds.problems and result.crds.checked == 2
    assert result.failures == ()
    check = app_check(result)
    assert (check.name, check.conclusion, check.title) == (
        "payments-api-staging",
        "success",
        "0 to add, 1 to change, 0 to remove",
    )
    text = "\n".join(applications_lines([result]))
    assert "| `payments-api-staging` | `staging` | 0 | 1 | 0 | ✅ checks passed |" in text
    assert "+          value: debug" in text and "Kubernetes 1.29 schemas: ✅ valid (4 objects checked)" in text


def test_a_new_app_is_all_added_and_its_secret_never_shown(repo: Path) -> None:
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-creds\n"
        "stringData:\n  password: hunter2-{{ .Release.Name }}\n"
    )
    files = {**app_files("orders", "staging", "data-staging-orders"), f"{CHART}/templates/secret.yaml": secret}
    commit_files(repo, files, "new app", branch="change")
    added, changed = plan(repo)  # the chart changed too, so payments-api is re-rendered: its Secret is new
    assert (added.change.ref.app, added.change.status) == ("payments-api", AppStatus.CHANGED)
    assert (changed.change.ref.app, changed.change.status) == ("orders", AppStatus.ADDED)
    new = diff_of(changed)
    assert {c.status for c in new.changes} == {Status.ADDED} and len(new.changes) == 5 and not new.unchanged
    text = "\n".join(applications_lines([added, changed])) + "".join(app_check(p).text for p in (added, changed))
    assert "hunter2" not in text
    assert "Secret/orders-creds -n data-staging-orders" in text


def test_a_removed_app_is_all_removed(repo: Path) -> None:
    git(repo, "switch", "--quiet", "-c", "change")
    git(repo, "rm", "--quiet", "argocd/apps/staging/payments-api.yaml")
    git(repo, "commit", "--quiet", "-m", "remove")
    git(repo, "switch", "--quiet", "main")
    [result] = plan(repo)
    assert result.change.status is AppStatus.REMOVED and result.removed
    diff = diff_of(result)
    assert [c.status for c in diff.changes] == [Status.REMOVED] * 4
    assert result.lint is None and result.findings == () and result.failures == ()
    text = "\n".join(applications_lines([result]))
    assert "#### 🗑️ Removed (4)" in text and "🗑️ removed" in text


def test_a_chart_that_fails_to_render_is_reported_in_its_section(repo: Path) -> None:
    broken = '{{ include "no-such-template" . }}\n'
    commit_files(repo, {f"{CHART}/templates/broken.yaml": broken}, "broken", branch="change")
    [result] = plan(repo)
    assert "error[helm-render-failed]" in result.error and "no-such-template" in result.error
    assert result.failures == ("the chart did not render",)
    check = app_check(result)
    assert check.conclusion == "failure" and check.title == "The chart did not render"
    assert "❌ render failed" in "\n".join(applications_lines([result]))


def test_a_dependency_that_cannot_be_fetched_is_the_user_error_that_says_so(repo: Path) -> None:
    chart = yaml.safe_load((repo / CHART / "Chart.yaml").read_text())
    chart["dependencies"] = [{"name": "redis", "version": "17.0.0", "repository": "https://charts.example.com"}]
    commit_files(repo, {f"{CHART}/Chart.yaml": yaml.safe_dump(chart)}, "dependency", branch="change")
    [result] = plan(repo)
    assert "error[helm-dependency-missing]" in result.error and "redis" in result.error
    assert "helm dependency build" in result.error  # the hint


def test_kubernetes_validate_catches_an_invalid_object(repo: Path) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\nspec:\n  mode: fast\n"
    commit_files(repo, {f"{CHART}/templates/config.yaml": config}, "config", branch="change")
    [result] = plan(repo)
    assert result.kubernetes is not None
    [problem] = result.kubernetes.problems
    assert problem.object == f"ConfigMap/settings -n {NAMESPACE}" and "'spec' was unexpected" in problem.message
    assert result.failures == ("1 Kubernetes schema error(s)",)
    assert app_check(result).conclusion == "failure"


def test_the_crd_schema_catches_a_bad_application(repo: Path) -> None:
    bad = application("payments-api", "staging", NAMESPACE, syncPolicy={"automated": {"prune": "yes"}})
    commit_files(repo, {"argocd/apps/staging/payments-api.yaml": yaml.safe_dump(bad)}, "bad", branch="change")
    [result] = plan(repo)
    assert result.crds is not None
    [problem] = result.crds.problems
    assert problem.object == "Application.argoproj.io/payments-api-staging -n argocd"
    assert problem.path == "spec.syncPolicy.automated.prune" and "'yes' is not of type 'boolean'" in problem.message
    assert app_check(result).conclusion == "failure"


def test_without_crd_schemas_the_section_says_validation_is_off(repo: Path) -> None:
    commit_files(repo, {VALUES: "replicaCount: 3\n"}, "replicas", branch="change")
    [result] = plan(repo, checkers(crds=None))
    assert result.crds is not None and result.crds.off
    text = "\n".join(applications_lines([result]))
    assert "not checked" in text and "OLYMPUS\\_CRD\\_SCHEMAS" in text


def test_the_scanners_scan_the_head_render(repo: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n"
        "      image: busybox:1.36\n      securityContext:\n        privileged: true\n"
    )
    commit_files(repo, {f"{CHART}/templates/debug.yaml": pod}, "debug pod", branch="change")
    scanners: list[ManifestScanner] = [CheckovManifests(), TrivyManifests()]
    [result] = plan(repo, checkers(crds=crd_schemas(), scanners=scanners))
    assert result.scanners == ("checkov", "trivy") and not result.scan_errors
    on_pod = [f for f in result.findings if f.resource == f"Pod/debug -n {NAMESPACE}"]
    privileged = [f for f in on_pod if f.rule_id == "AVD-KSV-0017"]
    assert privileged and privileged[0].severity is Severity.HIGH
    assert privileged[0].file == f"{CHART}/templates/debug.yaml"
    assert any(f.tools == ("checkov",) for f in on_pod)
    assert "high or critical scanner finding" in " ".join(result.failures)
    assert app_check(result).conclusion == "failure"
