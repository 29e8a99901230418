"""Terraform steps shared by plan and apply: the sandbox environment, and one checked, timed command."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from bot.adapters.plugin_cache import PLUGIN_CACHE_ENV, installing_providers, plugin_cache_dir
from bot.adapters.sandbox import OVERRIDE_FILE, cli_config, provider_override
from bot.adapters.terraform import TerraformError, TerraformStopped, tail
from bot.domain.projects import module_sources
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.ports import CommandOutput
from bot.services.context import Loop
from bot.services.step_times import ProjectSteps

EC2_OVERRIDE_FILE = "zz_olympus_sandbox_ec2_override.tf"
_AWS_INSTANCE = re.compile(r'^\s*resource\s+"aws_instance"\s+"([A-Za-z_][A-Za-z0-9_-]*)"', re.MULTILINE)


@contextmanager
def terraform_env(loop: Loop, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment for Terraform in workdir; in the sandbox, also the overrides that target the emulator.

    Providers: in the sandbox, HashiCorp's AWS provider comes from the filesystem mirror, unpacked once and only
    read by every init (Terraform links it into each project), so the mirror is the projects' shared provider
    store and no plugin cache is set. Elsewhere every project shares one plugin cache (bot/adapters/plugin_cache.py),
    whose inits take its lock (run_step).
    """
    if loop.sandbox is None:
        yield {PLUGIN_CACHE_ENV: str(plugin_cache_dir(loop.cache_dir))}
        return
    with ExitStack() as written:
        # Several projects planned at once may call one local module: its override file stays while any uses it.
        overrides = [(workdir / OVERRIDE_FILE, provider_override(loop.sandbox)), *emulator_instance_overrides(workdir)]
        for path, text in overrides:
            written.enter_context(_SHARED_OVERRIDES.holding(path, text))
        yield {**loop.sandbox.env, "TF_CLI_CONFIG_FILE": str(cli_config(loop.cache_dir))}


class _SharedFiles:
    """Files written for as long as anyone in this process holds them, and removed when the last one lets go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: dict[Path, int] = {}

    @contextmanager
    def holding(self, path: Path, text: str) -> Iterator[None]:
        with self._lock:
            if not self._holders.get(path):
                path.write_text(text)  # the same text for every holder: it is made from the directory's own files
            self._holders[path] = self._holders.get(path, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._holders[path] -= 1
                if not self._holders[path]:
                    del self._holders[path]
                    path.unlink(missing_ok=True)


_SHARED_OVERRIDES = _SharedFiles()


def emulator_instance_overrides(workdir: Path) -> list[tuple[Path, str]]:
    """Turn off detailed monitoring of EC2 instances in workdir and the local modules it calls, for the emulator.

    moto does not implement EC2's MonitorInstances, so with `monitoring = true` an apply waits forever for the
    instance to finish creating. Override files (never committed) change only the sandbox's copy; this says which
    to write, and what.
    """
    written: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    pending = [workdir.resolve()]
    while pending:
        directory = pending.pop()
        if directory in seen or not directory.is_dir():
            continue
        seen.add(directory)
        texts = [path.read_text(errors="replace") for path in sorted(directory.glob("*.tf"))]
        pending += [
            (directory / source).resolve()
            for text in texts
            for source in module_sources(text)
            if source.startswith(("./", "../"))
        ]
        names = sorted({name for text in texts for name in _AWS_INSTANCE.findall(text)})
        if names:
            text = "".join(f'resource "aws_instance" "{n}" {{\n  monitoring = false\n}}\n' for n in names)
            written.append((directory / EC2_OVERRIDE_FILE, text))
    return written


def run_step(
    loop: Loop,
    workdir: Path,
    env: dict[str, str],
    args: Sequence[str],
    sensitive: SensitiveValues = NO_SECRETS,
    *,
    echo: bool = True,
    on_line: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    succeeds: Collection[int] = (0,),
    steps: ProjectSteps | None = None,
) -> CommandOutput:
    """Run one terraform command; an exit status outside `succeeds` becomes a TerraformError with the output's tail.

    `succeeds` is (0,) but for a caller that asks for `-detailed-exitcode`, where 2 means "there are changes";
    that caller reads the status from the output's returncode.

    Every line shown (progress, error) has the secrets redacted first; they go to on_line, else loop.progress. With
    echo=False the standard output is neither streamed nor quoted in the error: `terraform show -json` prints every
    value in clear, marked or not. Once `stop` is set, the command is stopped (TerraformStopped), or not started.
    With `steps`, the command's time is recorded as the project's step named by its subcommand (init, plan, show...).
    """
    shown_to = on_line or loop.progress

    def progress(line: str) -> None:
        shown_to(sensitive.redact(line))

    if stop is not None and stop.is_set():
        raise TerraformStopped("stopped: the plan was cancelled")
    with ExitStack() as holding:
        if args[0] == "init" and PLUGIN_CACHE_ENV in env:
            holding.enter_context(installing_providers(Path(env[PLUGIN_CACHE_ENV]), workdir, stop))
        holding.enter_context(loop.stopwatch.timing("terraform"))
        if steps is not None:
            holding.enter_context(steps.timing(args[0]))
        out = loop.terraform.run(args, workdir, env=env, on_line=progress if echo else None, stop=stop)
    if out.returncode not in succeeds:
        shown = out if echo else replace(out, stdout="")
        raise TerraformError(sensitive.redact(f"terraform {args[0]} failed (exit {out.returncode}):\n{tail(shown)}"))
    return out
