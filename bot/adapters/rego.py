"""Rego evaluated by regopy (rego-cpp), in a child process so that a time limit and a crash stay contained.

rego-cpp cannot be interrupted from Python, prints its parse errors on the process's own stdout, and aborts the
process on some malformed outputs; so every evaluation runs in a fresh `python -m bot.adapters.rego` (a fork would
copy the webhook's worker threads' locks; a forkserver re-imports the caller's __main__). The child is killed when
the time limit passes, and whatever went wrong comes back as an error text, never as a silent pass. The request goes
on stdin as one line of JSON (modules, namespaces, data) followed by the input document's own JSON text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from bot.domain.policies.answer import ANSWER_PACKAGE, answer_module, policy_rules
from bot.domain.policies.evaluation import EvaluationRequest, EvaluationResult, PolicyModule

_ERROR = re.compile(r"\(error(?:\s+\d+:([^|\s]*)\|(\d+)\|\d+)?\s*\(errormsg \d+:([^)\n]*)\)")
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][A-Za-z0-9_.]*)", re.MULTILINE)


class RegoEngine:
    """Evaluates policy sets with regopy, one child process per evaluation (bot/policy_ports.PolicyEngine)."""

    def evaluate(self, request: EvaluationRequest, *, timeout: float) -> EvaluationResult:
        missing = _missing_packages(request.modules, request.namespaces)
        if missing:
            return EvaluationResult(error=missing)
        header = {
            "modules": [[m.path, m.text] for m in request.modules],
            "namespaces": list(request.namespaces),
            "data": request.data,
        }
        payload = json.dumps(header) + "\n" + request.input_json
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bot.adapters.rego"],
                input=payload.encode(),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return EvaluationResult(error=f"the policies did not finish within the time limit of {timeout:g} s")
        try:
            answer = json.loads(done.stdout)
        except ValueError:
            return EvaluationResult(error=f"the Rego engine stopped without an answer (exit {done.returncode})")
        return EvaluationResult(documents=answer["documents"], error=answer["error"])


def _serve() -> None:
    """The child's body: read the request on stdin, answer on stdout with nothing else written there."""
    answer = os.dup(1)
    # rego-cpp writes parse errors to file descriptors 1 and 2: not into the answer.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    raw = sys.stdin.buffer.read().decode()
    first, _, input_json = raw.partition("\n")
    header = json.loads(first)
    request = EvaluationRequest(
        modules=tuple(PolicyModule(path, text) for path, text in header["modules"]),
        input_json=input_json,
        namespaces=tuple(header["namespaces"]),
        data=header["data"],
    )
    documents, error = evaluate_here(request)
    with os.fdopen(answer, "w") as out:
        json.dump({"documents": documents, "error": error}, out)


def evaluate_here(request: EvaluationRequest) -> tuple[dict[str, Any], str]:
    """Each namespace's document and "" — or {} and why not; in this process, with no time limit (the child's
    body, and the benchmark's)."""
    from regopy import Interpreter, RegoError, rego_shared

    answers = [answer_module(ns, policy_rules(request.modules, ns), n) for n, ns in enumerate(request.namespaces)]
    rego = Interpreter()
    # A built-in's error (a division by zero, a bad regex) fails the evaluation rather than making a rule undefined.
    rego.strict_built_in_errors = True
    for module in (*request.modules, *answers):
        try:
            rego.add_module(module.path, module.text)
        except RegoError as exc:
            return {}, f"{module.path} does not compile: {_error_text(str(exc), request.modules)}"
    if request.data:
        rego.add_data_json(json.dumps(request.data))
    # The input as JSON text: regopy's Input(...) keeps a string's quotes unescaped in the output, so an address
    # such as aws_iam_role.r["a"] in a message made the answer unreadable.
    rego.set_input_term(request.input_json)
    documents: dict[str, Any] = {}
    for index, namespace in enumerate(request.namespaces):
        output = rego_shared.rego_query(rego._impl, f"data.{ANSWER_PACKAGE}{index}")
        text = rego_shared.rego_output_string(output)
        ok = rego_shared.rego_output_ok(output)
        rego_shared.rego_free_output(output)
        if not ok:
            # rego-cpp says no more than "<error>" here; in practice a rule given two different values.
            return {}, (
                f"package {namespace} could not be evaluated (a complete rule or function with two different "
                "values, such as one defined twice, is the usual cause)"
            )
        if text.startswith("(error"):
            return {}, f"package {namespace} could not be evaluated: {_error_text(text, request.modules)}"
        documents[namespace] = {} if text == "undefined" else json.loads(text)["expressions"][0]
    return documents, ""


def _missing_packages(modules: Sequence[PolicyModule], namespaces: Sequence[str]) -> str:
    """Why a namespace to read would be silently empty: no module declares that package."""
    declared = {match for module in modules for match in _PACKAGE.findall(module.text)}
    missing = [n for n in namespaces if n not in declared]
    if not modules:
        return "the policy set has no .rego files"
    if missing:
        return f"no module declares package {', '.join(missing)} (the packages found: {', '.join(sorted(declared))})"
    return ""


def _error_text(raw: str, modules: Sequence[PolicyModule]) -> str:
    """rego-cpp's error tree as `file:line:column: message`, one per error."""
    texts = {m.path: m.text for m in modules}
    shown: list[str] = []
    for path, offset, message in _ERROR.findall(raw):
        where = ""
        if path and offset:
            text = texts.get(path, "")
            before = text[: int(offset)]
            where = f"{path}:{before.count(chr(10)) + 1}:{int(offset) - before.rfind(chr(10))}: "
        shown.append(f"{where}{message.strip()}")
    return "; ".join(dict.fromkeys(shown)) or raw.strip().splitlines()[0][:300]


if __name__ == "__main__":
    _serve()
