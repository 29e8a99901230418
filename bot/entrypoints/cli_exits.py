"""How the command line ends: each kind of failure said in one message with its exit code (0, 2 or 1)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

import typer
import typer.core

from bot.errors import UserError


def run_command(command: Callable[[], typer.core.TyperGroup], argv: list[str] | None) -> int:
    """Run the command line: its code, 2 after a user error's message (no traceback), 1 after a fault's."""
    from bot.adapters.localgit import NotARepository
    from bot.entrypoints.terminal import print_fault, print_user_error

    try:
        # Without standalone mode, click returns an Exit's code instead of raising it.
        result = command()(args=argv, standalone_mode=False, prog_name="olympus")
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        print_user_error("aborted", "the command was aborted", "run it again")
        return 2
    except typer.TyperException as exc:  # usage errors: unknown command, bad option, missing argument
        context = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:  # `olympus` or `olympus sandbox`
            print(context.get_help())
            return 0
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        path = context.command_path if context is not None else "olympus"
        print_user_error("usage", str(message), f"`{path} --help` shows what it takes")
        return 2
    except UserError as exc:
        print_user_error(exc.reference, exc.message, exc.hint)
        return 2
    except NotARepository as exc:
        print_user_error("not-a-repository", str(exc), "pass --repo with the path of a git repository")
        return 2
    except KeyboardInterrupt:
        print("olympus: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault: say what failed; the traceback only on request
        if os.environ.get("OLYMPUS_DEBUG"):
            traceback.print_exc()
        print_fault(f"{type(exc).__name__}: {exc}")
        return 1
    return result if isinstance(result, int) else 0
