"""Settings: a missing or malformed setting is named with its fix; secrets never show; `olympus serve` exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.settings import DEFAULT_DATABASE_URL, DEFAULT_GITHUB_API_URL, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No OLYMPUS_* variable from the machine, and a working folder with no .env in it."""
    for name in list(os.environ):
        if name.startswith("OLYMPUS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def refusal(**environment: str) -> UserError:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        with pytest.raises(UserError) as refused:
            load_settings()
    return refused.value


def test_a_missing_webhook_secret_is_named_with_how_to_fix_it() -> None:
    error = refusal()
    assert error.reference == "missing-setting"
    assert error.message == "OLYMPUS_WEBHOOK_SECRET is missing"
    assert "webhook secret" in error.hint and ".env" in error.hint


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_webhook_secret_is_refused(blank: str) -> None:
    assert "OLYMPUS_WEBHOOK_SECRET" in refusal(OLYMPUS_WEBHOOK_SECRET=blank).message


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s3cret")
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///./olympus.db"
    assert settings.github_api_url == DEFAULT_GITHUB_API_URL == "https://api.github.com"
    assert (settings.app_id, settings.private_key_file, settings.private_key) == (None, None, None)
    assert settings.webhook_secret_bytes == b"s3cret"
    limits = (settings.webhook_max_inflight, settings.webhook_max_inflight_bytes, settings.webhook_read_timeout)
    assert limits == (16, 64 * 1024 * 1024, 10.0)


def test_the_webhook_byte_budget_takes_a_size_with_a_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("OLYMPUS_WEBHOOK_MAX_INFLIGHT_BYTES", "256MiB")
    assert load_settings().webhook_max_inflight_bytes == 256 * 1024 * 1024


def test_settings_come_from_the_environment_and_dot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot a real key\n-----END RSA PRIVATE KEY-----\n")
    (tmp_path / ".env").write_text(
        "OLYMPUS_WEBHOOK_SECRET=from-dot-env\n"
        "OLYMPUS_APP_ID=12345\n"
        f"OLYMPUS_PRIVATE_KEY_FILE={key}\n"
        "OLYMPUS_GITHUB_API_URL=https://ghe.example.com/api/v3/\n"
    )
    monkeypatch.setenv("OLYMPUS_DATABASE_URL", "postgresql://olympus@db.example.com/olympus")
    settings = load_settings()
    assert settings.webhook_secret.get_secret_value() == "from-dot-env"
    assert settings.app_id == 12345
    assert settings.private_key_file == key
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    assert settings.database_url == "postgresql://olympus@db.example.com/olympus"
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "from-environment")
    assert load_settings().webhook_secret.get_secret_value() == "from-environment"  # the environment wins


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OLYMPUS_APP_ID", "my-app", "OLYMPUS_APP_ID is malformed"),
        ("OLYMPUS_APP_ID", "-3", "OLYMPUS_APP_ID is malformed"),
        ("OLYMPUS_GITHUB_API_URL", "api.github.com", "OLYMPUS_GITHUB_API_URL is malformed"),
        ("OLYMPUS_GITHUB_API_URL", "ftp://ghe.example.com", "OLYMPUS_GITHUB_API_URL is malformed"),
        ("OLYMPUS_GITHUB_API_URL", "https://user:pw@ghe.example.com/api/v3", "without credentials"),
        ("OLYMPUS_DATABASE_URL", "mysql://db/olympus", "only SQLite and PostgreSQL"),
        ("OLYMPUS_DATABASE_URL", "not a url", "is not a database URL"),
        ("OLYMPUS_PRIVATE_KEY_FILE", "/nowhere/app.pem", "no file at '/nowhere/app.pem'"),
        ("OLYMPUS_WEBHOOK_MAX_INFLIGHT", "0", "greater than or equal to 1"),
        ("OLYMPUS_WEBHOOK_MAX_INFLIGHT", "many", "OLYMPUS_WEBHOOK_MAX_INFLIGHT is malformed"),
        ("OLYMPUS_WEBHOOK_MAX_INFLIGHT_BYTES", "1MiB", "greater than or equal to 26214400"),
        ("OLYMPUS_WEBHOOK_MAX_INFLIGHT_BYTES", "lots", "OLYMPUS_WEBHOOK_MAX_INFLIGHT_BYTES is malformed"),
        ("OLYMPUS_WEBHOOK_READ_TIMEOUT", "0", "greater than 0"),
        ("OLYMPUS_WEBHOOK_READ_TIMEOUT", "inf", "OLYMPUS_WEBHOOK_READ_TIMEOUT is malformed"),
    ],
)
def test_malformed_settings_are_named_with_a_hint(name: str, value: str, expected: str) -> None:
    error = refusal(OLYMPUS_WEBHOOK_SECRET="s3cret", **{name: value})
    assert error.reference == "bad-setting"
    assert name in error.message and expected in error.message
    assert name in error.hint


def test_every_problem_is_listed_at_once() -> None:
    error = refusal(OLYMPUS_APP_ID="x", OLYMPUS_GITHUB_API_URL="nope")
    for name in ("OLYMPUS_WEBHOOK_SECRET", "OLYMPUS_APP_ID", "OLYMPUS_GITHUB_API_URL"):
        assert name in error.message


def test_secrets_never_show_in_reprs_or_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "hunter2-webhook")
    monkeypatch.setenv("OLYMPUS_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----hunter2-key")
    monkeypatch.setenv("OLYMPUS_DATABASE_URL", "postgresql://olympus:hunter2-db@db.example.com/olympus")
    settings = load_settings()
    for shown in (repr(settings), str(settings)):
        assert "hunter2" not in shown
    assert settings.private_key is not None and "hunter2-key" in settings.private_key.get_secret_value()
    monkeypatch.setenv("OLYMPUS_DATABASE_URL", "postgresql+asyncpg://olympus:hunter2-db@db.example.com/olympus")
    monkeypatch.setenv("OLYMPUS_APP_ID", "hunter2-id")  # a value put in the wrong variable is not echoed either
    error = refusal()
    assert "hunter2" not in str(error)


def test_settings_are_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s3cret")
    settings = load_settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.app_id = 3
    assert isinstance(settings, Settings)


def olympus(*args: str, cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_olympus_serve_without_a_secret_exits_2_naming_it(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
    environment["PYTHONPATH"] = str(ROOT)
    done = olympus("serve", "--port", "0", cwd=tmp_path, environment=environment)
    assert done.returncode == 2, done.stderr
    assert "OLYMPUS_WEBHOOK_SECRET is missing" in done.stderr
    assert "hint:" in done.stderr and "Traceback" not in done.stderr


def test_olympus_serve_with_an_unreachable_database_exits_2(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
    environment |= {
        "PYTHONPATH": str(ROOT),
        "OLYMPUS_WEBHOOK_SECRET": "s3cret",
        # Port 1 on loopback: refused at once, no waiting on a timeout.
        "OLYMPUS_DATABASE_URL": "postgresql://olympus:hunter2@127.0.0.1:1/olympus",
    }
    done = olympus("serve", "--port", "0", cwd=tmp_path, environment=environment)
    assert done.returncode == 2, done.stderr
    assert "OLYMPUS_DATABASE_URL" in done.stderr and "hunter2" not in done.stderr
    assert "Traceback" not in done.stderr


def test_scanners_are_named_or_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s")
    assert load_settings(env_file=None).scanner_names == ("checkov", "trivy")
    assert load_settings(env_file=None, scanners=" Trivy ").scanner_names == ("trivy",)
    assert load_settings(env_file=None, scanners="none").scanner_names == ()
    with pytest.raises(UserError) as refused:
        load_settings(env_file=None, scanners="checkov,tfsec")
    assert "OLYMPUS_SCANNERS is malformed: tfsec is not a scanner Olympus runs" in refused.value.message


def test_job_and_github_timing_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.entrypoints.serve import retry_policy, worker_timing

    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("OLYMPUS_JOB_LEASE_SECONDS", "4")
    monkeypatch.setenv("OLYMPUS_JOB_MAX_ATTEMPTS", "10")
    monkeypatch.setenv("OLYMPUS_GITHUB_TIMEOUT", "3")
    settings = load_settings(env_file=None)
    assert worker_timing(settings).lease.total_seconds() == 4 and worker_timing(settings).sweep_interval == 4
    assert retry_policy(settings).max_attempts == 10 and settings.github_timeout == 3
    with pytest.raises(UserError):
        load_settings(env_file=None, job_lease_seconds=0)


def test_the_app_slug_is_the_mention_people_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s")
    assert load_settings(env_file=None).app_slug == "olympus"
    monkeypatch.setenv("OLYMPUS_APP_SLUG", " @Acme-Infra ")
    assert load_settings(env_file=None).app_slug == "acme-infra"
    monkeypatch.setenv("OLYMPUS_APP_SLUG", "acme infra")
    with pytest.raises(UserError) as refused:
        load_settings(env_file=None)
    assert "OLYMPUS_APP_SLUG is malformed" in refused.value.message and "github.com/apps/SLUG" in refused.value.hint
