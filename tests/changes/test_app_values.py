"""propose_values and propose_chart_upgrade: YAML edited in place (comments and order kept), values typed and checked
by the chart's values.schema.json with did-you-mean, asking twice unchanged, and helm agreeing with the result."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from app_trees import refused, repo_at, written
from helm_tools import helm_or_fail

from bot.adapters.helm import HelmCli
from bot.changes.apps import propose_app, propose_chart_upgrade, propose_values
from bot.changes.apps.versions import semver_key
from bot.changes.helm.example_chart import EXAMPLE_CHART_DIR

VALUES = "helm/values/staging/payments-api.yaml"
COMMENTED = """# Payments API in staging: owned by the payments team.
replicaCount: 2  # two pods, one per zone

image:
  # Pinned; bump with /infra helm set.
  tag: "1.0.0"
  pullPolicy: IfNotPresent

# Sent to the container as is.
env:
  LOG_LEVEL: info
"""


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    written(tmp_path, propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="payments"))
    return tmp_path


def test_values_are_set_in_place_keeping_comments_order_and_quotes(app_repo: Path) -> None:
    (app_repo / VALUES).write_text(COMMENTED)
    settings = {"replicaCount": "3", "image.tag": "1.4.2", "autoscaling.enabled": "false", "env.REGION": "eu"}
    change = written(app_repo, propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    assert [file.path for file in change.files] == [VALUES]
    assert (app_repo / VALUES).read_text() == (
        "# Payments API in staging: owned by the payments team.\n"
        "replicaCount: 3  # two pods, one per zone\n"
        "\n"
        "image:\n"
        "  # Pinned; bump with /infra helm set.\n"
        '  tag: "1.4.2"\n'
        "  pullPolicy: IfNotPresent\n"
        "\n"
        "# Sent to the container as is.\n"
        "env:\n"
        "  LOG_LEVEL: info\n"
        "  REGION: eu\n"
        "autoscaling:\n"
        "  enabled: false\n"
    )
    assert change.title == "Set replicaCount, image.tag, autoscaling.enabled, env.REGION of app payments-api in staging"
    assert "- `replicaCount`: `2` → `3`" in change.description
    assert "- `autoscaling.enabled`: `(not set)` → `false`" in change.description


def test_values_are_typed_by_the_schema_so_a_string_key_keeps_3_a_string(app_repo: Path) -> None:
    settings = {"image.tag": "3", "replicaCount": "4", "resources.limits.cpu": "1", "service.type": "ClusterIP"}
    written(app_repo, propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    values = yaml.safe_load((app_repo / VALUES).read_text())
    assert values["image"]["tag"] == "3" and values["replicaCount"] == 4
    assert values["resources"] == {"limits": {"cpu": 1}} and values["service"] == {"type": "ClusterIP"}


def test_helm_renders_the_edited_values(app_repo: Path) -> None:
    settings = {"image.tag": "1.4.2", "autoscaling.enabled": "false", "replicaCount": "3"}
    written(app_repo, propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    rendered = HelmCli(helm_or_fail()).template(
        app_repo / EXAMPLE_CHART_DIR, "payments-api", "payments", [app_repo / VALUES]
    )
    [deployment] = [doc for doc in yaml.safe_load_all(rendered) if doc and doc["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.4.2")


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"replicaCont": "3"}, "unknown key `replicaCont`: did you mean `replicaCount`?"),
        ({"image.tg": "1.2.3"}, "unknown key `image.tg`: did you mean `image.tag`?"),
        ({"resources.limits.cpux": "1"}, "unknown key `resources.limits.cpux`: did you mean `resources.limits.cpu`?"),
        ({"replicaCount": "three"}, '`replicaCount` must be integer, not "three"'),
        ({"autoscaling.enabled": "yes"}, '`autoscaling.enabled` must be boolean, not "yes"'),
        ({"replicaCount": "0"}, "`replicaCount`: 0 is less than the minimum of 1 (schema rule: minimum 1)"),
        ({"image.tag": "latest"}, "`image.tag`: 'latest' should not be valid under {'const': 'latest'}"),
        ({"service.type": "NodePort"}, "`service.type`: 'NodePort' is not one of ['ClusterIP', 'LoadBalancer']"),
        ({"resources.limits.memory": "1TB"}, "`resources.limits.memory`: '1TB' does not match"),
        ({"image": "nginx"}, "`image` is object in the chart's schema; set its keys one at a time"),
    ],
)
def test_values_the_schema_refuses_are_refused_before_any_pr(
    app_repo: Path, settings: dict[str, str], problem: str
) -> None:
    before = (app_repo / VALUES).read_text()
    refusal = refused(propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    assert refusal.message.startswith(
        "These values of payments-api in staging break helm/charts/example-data-app/values.schema.json:\n- "
    )
    assert problem in refusal.message, refusal.message
    assert refusal.location == VALUES and (app_repo / VALUES).read_text() == before


def test_every_problem_of_a_request_is_named_at_once(app_repo: Path) -> None:
    settings = {"replicaCont": "3", "image.tag": "1.4.2", "autoscaling.enabld": "true"}
    refusal = refused(propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    assert refusal.message.count("\n- ") == 2 and "`autoscaling.enabled`?" in refusal.message


def test_setting_what_the_file_already_holds_is_unchanged(app_repo: Path) -> None:
    settings = {"image.tag": "1.0.0"}
    again = propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings)
    assert again == written(app_repo, again) and again.unchanged and again.files == ()
    twice = written(
        app_repo, propose_values(repo_at(app_repo), name="payments-api", env="staging", settings={"replicaCount": "3"})
    )
    assert not twice.unchanged
    assert propose_values(
        repo_at(app_repo), name="payments-api", env="staging", settings={"replicaCount": "3"}
    ).unchanged


def test_values_of_a_release_that_does_not_exist_are_refused_with_how_to_create_it(tmp_path: Path) -> None:
    refusal = refused(propose_values(repo_at(tmp_path), name="orders", env="dev", settings={"replicaCount": "3"}))
    assert refusal.message == "There is no application orders in env dev (argocd/apps/dev/orders.yaml does not exist)."
    assert refusal.hint == "Create it first: `/infra create app orders chart=CHART namespace=NAMESPACE env=dev`."


@pytest.mark.parametrize(
    "settings",
    [
        {"../x": "1"},
        {"image.tag": "1.0\nkind: Secret"},
        {"a`b": "1"},
        {"image..tag": "1"},
        {},
    ],
)
def test_hostile_keys_and_values_are_refused(app_repo: Path, settings: dict[str, str]) -> None:
    refusal = refused(propose_values(repo_at(app_repo), name="payments-api", env="staging", settings=settings))
    assert "\n" not in refusal.message


def test_an_in_repo_chart_moves_its_chart_yaml_version_in_place(app_repo: Path) -> None:
    written(app_repo, propose_app(repo_at(app_repo), name="payments-api", env="prod", namespace="payments"))
    change = written(
        app_repo, propose_chart_upgrade(repo_at(app_repo), name="payments-api", env="prod", version="0.2.0")
    )
    chart = (app_repo / EXAMPLE_CHART_DIR / "Chart.yaml").read_text()
    assert "version: 0.2.0\n" in chart and "# The chart's own version: bump it with every change" in chart
    assert yaml.safe_load(chart)["version"] == "0.2.0"
    # Every other Application deploying the same chart moves with it, and the description says so.
    assert "`argocd/apps/staging/payments-api.yaml`" in change.description
    assert propose_chart_upgrade(repo_at(app_repo), name="payments-api", env="prod", version="0.2.0").unchanged
    down = propose_chart_upgrade(repo_at(app_repo), name="payments-api", env="prod", version="0.1.5")
    assert not down.unchanged and "**This is a downgrade** (0.2.0 → 0.1.5)" in down.description
    assert HelmCli(helm_or_fail()).lint(app_repo / EXAMPLE_CHART_DIR).passed


def test_a_chart_from_a_helm_repository_moves_the_applications_target_revision(tmp_path: Path) -> None:
    path = tmp_path / "argocd/apps/prod/ingress.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ingress-prod\n  namespace: argocd\n"
        "spec:\n  project: default\n  source:\n    repoURL: https://kubernetes.github.io/ingress-nginx\n"
        "    chart: ingress-nginx\n    # Pinned; Olympus moves it.\n    targetRevision: 4.10.0\n"
        "  destination:\n    server: https://kubernetes.default.svc\n    namespace: ingress\n"
    )
    change = written(tmp_path, propose_chart_upgrade(repo_at(tmp_path), name="ingress", env="prod", version="4.11.1"))
    assert [file.path for file in change.files] == ["argocd/apps/prod/ingress.yaml"]
    assert "    # Pinned; Olympus moves it.\n    targetRevision: 4.11.1\n" in path.read_text()
    assert "the targetRevision of chart ingress-nginx" in change.description
    values = refused(propose_values(repo_at(tmp_path), name="ingress", env="prod", settings={"a": "1"}))
    assert "Olympus edits the values of charts kept in this repository only" in values.message


@pytest.mark.parametrize("version", ["1.5", "v1.5.0", "1.5.0\n", "01.5.0", "latest", "1.5.0; rm -rf /"])
def test_a_version_that_is_not_semver_is_refused(app_repo: Path, version: str) -> None:
    refusal = refused(propose_chart_upgrade(repo_at(app_repo), name="payments-api", env="staging", version=version))
    assert refusal.hint == "Chart versions are SemVer 2, like 1.5.0 or 2.0.0-rc.1."


def test_semver_orders_pre_releases_before_their_release() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    assert sorted(ordered, key=lambda v: semver_key(v) or ()) == ordered
