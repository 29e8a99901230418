"""`/infra diagnose` on a pull request: its failing plan found again, the model's diagnosis, and a verified fix offered.

The fix goes where a person can take it with one click: GitHub review suggestions when every changed line lies in
the pull request's diff, else a commit on `olympus/fix-pr-<n>` with a pull request into the pull request's branch.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.acceptance import PULL_REQUEST, SUGGESTIONS
from bot.domain.fixes.failure_classes import classify
from bot.domain.fixes.suggestions import Suggestion, diff_lines, suggestions_for
from bot.domain.interpretation import ModelLimits
from bot.domain.markdown import code, escape_text, fence, link, one_line
from bot.domain.models import FileChange, Project
from bot.domain.projects import build_module_graph
from bot.model_ports import LanguageModel
from bot.ports import CodeHost, PullRequestInfo, ReviewComment
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.fix_evidence import RecordedFailure, reproduce_failure
from bot.services.fix_loop import DEFAULT_TRIES, MIN_FIX_TOKENS, FixOutcome, run_fix_loop
from bot.services.fix_marks import note_offer
from bot.services.fix_requests import baseline_findings, fix_request, record_person_must_act
from bot.services.github_checkout import change_id_of, pull_request_checkout
from bot.services.replies import Answer
from bot.services.repo_projects import affected_projects_of, module_dirs_of, select_projects

FIX_BRANCH_PREFIX: Final = "olympus/fix-pr-"
VERIFIED: Final = "verified: validate, plan, scanners, policies"
UNSCANNED: Final = "verified: validate, plan, policies (no scanner is set up)"
# What a scratch copy of the checkout leaves out: Terraform's own downloads and the checkout's completion mark.
_NOT_COPIED: Final = shutil.ignore_patterns(".git", ".terraform", ".olympus-complete")
NO_MODEL: Final = (
    "`/infra diagnose` needs a language model, and none is set up for this App. Set `ANTHROPIC_API_KEY` (or "
    "`OLYMPUS_LLM_BACKEND=bedrock`/`vertex` with that cloud's credentials) where Olympus runs, then ask again; "
    "the failure itself is in the plan comment."
)


@dataclass(frozen=True)
class Diagnosed:
    """What diagnosing one project ended in, as its part of the reply says it."""

    project: Project
    text: str
    outcome: str  # passes | person | offered | not_verified | unavailable


def diagnose_pull_request(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    number: int,
    *,
    model: LanguageModel | None,
    limits: ModelLimits,
    only: str | None,
    reply: Answer,
    tries: int = DEFAULT_TRIES,
    among: Sequence[str] = (),
    heading: str = "",
    recorded: Mapping[str, RecordedFailure] | None = None,
) -> list[Diagnosed]:
    """Diagnose each failing project of the pull request and offer the verified fixes; one reply says it all.

    `among`: only these projects (by name), as a failed plan names them; `heading`: the reply's first paragraph (why
    it was diagnosed, when nobody asked); `recorded`: failures seen and not run again (a failed apply's output)."""
    if model is None:
        reply.say(NO_MODEL)
        return []
    limits = replace(limits, max_tokens=max(limits.max_tokens, MIN_FIX_TOKENS))
    change_id = change_id_of(repo, number)
    with loop.store.one_at_a_time(f"diagnose {change_id}"):
        pr = codehost.pull_request(repo, number)
        if pr.state != "open":
            reply.say(f"#{number} is {'merged' if pr.merged else 'closed'}, so there is nothing to diagnose.")
            return []
        if pr.is_fork:
            # Reproducing the failure runs the PR's code, as a plan does: never with our credentials for a fork.
            reply.say(
                "Olympus does not diagnose pull requests from forks with this installation's credentials. Push the "
                "branch to this repository to have it planned and diagnosed."
            )
            return []
        checkout = pull_request_checkout(codehost, repo, pr, loop.state_dir, (loop.actor,))
        projects = select_projects(affected_projects_of(checkout.reader, checkout.changed_files), only)
        if among:
            projects = [p for p in projects if p.name in among]
        if not projects:
            reply.say("This pull request changes no Terraform project, so there is nothing to diagnose.")
            return []
        patches = codehost.pull_request_patches(repo, number)
        graph = build_module_graph(checkout.reader.list_files(), checkout.reader.read_text)
        done: list[Diagnosed] = []
        for project in projects:
            modules = module_dirs_of(checkout.reader, project, graph)
            where = _Where(codehost, repo, pr, patches, fix_branch_of(number, project, several=len(projects) > 1))
            seen = (recorded or {}).get(project.name)
            done.append(_diagnose_one(loop, checkout, project, modules, model, limits, tries, where, seen))
    reply.say("\n\n".join([heading] * bool(heading) + [part.text for part in done]))
    return done


@dataclass(frozen=True)
class _Where:
    """The pull request a fix is offered on: its host, its head, its diff, and the branch a fix would go on."""

    codehost: CodeHost
    repo: str
    pr: PullRequestInfo
    patches: dict[str, str]
    fix_branch: str


def fix_branch_of(number: int, project: Project, *, several: bool) -> str:
    """`olympus/fix-pr-7`, or `olympus/fix-pr-7-stacks-app` when the pull request has several failing projects."""
    if not several:
        return f"{FIX_BRANCH_PREFIX}{number}"
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in project.name).strip("-.") or "project"
    return f"{FIX_BRANCH_PREFIX}{number}-{slug}"


def _diagnose_one(
    loop: Loop,
    checkout: Checkout,
    project: Project,
    modules: list[str],
    model: LanguageModel,
    limits: ModelLimits,
    tries: int,
    where: _Where,
    seen_failure: RecordedFailure | None = None,
) -> Diagnosed:
    dirs = [project.dir, *modules]
    with _scratch_copy(loop, checkout.workdir) as pristine:
        # The scanners' findings before any fix, from a tree Terraform has not written into.
        baseline = baseline_findings(loop, pristine, dirs)
    failed = reproduce_failure(loop, checkout.workdir, project, recorded=seen_failure)
    heading = f"**{escape_text(project.name)}**"
    if failed is None:
        text = (
            f"{heading}: plan succeeds at `{checkout.head[:12]}` (init, validate and plan pass): nothing to diagnose."
        )
        return Diagnosed(project, text, "passes")
    failure = classify(failed.step, failed.error)
    first = _first_error(failed.error)
    lines = [f"{heading}: `terraform {failed.step}` fails ({code(failure.code)}) at `{checkout.head[:12]}`:", ""]
    lines += [*fence(first, limit=1000), ""]
    if not failure.fixable_by_code:
        # Nothing in the code can fix it (a lock held, credentials): the model is not asked, a person is told.
        record_person_must_act(loop, checkout.change_id, project, failed.step, failure, log=failed.log)
        lines += [
            f"Root cause: {escape_text(failure.summary)}",
            "",
            f"No safe fix: a person must act: {escape_text(failure.what_to_check, limit=1000)}",
            "",
            "1 attempt recorded (the model was not asked: no code change fixes this).",
        ]
        return Diagnosed(project, "\n".join(lines), "person")
    diff = "\n".join(
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n{patch}"
        for path, patch in sorted(where.patches.items())
        if patch and _inside(path, dirs)
    )
    request = fix_request(
        loop, checkout, project, modules, failed, failure,
        diff=diff, baseline=baseline, scratch=lambda: _scratch_copy(loop, checkout.workdir), tries=tries,
    )  # fmt: skip
    outcome = run_fix_loop(loop.store, model, limits, request, now=loop.store.clock)
    if outcome.root_cause:
        lines += [f"Root cause: {escape_text(one_line(outcome.root_cause), limit=2000)}", ""]
    recorded = f"{len(outcome.attempt_ids)} attempt(s) recorded in the evaluation store."
    if outcome.outcome == "offered":
        verified = VERIFIED if loop.scanners else UNSCANNED
        lines += _as_commands(outcome)
        lines += [_offer(loop, where, project, failure.code, outcome, verified), "", recorded]
    elif outcome.outcome == "no_safe_fix":
        lines += [f"No safe fix: a person must act: {escape_text(one_line(outcome.what_to_check), limit=2000)}", ""]
        lines.append(recorded)
    else:
        lines += [f"No fix offered: {escape_text(one_line(outcome.reason), limit=1000)}.", "", recorded]
    kind = "person" if outcome.outcome == "no_safe_fix" else outcome.outcome
    return Diagnosed(project, "\n".join(lines), kind)


def _offer(loop: Loop, where: _Where, project: Project, failure_class: str, outcome: FixOutcome, verified: str) -> str:
    """Offer the verified fix as review suggestions when they map to the diff, else as a pull request; say where (and
    keep where in the evaluation store, so a person taking it is seen)."""
    verdict = outcome.verdict.detail if outcome.verdict else ""
    cause = escape_text(one_line(outcome.root_cause), limit=1000)
    suggestions = _suggestions(where.patches, outcome.edits)
    if suggestions is not None:
        note = f"**Olympus fix** ({code(failure_class)}): {cause}\n\n{verified} ({escape_text(verdict)})."
        comments = [
            ReviewComment(s.path, s.end_line, s.body(note), s.start_line if s.start_line < s.end_line else None)
            for s in suggestions
        ]
        body = f"Olympus's verified fix for {code(project.name)}: {len(comments)} suggested change(s) below."
        review = where.codehost.create_review(where.repo, where.pr.number, where.pr.head_sha, body, comments)
        offer = {"how": SUGGESTIONS, "head": where.pr.head_sha, "review": review}
        note_offer(loop.store, outcome.attempt_ids, offer)
        place = link(f"{where.pr.url}#pullrequestreview-{review}", "this review") if where.pr.url else "a review"
        return (
            f"Fix ({verified}; {escape_text(verdict)}): suggested in {place}. Commit the suggestions, then the "
            "usual plan, approval and apply follow."
        )
    host, pr = where.codehost, where.pr
    if host.reference_commit(where.repo, pr.head_branch) != pr.head_sha:
        # The fix was verified on the head it was made for; on a newer one it would be untested.
        return (
            f"A fix was verified at `{pr.head_sha[:12]}`, but {code(pr.head_branch)} has moved on since, so it is "
            "not offered: comment `/infra diagnose` again to diagnose the new head."
        )
    files = [FileChange(e.path, e.after or "") for e in outcome.edits]
    title = f"Fix {project.name}: {one_line(outcome.root_cause)[:60]}"
    message = f"{title}\n\n{one_line(outcome.root_cause)}\n\n{verified} ({verdict})\n"
    body = (
        f"Olympus's verified fix for {code(project.name)} of #{where.pr.number} ({code(failure_class)}).\n\n"
        f"Root cause: {cause}\n\n{verified} ({escape_text(verdict)}). Merge it into "
        f"{code(where.pr.head_branch)} to take it."
    )
    fix = where.codehost.open_change(
        where.repo, where.pr.head_branch, where.fix_branch, files, message, title=title, body=body
    )
    offer = {"how": PULL_REQUEST, "head": pr.head_sha, "branch": where.fix_branch, "number": fix.number}
    note_offer(loop.store, outcome.attempt_ids, offer)
    return (
        f"Fix ({verified}; {escape_text(verdict)}): in #{fix.number} (branch {code(where.fix_branch)}), into this "
        "pull request's branch: it changes lines this pull request's diff does not show. Merge it, then the usual "
        "plan, approval and apply follow."
    )


def _as_commands(outcome: FixOutcome) -> list[str]:
    """A fix proposed as change-tool calls, as the `/infra` commands that make the same change (fenced: the
    arguments are the model's)."""
    if not outcome.commands:
        return []
    return ["The fix is Olympus's own change tools' output, for:", "", *fence("\n".join(outcome.commands)), ""]


def _suggestions(patches: dict[str, str], edits: Sequence[FileEdit]) -> list[Suggestion] | None:
    """Every edit as suggestions on the diff's lines, or None when any edit cannot be (new, deleted, outside)."""
    found: list[Suggestion] = []
    for edit in edits:
        if edit.before is None or edit.after is None or edit.path not in patches:
            return None
        mapped = suggestions_for(edit.path, edit.before, edit.after, diff_lines(patches[edit.path]))
        if mapped is None:
            return None
        found += mapped
    return found


@contextmanager
def _scratch_copy(loop: Loop, workdir: Path) -> Iterator[Path]:
    """A fresh copy of the checkout (without Terraform's downloads), removed afterwards."""
    scratch = loop.state_dir / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="diagnose-", dir=scratch) as folder:
        tree = Path(folder) / "tree"
        shutil.copytree(workdir, tree, ignore=_NOT_COPIED, symlinks=True)
        yield tree


def _inside(path: str, dirs: Sequence[str]) -> bool:
    folder = path.rsplit("/", 1)[0] if "/" in path else "."
    return any(folder == (d.strip("/") or ".") for d in dirs)


def _first_error(error: str) -> str:
    first = next((line for line in error.splitlines() if "Error:" in line), error.splitlines()[0] if error else "")
    return first.strip(" │")
