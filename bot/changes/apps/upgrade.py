"""Request → ChangeSet for a chart version move: the Application's targetRevision, or the in-repo chart's version."""

from __future__ import annotations

from bot.changes.apps import app_text
from bot.changes.apps.application import all_applications, existing_application
from bot.changes.apps.names import bad_name, shown
from bot.changes.apps.roundtrip import EditProblem, RoundTrip
from bot.changes.apps.versions import SEMVER, semver_key
from bot.domain.app_layout import AppRef, chart_dir
from bot.domain.models import ChangeSet, FileChange, Refusal
from bot.ports import RepoReader

__all__ = ["propose_chart_upgrade"]


def propose_chart_upgrade(repo: RepoReader, *, name: str, env: str, version: str) -> ChangeSet | Refusal:
    """The edit that moves release `name`'s chart in `env` to `version` (SemVer), or why not."""
    problem = bad_name(name=name, env=env)
    if problem is not None:
        return problem
    if SEMVER.fullmatch(version) is None:
        return Refusal(
            message=f"{shown(version)} is not a chart version.",
            hint="Chart versions are SemVer 2, like 1.5.0 or 2.0.0-rc.1.",
        )
    ref = AppRef(env, name)
    app = existing_application(repo, ref)
    if isinstance(app, Refusal):
        return app
    if app.remote_chart:
        return _edit(
            repo,
            ref,
            app.path,
            ["spec", "source", "targetRevision"],
            version,
            f"the targetRevision of chart {app.remote_chart} ({app.repo_url})",
            shared_with=[],
        )
    chart = app.repo_chart
    if chart is None:
        return Refusal(
            message=f"Application {ref.application} deploys path {app.chart_path}, neither a chart from a Helm or OCI "
            "repository nor one in helm/charts/.",
            hint=f"Edit {app.path} in a pull request of your own.",
            location=app.path,
        )
    chart_file = f"{chart_dir(chart)}/Chart.yaml"
    if repo.read_text(chart_file) is None:
        return Refusal(message=f"The chart {chart_dir(chart)} is missing from the repository.", hint="Restore it.")
    others = [other for other in _apps_of_chart(repo, app.chart_path) if other != app.path]
    return _edit(repo, ref, chart_file, ["version"], version, f"the version of chart {chart}", shared_with=others)


def _edit(
    repo: RepoReader, ref: AppRef, path: str, key: list[str], version: str, what: str, *, shared_with: list[str]
) -> ChangeSet | Refusal:
    try:
        document = RoundTrip(repo.read_text(path) or "")
        before = document.get(key)
        before_text = "" if before is None else str(before)
        if before_text == version:
            return ChangeSet(
                title=app_text.upgrade_title(ref, version),
                description=f"Nothing changed: {what} is already {version} (`{path}`). No files were written.\n",
                unchanged=True,
            )
        document.set(key, version)
    except EditProblem as error:
        return Refusal(message=f"{path}: {error}.", hint="Fix the file first.", location=path)
    old, new = semver_key(before_text), semver_key(version)
    downgrade = old is not None and new is not None and new < old
    return ChangeSet(
        title=app_text.upgrade_title(ref, version),
        description=app_text.upgrade_description(
            ref,
            what=what,
            path=path,
            before=before_text,
            version=version,
            downgrade=downgrade,
            shared_with=shared_with,
        ),
        files=(FileChange(path, document.text()),),
    )


def _apps_of_chart(repo: RepoReader, chart_path: str) -> list[str]:
    return [spec.path for _ref, spec in all_applications(repo) if spec.chart_path.strip("/") == chart_path.strip("/")]
