"""Olympus's default policy set: the Rego files shipped in the `policies` package (policies/olympus)."""

from __future__ import annotations

from importlib import resources

from bot.domain.policies.evaluation import PolicyModule

_FOLDER = "olympus"


def default_modules() -> tuple[PolicyModule, ...]:
    """The default set's rules (its *_test.rego files left out), sorted by path."""
    return tuple(m for m in _all_modules() if not m.path.endswith("_test.rego"))


def default_test_modules() -> tuple[PolicyModule, ...]:
    """The default set's own Rego tests."""
    return tuple(m for m in _all_modules() if m.path.endswith("_test.rego"))


def _all_modules() -> tuple[PolicyModule, ...]:
    folder = resources.files("policies") / _FOLDER
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".rego")), key=lambda f: f.name)
    return tuple(PolicyModule(f"policies/{_FOLDER}/{f.name}", f.read_text()) for f in files)
