"""What the tools return, as typed models: their JSON schemas are the tools' advertised output schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.models import ChangeSet, Refusal

__all__ = [
    "ChangeResult",
    "FileResult",
    "PlanSummaryResult",
    "ProjectResult",
    "ProjectsResult",
    "RefusalResult",
    "change_result",
]


class _Result(BaseModel):
    # Exactly these keys: the schema says `additionalProperties: false`, and a key the tools add by mistake fails the
    # SDK's check of the result against it (and the in-process call's) instead of reaching clients unannounced.
    # Built on first use, not at import: every CLI command imports the tools, and most never call one.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class FileResult(_Result):
    """One file the change writes or deletes."""

    path: str = Field(description="The file's path from the repository root, /-separated.")
    content: str = Field(description="The file's whole new content; empty when the change deletes the file.")
    deleted: bool = Field(description="True when the change deletes the file (its content is then empty).")


class ChangeResult(_Result):
    """A proposed change: the files to write or delete, and the words for its commit and pull request."""

    command: str = Field(description="The /infra command a person would type for the same change.")
    title: str = Field(description="The change in a line, for the commit and the pull request's title.")
    description: str = Field(description="What the change does and why, for the pull request's body (markdown).")
    unchanged: bool = Field(description="True when the repository already holds exactly this change: nothing to do.")
    files: list[FileResult] = Field(description="The files to write or delete, by path.")


class RefusalResult(_Result):
    """Why a change tool will not make the change, and how to fix it: a tool error result's structured content."""

    refused: Literal[True] = True
    message: str = Field(description="What stands in the way.")
    hint: str = Field(description="How to ask so that it works; may be empty.")
    location: str = Field(description="Where the conflicting definition lives (path:line); may be empty.")


class ProjectResult(_Result):
    """A Terraform project (root module) Olympus plans and applies as one unit."""

    name: str = Field(description="The project's name, as get_plan_summary takes it.")
    dir: str = Field(description="Its directory from the repository root.")
    workspace: str = Field(description="Its Terraform workspace.")


class ProjectsResult(_Result):
    """The repository's Terraform projects."""

    projects: list[ProjectResult]


class PlanSummaryResult(_Result):
    """The newest saved plan of a project, every sensitive value hidden."""

    project: str
    change: str = Field(description="The change (its branch) the plan was made for.")
    commit: str = Field(description="The commit the plan was made at.")
    plan_sha256: str = Field(description="The SHA-256 of the saved plan file, which apply checks.")
    # A count equal to a sensitive value is hidden like any other value, so it may read as the placeholder.
    counts: dict[str, int | str] = Field(
        description="How many resources the plan adds, changes, destroys, replaces, imports, moves and forgets."
    )
    markdown: str = Field(description="The summary as Olympus posts it on the pull request.")


def change_result(result: ChangeSet | Refusal, *, command: str) -> ChangeResult | RefusalResult:
    """The generator's answer as the tool's result; a deleted file (empty content, FileChange's convention) says so.
    `command` is the `/infra` line that asks for the same change."""
    if isinstance(result, Refusal):
        return RefusalResult(message=result.message, hint=result.hint, location=result.location)
    return ChangeResult(
        command=command,
        title=result.title,
        description=result.description,
        unchanged=result.unchanged,
        files=[
            FileResult(path=change.path, content=change.content, deleted=change.content == "")
            for change in result.files
        ],
    )
