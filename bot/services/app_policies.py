"""The policy sets that target kubernetes over each changed application's head render, read from the base."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.app_plans import AppPlan
from bot.domain.manifests import ManifestDiff
from bot.domain.policies.render import policy_lines
from bot.domain.policies.results import PolicyReport, SetOutcome
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.policy_check import policy_judge


def judge_apps(loop: Loop, base: RepoReader, head: RepoReader, plans: Sequence[AppPlan]) -> PolicyReport:
    """Each rendered application judged by the base's kubernetes sets; an empty report when none applies."""
    judge = policy_judge(loop, head, base)
    if judge is None:
        return PolicyReport()
    outcomes: list[SetOutcome] = []
    for plan in plans:
        source = plan.change.head_source
        if source is None or plan.error or not isinstance(plan.diff, ManifestDiff):
            continue  # removed, or not rendered: the application's own check says why
        application = {
            "name": plan.change.ref.app,
            "env": plan.change.ref.env,
            "namespace": source.namespace,
            "chart": source.chart,
        }
        # Every Secret value of both renders: a policy that quotes one from another object shows no value either.
        outcomes += judge.judge_manifests(plan.name, plan.head_objects, application, plan.diff.sensitive)
    return PolicyReport(tuple(outcomes))


def app_policy_lines(report: PolicyReport) -> list[str]:
    """The Policies section of a comment with no Terraform plan in it, after the applications' sections."""
    lines = policy_lines(report)
    return ["", *lines] if lines else []
