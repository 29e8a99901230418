"""get_plan_summary over a saved plan: an MCP client (an LLM's tool loop) never reads a sensitive value."""

from __future__ import annotations

import json
from pathlib import Path

from mcp.types import TextContent
from secret_canary import CANARY, assert_hidden, plan_json
from test_mcp_server import call

from bot.adapters.localgit import LocalGit
from bot.domain.records import PlanRecord
from bot.domain.sensitive import PLACEHOLDER
from bot.services.plan_lookup import latest_plan_summary
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.server import build_server
from bot.wiring import build_local_loop


def test_the_latest_plan_summary_hides_what_terraform_left_unmarked(tmp_path: Path) -> None:
    git = LocalGit(tmp_path)
    git.git("init", "--quiet", "--initial-branch=main")
    (tmp_path / "README.md").write_text("infra\n")
    git.git("add", "--all")
    git.git("-c", "user.name=Mona", "-c", "user.email=mona@example.com", "commit", "--quiet", "-m", "start")
    git.git("branch", "infra/tags")
    loop = build_local_loop(tmp_path, say=lambda line: None)
    saved = loop.state_dir / "plans" / "tags.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(plan_json())  # tags_all and an output hold the canary, unmarked by Terraform
    loop.store.save_plan(
        PlanRecord(
            change_id="infra/tags",
            project="aws-dev",
            workspace="default",
            commit=git.commit_of("infra/tags"),
            plan_path=str(saved.with_suffix(".tfplan")),
            plan_json_path=str(saved),
            sha256="0" * 64,
            counts={"add": 0, "change": 1, "destroy": 0},
            created_at=loop.store.clock(),
        )
    )
    server = build_server(FileSystemRepo(tmp_path), plan_summary=lambda project: latest_plan_summary(loop, project))

    result = call(server, "get_plan_summary", {"project": "aws-dev"})

    assert not result.is_error
    summary = result.structured_content
    assert summary is not None and summary["counts"]["change"] == 1
    assert "`tags_all`" in summary["markdown"] and PLACEHOLDER in summary["markdown"]
    assert_hidden("the tool's structured result", json.dumps(summary))
    for block in result.content:
        assert isinstance(block, TextContent)
        assert_hidden("the tool's text result", block.text)
    assert CANARY in saved.read_text()  # the saved plan itself is Terraform's record, kept as it is
    loop.store.close()
