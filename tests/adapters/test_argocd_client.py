"""ArgoCdClient against the Argo CD double: retries on 5xx, and clear failures for 403, 404 and no server at all."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fakes.argocd_double import FakeApplication, FakeArgoCd

from bot.adapters.argocd import ArgoCdClient, read_token_file
from bot.app_ports import ArgoCdError


def _client(double: FakeArgoCd, *, token: str | None = None, retries: int = 3) -> tuple[ArgoCdClient, list[float]]:
    waits: list[float] = []
    client = ArgoCdClient(double.url, token or double.token, timeout=5, retries=retries, sleep=waits.append)
    return client, waits


def test_a_503_is_retried_with_backoff_then_succeeds(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    argocd_double.fail(503, times=2)
    client, waits = _client(argocd_double)
    assert client.application("web-staging")["metadata"]["name"] == "web-staging"
    assert waits == [1.0, 2.0]
    assert [seen.status for seen in argocd_double.seen] == [503, 503, 200]


def test_a_5xx_that_lasts_gives_up_after_the_retries(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    argocd_double.fail(502, times=10)
    client, waits = _client(argocd_double, retries=2)
    with pytest.raises(ArgoCdError) as raised:
        client.application("web-staging")
    assert raised.value.reference == "argocd-failed" and raised.value.status == 502
    assert "after 3 attempts" in raised.value.message and len(waits) == 2


def test_a_403_names_the_token_setting_and_is_not_retried(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    argocd_double.fail(403, times=1)
    client, waits = _client(argocd_double)
    with pytest.raises(ArgoCdError) as raised:
        client.sync("web-staging", dry_run=True, prune=False, revision="abc")
    assert raised.value.reference == "argocd-refused" and "permission denied" in raised.value.message
    assert "OLYMPUS_ARGOCD_TOKEN_FILE" in raised.value.hint and waits == []


def test_a_wrong_token_is_refused_and_never_shown(argocd_double: FakeArgoCd) -> None:
    client, _ = _client(argocd_double, token="secret-token-value-123")
    with pytest.raises(ArgoCdError) as raised:
        client.application("web-staging")
    assert raised.value.status == 401 and raised.value.reference == "argocd-refused"
    assert "secret-token-value-123" not in str(raised.value) and "secret-token-value-123" not in repr(client)


def test_an_unknown_application_says_how_to_make_argo_cd_know_it(argocd_double: FakeArgoCd) -> None:
    client, waits = _client(argocd_double)
    with pytest.raises(ArgoCdError) as raised:
        client.resource_tree("payments-api-staging")
    assert raised.value.reference == "argocd-app-unknown" and raised.value.status == 404
    assert "payments-api-staging" in raised.value.message and "argocd/apps/" in raised.value.hint and waits == []


def test_an_unreachable_server_names_the_server_setting() -> None:
    with socket.socket() as sock:  # a port nothing listens on once the socket closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    client = ArgoCdClient(f"http://127.0.0.1:{port}", "t", timeout=2, retries=2, sleep=waits.append)
    with pytest.raises(ArgoCdError) as raised:
        client.application("web-staging")
    assert raised.value.reference == "argocd-unreachable" and raised.value.status is None
    assert f"127.0.0.1:{port}" in raised.value.message and "OLYMPUS_ARGOCD_SERVER" in raised.value.hint
    assert waits == [1.0, 2.0]


def test_a_sync_sends_the_fields_argo_cd_describes(argocd_double: FakeArgoCd) -> None:
    argocd_double.add(FakeApplication("web-staging"))
    client, _ = _client(argocd_double)
    answer = client.sync("web-staging", dry_run=True, prune=False, revision="0123abc")
    assert answer["operation"]["sync"]["dryRun"] is True
    body = argocd_double.requests_to("POST", "/sync")[0].body
    assert body == {"name": "web-staging", "dryRun": True, "prune": False, "revision": "0123abc"}


def test_a_name_cannot_reach_another_path(argocd_double: FakeArgoCd) -> None:
    client, _ = _client(argocd_double)
    with pytest.raises(ArgoCdError) as raised:
        client.application("../../settings")
    assert raised.value.reference == "argocd-app-unknown"
    assert argocd_double.seen[0].path == "/api/v1/applications/..%2F..%2Fsettings"


def test_the_token_file_is_read_and_a_missing_one_is_a_user_error(tmp_path: Path) -> None:
    token_file = tmp_path / "argocd.token"
    token_file.write_text("tok-1\n")
    assert read_token_file(token_file) == "tok-1"
    with pytest.raises(ArgoCdError) as raised:
        read_token_file(tmp_path / "absent")
    assert raised.value.reference == "argocd-token-missing" and "OLYMPUS_ARGOCD_TOKEN_FILE" in raised.value.hint
    (tmp_path / "empty").write_text("  \n")
    with pytest.raises(ArgoCdError, match="empty"):
        read_token_file(tmp_path / "empty")
