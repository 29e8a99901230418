"""The Argo CD settings of `olympus serve`: both or neither, a URL and an existing token file, a positive timeout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.settings import DEFAULT_SYNC_TIMEOUT, load_settings
from bot.wiring import build_argocd_syncer


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("OLYMPUS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_unset_means_not_configured() -> None:
    settings = load_settings(env_file=None, webhook_secret="s")
    assert not settings.argocd_configured and settings.argocd_sync_timeout == DEFAULT_SYNC_TIMEOUT
    assert build_argocd_syncer(settings.argocd_server, settings.argocd_token_file) is None


def test_a_server_and_a_token_file_make_a_client_that_hides_the_token(tmp_path: Path) -> None:
    token = tmp_path / "argocd.token"
    token.write_text("tok-very-secret\n")
    settings = load_settings(
        env_file=None, webhook_secret="s", argocd_server="https://argocd.example.com/", argocd_token_file=str(token)
    )
    assert settings.argocd_configured and settings.argocd_server == "https://argocd.example.com"
    client = build_argocd_syncer(settings.argocd_server, settings.argocd_token_file)
    assert client.server == "https://argocd.example.com" and "tok-very-secret" not in repr(client)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("argocd_server", "argocd.example.com", "OLYMPUS_ARGOCD_SERVER is malformed"),
        ("argocd_server", "https://user:pw@argocd.example.com", "OLYMPUS_ARGOCD_SERVER is malformed"),
        ("argocd_token_file", "/nowhere/token", "OLYMPUS_ARGOCD_TOKEN_FILE is malformed: no file at"),
        ("argocd_sync_timeout", "0", "OLYMPUS_ARGOCD_SYNC_TIMEOUT is malformed"),
    ],
)
def test_a_bad_setting_is_named_with_its_fix(field: str, value: str, named: str) -> None:
    with pytest.raises(UserError) as raised:
        load_settings(env_file=None, webhook_secret="s", **{field: value})
    assert raised.value.reference == "bad-setting" and named in raised.value.message
    assert field.upper() in raised.value.hint.upper() and "pw" not in str(raised.value)
