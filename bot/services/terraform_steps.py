"""Terraform steps shared by plan and apply: the sandbox environment, and one checked, timed command."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.adapters.sandbox import OVERRIDE_FILE, cli_config, provider_override
from bot.adapters.terraform import TerraformError, tail
from bot.ports import CommandOutput
from bot.wiring import Loop


@contextmanager
def terraform_env(loop: Loop, workdir: Path) -> Iterator[dict[str, str]]:
    """The environment for Terraform in workdir; in the sandbox, also the override that targets the emulator."""
    if loop.sandbox is None:
        yield {}
        return
    override = workdir / OVERRIDE_FILE
    override.write_text(provider_override(loop.sandbox))
    try:
        yield {**loop.sandbox.env, "TF_CLI_CONFIG_FILE": str(cli_config(loop.cache_dir))}
    finally:
        override.unlink(missing_ok=True)


def run_step(loop: Loop, workdir: Path, env: dict[str, str], args: Sequence[str]) -> CommandOutput:
    """Run one terraform command; a non-zero exit becomes a TerraformError with the output's tail."""
    with loop.stopwatch.timing("terraform"):
        out = loop.terraform.run(args, workdir, env=env, on_line=loop.progress)
    if out.returncode != 0:
        raise TerraformError(f"terraform {args[0]} failed (exit {out.returncode}):\n{tail(out)}")
    return out
