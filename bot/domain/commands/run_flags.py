"""The commands that run Terraform: plan, apply, import, state rm; their -p/-d/-w/--verbose flags and `--` args."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from bot.domain.commands.types import PREFIX, Apply, Command, Help, Import, Plan, Reply, StateRm
from bot.domain.commands.wording import closest, shown

__all__ = ["ATLANTIS_BLOCKED_EXTRA_ARGS", "BLOCKED_EXTRA_ARGS", "RUN_VERBS", "parse_run", "run_usage"]

RUN_VERBS = ("plan", "apply", "import", "state")
# Atlantis's DefaultBlockedExtraArgs (server/events/comment_parser.go): flags that would leave the checkout
# (-chdir) or load other providers (-plugin-dir). Refused as the flag alone or as `flag=value`.
ATLANTIS_BLOCKED_EXTRA_ARGS = ("-chdir", "--chdir", "-plugin-dir", "--plugin-dir")
# Olympus refuses more, each for a reason the reply gives. Terraform reads `-flag` and `--flag` alike.
BLOCKED_EXTRA_ARGS: Mapping[str, str] = {
    "chdir": "it would run Terraform outside the project",
    "plugin-dir": "it would load providers from outside Olympus's mirror",
    "out": "Olympus writes the plan file itself, and its SHA-256 is what the apply gate checks",
    "state": "state lives where the project's backend says, never at a path from a comment",
    "state-out": "state lives where the project's backend says, never at a path from a comment",
    "backup": "state lives where the project's backend says, never at a path from a comment",
    "lock": "state locking stays on: two runs must never write the same state",
    "input": "Olympus never waits for input",
}
_PATH_VALUED = ("var-file",)  # allowed, but only inside the checkout
_VALUE_FLAGS = {"-p": "project", "--project": "project", "-d": "dir", "--dir": "dir"}
_VALUE_FLAGS |= {"-w": "workspace", "--workspace": "workspace"}
_FLAG_NAMES = (*_VALUE_FLAGS, "--verbose", "--help", "-h")
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/@-]{0,127}")
# As `.olympus.yaml` allows: Terraform allows more, but workspaces end up in state keys and check-run names.
_WORKSPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,89}")
_DIR_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._ -]{0,127}")
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'(?:\[(?:[0-9]+|"[^"]*")\])?'
# https://developer.hashicorp.com/terraform/cli/state/resource-addressing
_ADDRESS = re.compile(rf"(?:module\.{_NAME}{_KEY}\.)*(?:(?:data\.)?{_NAME}\.{_NAME}{_KEY}|module\.{_NAME}{_KEY})")


class _Common(TypedDict):
    project: str | None
    dir: str | None
    workspace: str | None
    verbose: bool
    extra_args: tuple[str, ...]


@dataclass
class _Flags:
    chosen: dict[str, str] = field(default_factory=dict)
    verbose: bool = False
    positional: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def run_usage(verb: str) -> str:
    """The form of a command that runs Terraform, as replies and help show it."""
    flags = "[-p PROJECT | -d DIR [-w WORKSPACE]] [--verbose] [-- TERRAFORM_ARGS]"
    words = {"import": "ADDRESS ID ", "state": "rm ADDRESS... "}.get(verb, "")
    return f"`{PREFIX} {verb} {words}{flags}`"


def parse_run(verb: str, words: Sequence[str]) -> Command | Reply:
    """`/infra plan|apply|import|state ...` after the verb, flags anywhere before `--` (as pflag reads them)."""
    usage = run_usage(verb)
    flags = _Flags()
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            flags.extra = list(words[index + 1 :])
            break
        if word in ("-h", "--help"):
            return Help(verb)
        if not word.startswith("-") or word == "-":
            flags.positional.append(word)
            index += 1
            continue
        name, sep, inline = word.partition("=")
        if name == "--verbose":
            if sep:
                return Reply(f"`--verbose` takes no value; write `--verbose` alone. The form is {usage}.")
            flags.verbose = True
        elif name in _VALUE_FLAGS or word[:2] in _VALUE_FLAGS:
            if name not in _VALUE_FLAGS:  # `-pNAME`, pflag's attached shorthand
                name, sep, inline = word[:2], "=", word[2:]
            if not sep:
                if index + 1 >= len(words):
                    return Reply(f"`{name}` needs a value; the form is {usage}.")
                index += 1
                inline = words[index]
            what = _VALUE_FLAGS[name]
            if what in flags.chosen:
                return Reply(f"the {what} is given twice; give it once. The form is {usage}.")
            flags.chosen[what] = inline
        else:
            return Reply(_unknown_flag(verb, name, usage))
        index += 1
    return _build(verb, flags, usage)


def _unknown_flag(verb: str, flag: str, usage: str) -> str:
    match = closest(flag, _FLAG_NAMES)
    hint = f" did you mean `{match}`?" if match else ""
    return (
        f"`{shown(flag)}` is not a flag of `{PREFIX} {verb}`;{hint} The form is {usage}; "
        f"flags for Terraform itself go after `--`."
    )


def _build(verb: str, flags: _Flags, usage: str) -> Command | Reply:
    chosen = flags.chosen
    if "project" in chosen and ("dir" in chosen or "workspace" in chosen):
        return Reply(
            "`-p/--project` cannot be used at the same time as `-d/--dir` or `-w/--workspace`: name the project, "
            f"or its directory and workspace. The form is {usage}."
        )
    problem = _flag_problem(chosen) or _extra_problem(flags.extra)
    if problem:
        return Reply(problem)
    directory = chosen.get("dir")
    if directory is not None:
        directory = directory.rstrip("/").removeprefix("./") or "."
    common = _Common(
        project=chosen.get("project"),
        dir=directory,
        workspace=chosen.get("workspace"),
        verbose=flags.verbose,
        extra_args=tuple(flags.extra),
    )
    positional = flags.positional
    if verb in ("plan", "apply"):
        if positional:
            return Reply(f"unexpected `{shown(positional[0])}` after `{PREFIX} {verb}`; the form is {usage}.")
        return Plan(**common) if verb == "plan" else Apply(**common)
    if verb == "import":
        if len(positional) != 2:
            got = " ".join(positional) or "nothing"
            return Reply(
                f"`{PREFIX} import` takes a resource address and the ID to import, not `{shown(got)}`; "
                f"the form is {usage}, e.g. `{PREFIX} import aws_s3_bucket.logs logs-archive`."
            )
        address_problem = _address_problem(positional[0])
        if address_problem:
            return Reply(address_problem)
        return Import(address=positional[0], id=positional[1], **common)
    if not positional or positional[0].lower() != "rm":
        sub = f"`state {shown(positional[0])}` is not one Olympus runs; " if positional else ""
        return Reply(f"{sub}`{PREFIX} state` runs `state rm` only: the form is {usage}.")
    if len(positional) < 2:
        return Reply(f"`{PREFIX} state rm` needs at least one resource address; the form is {usage}.")
    for address in positional[1:]:
        address_problem = _address_problem(address)
        if address_problem:
            return Reply(address_problem)
    return StateRm(addresses=tuple(positional[1:]), **common)


def _flag_problem(chosen: Mapping[str, str]) -> str | None:
    project, directory, workspace = chosen.get("project"), chosen.get("dir"), chosen.get("workspace")
    if project is not None and not _PROJECT.fullmatch(project):
        return (
            f"`{shown(project)}` is not a project name: use letters, digits, `.`, `_`, `/`, `@` and `-`, "
            "starting with a letter or digit (`/infra status` lists the projects)."
        )
    # Atlantis refuses `..` anywhere in a workspace too (valid.ValidateWorkspaceName): it becomes part of paths.
    if workspace is not None and (not _WORKSPACE.fullmatch(workspace) or ".." in workspace):
        return (
            f"`{shown(workspace)}` is not a workspace Olympus accepts: use letters, digits, `.`, `_` and `-` "
            "(at most 90, no `..`), starting with a letter or digit."
        )
    return dir_problem(directory) if directory is not None else None


def dir_problem(directory: str) -> str | None:
    """Why `-d DIR` is refused: absolute, leaving the repository, a glob, or characters Olympus does not take."""
    if directory in (".", "./"):
        return None
    if directory.startswith("/"):
        return f"`{shown(directory)}` is an absolute path; give the directory relative to the repository root."
    parts = directory.rstrip("/").removeprefix("./").split("/")
    if any(part == ".." for part in parts):
        return f"`{shown(directory)}` uses `..`, which can leave the repository; name the directory without `..`."
    if any(char in directory for char in "*?["):
        return f"`{shown(directory)}` is a pattern; Olympus takes one directory (or `-p PROJECT`), not a glob."
    if not all(_DIR_PART.fullmatch(part) and part == part.strip() for part in parts):
        return (
            f"`{shown(directory)}` is not a directory Olympus accepts: use `/`-separated parts of letters, "
            "digits, spaces, `.`, `_` and `-`, e.g. `infra/aws/envs/dev`."
        )
    return None


def _extra_problem(extra: Sequence[str]) -> str | None:
    for arg in extra:
        name, sep, value = arg.partition("=")
        bare = name.lstrip("-")
        if name.startswith("-") and len(name) - len(bare) <= 2:
            why = BLOCKED_EXTRA_ARGS.get(bare)
            if why:
                return f"`{shown(arg)}` is not allowed after `--`: {why}."
            if bare in _PATH_VALUED and sep and (value.startswith(("/", "~")) or ".." in value.split("/")):
                return f"`{shown(arg)}` is not allowed after `--`: the file must be inside the project."
    return None


def _address_problem(address: str) -> str | None:
    if _ADDRESS.fullmatch(address):
        return None
    return (
        f"`{shown(address)}` is not a Terraform resource address: write it as Terraform does, e.g. "
        "`aws_s3_bucket.logs`, `module.logs.aws_s3_bucket.this[0]` or `'aws_iam_user.u[\"ci\"]'` (quoted)."
    )
