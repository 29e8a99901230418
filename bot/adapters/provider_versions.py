"""Which provider versions the configured Terraform can install: the registry's list, or the offline mirror's."""

from __future__ import annotations

import json
import platform
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from bot.changes.version_constraints import ConstraintError, Version, parse_version

# https://developer.hashicorp.com/terraform/internals/provider-registry-protocol#list-available-versions
REGISTRY_VERSIONS = "https://registry.terraform.io/v1/providers/{source}/versions"
MIRROR_HOST = "registry.terraform.io"
_CACHE_SECONDS = 24 * 3600
_TIMEOUT_SECONDS = 3.0


def mirror_versions(mirror: Path, source: str) -> list[Version]:
    """The versions a Terraform filesystem mirror holds for source (its `HOST/NAMESPACE/TYPE/VERSION/` folders)."""
    folder = mirror / MIRROR_HOST / source
    return sorted(_versions(p.name for p in folder.iterdir() if p.is_dir())) if folder.is_dir() else []


def registry_versions(source: str, cache_dir: Path, *, timeout: float = _TIMEOUT_SECONDS) -> list[Version] | None:
    """The registry's releases of source for this platform, cached for a day; None when it cannot be reached."""
    cache = cache_dir / "provider-versions" / f"{source.replace('/', '--')}.json"
    if cache.is_file() and time.time() - cache.stat().st_mtime < _CACHE_SECONDS:
        return sorted(_versions(json.loads(cache.read_text())))
    try:
        url = REGISTRY_VERSIONS.format(source=source)
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a fixed https URL
            document = json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    wanted = {"os": platform.system().lower(), "arch": _ARCH.get(platform.machine().lower(), platform.machine())}
    names = [
        str(entry.get("version", ""))
        for entry in document.get("versions", [])
        if any(wanted.items() <= dict(p).items() for p in entry.get("platforms", []))
    ]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(names))
    return sorted(_versions(names))


def installable_lookup(cache_dir: Path, mirror: Callable[[], Path] | None) -> Callable[[str], Sequence[Version]]:
    """source → versions: the mirror's for what the sandbox takes from it, else the registry's, else the mirror's.

    `mirror` (given in the sandbox) makes the mirror the only source of what it holds, as the sandbox's CLI
    configuration does (bot/adapters/sandbox.py); without it the mirror is the fallback when the registry is
    out of reach, the one copy of a provider Olympus knows can be installed offline.
    """

    def lookup(source: str) -> Sequence[Version]:
        if mirror is not None:
            own = mirror_versions(mirror(), source)
            if own:
                return own
        found = registry_versions(source, cache_dir)
        if found is not None:
            return found
        from bot.adapters.sandbox import SandboxError, provider_mirror

        try:
            return mirror_versions(provider_mirror(cache_dir), source)
        except SandboxError:
            return []

    return lookup


_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}


def _versions(names: Iterable[object]) -> list[Version]:
    found: list[Version] = []
    for name in names:
        try:
            version, given = parse_version(str(name))
        except ConstraintError:
            continue
        if given == 3 and "-" not in str(name):  # releases only: Terraform skips pre-releases unless pinned
            found.append(version)
    return found
