"""The App's dashboard (`olympus serve` at /dashboard): the pages behind GitHub sign-in, or what to set."""

from __future__ import annotations

from fastapi import FastAPI

from bot.adapters.github.user_access import GitHubUserAccess, SignInFailed
from bot.entrypoints.dashboard.access import Access, UnconfiguredAccess
from bot.entrypoints.dashboard.app import dashboard_app
from bot.entrypoints.dashboard.github_sign_in import GitHubAccess
from bot.entrypoints.dashboard.sessions import Sealer, session_key
from bot.ports import Store
from bot.settings import Settings

__all__ = ["DASHBOARD_PATH", "app_dashboard"]

DASHBOARD_PATH = "/dashboard"


def app_dashboard(settings: Settings, store: Store) -> FastAPI:
    """The pages over the App's store, each reader seeing the repositories GitHub says they can read."""
    return dashboard_app(store, (), title="Olympus", access=_access(settings))


def _access(settings: Settings) -> Access:
    missing = settings.dashboard_sign_in_missing
    if missing or settings.oauth_client_id is None or settings.oauth_client_secret is None:
        return UnconfiguredAccess(missing)
    github = GitHubUserAccess(
        settings.oauth_client_id,
        settings.oauth_client_secret.get_secret_value(),
        settings.github_web_url,
        settings.github_api_url,
        timeout=float(settings.github_timeout),
    )
    # Sealed under a key derived from the webhook secret: every replica opens every replica's sessions.
    sealer = Sealer(session_key(settings.webhook_secret_bytes))
    return GitHubAccess(github, sealer, public_url=settings.public_url, failure=SignInFailed)
