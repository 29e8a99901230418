"""Terraform steps shared by plan and apply: the sandbox environment, and one checked, timed command."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from bot.adapters.sandbox import OVERRIDE_FILE, cli_config, provider_override
from bot.adapters.terraform import TerraformError, tail
from bot.domain.projects import module_sources
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.ports import CommandOutput
from bot.services.context import Loop

EC2_OVERRIDE_FILE = "zz_olympus_sandbox_ec2_override.tf"
_AWS_INSTANCE = re.compile(r'^\s*resource\s+"aws_instance"\s+"([A-Za-z_][A-Za-z0-9_-]*)"', re.MULTILINE)


@contextmanager
def terraform_env(loop: Loop, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment for Terraform in workdir; in the sandbox, also the overrides that target the emulator."""
    if loop.sandbox is None:
        yield {}
        return
    overrides = [workdir / OVERRIDE_FILE, *emulator_instance_overrides(workdir)]
    overrides[0].write_text(provider_override(loop.sandbox))
    try:
        yield {**loop.sandbox.env, "TF_CLI_CONFIG_FILE": str(cli_config(loop.cache_dir))}
    finally:
        for override in overrides:
            override.unlink(missing_ok=True)


def emulator_instance_overrides(workdir: Path) -> list[Path]:
    """Turn off detailed monitoring of EC2 instances in workdir and the local modules it calls, for the emulator.

    moto does not implement EC2's MonitorInstances, so with `monitoring = true` an apply waits forever for the
    instance to finish creating. Override files (never committed) change only the sandbox's copy.
    """
    written: list[Path] = []
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
            override = directory / EC2_OVERRIDE_FILE
            override.write_text("".join(f'resource "aws_instance" "{n}" {{\n  monitoring = false\n}}\n' for n in names))
            written.append(override)
    return written


def run_step(
    loop: Loop,
    workdir: Path,
    env: dict[str, str],
    args: Sequence[str],
    sensitive: SensitiveValues = NO_SECRETS,
    *,
    echo: bool = True,
) -> CommandOutput:
    """Run one terraform command; a non-zero exit becomes a TerraformError with the output's tail.

    Every line shown (progress, error) has the secrets redacted first. With echo=False the standard output is
    neither streamed nor quoted in the error: `terraform show -json` prints every value in clear, marked or not.
    """

    def progress(line: str) -> None:
        loop.progress(sensitive.redact(line))

    with loop.stopwatch.timing("terraform"):
        out = loop.terraform.run(args, workdir, env=env, on_line=progress if echo else None)
    if out.returncode != 0:
        shown = out if echo else replace(out, stdout="")
        raise TerraformError(sensitive.redact(f"terraform {args[0]} failed (exit {out.returncode}):\n{tail(shown)}"))
    return out
