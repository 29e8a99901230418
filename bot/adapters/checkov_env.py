"""Checkov's own virtualenv in Olympus's cache, made once on first use with the running Python's venv and pip."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from bot.adapters.provision_steps import ProvisionError, run_step

# The one place Checkov's version is pinned: `olympus setup`, `make install` and the Action all provision this one.
# Checkov pins boto3, packaging and networkx far below what Olympus uses, hence a virtualenv of its own.
CHECKOV_VERSION = "3.3.30"
PROVISION_SETTING = "OLYMPUS_PROVISION"
PROVISION_MODES = ("auto", "never")
PIP_TIMEOUT_SECONDS = 1800.0


def checkov_home(cache: Path) -> Path:
    """Where Olympus keeps its Checkov virtualenvs: one per version, each reached through a symlink."""
    return cache / "tools" / "checkov"


def provisioned_checkov(cache: Path, version: str = CHECKOV_VERSION) -> Path | None:
    """The provisioned checkov executable of that version, if a complete and working virtualenv holds it.

    The version's name is a symlink that only ever points at a finished virtualenv (see provision_checkov), so
    its presence means the install completed. Its interpreter links to the Python that made it: when that Python
    is gone (an upgrade removed it), the virtualenv is dead and counts as absent, to be made again.
    """
    link = checkov_home(cache) / version
    binary = link / "bin" / "checkov"
    if not link.is_symlink() or not _executable(binary):
        return None
    if not (link / "bin" / "python").exists():  # exists() follows the symlink to the base interpreter
        return None
    return binary


def provision_mode(environ: Mapping[str, str]) -> str:
    """OLYMPUS_PROVISION: `auto` (install a missing tool on first use) or `never`; anything else is a ValueError."""
    mode = environ.get(PROVISION_SETTING, "").strip().lower() or "auto"
    if mode not in PROVISION_MODES:
        raise ValueError(
            f"{PROVISION_SETTING} is {environ[PROVISION_SETTING]!r}, not one of {', '.join(PROVISION_MODES)}"
        )
    return mode


def provision_checkov(
    cache: Path,
    say: Callable[[str], None],
    *,
    version: str = CHECKOV_VERSION,
    python: str | None = None,
    timeout: float = PIP_TIMEOUT_SECONDS,
) -> Path:
    """Make Checkov's virtualenv under the cache unless it is there; return its checkov executable.

    As pre-commit makes a hook's environment: `python -m venv` with the running interpreter (`python` stands in
    for it in tests), then `pip install checkov==VERSION` into it, quietly; a failure raises ProvisionError with
    the tail of pip's output. The virtualenv is built in a fresh directory of its own and the version's symlink
    is pointed at it (an atomic rename) only after checkov ran, so an interrupted install is never trusted: it
    is a directory nothing points at, removed by the next provision. A lock file keeps two Olympus processes
    from building it at once: the second waits, then finds the first one's.
    """
    found = provisioned_checkov(cache, version)
    if found is not None:
        return found
    home = checkov_home(cache)
    home.mkdir(parents=True, exist_ok=True)
    with _locked(
        home / f"{version}.lock", lambda: say(f"waiting for another Olympus to finish installing Checkov {version}")
    ):
        found = provisioned_checkov(cache, version)
        if found is not None:
            return found
        _remove_unfinished(home)
        say(
            f"→ installing Checkov {version} into a virtualenv of its own at {home / version} "
            "(once: later runs reuse it)"
        )
        envs = home / "envs"
        envs.mkdir(exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f"{version}-", dir=envs))
        build.chmod(0o755)  # mkdtemp's 0700 would keep a service's other users from running the scanner
        try:
            _build(build, version, python or sys.executable, timeout)
            _point(home / version, build)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        _remove_unfinished(home)  # the virtualenv this one replaces, if a dead one was rebuilt
    found = provisioned_checkov(cache, version)
    if found is None:
        raise ProvisionError(f"Checkov {version} was installed at {home / version}, but its checkov does not run")
    return found


def _build(target: Path, version: str, python: str, timeout: float) -> None:
    env = _pip_env()
    run_step([python, "-m", "venv", str(target)], "python -m venv", env, timeout)
    pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--no-input", "--progress-bar", "off"]
    run_step([*pip, f"checkov=={version}"], f"pip install checkov=={version}", env, timeout)
    run_step([str(target / "bin" / "checkov"), "--version"], "checkov --version", env, timeout)


def _pip_env() -> dict[str, str]:
    """The user's environment (proxies, pip's index settings) without what would make pip leave the new venv."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _point(link: Path, target: Path) -> None:
    """Make link a symlink to target in one rename, replacing what it pointed at before."""
    staged = link.with_name(f".{link.name}.{os.getpid()}.link")
    staged.unlink(missing_ok=True)
    staged.symlink_to(Path("envs") / target.name)
    os.replace(staged, link)


def _remove_unfinished(home: Path) -> None:
    """Remove the virtualenvs no version points at: interrupted builds, and ones replaced by a rebuild.

    Called with the lock held, so none of them is being built; a replaced one could still be running a scan
    that started before the rebuild, and Linux lets it finish on the removed files.
    """
    envs = home / "envs"
    if not envs.is_dir():
        return
    kept = {os.path.realpath(link) for link in home.iterdir() if link.is_symlink() and not link.name.startswith(".")}
    for build in envs.iterdir():
        if os.path.realpath(build) not in kept:
            shutil.rmtree(build, ignore_errors=True)
    for staged in home.glob(".*.link"):
        staged.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(path: Path, on_wait: Callable[[], None]) -> Iterator[None]:
    """An exclusive lock on path for the block; on_wait is called once when another process holds it."""
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
