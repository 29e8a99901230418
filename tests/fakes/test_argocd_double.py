"""The Argo CD double holds itself to Argo CD's description: a bad field is refused, good bodies pass."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource
from fakes.argocd_swagger import ArgoCdSwagger


def _call(double: FakeArgoCd, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(double.url + path, data=data, method=method)  # noqa: S310 (loopback)
    request.add_header("Authorization", f"Bearer {token or double.token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_sync_request_schema_refuses_an_unknown_field(argocd_swagger: ArgoCdSwagger) -> None:
    schema = argocd_swagger.body_schema("/api/v1/applications/{name}/sync", "post")
    assert argocd_swagger.problems(schema, {"dryRun": True, "revision": "abc", "prune": False}) == []
    problems = argocd_swagger.problems(schema, {"dryRun": True, "force": True})
    assert len(problems) == 1 and "'force' was unexpected" in problems[0]


def test_sync_options_are_an_object_with_items_not_a_list(argocd_swagger: ArgoCdSwagger) -> None:
    schema = argocd_swagger.body_schema("/api/v1/applications/{name}/sync", "post")
    assert argocd_swagger.problems(schema, {"syncOptions": {"items": ["CreateNamespace=true"]}}) == []
    assert argocd_swagger.problems(schema, {"syncOptions": ["CreateNamespace=true"]})


def test_the_merged_allof_keeps_resource_ref_fields_and_refuses_others(argocd_swagger: ArgoCdSwagger) -> None:
    node = {"kind": "Deployment", "name": "web", "namespace": "p", "health": {"status": "Degraded"}}
    assert argocd_swagger.problems("v1alpha1ResourceNode", node) == []
    assert argocd_swagger.problems("v1alpha1ResourceNode", {**node, "colour": "red"})


def test_a_bad_request_body_is_refused_and_recorded(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    status, body = _call(argocd_double, "POST", "/api/v1/applications/web-staging/sync", {"dryrun": True})
    assert status == 400 and "'dryrun' was unexpected" in body["message"]
    assert argocd_double.violations and "dryrun" in argocd_double.violations[0]
    argocd_double.violations.clear()


def test_a_sync_runs_through_its_phases_and_every_answer_is_valid(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging", resources=[Resource("Deployment", "web", "apps")]))
    status, _ = _call(argocd_double, "POST", "/api/v1/applications/web-staging/sync", {"revision": "abc123"})
    assert status == 200
    first = _call(argocd_double, "GET", "/api/v1/applications/web-staging")[1]
    assert first["status"]["health"]["status"] == "Progressing"
    second = _call(argocd_double, "GET", "/api/v1/applications/web-staging")[1]
    assert second["status"]["sync"] == {"status": "Synced", "revision": "abc123"}
    assert second["status"]["history"][0]["revision"] == "abc123"
    tree = _call(argocd_double, "GET", "/api/v1/applications/web-staging/resource-tree")[1]
    assert tree["nodes"][0]["health"]["status"] == "Healthy"
    assert _call(argocd_double, "GET", "/api/v1/applications")[1]["items"][0]["metadata"]["name"] == "web-staging"
    assert argocd_double.violations == []


@pytest.mark.parametrize("status", [403, 503])
def test_it_fails_as_told_then_recovers(argocd_double: FakeArgoCd, status: int) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    argocd_double.fail(status, times=1)
    assert _call(argocd_double, "GET", "/api/v1/applications/web-staging")[0] == status
    assert _call(argocd_double, "GET", "/api/v1/applications/web-staging")[0] == 200


def test_a_wrong_token_and_an_unknown_app_are_refused(argocd_double: FakeArgoCd) -> None:
    assert _call(argocd_double, "GET", "/api/v1/applications/nope", token="wrong")[0] == 401
    status, body = _call(argocd_double, "GET", "/api/v1/applications/nope")
    assert status == 404 and "not found" in body["message"]
