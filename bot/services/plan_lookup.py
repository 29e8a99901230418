"""Look up the newest saved plan of a project across the repository's change branches, as a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import summarize
from bot.domain.render import counts_json, render_summary_markdown
from bot.domain.sensitive import SensitiveValues
from bot.services.context import Loop


def latest_plan_summary(loop: Loop, project: str) -> dict[str, Any] | None:
    """The newest plan of project on any branch: its change, commit, hash, counts and markdown; None if none."""
    branches = loop.local_git.git("for-each-ref", "--format=%(refname:short)", "refs/heads/").split()
    plans = [plan for branch in branches if (plan := loop.store.latest_plan(branch, project)) is not None]
    if not plans:
        return None
    plan = max(plans, key=lambda p: p.created_at)
    path = Path(plan.plan_json_path)
    if not path.is_file():
        return None
    document = load_plan_documents(path.read_text())[0]
    # An MCP client may be an LLM's tool loop: what it reads must hold no secret, whatever Terraform marked.
    sensitive = SensitiveValues.from_plan(document)
    summary = summarize(document, sensitive)
    result = sensitive.redact_value(
        {
            "project": plan.project,
            "change": plan.change_id,
            "commit": plan.commit,
            "plan_sha256": plan.sha256,
            "counts": counts_json(summary),
            "markdown": render_summary_markdown(summary, sensitive),
        }
    )
    assert isinstance(result, dict)  # a dict stays a dict; only a scalar that is a secret becomes the placeholder
    return result
