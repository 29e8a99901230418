"""A plan report's policies: the Terraform projects' outcomes, then the applications' merged in by the door."""

from __future__ import annotations

from bot.domain.models import Project
from bot.domain.policies.render import policy_lines
from bot.domain.policies.results import PolicyReport, SetOutcome, Violation
from bot.services.plan_report import PlanReport, ProjectPlan


def test_the_applications_outcomes_join_the_projects_in_one_section() -> None:
    terraform = SetOutcome("olympus", "infra/aws/envs/dev", blocking=False)
    failure = Violation("k8s", "deny", "no limits", "web-prod", "Deployment/shop/web")
    app = SetOutcome("k8s", "web-prod", blocking=True, owners=("carol",), violations=(failure,))
    report = PlanReport("b", "h", [ProjectPlan(Project("dev", "infra/aws/envs/dev"), policies=(terraform,))])
    report.policies_checked = True
    report.app_policies = PolicyReport((app,))
    assert report.policies.outcomes == (terraform, app) and not report.policies.off
    assert report.policies.of_set("k8s") == (app,)
    text = "\n".join(policy_lines(report.policies))
    assert "`web-prod`" in text and "`Deployment/shop/web`" in text and "Passed: `olympus`" in text
    # The gate reads the projects' own failures: an application has no apply to hold.
    assert report.policies.gate_failures("infra/aws/envs/dev") == ()
