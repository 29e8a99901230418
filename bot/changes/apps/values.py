"""Request → ChangeSet for a release's values: its values file edited in place, checked against the chart's schema."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from bot.changes.apps import app_text
from bot.changes.apps.application import AppSpec, existing_application
from bot.changes.apps.names import MAX_SETTINGS, bad_name, shown
from bot.changes.apps.roundtrip import EditProblem, RoundTrip, same_value
from bot.changes.apps.values_schema import Unknown, check_values, merged_values, rule_at, typed_value
from bot.domain.app_layout import AppRef, chart_dir, values_file_ref
from bot.domain.models import ChangeSet, FileChange, Refusal
from bot.ports import RepoReader

__all__ = ["propose_values"]

_KEY_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}")
_MAX_DEPTH = 8
_MAX_VALUE = 1000


def propose_values(repo: RepoReader, *, name: str, env: str, settings: Mapping[str, str]) -> ChangeSet | Refusal:
    """The values file of release `name` in `env` with `settings` (dotted keys: `image.tag` → 1.4.2) set in place,
    each value typed and the merged values checked by the chart's values.schema.json; or why not."""
    problem = bad_name(name=name, env=env) or _bad_settings(settings)
    if problem is not None:
        return problem
    ref = AppRef(env, name)
    app = existing_application(repo, ref)
    if isinstance(app, Refusal):
        return app
    chart = _chart_of(app, ref)
    if isinstance(chart, Refusal):
        return chart
    schema = _schema(repo, chart)
    if isinstance(schema, Refusal):
        return schema
    try:
        document = RoundTrip(repo.read_text(ref.values_path) or "")
    except EditProblem as error:
        return Refusal(message=f"{ref.values_path} is {error}.", hint="Fix the file first.", location=ref.values_path)

    problems: list[str] = []
    changes: list[tuple[str, str, str]] = []
    for key, text in settings.items():
        path = key.split(".")
        rule = rule_at(schema, path) if schema is not None else {}
        if isinstance(rule, Unknown):
            problems.append(rule.message)
            continue
        try:
            value = typed_value(text, rule)
        except ValueError as error:
            problems.append(f"`{key}` {error}")
            continue
        before = document.get(path)
        if before is not None and same_value(before, value):
            continue
        try:
            document.set(path, value)
        except EditProblem as error:
            problems.append(str(error))
            continue
        changes.append((key, "(not set)" if before is None else _shown_value(before), _shown_value(value)))
    if problems:
        return _refused(ref, chart, problems)
    if not changes:
        return ChangeSet(
            title=app_text.values_title(ref, list(settings)),
            description=f"Nothing changed: `{ref.values_path}` already holds those values. No files were written.\n",
            unchanged=True,
        )
    text = document.text()
    if schema is not None:
        broken = check_values(schema, merged_values(_defaults(repo, chart), yaml.safe_load(text)))
        if broken:
            return _refused(ref, chart, broken)
    return ChangeSet(
        title=app_text.values_title(ref, [key for key, _before, _after in changes]),
        description=app_text.values_description(ref, changes, chart, checked=schema is not None),
        files=(FileChange(ref.values_path, text),),
    )


def _bad_settings(settings: Mapping[str, str]) -> Refusal | None:
    if not settings:
        return Refusal(message="No values to set.", hint="Give KEY=VALUE pairs, like replicaCount=3 image.tag=1.4.2.")
    if len(settings) > MAX_SETTINGS:
        return Refusal(message=f"{len(settings)} values at once is more than {MAX_SETTINGS}.", hint="Split them.")
    for key, value in settings.items():
        parts = key.split(".")
        if len(parts) > _MAX_DEPTH or not all(_KEY_PART.fullmatch(part) for part in parts):
            return Refusal(
                message=f"{shown(key)} is not a values key.",
                hint="Keys are names joined by dots, like image.tag or resources.limits.memory.",
            )
        if not isinstance(value, str) or len(value) > _MAX_VALUE or not value.isprintable():
            return Refusal(
                message=f"The value of {key} must be one line of at most {_MAX_VALUE} printable characters.",
                hint="Values files hold settings, not documents; never secrets.",
            )
    return None


def _chart_of(app: AppSpec, ref: AppRef) -> str | Refusal:
    chart = app.repo_chart
    if chart is None:
        where = f"chart {app.remote_chart} from {app.repo_url}" if app.remote_chart else f"path {app.chart_path}"
        return Refusal(
            message=f"Application {ref.application} deploys {where}, not a chart in helm/charts/: Olympus edits the "
            "values of charts kept in this repository only.",
            hint=f"Edit {app.path} in a pull request of your own.",
            location=app.path,
        )
    if app.value_files and values_file_ref(ref.env, ref.app) not in app.value_files:
        return Refusal(
            message=f"Application {ref.application} does not read {ref.values_path} (its valueFiles: "
            f"{', '.join(app.value_files)}).",
            hint=f"Add {values_file_ref(ref.env, ref.app)} to its spec.source.helm.valueFiles first.",
            location=app.path,
        )
    return chart


def _schema(repo: RepoReader, chart: str) -> Mapping[str, Any] | None | Refusal:
    path = f"{chart_dir(chart)}/values.schema.json"
    if repo.read_text(f"{chart_dir(chart)}/Chart.yaml") is None:
        return Refusal(message=f"The chart {chart_dir(chart)} is missing from the repository.", hint="Restore it.")
    text = repo.read_text(path)
    if text is None:
        return None
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = None
    if not isinstance(loaded, dict):
        return Refusal(message=f"{path} is not a JSON schema.", hint="Fix the chart's schema first.", location=path)
    return loaded


def _defaults(repo: RepoReader, chart: str) -> object:
    try:
        return yaml.safe_load(repo.read_text(f"{chart_dir(chart)}/values.yaml") or "") or {}
    except yaml.YAMLError:
        return {}


def _shown_value(value: object) -> str:
    return json.dumps(value) if isinstance(value, str | bool | int | float) else str(value)


def _refused(ref: AppRef, chart: str, problems: list[str]) -> Refusal:
    return Refusal(
        message=f"These values of {ref.app} in {ref.env} break {chart_dir(chart)}/values.schema.json:\n"
        + "\n".join(f"- {problem}" for problem in problems),
        hint=f"See {chart_dir(chart)}/values.yaml for the chart's keys, then ask again.",
        location=ref.values_path,
    )
