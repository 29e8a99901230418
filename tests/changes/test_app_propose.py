"""propose_app: the Argo CD Application (valid against the CRD's schema) and values file, seed 001's layout scaffolded
once, the AppProject's destinations enforced, asking twice unchanged, hostile names refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from app_trees import refused, repo_at, written
from helm_tools import helm_or_fail

from bot.adapters.helm import HelmCli
from bot.changes.apps import propose_app
from bot.changes.apps.destinations import Destination, destination_permitted, project_destinations
from bot.changes.helm.example_chart import EXAMPLE_CHART_DIR, EXAMPLE_PROJECT_FILE, example_chart_files
from bot.domain.app_layout import IN_CLUSTER_SERVER

APP = "argocd/apps/staging/payments-api.yaml"
VALUES = "helm/values/staging/payments-api.yaml"


@pytest.fixture(scope="module")
def application_schema(fixtures_dir: Path) -> dict[str, Any]:
    path = fixtures_dir / "argocd" / "datreeio-CRDs-catalog" / "argoproj.io" / "application_v1alpha1.json"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_the_first_app_scaffolds_the_layout_and_writes_a_valid_safe_application(
    tmp_path: Path, application_schema: dict[str, Any]
) -> None:
    change = written(tmp_path, propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="payments"))
    paths = [file.path for file in change.files]
    chart_files = [path for path in example_chart_files() if path.startswith(EXAMPLE_CHART_DIR + "/")]
    assert paths == [*chart_files, EXAMPLE_PROJECT_FILE, APP, VALUES]
    application = yaml.safe_load((tmp_path / APP).read_text())
    assert list(jsonschema.Draft7Validator(application_schema).iter_errors(application)) == []
    assert application["metadata"] == {
        "name": "payments-api-staging",
        "namespace": "argocd",
        "labels": {"app.kubernetes.io/name": "payments-api", "app.kubernetes.io/part-of": "data-apps"},
    }
    spec = application["spec"]
    assert spec["project"] == "data-apps"
    assert spec["source"] == {
        "repoURL": "https://github.com/example-org/infra.git",
        "targetRevision": "HEAD",
        "path": "helm/charts/example-data-app",
        "helm": {"releaseName": "payments-api", "valueFiles": ["../../values/staging/payments-api.yaml"]},
    }
    assert spec["destination"] == {"server": IN_CLUSTER_SERVER, "namespace": "payments"}
    # Safe: no automated sync (so no automated prune or self-heal); Olympus syncs after the merge.
    assert spec["syncPolicy"] == {"syncOptions": ["CreateNamespace=true"]}
    # The values file Argo CD layers is the one the Application names, relative to the chart's directory.
    chart_dir = tmp_path / spec["source"]["path"]
    assert (chart_dir / spec["source"]["helm"]["valueFiles"][0]).resolve() == (tmp_path / VALUES).resolve()
    assert yaml.safe_load((tmp_path / VALUES).read_text()) == {"image": {"tag": "1.0.0"}}
    assert "replace `https://github.com/example-org/infra.git`" in change.description
    assert change.title == "Create app payments-api in staging (namespace payments)"


def test_the_scaffolded_chart_with_the_new_values_passes_helm_lint_strict_and_renders(tmp_path: Path) -> None:
    written(tmp_path, propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="payments"))
    helm = HelmCli(helm_or_fail())
    lint = helm.lint(tmp_path / EXAMPLE_CHART_DIR, [tmp_path / VALUES], strict=True)
    assert lint.passed, lint
    rendered = helm.template(tmp_path / EXAMPLE_CHART_DIR, "payments-api", "payments", [tmp_path / VALUES])
    kinds = {doc["kind"] for doc in yaml.safe_load_all(rendered) if doc}
    assert kinds == {"Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler"}


def test_a_known_repository_url_goes_into_the_application_and_the_scaffolded_project(tmp_path: Path) -> None:
    url = "https://github.com/acme/platform.git"
    change = written(
        tmp_path, propose_app(repo_at(tmp_path), name="orders", env="dev", namespace="orders", repo_url=url)
    )
    assert yaml.safe_load((tmp_path / "argocd/apps/dev/orders.yaml").read_text())["spec"]["source"]["repoURL"] == url
    assert yaml.safe_load((tmp_path / EXAMPLE_PROJECT_FILE).read_text())["spec"]["sourceRepos"] == [url]
    assert "Before merging" not in change.description
    # The next app, with no URL given, takes the one the project allows; and the layout is not scaffolded again.
    second = written(tmp_path, propose_app(repo_at(tmp_path), name="billing", env="dev", namespace="billing"))
    assert [file.path for file in second.files] == ["argocd/apps/dev/billing.yaml", "helm/values/dev/billing.yaml"]
    assert yaml.safe_load(second.files[0].content)["spec"]["source"]["repoURL"] == url
    other = refused(
        propose_app(repo_at(tmp_path), name="x", env="dev", namespace="x", repo_url="https://github.com/evil/x.git")
    )
    assert "does not allow the source repository" in other.message and other.location == EXAMPLE_PROJECT_FILE


def test_asking_twice_is_unchanged_and_other_settings_are_refused(tmp_path: Path) -> None:
    written(tmp_path, propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="payments"))
    again = propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="payments")
    assert again == written(tmp_path, again) and again.unchanged and again.files == ()
    assert "Nothing changed" in again.description
    moved = refused(propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace="billing"))
    assert moved.message == (
        "Application payments-api already exists in staging with other settings: namespace is payments, not billing."
    )
    assert moved.location == APP and "/infra helm set payments-api" in moved.hint
    # The same name in another env is another release.
    prod = written(tmp_path, propose_app(repo_at(tmp_path), name="payments-api", env="prod", namespace="payments"))
    assert [file.path for file in prod.files] == [
        "argocd/apps/prod/payments-api.yaml",
        "helm/values/prod/payments-api.yaml",
    ]


def test_two_apps_whose_application_names_collide_are_refused(tmp_path: Path) -> None:
    written(tmp_path, propose_app(repo_at(tmp_path), name="a-b", env="c", namespace="ab"))
    clash = refused(propose_app(repo_at(tmp_path), name="a", env="b-c", namespace="ab"))
    assert clash.message == "argocd/apps/c/a-b.yaml already defines an Application named a-b-c."


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "argocd", "default"])
def test_the_clusters_own_namespaces_are_refused_by_the_scaffolded_project(tmp_path: Path, namespace: str) -> None:
    refusal = refused(propose_app(repo_at(tmp_path), name="payments-api", env="staging", namespace=namespace))
    assert refusal.message.startswith(
        f"AppProject data-apps does not let applications deploy into namespace {namespace}"
    )
    assert refusal.location == EXAMPLE_PROJECT_FILE
    assert not list(tmp_path.iterdir())


def test_a_project_that_allows_only_some_namespaces_is_read_as_argo_cd_reads_it(tmp_path: Path) -> None:
    project = tmp_path / "argocd/projects/team.yaml"
    project.parent.mkdir(parents=True)
    project.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team, namespace: argocd}\n"
        "spec:\n  sourceRepos: ['*']\n  destinations:\n"
        f"    - {{server: '{IN_CLUSTER_SERVER}', namespace: 'team-*'}}\n"
        f"    - {{server: 'https://other.example:6443', namespace: '*'}}\n"
    )
    repo = repo_at(tmp_path)
    assert propose_app(repo, name="web", env="dev", namespace="team-web", project="team").files
    assert refused(propose_app(repo, name="web", env="dev", namespace="payments", project="team"))
    unknown = refused(propose_app(repo, name="web", env="dev", namespace="team-web", project="nope"))
    assert unknown.message == "There is no AppProject 'nope' in argocd/projects/."


def test_destination_rules_follow_argo_cds_deny_entries() -> None:
    project = yaml.safe_load(example_chart_files()[EXAMPLE_PROJECT_FILE])
    scaffolded = project_destinations(project)
    allowed = {
        ns
        for ns in ("payments", "data-dev-orders", "kube-system", "kube-node-lease", "argocd", "default", "argocd-extra")
        if destination_permitted(scaffolded, IN_CLUSTER_SERVER, ns)
    }
    assert allowed == {"payments", "data-dev-orders", "argocd-extra"}
    assert not destination_permitted(scaffolded, "https://elsewhere.example:6443", "payments")
    # As in Argo CD, a `!` pattern matches every other namespace: a deny entry alone allows all it does not exclude.
    lone = [Destination(IN_CLUSTER_SERVER, "", "!kube-*")]
    assert destination_permitted(lone, IN_CLUSTER_SERVER, "payments")
    assert not destination_permitted(lone, IN_CLUSTER_SERVER, "kube-system")
    assert not destination_permitted([], IN_CLUSTER_SERVER, "payments")


def test_an_unknown_chart_is_refused_with_the_charts_there_are(tmp_path: Path) -> None:
    refusal = refused(propose_app(repo_at(tmp_path), name="web", env="dev", namespace="web", chart="nginx"))
    assert refusal.message == "There is no chart 'nginx' in helm/charts/."
    assert refusal.hint.startswith("The charts Olympus can deploy: example-data-app")


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "../etc"),
        ("name", "web\nkind: Secret"),
        ("name", "**bold**"),
        ("name", "a" * 54),
        ("env", "dev/../prod"),
        ("env", "dev\n"),
        ("namespace", "pay`ments`"),
        ("namespace", "Payments"),
        ("chart", "../../etc"),
        ("project", "p\nq"),
        ("repo_url", "https://github.com/a/b.git\nkind: Secret"),
        ("repo_url", "file:///etc/passwd"),
        ("repo_url", "https://github.com/a/../b"),
    ],
)
def test_hostile_names_are_refused_before_any_path_is_built(tmp_path: Path, field: str, value: str) -> None:
    arguments = {"name": "web", "env": "dev", "namespace": "web"} | {field: value}
    refusal = refused(propose_app(repo_at(tmp_path), **arguments))
    assert "\n" not in refusal.message and "**" not in refusal.message.replace(repr(value[:60]), "")
    assert not list(tmp_path.iterdir())
