"""The words of an application ChangeSet: a title for the commit and a description (what and why) for the PR."""

from __future__ import annotations

from collections.abc import Sequence

from bot.changes.apps.scaffold import PLACEHOLDER_REPO_URL
from bot.changes.helm.example_chart import EXAMPLE_CHART_DIR, EXAMPLE_PROJECT_FILE
from bot.domain.app_layout import AppRef, chart_dir
from bot.domain.markdown import code
from bot.domain.models import FileChange

__all__ = [
    "create_description",
    "create_title",
    "unchanged_description",
    "upgrade_description",
    "upgrade_title",
    "values_description",
    "values_title",
]


def create_title(ref: AppRef, namespace: str) -> str:
    """ "Create app payments-api in staging (namespace payments)"."""
    return f"Create app {ref.app} in {ref.env} (namespace {namespace})"


def create_description(
    ref: AppRef,
    *,
    chart: str,
    namespace: str,
    project: str,
    placeholder_url: bool,
    files: Sequence[FileChange],
    values_kept: bool,
) -> str:
    lines = [
        f"Creates application `{ref.app}` in env `{ref.env}`, requested through Olympus: an Argo CD Application "
        f"`{ref.application}` in project `{project}` that deploys chart `{chart_dir(chart)}` as Helm release "
        f"`{ref.app}` into namespace `{namespace}` of the cluster Argo CD runs in, with the values of "
        f"`{ref.values_path}`.",
        "",
        "**Safe by default**",
        "- No automated sync: after this pull request is merged, Olympus asks Argo CD for a dry run, then the sync, "
        "and reports the outcome here. Nothing reaches the cluster before review.",
        "- A manual sync does not prune: objects that leave the chart are reported as out of sync, not deleted.",
        f"- The AppProject `{project}` bounds where it deploys; the namespace is created on the first sync "
        "(CreateNamespace=true).",
    ]
    if placeholder_url:
        lines += [
            "",
            "**Before merging**",
            f"- Olympus does not know this repository's git URL: replace `{PLACEHOLDER_REPO_URL}` with it in "
            f"`{ref.application_path}`"
            + (f" and in `{EXAMPLE_PROJECT_FILE}`'s sourceRepos" if _has(files, EXAMPLE_PROJECT_FILE) else "")
            + ", or Argo CD cannot fetch the chart.",
        ]
    lines += ["", "**Files**"]
    chart_files = [change for change in files if change.path.startswith(EXAMPLE_CHART_DIR + "/")]
    if chart_files:
        lines.append(
            f"- `{EXAMPLE_CHART_DIR}/` ({len(chart_files)} files) — the example chart (non-root, read-only root "
            "filesystem, no privilege escalation, resource limits, values.schema.json), scaffolded because it was "
            "missing; Olympus never overwrites it"
        )
    if _has(files, EXAMPLE_PROJECT_FILE):
        lines.append(
            f"- `{EXAMPLE_PROJECT_FILE}` — the AppProject: this repository only, the in-cluster server only, "
            "any namespace but kube-*, argocd and default, no cluster-scoped objects; scaffolded because it was missing"
        )
    lines.append(f"- `{ref.application_path}` — the Argo CD Application")
    if values_kept:
        lines.append(f"- `{ref.values_path}` — kept as it is (it already exists)")
    else:
        lines.append(f"- `{ref.values_path}` — the release's values, layered over the chart's values.yaml")
    return "\n".join(lines) + "\n"


def unchanged_description(ref: AppRef, location: str) -> str:
    return (
        f"Nothing changed: application `{ref.app}` already exists in env `{ref.env}` with the requested settings "
        f"({location}). No files were written.\n"
    )


def values_title(ref: AppRef, keys: Sequence[str]) -> str:
    """ "Set replicaCount, image.tag of app payments-api in staging"."""
    shown = ", ".join(keys[:4]) + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")
    return f"Set {shown} of app {ref.app} in {ref.env}"


def values_description(ref: AppRef, changes: Sequence[tuple[str, str, str]], chart: str, checked: bool) -> str:
    """`changes`: (key, value before or "(not set)", value after), each as YAML would show it."""
    lines = [
        f"Changes values of release `{ref.app}` in env `{ref.env}`, requested through Olympus, in place in "
        f"`{ref.values_path}`: comments and key order stay as they were.",
        "",
        "**Changes**",
        *(f"- {code(key)}: {code(before)} → {code(after)}" for key, before, after in changes),
        "",
        (
            f"The values after the change, layered over `{chart_dir(chart)}/values.yaml`, pass the chart's "
            "values.schema.json."
            if checked
            else f"`{chart_dir(chart)}` has no values.schema.json: the values were typed as YAML reads them and not "
            "checked; the plan's `helm lint` and render show what they do."
        ),
        "After merge, Olympus asks Argo CD to sync the application (a dry run first) and reports it here.",
        "",
        "**Files**",
        f"- `{ref.values_path}` — updated",
    ]
    return "\n".join(lines) + "\n"


def upgrade_title(ref: AppRef, version: str) -> str:
    return f"Upgrade the chart of app {ref.app} in {ref.env} to {version}"


def upgrade_description(
    ref: AppRef, *, what: str, path: str, before: str, version: str, downgrade: bool, shared_with: Sequence[str]
) -> str:
    lines = [
        f"Moves the chart of release `{ref.app}` in env `{ref.env}`, requested through Olympus: {what} in `{path}` "
        f"from {code(before or '(not set)')} to {code(version)}, edited in place.",
    ]
    if downgrade:
        lines += [
            "",
            f"**This is a downgrade** ({before} → {version}): check that the release's values and data "
            "still suit the older chart.",
        ]
    if shared_with:
        lines += [
            "",
            "**Also affected:** the chart lives in this repository, so its version moves for every "
            "Application that deploys it: " + ", ".join(f"`{other}`" for other in shared_with) + ".",
        ]
    lines += ["", "**Files**", f"- `{path}` — updated"]
    return "\n".join(lines) + "\n"


def _has(files: Sequence[FileChange], path: str) -> bool:
    return any(change.path == path for change in files)
