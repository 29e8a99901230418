"""The helm and argocd domain servers through the SDK's in-memory client: applications proposed, values set, charts
moved, releases listed and rendered with the real helm, status read through Argo CD's own Application shape."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
import yaml
from helm_tools import helm_or_fail
from mcp import Client
from mcp.types import CallToolResult, TextContent

from bot.adapters.helm import HelmCli
from bot.domain.commands import CreateApp, SetValues, parse
from bot.tools.domain_servers import ToolSources, domain_servers
from bot.tools.domains import MAX_TOOLS
from bot.tools.filesystem_repo import FileSystemRepo

HELM = {"set_helm_values", "upgrade_chart", "render_release", "list_releases"}
ARGOCD = {"create_app", "list_applications", "get_application_status"}
CREATE = {"name": "payments-api", "chart": "example-data-app", "namespace": "payments", "env": "staging"}


def run(server: Any, work: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Client(server) as client:
            return await work(client)

    return anyio.run(main)


def call(server: Any, name: str, arguments: dict[str, Any]) -> CallToolResult:
    async def work(client: Client) -> CallToolResult:
        return await client.call_tool(name, arguments)

    result: CallToolResult = run(server, work)
    return result


def text(result: CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


def merged(root: Path, result: CallToolResult) -> dict[str, Any]:
    """A change tool's result, its files written under `root` as merging its pull request would."""
    content = ok(result)
    for file in content["files"]:
        (root / file["path"]).parent.mkdir(parents=True, exist_ok=True)
        (root / file["path"]).write_text(file["content"])
    return content


def servers(root: Path, **sources: Any) -> dict[str, Any]:
    return {name: each.server for name, each in domain_servers(FileSystemRepo(root), ToolSources(**sources)).items()}


@pytest.fixture(scope="module")
def argo_application_schema(fixtures_dir: Path) -> dict[str, Any]:
    """Argo CD's v1alpha1Application from its own swagger.json, every object closed (unknown fields rejected)."""
    swagger = json.loads((fixtures_dir / "argocd" / "argo-cd" / "assets" / "swagger.json").read_text())
    definitions = copy.deepcopy(swagger["definitions"])
    for definition in definitions.values():
        if definition.get("type") == "object" and "properties" in definition:
            definition.setdefault("additionalProperties", False)
    return {"$ref": "#/definitions/v1alpha1Application", "definitions": definitions}


def test_the_helm_and_argocd_servers_list_their_tools_as_change_or_read_tools(tmp_path: Path) -> None:
    served = servers(tmp_path)

    async def listed(client: Client) -> list[Any]:
        return list((await client.list_tools()).tools)

    helm = {tool.name: tool for tool in run(served["helm"], listed)}
    argocd = {tool.name: tool for tool in run(served["argocd"], listed)}
    assert set(helm) == HELM and set(argocd) == ARGOCD and max(len(helm), len(argocd)) <= MAX_TOOLS
    changing = {name for name, tool in (helm | argocd).items() if tool.annotations.idempotent_hint}
    assert changing == {"set_helm_values", "upgrade_chart", "create_app"}
    schema = argocd["create_app"].input_schema
    assert schema["required"] == ["name", "namespace"]
    assert schema["properties"]["namespace"]["pattern"] == "^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?)$(?!\n)"
    values = helm["set_helm_values"].input_schema["properties"]["values"]
    assert values["type"] == "object" and values["additionalProperties"] == {"type": "string"}


def test_create_app_then_set_values_then_upgrade_over_mcp(tmp_path: Path) -> None:
    served = servers(tmp_path, repo_url="https://github.com/acme/platform.git")
    created = merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    assert created["command"] == (
        "/infra create app payments-api chart=example-data-app namespace=payments env=staging project=data-apps"
    )
    expected = CreateApp("payments-api", "staging", "payments", "example-data-app", "data-apps")
    assert parse(created["command"]) == expected
    assert not created["unchanged"] and "argocd/apps/staging/payments-api.yaml" in [f["path"] for f in created["files"]]
    application = yaml.safe_load((tmp_path / "argocd/apps/staging/payments-api.yaml").read_text())
    assert application["spec"]["source"]["repoURL"] == "https://github.com/acme/platform.git"
    assert ok(call(served["argocd"], "create_app", CREATE))["unchanged"] is True

    values = {"replicaCount": "3", "image.tag": "1.4.2"}
    set_ = merged(
        tmp_path, call(served["helm"], "set_helm_values", {"name": "payments-api", "env": "staging", "values": values})
    )
    assert set_["command"] == "/infra helm set payments-api image.tag=1.4.2 replicaCount=3 env=staging"
    assert isinstance(parse(set_["command"]), SetValues)
    assert [f["path"] for f in set_["files"]] == ["helm/values/staging/payments-api.yaml"]
    moved = ok(call(served["helm"], "upgrade_chart", {"name": "payments-api", "env": "staging", "version": "0.2.0"}))
    assert moved["command"] == "/infra helm upgrade payments-api version=0.2.0 env=staging"

    releases = ok(call(served["helm"], "list_releases", {}))
    assert releases == {
        "releases": [
            {
                "name": "payments-api",
                "env": "staging",
                "chart": "helm/charts/example-data-app",
                "values_path": "helm/values/staging/payments-api.yaml",
                "application_path": "argocd/apps/staging/payments-api.yaml",
            }
        ]
    }
    [listed] = ok(call(served["argocd"], "list_applications", {}))["applications"]
    assert (listed["application"], listed["namespace"], listed["project"]) == (
        "payments-api-staging",
        "payments",
        "data-apps",
    )


def test_refusals_are_structured_error_results(tmp_path: Path) -> None:
    served = servers(tmp_path)
    kube = call(served["argocd"], "create_app", CREATE | {"namespace": "kube-system"})
    assert kube.is_error and kube.structured_content is not None and kube.structured_content["refused"] is True
    assert "does not let applications deploy into namespace kube-system" in kube.structured_content["message"]
    merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    typo = call(
        served["helm"], "set_helm_values", {"name": "payments-api", "env": "staging", "values": {"replicaCont": "3"}}
    )
    assert typo.is_error and typo.structured_content is not None
    assert "did you mean `replicaCount`?" in typo.structured_content["message"]
    hostile = call(served["argocd"], "create_app", CREATE | {"name": "../../etc"})
    assert hostile.is_error and hostile.structured_content is not None
    assert not (tmp_path / "etc").exists()
    # A mistake in the call itself is worded by the tools' own check.
    wrong = call(served["helm"], "set_helm_values", {"name": "payments-api", "values": "replicaCount=3"})
    assert wrong.is_error and "argument `values` must be an object" in text(wrong)


def test_render_release_renders_through_the_real_helm_without_secret_data(tmp_path: Path) -> None:
    served = servers(tmp_path, renderer=HelmCli(helm_or_fail()))
    merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    rendered = ok(call(served["helm"], "render_release", {"name": "payments-api", "env": "staging"}))
    assert rendered["counts"] == {
        "Deployment.apps": 1,
        "HorizontalPodAutoscaler.autoscaling": 1,
        "Service": 1,
        "ServiceAccount": 1,
    }
    assert {(o["kind"], o["name"], o["namespace"]) for o in rendered["objects"]} == {
        (kind, "payments-api-example-data-app", "payments")
        for kind in ("Deployment", "HorizontalPodAutoscaler", "Service", "ServiceAccount")
    }
    assert set(rendered["objects"][0]) == {"api_version", "kind", "name", "namespace"}
    # Values the chart refuses: helm's own schema check, as a refusal that says which.
    (tmp_path / "helm/values/staging/payments-api.yaml").write_text("replicaCount: 0\n")
    broken = call(served["helm"], "render_release", {"name": "payments-api", "env": "staging"})
    assert broken.is_error and "replicaCount" in text(broken)


def test_render_release_without_helm_says_how_to_install_it(tmp_path: Path) -> None:
    served = servers(tmp_path)
    merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    missing = call(served["helm"], "render_release", {"name": "payments-api", "env": "staging"})
    assert missing.is_error and "olympus setup" in text(missing) and "OLYMPUS_HELM" in text(missing)
    absent = call(served["helm"], "render_release", {"name": "orders", "env": "staging"})
    assert absent.is_error and "there is no application 'orders' in env 'staging'" in text(absent)


def test_application_status_reads_argo_cds_application_object(
    tmp_path: Path, argo_application_schema: dict[str, Any]
) -> None:
    answer = {
        "metadata": {"name": "payments-api-staging", "namespace": "argocd"},
        "spec": {
            "project": "data-apps",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "payments"},
            "source": {"repoURL": "https://github.com/acme/platform.git", "path": "helm/charts/example-data-app"},
        },
        "status": {
            "sync": {"status": "Synced", "revision": "a" * 40},
            "health": {"status": "Degraded"},
            "operationState": {"phase": "Succeeded", "message": "successfully synced (all tasks run)"},
            "resources": [
                {
                    "group": "apps",
                    "version": "v1",
                    "kind": "Deployment",
                    "namespace": "payments",
                    "name": "payments-api-example-data-app",
                    "status": "Synced",
                    "health": {"status": "Degraded"},
                },
                {
                    "version": "v1",
                    "kind": "Service",
                    "namespace": "payments",
                    "name": "payments-api-example-data-app",
                    "status": "Synced",
                    "health": {"status": "Healthy"},
                },
            ],
        },
    }
    # The stand-in answers exactly what Argo CD's API description allows (GET /api/v1/applications/{name}).
    jsonschema.validate(answer, argo_application_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer | {"statuz": {}}, argo_application_schema)
    asked: list[str] = []

    def app_status(name: str) -> dict[str, Any]:
        asked.append(name)
        return answer

    served = servers(tmp_path, app_status=app_status)
    merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    status = ok(call(served["argocd"], "get_application_status", {"name": "payments-api", "env": "staging"}))
    assert asked == ["payments-api-staging"]
    assert (status["sync_status"], status["health_status"], status["revision"]) == ("Synced", "Degraded", "a" * 40)
    assert status["operation_phase"] == "Succeeded"
    assert [(r["kind"], r["health"]) for r in status["resources"]] == [
        ("Deployment", "Degraded"),
        ("Service", "Healthy"),
    ]


def test_application_status_without_argo_cd_says_what_to_configure(tmp_path: Path) -> None:
    served = servers(tmp_path)
    merged(tmp_path, call(served["argocd"], "create_app", CREATE))
    missing = call(served["argocd"], "get_application_status", {"name": "payments-api", "env": "staging"})
    assert (
        missing.is_error and "OLYMPUS_ARGOCD_SERVER" in text(missing) and "OLYMPUS_ARGOCD_TOKEN_FILE" in text(missing)
    )
