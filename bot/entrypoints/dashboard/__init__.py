"""The dashboard's pages over a store: `olympus dashboard` serves them locally, the App can mount them later."""

from bot.entrypoints.dashboard.app import dashboard_app

__all__ = ["dashboard_app"]
