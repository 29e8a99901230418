"""GitHub webhook deliveries: the signature check, the events Olympus handles, and the fields each one needs."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"

# GitHub caps webhook payloads at 25 MB and drops bigger ones itself; anything larger did not come from GitHub.
# https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024

_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
# Delivery ids are GUIDs; anything long or odd is refused rather than stored as a key.
_DELIVERY_ID = re.compile(r"[A-Za-z0-9._:\-]{1,200}")

PUSHED = "pushed"
# The `after` of a push that deleted its branch.
_NO_COMMIT = "0" * 40

# event -> the actions Olympus acts on; None means every action.
HANDLED: Mapping[str, frozenset[str] | None] = {
    "issue_comment": frozenset({"created"}),
    "issues": frozenset({"opened"}),
    "pull_request": frozenset({"opened", "synchronize", "reopened", "closed"}),
    "pull_request_review": frozenset({"submitted"}),
    "check_run": frozenset({"rerequested"}),
    # Who pushed what: pushers may not approve (push payloads carry no action; Olympus calls it "pushed").
    "push": frozenset({PUSHED}),
    "installation": None,
    "installation_repositories": None,
}


@dataclass(frozen=True)
class Event:
    """A delivery Olympus acts on, reduced to what the job row and the workers need to find their way."""

    name: str  # the X-GitHub-Event header: "issue_comment", "pull_request", ...
    action: str
    sender: str
    installation_id: int | None  # None only for a repository webhook (not an App installation)
    repo: str | None = None  # "owner/name"; None for installation events
    number: int | None = None  # the issue or pull request
    head_sha: str | None = None  # pull requests, reviews and check runs

    @property
    def kind(self) -> str:
        return f"{self.name}.{self.action}"


@dataclass(frozen=True)
class Ignored:
    """A verified delivery Olympus does nothing with (acknowledged 200, so GitHub's log stays green)."""

    reason: str


@dataclass(frozen=True)
class Invalid:
    """A delivery that cannot be handled as sent; reason says which field is wrong."""

    reason: str


@dataclass(frozen=True)
class Job:
    """A stored delivery as a worker receives it; attempts counts this run too."""

    id: int
    event: str
    action: str
    delivery_id: str
    installation_id: int | None
    repo: str | None
    payload: Mapping[str, Any]
    attempts: int

    @property
    def kind(self) -> str:
        return f"{self.event}.{self.action}"


def sign(secret: bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value GitHub sends for body under secret."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_is_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    """True only when header is the HMAC-SHA256 of the raw body under secret (compared in constant time)."""
    if not secret or header is None or not _SIGNATURE.fullmatch(header):
        return False
    return hmac.compare_digest(sign(secret, body).encode("ascii"), header.encode("ascii"))


def delivery_id_problem(delivery: str | None) -> str | None:
    """Why an X-GitHub-Delivery value cannot key a job, or None when it can."""
    if delivery is None or not delivery.strip():
        return f"the {DELIVERY_HEADER} header is missing"
    if not _DELIVERY_ID.fullmatch(delivery):
        return f"the {DELIVERY_HEADER} header is not a delivery id"
    return None


def parse_payload(body: bytes) -> dict[str, Any] | Invalid:
    """The body as a JSON object, or why it is not one."""
    try:
        payload = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotStandardJson as error:
        return Invalid(str(error))
    except UnicodeDecodeError:
        return Invalid("the body is not UTF-8 JSON")
    except json.JSONDecodeError as error:
        # Form-encoded deliveries are the usual cause: the App (or hook) must send application/json.
        return Invalid(f"the body is not JSON ({error.msg} at position {error.pos}); set the content type to JSON")
    except RecursionError:
        return Invalid("the body nests too deeply to be a webhook payload")
    if not isinstance(payload, dict):
        return Invalid("the body is JSON but not an object")
    return payload


class _NotStandardJson(ValueError):
    """NaN and infinities: Python reads them, but they are not JSON and PostgreSQL refuses to store them."""


def _refuse_constant(name: str) -> Any:
    raise _NotStandardJson(f"the body holds {name}, which is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotStandardJson(f"the body holds the number {text[:40]}, too large for JSON")
    return value


def route(event_name: str, payload: Mapping[str, Any]) -> Event | Ignored | Invalid:
    """What to do with a verified delivery of event_name: an Event to queue, Ignored, or Invalid with a reason."""
    if event_name not in HANDLED:
        return Ignored(f"Olympus does not handle {event_name!r} events")
    action = PUSHED if event_name == "push" else payload.get("action")
    if not isinstance(action, str) or not action:
        return Invalid(f"a {event_name} payload needs a string 'action'")
    actions = HANDLED[event_name]
    if actions is not None and action not in actions:
        return Ignored(f"Olympus does not handle {event_name}.{action}")
    try:
        return _EXTRACTORS[event_name](event_name, action, payload)
    except _MissingField as missing:
        return Invalid(f"{event_name}.{action}: {missing}")


def is_bot(login: str, account_type: str | None) -> bool:
    """GitHub Apps post as "name[bot]" with type "Bot"; both count, so no bot (Olympus included) is obeyed."""
    return account_type == "Bot" or login.endswith("[bot]")


class _MissingField(Exception):
    """A field an event needs is absent or of the wrong type; the message names it."""


def _field(payload: Mapping[str, Any], path: str, kind: type, *, nullable: bool = False) -> Any:
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise _MissingField(f"'{path}' is missing")
        value = value[part]
    if value is None and nullable:
        return None
    # bool is an int in Python, but true is not an issue number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _MissingField(f"'{path}' must be {_TYPE_NAMES.get(kind, kind.__name__)}")
    if kind is str and not nullable and not value:
        raise _MissingField(f"'{path}' is empty")
    return value


_TYPE_NAMES = {int: "an integer", str: "a string", dict: "an object", list: "a list"}


def _installation_id(payload: Mapping[str, Any], *, required: bool) -> int | None:
    if not required and payload.get("installation") is None:
        return None
    value: int = _field(payload, "installation.id", int)
    return value


def _sender(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    login: str = _field(payload, "sender.login", str)
    account_type = payload["sender"].get("type")
    return login, account_type if isinstance(account_type, str) else None


def _repo_event(name: str, action: str, payload: Mapping[str, Any], **found: Any) -> Event:
    login, _ = _sender(payload)
    return Event(
        name=name,
        action=action,
        sender=login,
        installation_id=_installation_id(payload, required=False),
        repo=_field(payload, "repository.full_name", str),
        **found,
    )


def _commented(name: str, action: str, payload: Mapping[str, Any], text_path: str) -> Event | Ignored:
    login, account_type = _sender(payload)
    if is_bot(login, account_type):
        return Ignored(f"{name}.{action} by the bot {login!r}")
    _field(payload, text_path, str, nullable=True)  # a null body is allowed; the wrong type is not
    return _repo_event(name, action, payload, number=_field(payload, "issue.number", int))


def _issue_comment(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    _field(payload, "comment.id", int)
    _field(payload, "comment.user.login", str)
    return _commented(name, action, payload, "comment.body")


def _issues(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    _field(payload, "issue.user.login", str)
    return _commented(name, action, payload, "issue.body")


def _pull_request(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    _field(payload, "pull_request.head.ref", str)
    _field(payload, "pull_request.base.ref", str)
    return _repo_event(
        name,
        action,
        payload,
        number=_field(payload, "pull_request.number", int),
        head_sha=_field(payload, "pull_request.head.sha", str),
    )


def _pull_request_review(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    _field(payload, "review.state", str)
    _field(payload, "review.user.login", str)
    return _repo_event(
        name,
        action,
        payload,
        number=_field(payload, "pull_request.number", int),
        head_sha=_field(payload, "review.commit_id", str),
    )


def _check_run(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    _field(payload, "check_run.id", int)
    _field(payload, "check_run.name", str)
    return _repo_event(name, action, payload, head_sha=_field(payload, "check_run.head_sha", str))


def _push(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    ref: str = _field(payload, "ref", str)
    after: str = _field(payload, "after", str)
    if not ref.startswith("refs/heads/"):
        return Ignored(f"push to {ref[:100]!r}: only branches hold changes")
    if after == _NO_COMMIT or payload.get("deleted") is True:
        return Ignored("push that deleted a branch")
    _field(payload, "created", bool)
    return _repo_event(name, action, payload, head_sha=after)


def _installation(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    login, _ = _sender(payload)
    return Event(name=name, action=action, sender=login, installation_id=_installation_id(payload, required=True))


_Extractor = Callable[[str, str, Mapping[str, Any]], Event | Ignored]

_EXTRACTORS: Mapping[str, _Extractor] = {
    "issue_comment": _issue_comment,
    "issues": _issues,
    "pull_request": _pull_request,
    "pull_request_review": _pull_request_review,
    "check_run": _check_run,
    "push": _push,
    "installation": _installation,
    "installation_repositories": _installation,
}
