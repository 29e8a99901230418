"""What the helm and argocd tools return besides ChangeResult: typed models, their schemas the output schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ApplicationResult",
    "ApplicationStatusResult",
    "ApplicationsResult",
    "ReleaseResult",
    "ReleasesResult",
    "RenderResult",
    "RenderedObject",
    "ResourceStatus",
]


class _Result(BaseModel):
    # As results.py's: exactly these keys (`additionalProperties: false`), built on first use.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ReleaseResult(_Result):
    """One Helm release: an application in one env."""

    name: str = Field(description="The application's name, as the helm tools take it.")
    env: str
    chart: str = Field(description="helm/charts/<chart> for a chart in the repository, else the chart's name.")
    values_path: str = Field(description="Its values file; empty when the chart is not in the repository.")
    application_path: str = Field(description="Its Argo CD Application's file.")


class ReleasesResult(_Result):
    """The repository's Helm releases, by env and name."""

    releases: list[ReleaseResult]


class ApplicationResult(_Result):
    """One Argo CD Application as its file in the repository says."""

    application: str = Field(description="Its name in Argo CD (<name>-<env>).")
    name: str
    env: str
    project: str
    namespace: str = Field(description="The namespace it deploys into.")
    server: str = Field(description="The cluster it deploys to.")
    repo_url: str
    target_revision: str
    source: str = Field(description="The chart's path in the repository, or the chart's name in a Helm repository.")
    path: str = Field(description="The Application's file.")


class ApplicationsResult(_Result):
    """The Argo CD Applications in the repository, by env and name."""

    applications: list[ApplicationResult]


class RenderedObject(_Result):
    """One object a render produces, by identity only (no Secret data, no body)."""

    api_version: str
    kind: str
    name: str
    namespace: str = Field(description="Empty for a cluster-scoped object.")


class RenderResult(_Result):
    """What `helm template` renders for a release, counted per kind."""

    application: str
    chart: str
    namespace: str
    counts: dict[str, int] = Field(description="How many objects of each kind (Deployment.apps, Service, ...).")
    objects: list[RenderedObject]


class ResourceStatus(_Result):
    """One object Argo CD tracks for an application: its sync status and health."""

    kind: str
    name: str
    namespace: str
    status: str = Field(description="Synced, OutOfSync, ... (empty when Argo CD does not say).")
    health: str = Field(description="Healthy, Progressing, Degraded, Missing, ... (empty when not assessed).")


class ApplicationStatusResult(_Result):
    """An application's sync and health as Argo CD reports them now."""

    application: str
    sync_status: str = Field(description="Synced, OutOfSync or Unknown.")
    health_status: str = Field(description="Healthy, Progressing, Degraded, Suspended, Missing or Unknown.")
    revision: str = Field(description="The git revision Argo CD last compared or synced.")
    operation_phase: str = Field(description="The last operation's phase (Succeeded, Failed, Running); may be empty.")
    operation_message: str = Field(description="The last operation's message; may be empty.")
    resources: list[ResourceStatus]
