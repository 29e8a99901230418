"""The CLI's `run` loads only what a local command needs: not the MCP SDK, the App's, GitHub's or the LLM's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Each costs start-up time on every command (the MCP SDK alone about a second) and none is needed locally: the CLI
# calls the change tools in-process (bot/tools/in_process.py), and Alembic runs only when the store is new or old.
NOT_ON_THE_CLI_PATH = {"mcp", "mcp_types", "anthropic", "github", "fastapi", "starlette", "uvicorn", "alembic"}

RUN = """
import sys
from bot.entrypoints import cli

code = cli.main(["run", "--repo", sys.argv[1], "/infra destroy bucket nope"])
print(code)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_run_calls_the_change_tool_without_loading_the_sdk(tmp_path: Path) -> None:
    repo = tmp_path / "infra-repo"
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    cli = [sys.executable, "-m", "bot.entrypoints.cli"]
    init = [*cli, "init", "--repo", str(repo), "--backend", "s3", "--bucket", "acme-tfstate", "--region", "eu-west-1"]
    subprocess.run(init, check=True, capture_output=True)
    # The first command makes the store (and migrates it); the one measured is like every later command.
    subprocess.run([*cli, "run", "--repo", str(repo), "/infra destroy bucket nope"], capture_output=True, check=False)

    done = subprocess.run([sys.executable, "-c", RUN, str(repo)], capture_output=True, text=True, check=True)

    # The destroy went through the tool and the real change generator, which refused it: nothing is there to destroy.
    assert "error[request-refused]: There is no env dev" in done.stderr
    code, modules = done.stdout.splitlines()
    assert code == "2"
    loaded = set(modules.split())
    assert {"bot", "sqlalchemy", "jinja2"} <= loaded  # the store and the change generator did load
    assert not loaded & NOT_ON_THE_CLI_PATH, sorted(loaded & NOT_ON_THE_CLI_PATH)
