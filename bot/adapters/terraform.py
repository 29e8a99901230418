"""TerraformCli: runs a terraform/tofu binary, or the embedded Terraform, with argv lists, timeouts and streaming."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ports import CommandOutput

EMBEDDED = "embedded"


class TerraformError(Exception):
    """Terraform could not be run, failed, or timed out; the message says which and shows the output's tail."""


class TerraformStopped(TerraformError):
    """Terraform was stopped because the work it was part of was cancelled (its `stop` event was set)."""


# How long an interrupted Terraform may take to stop gracefully before it is killed.
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class TerraformCli:
    """One way of invoking Terraform: the argv prefix that stands for `terraform`."""

    prefix: tuple[str, ...]
    label: str

    @classmethod
    def locate(cls, setting: str | None = None) -> TerraformCli:
        """The configured binary, else `terraform` or `tofu` on PATH, else the embedded Terraform."""
        setting = setting if setting is not None else os.environ.get("OLYMPUS_TERRAFORM", "")
        if setting == EMBEDDED:
            return cls.embedded()
        if setting:
            found = shutil.which(setting)
            if not found:
                raise TerraformError(
                    f"OLYMPUS_TERRAFORM is {setting!r}, which is not an executable; "
                    "set it to a terraform or tofu binary, or to 'embedded'"
                )
            return cls((found,), Path(found).name)
        for name in ("terraform", "tofu"):
            found = shutil.which(name)
            if found:
                return cls((found,), name)
        return cls.embedded()

    @classmethod
    def embedded(cls) -> TerraformCli:
        return cls((sys.executable, "-m", "bot.adapters.embedded_terraform"), "embedded terraform")

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        on_line: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> CommandOutput:
        """Run `terraform ARGS` in cwd; stream each output line to on_line; never raise for a non-zero exit.

        When `stop` is set, Terraform is interrupted as Ctrl-C would (it stops gracefully), killed if it has not
        ended a few seconds later, and a TerraformStopped is raised.
        """
        argv = (*self.prefix, *args)
        full_env = {**os.environ, **(env or {}), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            raise TerraformError(f"could not start {self.label} ({argv[0]}): {exc}") from exc
        stdout: list[str] = []
        stderr: list[str] = []
        readers = [
            threading.Thread(target=_pump, args=(proc.stdout, stdout, on_line), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, stderr, on_line), daemon=True),
        ]
        for reader in readers:
            reader.start()
        try:
            returncode = _wait(proc, timeout, stop)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise TerraformError(
                f"`terraform {' '.join(args[:1])}` in {cwd} did not finish within {timeout:.0f} s and was stopped"
            ) from None
        except TerraformStopped:
            for reader in readers:
                reader.join()
            raise
        for reader in readers:
            reader.join()
        return CommandOutput(
            argv=tuple(args),
            returncode=returncode,
            stdout="".join(stdout),
            stderr="".join(stderr),
            seconds=time.monotonic() - started,
        )

    def check(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        on_line: Callable[[str], None] | None = None,
    ) -> CommandOutput:
        """Like run, but a non-zero exit is a TerraformError carrying the tail of the output."""
        out = self.run(args, cwd, env=env, timeout=timeout, on_line=on_line)
        if out.returncode != 0:
            raise TerraformError(f"`terraform {args[0]}` failed in {cwd} (exit {out.returncode}):\n{tail(out)}")
        return out


def _wait(proc: subprocess.Popen[str], timeout: float, stop: threading.Event | None) -> int:
    """The exit code, once the process ends; TimeoutExpired after timeout; TerraformStopped once stop is set."""
    if stop is None:
        return proc.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    # Wait on the process, looking at `stop` between waits: waiting on `stop` instead held every command ~0.05 s
    # past its end (0.1 s at least), which a drift sweep of many small projects, four commands each, paid
    # ~0.25 s per project for.
    while not stop.is_set():
        try:
            return proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(proc.args, timeout) from None
    if proc.poll() is None:
        # SIGINT is Terraform's Ctrl-C: it stops what it is doing and releases what it holds.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    raise TerraformStopped("stopped: the plan was cancelled")


def tail(out: CommandOutput, lines: int = 30) -> str:
    """The last lines of a command's output, errors first, for a message."""
    text = (out.stderr.strip() + "\n" + out.stdout.strip()).strip()
    return "\n".join(text.splitlines()[-lines:])


def _pump(stream: object, sink: list[str], on_line: Callable[[str], None] | None) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line)
        if on_line is not None:
            on_line(line.rstrip("\n"))
