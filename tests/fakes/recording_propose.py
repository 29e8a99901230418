"""RecordingPropose: stands in for the change generator behind the MCP tools, recording what it was asked."""

from __future__ import annotations

from bot.domain.models import ChangeSet, FileChange, Refusal, ResourceRequest
from bot.ports import RepoReader


class RecordingPropose:
    """Stands in for bot.changes.terraform.propose: records each request, refuses names starting with "taken"."""

    def __init__(self) -> None:
        self.requests: list[ResourceRequest] = []

    def __call__(self, repo: RepoReader, request: ResourceRequest) -> ChangeSet | Refusal:
        self.requests.append(request)
        if request.name.startswith("taken"):
            return Refusal(
                f"{request.kind.value} {request.name} already exists in {request.env}",
                hint="choose another name",
                location="infra/aws/envs/dev/main.tf:12",
            )
        path = f"infra/{request.cloud.value}/envs/{request.env}/{request.name}.tf"
        body = repo.read_text("README.md") or ""
        return ChangeSet(
            title=f"{request.action} {request.kind.value} {request.name}",
            description=f"region {request.region}",
            files=(FileChange(path, f"# {request.name}\n{body}"),),
        )
