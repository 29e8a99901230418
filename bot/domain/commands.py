"""The `/infra` slash-command grammar: text → Command | Reply | NotForMe, and back to a canonical line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.models import Cloud, ResourceKind, ResourceRequest
from bot.domain.naming import invisible_problems, name_problems
from bot.domain.regions import DEFAULT_REGION, canonical_region, region_problem

__all__ = [
    "DEFAULT_OPTIONS",
    "HELP_TEXT",
    "LAMBDA_RUNTIMES",
    "MAX_LINE",
    "MAX_TOKEN",
    "UNREADABLE",
    "Apply",
    "Command",
    "Create",
    "Destroy",
    "Help",
    "Invalid",
    "NotForMe",
    "Plan",
    "Reply",
    "Status",
    "Unlock",
    "build_request",
    "parse",
    "render_command",
    "to_tool_call",
]

PREFIX = "/infra"
UNREADABLE = "Olympus could not read that command. `/infra help` lists the commands it understands."
MAX_LINE = 1000
MAX_TOKEN = 255

# Lambda's supported (not deprecated) runtimes, reviewed 2026-11 against
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (tests check each is in botocore's enum).
LAMBDA_RUNTIMES: tuple[str, ...] = (
    "dotnet10",
    "dotnet8",
    "java25",
    "java21",
    "java17",
    "java11",
    "java8.al2",
    "nodejs24.x",
    "nodejs22.x",
    "provided.al2023",
    "provided.al2",
    "python3.14",
    "python3.13",
    "python3.12",
    "python3.11",
    "ruby3.4",
    "ruby3.3",
)
MEMORY_MB = (128, 10240)  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
TIMEOUT_S = (1, 900)
# family (t3, m7gd, u-6tb1, mac2-m2pro) "." size (micro, 2xlarge, metal, metal-48xl)
_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9-]{0,15}\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]{0,2}xlarge|metal(-[1-9][0-9]?xl)?)"
)
_ENV = re.compile(r"[a-z][a-z0-9-]{0,31}")
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_DIR_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")

# What a create request gets when the user leaves a setting out; slash commands and MCP tools share these.
DEFAULT_OPTIONS: Mapping[ResourceKind, Mapping[str, str]] = {
    ResourceKind.BUCKET: {"versioning": "on"},
    ResourceKind.INSTANCE: {"instance_type": "t3.micro"},
    ResourceKind.FUNCTION: {"runtime": "python3.12", "memory_mb": "128", "timeout_s": "10"},
}


@dataclass(frozen=True)
class Create:
    request: ResourceRequest


@dataclass(frozen=True)
class Destroy:
    request: ResourceRequest


@dataclass(frozen=True)
class Plan:
    project: str | None = None
    dir: str | None = None


@dataclass(frozen=True)
class Apply:
    project: str | None = None
    dir: str | None = None


@dataclass(frozen=True)
class Unlock:
    pass


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Help:
    pass


Command = Create | Destroy | Plan | Apply | Unlock | Status | Help


@dataclass(frozen=True)
class Reply:
    """A message back to the user: help, or what is wrong with the command and the nearest valid form."""

    text: str


@dataclass(frozen=True)
class NotForMe:
    """The text is not an `/infra` command; say nothing."""


@dataclass(frozen=True)
class Invalid:
    """A request that breaks rules: one sentence per broken rule, each saying how to fix it."""

    problems: tuple[str, ...]


HELP_TEXT = """\
**Olympus** turns `/infra` commands into reviewed Terraform pull requests.

| command | what it does |
|---|---|
| `/infra create bucket NAME [cloud=aws\\|gcp] [region=R] [env=E] [versioning=on\\|off]` | an S3 or GCS bucket |
| `/infra create instance NAME [type=T] [region=R] [env=E]` | an EC2 instance (default `t3.micro`) |
| `/infra create function NAME [runtime=R] [memory=MB] [timeout=S] [region=R] [env=E]` | a Lambda function |
| `/infra destroy bucket\\|instance\\|function NAME [cloud=aws\\|gcp] [env=E]` | remove a resource Olympus manages |
| `/infra plan [-p PROJECT \\| -d DIR]` | run `terraform plan` on this pull request |
| `/infra apply [-p PROJECT \\| -d DIR]` | apply the reviewed plan (needs an approval) |
| `/infra unlock` | release this pull request's locks |
| `/infra status` | show the plans, checks and approvals of this pull request |
| `/infra help` | this message |

Defaults: `cloud=aws`, `region=us-east-1` (GCS: `US`), `env=dev`, `versioning=on`, \
`runtime=python3.12`, `memory=128`, `timeout=10`.

Example: `/infra create bucket logs-archive region=eu-west-1`
"""

_VERBS = ("help", "create", "destroy", "plan", "apply", "unlock", "status")
_KINDS = tuple(kind.value for kind in ResourceKind)
# Words people use for a kind; each maps to the kind and any option it implies.
_KIND_SYNONYMS: Mapping[str, tuple[ResourceKind, str]] = {
    "s3": (ResourceKind.BUCKET, "cloud=aws"),
    "gcs": (ResourceKind.BUCKET, "cloud=gcp"),
    "ec2": (ResourceKind.INSTANCE, ""),
    "vm": (ResourceKind.INSTANCE, ""),
    "server": (ResourceKind.INSTANCE, ""),
    "lambda": (ResourceKind.FUNCTION, ""),
}
# The keys each create/destroy form accepts, as typed by the user.
_KEYS: Mapping[tuple[str, ResourceKind], tuple[str, ...]] = {
    ("create", ResourceKind.BUCKET): ("cloud", "region", "env", "versioning"),
    ("create", ResourceKind.INSTANCE): ("cloud", "type", "region", "env"),
    ("create", ResourceKind.FUNCTION): ("cloud", "runtime", "memory", "timeout", "region", "env"),
    ("destroy", ResourceKind.BUCKET): ("cloud", "env"),
    ("destroy", ResourceKind.INSTANCE): ("cloud", "env"),
    ("destroy", ResourceKind.FUNCTION): ("cloud", "env"),
}
_KEY_SYNONYMS: Mapping[str, str] = {
    "location": "region",
    "instance_type": "type",
    "memory_mb": "memory",
    "timeout_s": "timeout",
    "environment": "env",
    "provider": "cloud",
}
# User key → ResourceRequest option key.
_OPTION_KEYS: Mapping[str, str] = {
    "versioning": "versioning",
    "type": "instance_type",
    "runtime": "runtime",
    "memory": "memory_mb",
    "timeout": "timeout_s",
}
_SHELL_CHARACTERS: Mapping[str, str] = {
    ";": "a semicolon",
    "|": "a pipe",
    "&": "an ampersand",
    "$": "a dollar sign",
    "`": "a backtick",
    "<": "a less-than sign",
    ">": "a greater-than sign",
    "(": "a parenthesis",
    ")": "a parenthesis",
    "{": "a brace",
    "}": "a brace",
    "'": "a single quote",
    '"': "a double quote",
    "\\": "a backslash",
}
_LINE_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_EXAMPLE_NAME = {ResourceKind.BUCKET: "logs-archive", ResourceKind.INSTANCE: "web-1", ResourceKind.FUNCTION: "resize"}


def parse(text: str) -> Command | Reply | NotForMe:
    """Interpret the first line of a comment; never raises, whatever the text."""
    try:
        return _parse(text)
    except Exception:  # a bug here must become an answer, not a crashed webhook
        return Reply(UNREADABLE)


def build_request(
    action: str,
    cloud: Cloud,
    kind: ResourceKind,
    name: str,
    *,
    region: str = "",
    env: str = "dev",
    options: Mapping[str, str] | None = None,
) -> ResourceRequest | Invalid:
    """Validate a create or destroy request the way every door does (slash command, MCP tool, LLM).

    `options` use ResourceRequest's keys (versioning, instance_type, runtime, memory_mb, timeout_s); a create
    gets DEFAULT_OPTIONS for what is missing and the cloud's default region; a destroy takes no options.
    """
    problems: list[str] = []
    if action not in ("create", "destroy"):
        return Invalid((f"unknown action `{_shown(action)}`; use `create` or `destroy`",))
    problems += name_problems(cloud, kind, name)
    problems += _env_problems(env)
    given = dict(options or {})
    if action == "destroy":
        problems += [f"`{_shown(key)}` does not apply to destroy; leave it out" for key in sorted(given)]
        if problems:
            return Invalid(tuple(problems))
        return ResourceRequest(action=action, cloud=cloud, kind=kind, name=name, env=env)
    allowed = DEFAULT_OPTIONS[kind]
    for key in sorted(given):
        if key not in allowed:
            problems.append(f"`{_shown(key)}` is not a setting of a {kind.value}; use {_listing(allowed)}")
    merged = {**allowed, **{key: value for key, value in given.items() if key in allowed}}
    for key, value in sorted(merged.items()):
        problems += _option_problems(key, value)
    chosen = region or DEFAULT_REGION[cloud]
    problem = region_problem(cloud, chosen)
    if problem:
        problems.append(problem)
    if problems:
        return Invalid(tuple(problems))
    normalized = {key: _normalized_option(key, value) for key, value in merged.items()}
    return ResourceRequest(
        action=action,
        cloud=cloud,
        kind=kind,
        name=name,
        env=env,
        region=canonical_region(cloud, chosen),
        options=tuple(sorted(normalized.items())),
    )


def render_command(cmd: Command) -> str:
    """The canonical `/infra ...` line for a command, every setting spelled out; parse() reads it back."""
    if isinstance(cmd, Create | Destroy):
        request = cmd.request
        words = [PREFIX, request.action, request.kind.value, request.name]
        if request.kind is ResourceKind.BUCKET or request.cloud is not Cloud.AWS:
            words.append(f"cloud={request.cloud.value}")
        if isinstance(cmd, Create):
            words.append(f"region={request.region}")
        words.append(f"env={request.env}")
        user_keys = {option: user for user, option in _OPTION_KEYS.items()}
        words += [f"{user_keys.get(key, key)}={value}" for key, value in request.options]
        return " ".join(words)
    if isinstance(cmd, Plan | Apply):
        verb = "plan" if isinstance(cmd, Plan) else "apply"
        if cmd.project is not None:
            return f"{PREFIX} {verb} -p {cmd.project}"
        if cmd.dir is not None:
            return f"{PREFIX} {verb} -d {cmd.dir}"
        return f"{PREFIX} {verb}"
    if isinstance(cmd, Unlock):
        return f"{PREFIX} unlock"
    if isinstance(cmd, Status):
        return f"{PREFIX} status"
    return f"{PREFIX} help"


def to_tool_call(cmd: Create | Destroy) -> tuple[str, dict[str, object]]:
    """The MCP tool and its arguments that carry out a create or destroy command."""
    request = cmd.request
    if isinstance(cmd, Destroy):
        return "destroy_resource", {
            "cloud": request.cloud.value,
            "kind": request.kind.value,
            "name": request.name,
            "env": request.env,
        }
    base: dict[str, object] = {"name": request.name}
    if request.kind is ResourceKind.BUCKET:
        versioning = request.option("versioning", "on") == "on"
        if request.cloud is Cloud.GCP:
            return "create_gcs_bucket", {
                **base,
                "location": request.region,
                "env": request.env,
                "versioning": versioning,
            }
        return "create_s3_bucket", {**base, "region": request.region, "env": request.env, "versioning": versioning}
    if request.kind is ResourceKind.INSTANCE:
        return "create_ec2_instance", {
            **base,
            "instance_type": request.option("instance_type"),
            "region": request.region,
            "env": request.env,
        }
    return "create_lambda_function", {
        **base,
        "runtime": request.option("runtime"),
        "region": request.region,
        "env": request.env,
        "memory_mb": int(request.option("memory_mb")),
        "timeout_s": int(request.option("timeout_s")),
    }


def _parse(text: str) -> Command | Reply | NotForMe:
    stripped = text.lstrip()
    if not stripped.startswith(PREFIX):
        return NotForMe()
    end = stripped.find("\n")
    line = (stripped if end < 0 else stripped[:end]).rstrip("\r")
    after = line[len(PREFIX) : len(PREFIX) + 1]
    if after and not after.isspace():
        return NotForMe()  # "/infrastructure", "/infra-bot": someone else's command
    if len(line) > MAX_LINE:
        return Reply(
            f"That command is {len(line)} characters long; Olympus reads commands of at most {MAX_LINE}. "
            "Shorten it, or split it into several commands."
        )
    breaks = sorted({f"U+{ord(char):04X}" for char in line if char in _LINE_BREAKS})
    if breaks:
        return Reply(
            f"The command contains a line break ({', '.join(breaks)}) inside it; put the whole command on one line."
        )
    invisible = invisible_problems(line.replace("\t", " "), "the command")
    if invisible:
        return _problems_reply(invisible, "")
    shell = list(dict.fromkeys(_SHELL_CHARACTERS[char] for char in line if char in _SHELL_CHARACTERS))
    if shell:
        return Reply(
            f"The command contains {_and(shell)}. Olympus never runs commands through a shell, but it refuses "
            "shell metacharacters so that a request can never be mistaken for one: remove them "
            "(no quotes are needed around names)."
        )
    words = line.split()[1:]
    long_words = [word for word in words if len(word) > MAX_TOKEN]
    if long_words:
        return Reply(
            f"A word of the command is {len(long_words[0])} characters long; "
            f"Olympus reads words of at most {MAX_TOKEN}. Shorten `{long_words[0][:40]}...`."
        )
    if not words:
        return Help()
    verb, rest = words[0], words[1:]
    if verb in ("create", "destroy"):
        return _parse_change(verb, rest)
    if verb in ("plan", "apply"):
        return _parse_run(verb, rest)
    if verb in ("help", "unlock", "status"):
        if rest:
            return Reply(f"`/infra {verb}` takes no arguments; unexpected `{_shown(rest[0])}`.")
        simple: dict[str, Command] = {"help": Help(), "unlock": Unlock(), "status": Status()}
        return simple[verb]
    return _unknown_verb(verb, rest)


def _parse_change(verb: str, rest: list[str]) -> Command | Reply:
    usage = _usage(verb)
    if not rest:
        return Reply(f"`/infra {verb}` needs a resource kind and a name: {usage}")
    kind_word, rest = rest[0], rest[1:]
    implied = ""
    if kind_word in _KINDS:
        kind = ResourceKind(kind_word)
    elif kind_word.lower() in _KIND_SYNONYMS:
        kind, implied = _KIND_SYNONYMS[kind_word.lower()]
        nearest = " ".join([PREFIX, verb, kind.value, *rest, *([implied] if implied else [])])
        return Reply(f"Olympus calls that a `{kind.value}`; did you mean `{nearest}`?")
    else:
        match = _closest(kind_word.lower(), _KINDS)
        if match:
            nearest = " ".join([PREFIX, verb, match, *rest])
            return Reply(f"unknown resource kind `{_shown(kind_word)}`; did you mean `{nearest}`?")
        return Reply(f"unknown resource kind `{_shown(kind_word)}`; Olympus knows {_listing(_KINDS)}. {usage}")
    example = _EXAMPLE_NAME[kind]
    if not rest or "=" in rest[0]:
        nearest = " ".join([PREFIX, verb, kind.value, example, *rest])
        return Reply(f"`/infra {verb} {kind.value}` needs a name, e.g. `{nearest}`")
    name, settings = rest[0], rest[1:]
    pairs, problems = _key_values(settings, _KEYS[(verb, kind)], f"{verb} {kind.value}")
    cloud_word = pairs.pop("cloud", Cloud.AWS.value)
    if cloud_word not in (Cloud.AWS.value, Cloud.GCP.value):
        match = _closest(cloud_word.lower(), ("aws", "gcp"))
        hint = f"; did you mean `cloud={match}`?" if match else "; use `cloud=aws` or `cloud=gcp`"
        return _problems_reply([*problems, f"unknown cloud `{_shown(cloud_word)}`{hint}"], _usage(verb, kind))
    cloud = Cloud(cloud_word)
    region = pairs.pop("region", "")
    env = pairs.pop("env", "dev")
    options = {_OPTION_KEYS[key]: value for key, value in pairs.items()}
    built = build_request(verb, cloud, kind, name, region=region, env=env, options=options)
    if isinstance(built, Invalid):
        problems += built.problems
    if problems or isinstance(built, Invalid):
        return _problems_reply(problems, _usage(verb, kind))
    return Create(built) if verb == "create" else Destroy(built)


def _parse_run(verb: str, rest: list[str]) -> Command | Reply:
    usage = f"`/infra {verb}`, `/infra {verb} -p PROJECT` or `/infra {verb} -d DIR`"
    flags = {"-p": "project", "--project": "project", "-d": "dir", "--dir": "dir"}
    chosen: dict[str, str] = {}
    index = 0
    while index < len(rest):
        word = rest[index]
        flag, sep, inline = word.partition("=")
        if flag not in flags:
            return Reply(f"unexpected `{_shown(word)}` after `/infra {verb}`; use {usage}.")
        if sep:
            value = inline
        elif index + 1 < len(rest):
            index += 1
            value = rest[index]
        else:
            return Reply(f"`{flag}` needs a value; use {usage}.")
        what = flags[flag]
        if what in chosen:
            return Reply(f"the {what} is given twice; give it once: {usage}.")
        chosen[what] = value
        index += 1
    if len(chosen) > 1:
        return Reply(f"give a project or a directory, not both: {usage}.")
    project, directory = chosen.get("project"), chosen.get("dir")
    if project is not None and not _PROJECT.fullmatch(project):
        return Reply(
            f"`{_shown(project)}` is not a project name: use letters, digits, `.`, `_` and `-`, "
            "starting with a letter or digit (`/infra status` lists the projects)."
        )
    if directory is not None:
        problem = _dir_problem(directory)
        if problem:
            return Reply(problem)
        directory = directory.rstrip("/").removeprefix("./") or "."
    return Plan(project, directory) if verb == "plan" else Apply(project, directory)


def _dir_problem(directory: str) -> str | None:
    if directory in (".", "./"):
        return None
    if directory.startswith("/"):
        return f"`{_shown(directory)}` is an absolute path; give the directory relative to the repository root."
    parts = directory.rstrip("/").removeprefix("./").split("/")
    if any(part == ".." for part in parts):
        return f"`{_shown(directory)}` leaves the repository; give a directory inside it, without `..`."
    if not all(_DIR_PART.fullmatch(part) for part in parts):
        return (
            f"`{_shown(directory)}` is not a directory Olympus accepts: use `/`-separated parts of letters, "
            "digits, `.`, `_` and `-`, e.g. `infra/aws/envs/dev`."
        )
    return None


def _key_values(words: list[str], allowed: tuple[str, ...], form: str) -> tuple[dict[str, str], list[str]]:
    pairs: dict[str, str] = {}
    problems: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep:
            problems.append(f"unexpected `{_shown(word)}`: settings are written `key=value`")
            continue
        if key not in allowed:
            problems.append(_unknown_key(key, allowed, form))
            continue
        if key in pairs:
            problems.append(f"`{key}` is given twice; keep one")
            continue
        if not value:
            problems.append(f"`{key}=` needs a value")
            continue
        pairs[key] = value
    return pairs, problems


def _unknown_key(key: str, allowed: tuple[str, ...], form: str) -> str:
    synonym = _KEY_SYNONYMS.get(key.lower())
    match = synonym if synonym in allowed else _closest(key.lower(), allowed)
    if match:
        return f"`{_shown(key)}` is not a setting of `{form}`; did you mean `{match}=`?"
    return f"`{_shown(key)}` is not a setting of `{form}`; use {_listing([k + '=' for k in allowed])}"


def _option_problems(key: str, value: str) -> list[str]:
    if key == "versioning":
        if value.lower() in ("on", "off", "true", "false", "enabled", "disabled"):
            return []
        return [f"`versioning={_shown(value)}` is not valid; use `versioning=on` or `versioning=off`"]
    if key == "instance_type":
        if _INSTANCE_TYPE.fullmatch(value):
            return []
        return [f"`{_shown(value)}` is not an EC2 instance type; use one such as `t3.micro` or `m7g.large`"]
    if key == "runtime":
        if value in LAMBDA_RUNTIMES:
            return []
        match = _closest(value.lower(), LAMBDA_RUNTIMES)
        hint = f"did you mean `{match}`?" if match else f"use one of {_listing(LAMBDA_RUNTIMES)}"
        return [f"`{_shown(value)}` is not a current Lambda runtime; {hint}"]
    if key in ("memory_mb", "timeout_s"):
        low, high = MEMORY_MB if key == "memory_mb" else TIMEOUT_S
        what = "memory (MB)" if key == "memory_mb" else "timeout (seconds)"
        if not (value.isascii() and value.isdigit() and len(value) <= 6 and low <= int(value) <= high):
            return [f"the {what} must be a whole number from {low} to {high}, not `{_shown(value)}`"]
    return []


def _normalized_option(key: str, value: str) -> str:
    if key == "versioning":
        return "on" if value.lower() in ("on", "true", "enabled") else "off"
    if key in ("memory_mb", "timeout_s"):
        return str(int(value))
    return value


def _env_problems(env: str) -> list[str]:
    if _ENV.fullmatch(env):
        return []
    return [
        f"`{_shown(env)}` is not an environment name: use a lowercase letter, then up to 31 lowercase letters, "
        "digits or hyphens (e.g. `dev`, `staging`, `prod-eu`)"
    ]


def _unknown_verb(verb: str, rest: list[str]) -> Reply:
    match = _closest(verb.lower(), _VERBS)
    if match:
        nearest = " ".join([PREFIX, match, *rest])
        return Reply(f"unknown verb `{_shown(verb)}`; did you mean `{nearest}`?")
    return Reply(f"unknown verb `{_shown(verb)}`; Olympus knows {_listing(_VERBS)}. `/infra help` shows them all.")


def _usage(verb: str, kind: ResourceKind | None = None) -> str:
    if kind is None:
        return f"`/infra {verb} bucket|instance|function NAME ...` (`/infra help` shows every setting)"
    keys = " ".join(f"[{key}=...]" for key in _KEYS[(verb, kind)])
    return f"`/infra {verb} {kind.value} NAME {keys}`"


def _problems_reply(problems: list[str], usage: str) -> Reply:
    if len(problems) == 1:
        lines = [f"Olympus cannot do that: {_sentence(problems[0])}"]
    else:
        lines = ["Olympus cannot do that:"] + [f"- {_sentence(problem)}" for problem in problems]
    if usage:
        lines.append(f"\nThe form is {usage}.")
    return Reply("\n".join(lines))


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _listing(items: Mapping[str, str] | tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _shown(word: str) -> str:
    """Untrusted text quoted inside backticks: cut short, backticks removed so the quote cannot end early."""
    cleaned = word.replace("`", "'")
    return cleaned if len(cleaned) <= 60 else cleaned[:60] + "..."
