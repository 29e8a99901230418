"""The policy sets over each planned project: read from the base branch once, then judged plan by plan.

The sets, their Rego and `.olympus.yaml` come from the change's base (the branch it merges into), never from the
change itself: a pull request that deletes a rule or turns a set advisory is judged by the rules it would change.
Where a door knows no base (only tests build such a checkout), the head is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.changes.hcl_reader import Block, HclSyntaxError, parse
from bot.domain.manifests.objects import ManifestObject
from bot.domain.models import Project
from bot.domain.policies.config import ADVISORY_DEFAULT, KUBERNETES, PolicySet, PolicySettings
from bot.domain.policies.default_set import default_modules
from bot.domain.policies.evaluation import EvaluationRequest, EvaluationResult, PolicyModule
from bot.domain.policies.inputs import env_of, olympus_data, policy_input
from bot.domain.policies.manifest_inputs import combined_input, manifest_data, object_address
from bot.domain.policies.outcomes import outcome_of
from bot.domain.policies.results import SetOutcome, Violation
from bot.domain.repo_config import ConfigErrors, load_repo_config
from bot.domain.sensitive import SensitiveValues
from bot.policy_ports import PolicyEngine
from bot.ports import RepoReader
from bot.services.context import Loop

# A set's Rego is a handful of small files; a folder holding more than this is not a policy set.
MAX_MODULES = 200
MAX_MODULE_CHARS = 256 * 1024


@dataclass(frozen=True)
class PolicyJudge:
    """The base's policy sets, ready to judge one project's plan after another."""

    engine: PolicyEngine
    settings: PolicySettings
    modules: Mapping[str, tuple[PolicyModule, ...] | str]  # per set: its Rego, or why it could not be read
    base: RepoReader

    def judge(self, project: Project, plan: Mapping[str, Any], sensitive: SensitiveValues) -> tuple[SetOutcome, ...]:
        """Every set that applies to the project, over its plan; what a message says is redacted of secrets."""
        addresses = [str(rc.get("address", "")) for rc in plan.get("resource_changes") or () if isinstance(rc, dict)]
        protected = protected_addresses(self.base, project.dir)
        outcomes = []
        for policy_set in self.settings.sets:
            if not policy_set.judges(project):
                continue
            modules = self.modules[policy_set.name]
            if isinstance(modules, str):
                result = EvaluationResult(error=modules)
            else:
                data = olympus_data(project, env_of(project), policy_set.parameters, protected)
                request = EvaluationRequest(modules, policy_input(plan, modules), (policy_set.namespace,), data)
                result = self.engine.evaluate(request, timeout=self.settings.timeout_seconds)
            outcomes.append(_redacted(outcome_of(policy_set, project.name, result, addresses), sensitive))
        return tuple(outcomes)

    def judge_manifests(
        self, app_id: str, objects: Sequence[ManifestObject], application: Mapping[str, str], sensitive: SensitiveValues
    ) -> tuple[SetOutcome, ...]:
        """Every set targeting kubernetes, once over the application's head render (conftest's --combine form);
        application: data.olympus.application's name, env, namespace and chart."""
        addresses = [object_address(item) for item in objects]
        outcomes = []
        for policy_set in self.settings.sets:
            if KUBERNETES not in policy_set.targets:
                continue
            modules = self.modules[policy_set.name]
            if isinstance(modules, str):
                result = EvaluationResult(error=modules)
            else:
                data = manifest_data(policy_set.parameters, **application)
                request = EvaluationRequest(modules, combined_input(app_id, objects), (policy_set.namespace,), data)
                result = self.engine.evaluate(request, timeout=self.settings.timeout_seconds)
            outcomes.append(_redacted(outcome_of(policy_set, app_id, result, addresses), sensitive))
        return tuple(outcomes)


def policy_judge(loop: Loop, head: RepoReader, base: RepoReader | None) -> PolicyJudge | None:
    """The judge of a change's plans, or None when the loop evaluates no policies or the repository turned them off."""
    if loop.policies is None:
        return None
    tree = base or head
    settings = base_policy_settings(tree)
    if isinstance(settings, ConfigErrors):
        # The base's own configuration is broken: every set fails loudly rather than passing unread.
        reason = "the base branch's .olympus.yaml has mistakes, so its policy sets cannot be read; fix it there"
        failing = replace(ADVISORY_DEFAULT, sets=(replace(ADVISORY_DEFAULT.sets[0], blocking=True),))
        return PolicyJudge(loop.policies, failing, {s.name: reason for s in failing.sets}, tree)
    if settings.off:
        return None
    modules = {s.name: _modules_of(s, tree) for s in settings.sets}
    return PolicyJudge(loop.policies, settings, modules, tree)


def base_policy_settings(tree: RepoReader) -> PolicySettings | ConfigErrors:
    """The policy sets `.olympus.yaml` names on tree (the default set, advisory, when it names none), or its
    mistakes: the judge, the approvals and the Action's apply job all read them this way."""
    config = load_repo_config(tree.read_text)
    if isinstance(config, ConfigErrors):
        return config
    return config.policies if config is not None else ADVISORY_DEFAULT


def root_blocks(tree: RepoReader, directory: str) -> Iterator[tuple[str, Block]]:
    """Each top-level block of the directory's own .tf files (not its subdirectories'), with its file; a file the
    reader cannot parse is passed over, as Terraform reports it itself."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    for path in tree.list_files(prefix):
        if not path.endswith(".tf") or "/" in path[len(prefix) :]:
            continue
        try:
            blocks = parse(tree.read_text(path) or "")
        except HclSyntaxError:
            continue
        for block in blocks:
            yield path, block


def _modules_of(policy_set: PolicySet, tree: RepoReader) -> tuple[PolicyModule, ...] | str:
    """A set's Rego files (tests left out), or why there are none to evaluate."""
    if policy_set.builtin:
        return default_modules()
    found: dict[str, str] = {}
    for path in policy_set.paths:
        clean = path.strip("/")
        files = [clean] if clean.endswith(".rego") else tree.list_files(clean + "/")
        for file in files:
            if not file.endswith(".rego") or file.endswith("_test.rego"):
                continue
            text = tree.read_text(file)
            if text is None:
                return f"{file} is listed for policy set {policy_set.name} but is not on the base branch"
            if len(text) > MAX_MODULE_CHARS:
                return f"{file} is {len(text):,} characters long; a policy module may have {MAX_MODULE_CHARS:,}"
            found[file] = text
    if not found:
        return f"no .rego files at {', '.join(policy_set.paths)} on the base branch"
    if len(found) > MAX_MODULES:
        return f"{len(found)} .rego files at {', '.join(policy_set.paths)}; a policy set may have {MAX_MODULES}"
    return tuple(PolicyModule(path, text) for path, text in sorted(found.items()))


def protected_addresses(tree: RepoReader, project_dir: str) -> list[str]:
    """The root module's resources with `lifecycle { prevent_destroy = true }` in tree: deleting the block takes
    Terraform's own guard away with it, so the policy is told which the base protected."""
    addresses: list[str] = []
    for _path, block in root_blocks(tree, project_dir):
        if block.type != "resource" or len(block.labels) != 2:
            continue
        for lifecycle in block.child_blocks("lifecycle"):
            guard = lifecycle.attributes.get("prevent_destroy")
            if guard is not None and guard.value is True:
                addresses.append(f"{block.labels[0]}.{block.labels[1]}")
    return sorted(set(addresses))


def _redacted(outcome: SetOutcome, sensitive: SensitiveValues) -> SetOutcome:
    if not sensitive:
        return outcome
    return replace(
        outcome,
        error=sensitive.redact(outcome.error),
        violations=tuple(_redacted_violation(v, sensitive) for v in outcome.violations),
    )


def _redacted_violation(violation: Violation, sensitive: SensitiveValues) -> Violation:
    return replace(violation, message=sensitive.redact(violation.message), address=sensitive.redact(violation.address))
