"""The sync after merge's pure side: which Applications a merge changed, Argo CD's JSON read, the report kept safe."""

from __future__ import annotations

from bot.domain.app_sync import (
    AppStatus,
    SyncOutcome,
    UnhealthyResource,
    applications_to_sync,
    check_conclusion,
    operation_done,
    prune_policy,
    status_of,
    sync_report,
)


def application_yaml(
    name: str, chart: str = "example-data-app", env: str = "staging", app: str = "payments-api"
) -> str:
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: data-apps
  source:
    repoURL: https://github.com/octo-org/infra.git
    path: helm/charts/{chart}
    targetRevision: main
    helm:
      valueFiles:
        - ../../values/{env}/{app}.yaml
  destination:
    server: https://kubernetes.default.svc
    namespace: payments
"""


APPS = {
    "argocd/apps/staging/payments-api.yaml": application_yaml("payments-api-staging"),
    "argocd/apps/prod/payments-api.yaml": application_yaml("payments-api-prod", env="prod"),
    "argocd/apps/staging/ledger.yaml": application_yaml("ledger-staging", chart="ledger-chart", app="ledger"),
}


def test_an_application_file_a_values_file_or_a_chart_it_uses_changes_it() -> None:
    assert applications_to_sync(["argocd/apps/prod/payments-api.yaml"], APPS) == ["payments-api-prod"]
    assert applications_to_sync(["helm/values/staging/ledger.yaml"], APPS) == ["ledger-staging"]
    assert applications_to_sync(["helm/charts/example-data-app/templates/deployment.yaml"], APPS) == [
        "payments-api-prod",
        "payments-api-staging",
    ]


def test_terraform_files_unknown_charts_and_broken_yaml_change_nothing() -> None:
    assert applications_to_sync(["infra/aws/envs/dev/main.tf", "helm/charts/other/Chart.yaml"], APPS) == []
    broken = {"argocd/apps/dev/x.yaml": "kind: [Application", "argocd/apps/dev/y.yaml": "kind: AppProject\n"}
    assert applications_to_sync(["argocd/apps/dev/x.yaml", "argocd/apps/dev/y.yaml"], broken) == []


def test_a_values_file_named_only_by_the_application_counts() -> None:
    custom = {"argocd/apps/dev/web.yaml": application_yaml("web-dev", app="shared", env="common")}
    assert applications_to_sync(["helm/values/common/shared.yaml"], custom) == ["web-dev"]


def test_prune_only_when_the_policy_says_true() -> None:
    assert prune_policy({"spec": {"syncPolicy": {"automated": {"prune": True}}}}) is True
    assert prune_policy({"spec": {"syncPolicy": {"automated": {"prune": False}}}}) is False
    assert prune_policy({"spec": {"syncPolicy": {"syncOptions": ["Prune=true"]}}}) is False
    assert prune_policy({}) is False


def test_an_operation_is_done_only_in_a_final_phase_of_its_kind() -> None:
    def app(phase: str, dry: bool) -> dict[str, object]:
        return {"status": {"operationState": {"phase": phase, "operation": {"sync": {"dryRun": dry}}}}}

    assert operation_done(app("Succeeded", True), dry_run=True) == "Succeeded"
    assert operation_done(app("Running", True), dry_run=True) is None
    assert operation_done(app("Succeeded", True), dry_run=False) is None
    assert operation_done(app("Failed", False), dry_run=False) == "Failed"


def test_status_reads_health_and_the_unhealthy_nodes_of_the_tree() -> None:
    application = {
        "metadata": {"name": "web-dev"},
        "status": {"sync": {"status": "Synced", "revision": "abc"}, "health": {"status": "Degraded"}},
    }
    tree = {
        "nodes": [
            {"kind": "Service", "name": "web", "namespace": "p", "health": {"status": "Healthy"}},
            {"kind": "Pod", "name": "web-1", "namespace": "p", "health": {"status": "Degraded", "message": "boom"}},
            {"kind": "ConfigMap", "name": "c", "namespace": "p"},
        ]
    }
    status = status_of(application, tree)
    assert (status.sync, status.health, status.revision, status.settled) == ("Synced", "Degraded", "abc", False)
    assert status.unhealthy == (UnhealthyResource("Pod", "web-1", "p", "Degraded", "boom"),)


def test_the_report_escapes_what_argo_cd_and_the_cluster_say() -> None:
    hostile = "</details>\n# owned @octo-org/admins [x](https://evil.example) `"
    status = AppStatus(
        "web-dev", "Synced", "Degraded", "abcdef1234567890", "Succeeded", "", False,
        (UnhealthyResource("Deployment", "web|x", "p", "Degraded", hostile),),
    )  # fmt: skip
    outcome = SyncOutcome("web-dev", "degraded", "abcdef1234567890", False, status, detail="still Degraded")
    report = sync_report([outcome], server="https://argocd.example.com", revision="abcdef1234567890")
    assert "\n# owned" not in report and "](https://evil" not in report and "@octo-org" not in report
    assert "</details>" not in report and "&lt;/details&gt;" in report
    assert "| `web-dev` | ❌ degraded | Synced | Degraded | `abcdef123456` | off |" in report
    assert check_conclusion(outcome) == "failure"


def test_a_report_of_nothing_says_so() -> None:
    assert "changed no Argo CD Application" in sync_report([], server="", revision="abc")
