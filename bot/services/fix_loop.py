"""The fix loop: the model proposes a fix or says a person must act; Olympus checks and verifies each proposal.

The model reads a failure's evidence; a proposal (a patch, or change-tool calls that Olympus runs over the failed
tree into the files they write) is checked against the patch rules and verified, and one that fails goes back to
the model, within a budget of tries.

The model proposes and never applies: its only tools read files and hand back a proposal. Every attempt is kept in
the evaluation store, verified or not.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from bot.changes.fixes.patch_rules import FileEdit, patch_problems
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.fixes.evidence import FailureEvidence, evidence_text
from bot.domain.fixes.proposals import (
    FIX_TOOLS,
    NO_SAFE_FIX,
    PROPOSE_FIX,
    PROPOSE_TOOL_CALLS,
    READ_FILE,
    TOOL_SCHEMAS,
    NoSafeFix,
    ProposedToolCalls,
    read_proposal,
    system_prompt_for,
)
from bot.domain.interpretation import ModelLimits, ToolUse, Usage
from bot.domain.sensitive import PLACEHOLDER
from bot.model_ports import LanguageModel, ModelError, ToolSpec
from bot.ports import Store
from bot.services.fix_verify import Verdict

DEFAULT_TRIES: Final = 3
# A whole file in one reply needs more room than a request's tool call.
MIN_FIX_TOKENS: Final = 4096
_HIDDEN: Final = re.compile(re.escape(PLACEHOLDER) + r"|\*\*\*")
TOOLS: Final = tuple(ToolSpec(name, text, schema) for name, (text, schema) in TOOL_SCHEMAS.items())

Outcome = Literal["offered", "no_safe_fix", "not_verified", "unavailable"]


@dataclass(frozen=True)
class FixOutcome:
    """Where the loop ended: a verified fix to offer, a person's job, or nothing it could verify."""

    outcome: Outcome
    root_cause: str = ""
    edits: tuple[FileEdit, ...] = ()
    verdict: Verdict | None = None
    what_to_check: str = ""  # no_safe_fix: the model's; not_verified: the class's, when the request gave it
    commands: tuple[str, ...] = ()  # offered as tool calls: the `/infra` command of each, as a person would type it
    attempt_ids: tuple[int, ...] = ()
    usage: Usage = field(default_factory=Usage)
    reason: str = ""  # not_verified / unavailable: why


@dataclass(frozen=True)
class ToolRun:
    """Change-tool calls run over the failed tree: the files they write (against the files as they are), and the
    `/infra` command each call is."""

    edits: tuple[FileEdit, ...]
    commands: tuple[str, ...]


# The calls ({tool, arguments}) → what they write, or (a str) what the tools refused, to send back to the model.
RunTools = Callable[[Sequence[Mapping[str, Any]]], ToolRun | str]


@dataclass
class FixRequest:
    """One failure to fix: its evidence and class, how to read its files, how to verify a fix, and the budget."""

    evidence: FailureEvidence
    failure_class: str
    read_file: Callable[[str], str | None]  # a repository path → its text as the model may read it (redacted)
    original: Callable[[str], str | None]  # a repository path → its text as it is, which a fix edits
    verify: Callable[[Sequence[FileEdit]], Verdict]
    tries: int = DEFAULT_TRIES
    what_to_check: str = ""  # the class's, for a person when no fix could be verified
    # What a fix may change, one sentence per broken rule (default: the Terraform project's patch rules).
    patch_rules: Callable[[Sequence[FileEdit]], list[str]] | None = None
    # Which paths the model may read (default: under the project's and its modules' folders).
    readable: Callable[[str], bool] | None = None
    system: str = ""  # the system prompt (default: the one for evidence.step)
    run_tools: RunTools | None = None  # None: a fix cannot be proposed as tool calls here
    redact: Callable[[str], str] = lambda text: text  # a text as the model and the store may see it


def run_fix_loop(
    store: Store, model: LanguageModel, limits: ModelLimits, request: FixRequest, *, now: Callable[[], datetime]
) -> FixOutcome:
    """Converse with the model until a fix is verified, a person must act, or the budget is spent."""
    return _Loop(store, model, limits, request, now).run()


class _Loop:
    """One failure's conversation: the tries so far, the tokens they cost, the attempts recorded."""

    def __init__(
        self, store: Store, model: LanguageModel, limits: ModelLimits, request: FixRequest, now: Callable[[], datetime]
    ) -> None:
        self.store, self.model, self.limits, self.request, self.now = store, model, limits, request, now
        self.usage = Usage()
        self.charged = Usage()  # the tokens already counted in a recorded attempt
        self.tries = 0
        self.tool_calls = 0
        self.tools_used: list[str] = []
        self.attempt_ids: list[int] = []
        evidence = request.evidence
        self.allowed = (evidence.project_dir, *evidence.module_dirs)
        self.system = request.system or system_prompt_for(evidence.step)
        # Tool calls are offered only where they can be run (the Terraform projects' change tools).
        self.tools = TOOLS if request.run_tools is not None else tuple(t for t in TOOLS if t.name != PROPOSE_TOOL_CALLS)

    def run(self) -> FixOutcome:
        messages: list[dict[str, Any]] = [{"role": "user", "content": evidence_text(self.request.evidence)}]
        while True:
            try:
                reply = self.model.reply(system=self.system, tools=self.tools, messages=messages, limits=self.limits)
            except ModelError as failed:
                return self._end("unavailable", reason=f"the model could not be reached: {failed}")
            self.usage += reply.usage
            if not reply.tool_uses:
                cause = reply.text.strip()[:2000] or "the model stopped without proposing a fix"
                self._record(FixKind.NONE, Verification.NOT_RUN, cause, detail="no proposal")
                return self._end("not_verified", root_cause=cause, reason="the model proposed no fix")
            results: list[dict[str, Any]] = []
            for use in reply.tool_uses:
                answer = self._answer(use)
                if isinstance(answer, FixOutcome):
                    return answer
                results.append(answer)
            check = self.request.what_to_check
            if self.tries >= self.request.tries:
                reason = f"no fix passed verification in {self.tries} tries"
                return self._end("not_verified", reason=reason, what_to_check=check)
            if self.usage.total > self.limits.token_budget:
                reason = f"the loop spent its {self.limits.token_budget:,} tokens"
                return self._end("not_verified", reason=reason, what_to_check=check)
            messages += [
                {"role": "assistant", "content": list(reply.content)},
                {"role": "user", "content": results},
            ]

    def _answer(self, use: ToolUse) -> dict[str, Any] | FixOutcome:
        if self.tool_calls >= self.limits.max_tool_calls:
            return _result(use, f"over the {self.limits.max_tool_calls} tool calls this diagnosis may make", True)
        self.tool_calls += 1
        if use.name == READ_FILE:
            return self._read(use)
        if use.name not in (PROPOSE_FIX, PROPOSE_TOOL_CALLS, NO_SAFE_FIX):
            return _result(use, f"there is no tool named {use.name[:80]!r}", True)
        if use.name == PROPOSE_TOOL_CALLS and self.request.run_tools is None:
            return _result(use, "tool calls cannot be run for this failure: propose the fix with propose_fix", True)
        proposal = read_proposal(use.name, use.arguments)
        if isinstance(proposal, str):
            return _result(use, proposal, True)
        if isinstance(proposal, NoSafeFix):
            self._record(FixKind.NONE, Verification.NOT_RUN, proposal.root_cause, detail=proposal.what_to_check)
            return self._end("no_safe_fix", root_cause=proposal.root_cause, what_to_check=proposal.what_to_check)
        self.tries += 1
        request = self.request
        if isinstance(proposal, ProposedToolCalls):
            return self._tool_calls(use, proposal)
        edits = tuple(FileEdit(path, request.original(path), content) for path, content in proposal.files)
        # What is recorded is the diff against what the model was shown: no hidden value gets into the store.
        shown = tuple(FileEdit(path, request.read_file(path), content) for path, content in proposal.files)
        return self._check(use, _Proposed(FixKind.PATCH, proposal.root_cause, edits, shown))

    def _tool_calls(self, use: ToolUse, proposal: ProposedToolCalls) -> dict[str, Any] | FixOutcome:
        """Run the calls over the failed tree, as the MCP server would; what they write is checked like a patch."""
        request, cause, calls = self.request, proposal.root_cause, proposal.calls
        refused = "refused, not verified: "
        if proposal.disallowed:
            allowed = ", ".join(sorted(FIX_TOOLS))
            said = f"a fix may call only {allowed}, not {', '.join(sorted(set(proposal.disallowed)))}"
            self._record(FixKind.TOOL_CALLS, Verification.REFUSED, cause, calls=calls, detail=said)
            return _result(use, refused + said, True)
        assert request.run_tools is not None  # _answer offers tool calls only with a runner
        ran = request.run_tools(calls)
        if isinstance(ran, str):
            said = request.redact(ran)  # the tools' words may quote the project's files
            self._record(FixKind.TOOL_CALLS, Verification.REFUSED, cause, calls=calls, detail=said)
            return _result(use, refused + said, True)
        shown = tuple(
            FileEdit(e.path, request.read_file(e.path), None if e.after is None else request.redact(e.after))
            for e in ran.edits
        )
        return self._check(use, _Proposed(FixKind.TOOL_CALLS, cause, ran.edits, shown, calls, ran.commands))

    def _check(self, use: ToolUse, fix: _Proposed) -> dict[str, Any] | FixOutcome:
        """The patch rules, then verification: a fix that fails either goes back to the model."""
        evidence, cause = self.request.evidence, fix.root_cause
        kept = {"calls": fix.calls}
        rules = self.request.patch_rules or (lambda e: patch_problems(e, evidence.project_dir, evidence.module_dirs))
        problems = rules(fix.edits) + _placeholders(fix.edits)
        if problems:
            self._record(fix.kind, Verification.REFUSED, cause, fix.shown, detail="; ".join(problems), **kept)
            return _result(use, "refused, not verified: " + " ".join(problems), True)
        verdict = self.request.verify(fix.edits)
        if not verdict.ok:
            self._record(fix.kind, Verification.FAILED, cause, fix.shown, detail=_said(verdict), **kept)
            return _result(use, f"verification failed at {verdict.step}: {verdict.detail}", True)
        self._record(fix.kind, Verification.PASSED, cause, fix.shown, detail=verdict.detail, **kept)
        return self._end("offered", root_cause=cause, edits=fix.edits, verdict=verdict, commands=fix.commands)

    def _read(self, use: ToolUse) -> dict[str, Any]:
        path = str(use.arguments.get("path", "")).strip()
        self.tools_used.append(READ_FILE)
        readable = self.request.readable
        if readable is not None and not readable(path):
            return _result(use, f"{path[:200]!r} is not one of the failed application's files", True)
        if readable is None and not _inside(path, self.allowed):
            folders = ", ".join(self.allowed)
            return _result(use, f"{path[:200]!r} is outside the failed project; read files under {folders}", True)
        text = self.request.read_file(path)
        if text is None:
            return _result(use, f"there is no file {path[:200]!r}", True)
        return _result(use, text)

    def _record(
        self,
        kind: FixKind,
        verification: Verification,
        cause: str,
        edits: Sequence[FileEdit] = (),
        *,
        detail: str,
        calls: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        evidence = self.request.evidence
        spent = Usage(
            self.usage.input_tokens - self.charged.input_tokens, self.usage.output_tokens - self.charged.output_tokens
        )
        self.charged = Usage(self.usage.input_tokens, self.usage.output_tokens)
        attempt = FixAttempt(
            repo=evidence.repo,
            change_id=evidence.change_id,
            project=evidence.project_dir,
            step=evidence.step,
            failure_class=self.request.failure_class,
            root_cause=cause,
            kind=kind,
            verification=verification,
            created_at=self.now(),
            patch=unified_patch(edits),
            tool_calls=tuple(calls),
            tools_used=tuple(self.tools_used),
            verification_detail=detail[:4000],
            tokens_in=spent.input_tokens,
            tokens_out=spent.output_tokens,
            try_number=max(self.tries, 1),
            offered=verification is Verification.PASSED,
        )
        self.attempt_ids.append(self.store.record_fix_attempt(attempt))

    def _end(self, outcome: Outcome, **fields: Any) -> FixOutcome:
        return FixOutcome(outcome, attempt_ids=tuple(self.attempt_ids), usage=self.usage, **fields)


@dataclass(frozen=True)
class _Proposed:
    """A proposal as files: what it writes (against the files as they are) and as the model was shown them, and for
    tool calls the calls and their commands."""

    kind: FixKind
    root_cause: str
    edits: tuple[FileEdit, ...]
    shown: tuple[FileEdit, ...]
    calls: tuple[Mapping[str, Any], ...] = ()
    commands: tuple[str, ...] = ()


def unified_patch(edits: Sequence[FileEdit]) -> str:
    """The edits as one unified diff (what is recorded, reviewed and committed)."""
    parts: list[str] = []
    for edit in edits:
        before = (edit.before or "").splitlines(keepends=True)
        after = (edit.after or "").splitlines(keepends=True)
        source = f"a/{edit.path}" if edit.before is not None else "/dev/null"
        target = f"b/{edit.path}" if edit.after is not None else "/dev/null"
        parts += difflib.unified_diff(before, after, source, target)
    return "".join(parts)


def _placeholders(edits: Sequence[FileEdit]) -> list[str]:
    """A fix written from redacted text must not write the redaction's marks where the file had the values."""
    problems = []
    for edit in edits:
        kept = set((edit.before or "").splitlines())
        marked = [line for line in (edit.after or "").splitlines() if line not in kept and _HIDDEN.search(line)]
        if marked:
            problems.append(
                f"{edit.path} would get a hidden value's mark ({PLACEHOLDER} or ***) instead of the value: leave the "
                "lines that hold hidden values as they are"
            )
    return problems


def _inside(path: str, folders: Sequence[str]) -> bool:
    normal = posixpath.normpath(path) if path else ""
    if not normal or normal.startswith(("/", "..")) or normal == ".":
        return False
    return any(f in ("", ".") or normal.startswith(f.strip("/") + "/") for f in folders)


def _said(verdict: Verdict) -> str:
    return f"{verdict.step}: {verdict.detail}"


def _result(use: ToolUse, text: str, error: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": use.id, "content": text}
    if error:
        block["is_error"] = True
    return block
