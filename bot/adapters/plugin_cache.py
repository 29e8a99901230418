"""The provider plugin cache every project's `terraform init` shares, and the lock that makes sharing it safe.

Terraform's docs on the cache (CLI configuration, "Provider Plugin Cache"): the directory must exist beforehand,
and "the plugin cache directory is not guaranteed to be concurrency safe. The provider installer's behavior in
environments with multiple terraform init calls is undefined" (two inits unpacking the same provider at once
corrupt it: hashicorp/terraform#31964). So an init takes a lock on the cache first, a file lock (flock), which
holds across threads, the App's replicas and CLI commands on one machine alike: shared when the cache already
holds every provider the project's `.terraform.lock.hcl` pins (the init then only links them into the project),
exclusive otherwise (it may install, that is write). The first init of a provider version is the warm-up; inits
after it run side by side. Only `init` installs providers; plan and show never touch the cache.
"""

from __future__ import annotations

import fcntl
import os
import platform
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.adapters.terraform import TerraformStopped

PLUGIN_CACHE_ENV = "TF_PLUGIN_CACHE_DIR"
LOCK_FILE_NAME = ".terraform.lock.hcl"
_LOCKED_PROVIDER = re.compile(r'provider\s+"([^"]+)"\s*\{[^}]*?\bversion\s*=\s*"([^"]+)"', re.DOTALL)
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}


def plugin_cache_dir(cache_dir: Path) -> Path:
    """The cache to use: TF_PLUGIN_CACHE_DIR when the user set one (it is locked the same way), else Olympus's own."""
    configured = os.environ.get(PLUGIN_CACHE_ENV, "").strip()
    path = Path(configured).expanduser() if configured else cache_dir / "plugin-cache"
    path.mkdir(parents=True, exist_ok=True)  # "Terraform will not create the directory itself"
    return path


def cache_holds_pinned_providers(cache: Path, workdir: Path) -> bool:
    """Whether every provider the project's lock file pins is already in the cache, for this machine's platform."""
    try:
        text = (workdir / LOCK_FILE_NAME).read_text(errors="replace")
    except OSError:
        return False  # no lock file: init chooses versions, and may install any of them
    pinned = _LOCKED_PROVIDER.findall(text)
    target = _platform()
    return bool(pinned) and all((cache / address / version / target).exists() for address, version in pinned)


@contextmanager
def installing_providers(cache: Path, workdir: Path, stop: threading.Event | None = None) -> Iterator[None]:
    """Hold the cache's lock for one `terraform init` in workdir: shared when it will only read, else exclusive."""
    mode = fcntl.LOCK_SH if cache_holds_pinned_providers(cache, workdir) else fcntl.LOCK_EX
    waiting = stop or threading.Event()
    with open(cache / ".olympus-init.lock", "a+") as handle:
        # Polled rather than blocking, so a cancelled plan does not wait its turn for a lock it no longer needs.
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waiting.wait(0.05):
                    raise TerraformStopped("stopped: the plan was cancelled") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _platform() -> str:
    machine = platform.machine().lower()
    return f"{platform.system().lower()}_{_ARCHES.get(machine, machine)}"
