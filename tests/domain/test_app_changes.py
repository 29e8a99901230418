"""changed_applications: which Argo CD applications a change touches, from its paths and both sides' Applications."""

from __future__ import annotations

from typing import Any

from bot.domain.app_changes import AppStatus, changed_applications
from bot.domain.app_layout import AppRef
from bot.domain.app_sources import app_source, template_path, touches_apps

PAYMENTS = AppRef("staging", "payments-api")
ORDERS = AppRef("prod", "orders")


def app(chart: str = "example-data-app", values: tuple[str, ...] = (), **source: Any) -> dict[str, Any]:
    helm = {"valueFiles": list(values)} if values else {}
    return {
        "kind": "Application",
        "spec": {
            "project": "data-apps",
            "source": {"path": f"helm/charts/{chart}", "helm": helm, **source},
            "destination": {"namespace": "data-staging-payments"},
        },
    }


PAYMENTS_APP = app(values=("../../values/staging/payments-api.yaml",))
ORDERS_APP = app(chart="orders", values=("../../values/prod/orders.yaml",))
BOTH = {PAYMENTS: PAYMENTS_APP, ORDERS: ORDERS_APP}


def test_a_values_file_changes_only_the_app_that_names_it() -> None:
    [change] = changed_applications(["helm/values/staging/payments-api.yaml"], BOTH, BOTH)
    assert (change.ref, change.status) == (PAYMENTS, AppStatus.CHANGED)
    assert change.because == ("helm/values/staging/payments-api.yaml",)


def test_a_chart_file_changes_every_app_that_uses_the_chart() -> None:
    other = AppRef("prod", "payments-api")
    apps = {**BOTH, other: app(values=("../../values/prod/payments-api.yaml",))}
    changes = changed_applications(["helm/charts/example-data-app/templates/deployment.yaml"], apps, apps)
    assert [c.ref for c in changes] == [other, PAYMENTS]


def test_added_and_removed_applications_come_with_their_status_removed_first() -> None:
    changes = changed_applications(
        ["argocd/apps/staging/payments-api.yaml", "argocd/apps/prod/orders.yaml"],
        {PAYMENTS: PAYMENTS_APP},
        {ORDERS: ORDERS_APP},
    )
    assert [(c.ref, c.status) for c in changes] == [(PAYMENTS, AppStatus.REMOVED), (ORDERS, AppStatus.ADDED)]
    assert changes[0].head is None and changes[1].base is None


def test_a_values_file_dropped_from_the_application_still_counts_at_the_base() -> None:
    head = {PAYMENTS: app()}
    changes = changed_applications(
        ["argocd/apps/staging/payments-api.yaml", "helm/values/staging/payments-api.yaml"], BOTH, head
    )
    assert [c.because for c in changes] == [
        ("argocd/apps/staging/payments-api.yaml", "helm/values/staging/payments-api.yaml")
    ]


def test_the_appproject_of_an_app_changes_it_and_unrelated_files_change_nothing() -> None:
    assert [c.ref for c in changed_applications(["argocd/projects/data-apps.yaml"], BOTH, BOTH)] == [ORDERS, PAYMENTS]
    assert changed_applications(["infra/aws/envs/dev/main.tf", "helm/values/dev/other.yaml"], BOTH, BOTH) == ()
    assert not touches_apps(["infra/aws/envs/dev/main.tf"]) and touches_apps(["helm/values/dev/x.yaml"])


def test_the_source_is_read_as_argo_cd_reads_it() -> None:
    source = app_source(PAYMENTS, app(values=("../../values/staging/payments-api.yaml",), helm={"releaseName": "pay"}))
    assert source.problem == "" and source.release == "pay" and source.chart_dir == "helm/charts/example-data-app"
    assert source.values == ()  # helm replaced: no valueFiles
    remote = app_source(PAYMENTS, {"spec": {"source": {"chart": "redis", "repoURL": "https://charts.example.com"}}})
    assert remote.chart == "" and "does not fetch" in remote.problem
    escaping = app_source(PAYMENTS, app(values=("../../../../etc/passwd",)))
    assert "outside the repository" in escaping.problem
    assert template_path("helm/charts/x", "x/templates/a.yaml") == "helm/charts/x/templates/a.yaml"
