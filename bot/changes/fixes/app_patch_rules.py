"""What a proposed fix of a failed Argo CD sync may change: only the failed application's own Helm values files.

A sync fix is written by a model from Argo CD's words, so it is untrusted: it may edit the values files the
Application names (`helm.valueFiles`, under helm/values/), and nothing else. The Application manifest is never
edited (its destination, project and source decide where and what Argo CD deploys), nor the chart (it is shared by
every release and env that uses it, so a template edit would change applications that did not fail), nor another
application's files, `.olympus.yaml` or the workflows. A values file must stay a YAML mapping. Each broken rule is
one sentence naming the file and saying what to do instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Final

import yaml

from bot.changes.fixes.patch_rules import MAX_FILE_CHARS, FileEdit
from bot.domain.app_layout import APP_DIRS, app_at, chart_of_path, release_of_values

MAX_FILES: Final = 3  # an application names a few values files at most


def app_patch_problems(edits: Sequence[FileEdit], application: str, values_files: Sequence[str]) -> list[str]:
    """Every rule the fix of `application`'s sync breaks, one sentence each; [] when it may go on to be verified.
    `values_files`: the values files its Application names, repo-relative."""
    if not edits:
        return ["the fix changes no file: propose an edit of the application's values file, or say no safe fix exists"]
    if len(edits) > MAX_FILES:
        return [f"the fix changes {len(edits)} files; a sync fix changes at most {MAX_FILES} values files"]
    allowed = ", ".join(f"`{path}`" for path in values_files) or "(none: the Application names no values file)"
    problems: list[str] = []
    for edit in edits:
        problem = _path_problem(edit.path, application, values_files, allowed)
        if problem:
            problems.append(problem)
            continue
        if edit.after is None:
            problems.append(f"{edit.path} would be deleted: the Application names it, so Argo CD would fail to render")
        elif len(edit.after) > MAX_FILE_CHARS:
            problems.append(f"{edit.path} would hold {len(edit.after):,} characters: a fix is a small edit")
        else:
            problems += _yaml_problems(edit.path, edit.after)
    return problems


def _path_problem(path: str, application: str, values_files: Sequence[str], allowed: str) -> str:
    shown = path if len(path) <= 200 else path[:200] + "…"
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or ".." in path.split("/"):
        return f"{shown!r} is not a path inside the repository: name files relative to its root, without `..`"
    if posixpath.normpath(path) in values_files:
        return ""
    name = posixpath.basename(path)
    if name == ".olympus.yaml" or path.startswith(".github/"):
        return f"{shown} configures Olympus or the repository's workflows: a fix never changes it"
    ref = app_at(path)
    if ref is not None and ref.application == application:
        return (
            f"{shown} is the Argo CD Application: a fix never changes it (its destination, project and source decide "
            f"where Argo CD deploys); edit its values file instead: {allowed}"
        )
    chart = chart_of_path(path)
    if chart is not None:
        return (
            f"{shown} is in the chart {chart}, which every release using it shares: a sync fix edits only "
            f"{application}'s values: {allowed}"
        )
    other = ref or release_of_values(path)
    if other is not None or path.startswith(tuple(folder + "/" for folder in APP_DIRS)):
        return f"{shown} belongs to another application or to Argo CD's setup: a fix edits only {allowed}"
    return f"{shown} is not one of {application}'s values files: a fix edits only {allowed}"


def _yaml_problems(path: str, text: str) -> list[str]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return [f"{path} is not valid YAML after the fix{where}: propose valid YAML"]
    if loaded is not None and not isinstance(loaded, dict):
        kind = type(loaded).__name__
        return [f"{path} must stay a mapping of values (helm reads a values file as one), not a {kind}"]
    return []
