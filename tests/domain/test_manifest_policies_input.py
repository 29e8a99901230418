"""The policies' input for an application: conftest's --combine array, Secret values redacted; and `targets`."""

from __future__ import annotations

import json

from bot.domain.manifests import REDACTED, ObjectKey
from bot.domain.manifests.objects import ManifestObject
from bot.domain.models import Project
from bot.domain.policies.config import KUBERNETES, POLICIES_SCHEMA, TERRAFORM, policies_from_config
from bot.domain.policies.manifest_inputs import combined_input, manifest_data, object_address
from bot.domain.repo_config import ConfigErrors, load_repo_config


def _object(kind: str, namespace: str, name: str, body: dict[str, object], group: str = "") -> ManifestObject:
    return ManifestObject(ObjectKey(group, kind, namespace, name), "t.yaml", body)


def test_each_object_is_one_entry_with_its_path_and_contents() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}
    entries = json.loads(combined_input("web-prod", [_object("Deployment", "shop", "web", deployment, "apps")]))
    assert entries == [{"path": "web-prod/Deployment/shop/web", "contents": deployment}]


def test_a_secrets_values_never_reach_the_policies() -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "shop"},
        "data": {"password": "aHVudGVyMg=="},
        "stringData": {"token": "hunter2"},
    }
    text = combined_input("web-prod", [_object("Secret", "shop", "creds", secret)])
    assert "hunter2" not in text and "aHVudGVyMg" not in text
    [entry] = json.loads(text)
    assert entry["contents"]["data"] == {"password": REDACTED}
    assert entry["contents"]["stringData"] == {"token": REDACTED}


def test_a_hostile_name_stays_inside_its_json_string() -> None:
    name = 'x"},{"path":"evil","contents":{}}]\n<script>'
    entries = json.loads(combined_input("web-prod", [_object("ConfigMap", "shop", name, {"kind": "ConfigMap"})]))
    assert len(entries) == 1 and entries[0]["path"] == f"web-prod/ConfigMap/shop/{name}"


def test_a_cluster_scoped_object_has_an_empty_namespace_in_its_address() -> None:
    item = _object("ClusterRole", "", "reader", {}, "rbac.authorization.k8s.io")
    assert object_address(item) == "ClusterRole//reader"


def test_data_olympus_names_the_application() -> None:
    data = manifest_data({"a": 1}, "web", "prod", "shop", "example-data-app")
    assert data == {
        "olympus": {
            "parameters": {"a": 1},
            "application": {"name": "web", "env": "prod", "namespace": "shop", "chart": "example-data-app"},
        }
    }


def test_targets_default_to_terraform_and_a_set_may_take_kubernetes() -> None:
    settings = policies_from_config(
        {"sets": [{"name": "k8s", "paths": ["policy/k8s"], "targets": ["kubernetes"]}, {"name": "tf", "paths": ["p"]}]}
    )
    default, k8s, tf = settings.sets
    assert default.targets == (TERRAFORM,) and tf.targets == (TERRAFORM,) and k8s.targets == (KUBERNETES,)
    project = Project("infra/aws/envs/prod", "infra/aws/envs/prod")
    assert default.judges(project) and tf.judges(project) and not k8s.judges(project)
    both = policies_from_config({"default": {"targets": ["terraform", "kubernetes"]}})
    assert both.sets[0].targets == (TERRAFORM, KUBERNETES)


def test_targets_must_be_known_and_unique() -> None:
    assert "targets" in POLICIES_SCHEMA["properties"]["sets"]["items"]["properties"]
    for targets in (["helm"], ["kubernetes", "kubernetes"], []):
        text = (
            f"version: 1\npolicies:\n  sets:\n    - name: k8s\n      paths: [p]\n      targets: {json.dumps(targets)}\n"
        )
        errors = load_repo_config({".olympus.yaml": text}.get)
        assert isinstance(errors, ConfigErrors) and "targets" in str(errors), targets
    good = "version: 1\npolicies:\n  sets:\n    - name: k8s\n      paths: [p]\n      targets: [kubernetes, terraform]\n"
    assert not isinstance(load_repo_config({".olympus.yaml": good}.get), ConfigErrors)
