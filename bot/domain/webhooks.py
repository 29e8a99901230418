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

from bot.domain import payload_fields as fields
from bot.domain.payload_fields import FieldProblem

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"

# GitHub caps webhook payloads at 25 MB and drops bigger ones itself; anything larger did not come from GitHub.
# https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024

# GitHub's payloads nest about 10 deep; a deeper one is refused before anything recurses over it (storing it would
# re-serialise it deeper in the stack than json.loads parsed it, and overflow there).
MAX_NESTING = 64

_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
# Delivery ids are GUIDs; anything long or odd is refused rather than stored as a key.
_DELIVERY_ID = re.compile(r"[A-Za-z0-9._:\-]{1,200}")
# GitHub's actions are lower-case words joined by underscores ("created", "submitted").
_ACTION = re.compile(r"[a-z_]{1,64}")

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
    if not signature_can_match(secret, header) or header is None:
        return False
    mac = body_mac(secret)
    mac.update(body)
    return mac_matches(mac, header)


def signature_can_match(secret: bytes, header: str | None) -> bool:
    """False when no body could verify: no secret, or a header that is not "sha256=" and 64 lower-case hex digits."""
    return bool(secret) and header is not None and _SIGNATURE.fullmatch(header) is not None


def body_mac(secret: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 under secret, to be fed the body as it arrives and checked with mac_matches."""
    return hmac.new(secret, digestmod=hashlib.sha256)


def mac_matches(mac: hmac.HMAC, header: str) -> bool:
    """True when header is "sha256=" and mac's digest (compared in constant time)."""
    return hmac.compare_digest(("sha256=" + mac.hexdigest()).encode("ascii"), header.encode("ascii", "replace"))


def delivery_id_problem(delivery: str | None) -> str | None:
    """Why an X-GitHub-Delivery value cannot key a job, or None when it can."""
    if delivery is None or not delivery.strip():
        return f"the {DELIVERY_HEADER} header is missing"
    if not _DELIVERY_ID.fullmatch(delivery):
        return f"the {DELIVERY_HEADER} header is not a delivery id"
    return None


def parse_payload(body: bytes | bytearray) -> dict[str, Any] | Invalid:
    """The body as a JSON object, or why it is not one."""
    try:
        payload = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_int64)
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
    if _nests_deeper_than(payload, MAX_NESTING):
        return Invalid(f"the body nests too deeply to be a webhook payload (over {MAX_NESTING} levels)")
    return payload


class _NotStandardJson(ValueError):
    """What Python reads but Olympus cannot keep: NaN, infinities (PostgreSQL refuses them), integers beyond 64 bits."""


def _refuse_constant(name: str) -> Any:
    raise _NotStandardJson(f"the body holds {name}, which is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotStandardJson(f"the body holds the number {text[:40]}, too large for JSON")
    return value


def _int64(text: str) -> int:
    # Checked by length first: int() of thousands of digits is slow, and past 4,300 it raises ValueError.
    # https://docs.python.org/3/library/stdtypes.html#int-max-str-digits
    value = int(text) if len(text) <= 20 else None
    if value is None or not fields.MIN_INTEGER <= value <= fields.MAX_INTEGER:
        shown = text if len(text) <= 24 else f"{text[:20]}... ({len(text)} characters)"
        raise _NotStandardJson(f"the body holds the integer {shown}, which does not fit in 64 bits")
    return value


def _nests_deeper_than(payload: dict[str, Any], limit: int) -> bool:
    # A loop, not recursion: the point is to refuse what recursion cannot handle.
    pending: list[tuple[dict[str, Any] | list[Any], int]] = [(payload, 1)]
    while pending:
        container, depth = pending.pop()
        for child in container.values() if isinstance(container, dict) else container:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                pending.append((child, depth + 1))
    return False


def route(event_name: str, payload: Mapping[str, Any]) -> Event | Ignored | Invalid:
    """What to do with a verified delivery of event_name: an Event to queue, Ignored, or Invalid with a reason.

    Every value an Event carries, and every one a worker reads from the stored payload, is checked here: its type,
    and its range or shape, so that nothing a column or a worker cannot take is queued.
    """
    if event_name not in HANDLED:
        return Ignored(f"Olympus does not handle {event_name[:64]!r} events")
    # Push payloads carry no action: Olympus calls a push "pushed".
    action = PUSHED if event_name == "push" else payload.get("action")
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        return Invalid(f"a {event_name} payload needs a string 'action' of lower-case letters and underscores")
    actions = HANDLED[event_name]
    if actions is not None and action not in actions:
        return Ignored(f"Olympus does not handle {event_name}.{action}")
    try:
        return _EXTRACTORS[event_name](event_name, action, payload)
    except FieldProblem as missing:
        return Invalid(f"{event_name}.{action}: {missing}")


def is_bot(login: str, account_type: str | None) -> bool:
    """GitHub Apps post as "name[bot]" with type "Bot"; both count, so no bot (Olympus included) is obeyed."""
    return account_type == "Bot" or login.endswith("[bot]")


def _installation_id(payload: Mapping[str, Any], *, required: bool) -> int | None:
    if not required and payload.get("installation") is None:
        return None
    return fields.number(payload, "installation.id")


def _sender(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    login = fields.text(payload, "sender.login", fields.LOGIN)
    account_type = payload["sender"].get("type")
    return login, account_type if isinstance(account_type, str) else None


def _repo_event(name: str, action: str, payload: Mapping[str, Any], **found: Any) -> Event:
    login, _ = _sender(payload)
    return Event(
        name=name,
        action=action,
        sender=login,
        installation_id=_installation_id(payload, required=False),
        repo=fields.text(payload, "repository.full_name", fields.FULL_NAME),
        **found,
    )


def _commented(name: str, action: str, payload: Mapping[str, Any], text_path: str) -> Event | Ignored:
    login, account_type = _sender(payload)
    if is_bot(login, account_type):
        return Ignored(f"{name}.{action} by the bot {login!r}")
    fields.optional_text(
        payload, text_path, max_chars=fields.MAX_TEXT_CHARS
    )  # a null body is allowed; the wrong type is not
    return _repo_event(name, action, payload, number=fields.number(payload, "issue.number"))


def _issue_comment(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    fields.number(payload, "comment.id")
    fields.text(payload, "comment.user.login", fields.LOGIN)
    return _commented(name, action, payload, "comment.body")


def _issues(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    fields.text(payload, "issue.user.login", fields.LOGIN)
    # The worker reads the labels' names: an issue labelled infra-request is a request in plain words.
    fields.each(payload, "issue.labels", lambda entry, within: fields.text(entry, "name", within=within))
    return _commented(name, action, payload, "issue.body")


def _pull_request(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    fields.text(payload, "pull_request.head.ref")
    fields.text(payload, "pull_request.base.ref")
    return _repo_event(
        name,
        action,
        payload,
        number=fields.number(payload, "pull_request.number"),
        head_sha=fields.text(payload, "pull_request.head.sha", fields.COMMIT),
    )


def _pull_request_review(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    fields.text(payload, "review.state", fields.WORD)
    fields.text(payload, "review.user.login", fields.LOGIN)
    return _repo_event(
        name,
        action,
        payload,
        number=fields.number(payload, "pull_request.number"),
        head_sha=fields.text(payload, "review.commit_id", fields.COMMIT),
    )


def _check_run(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    fields.number(payload, "check_run.id")
    fields.text(payload, "check_run.name")
    # A rerequested check run is planned again for each of its pull requests (bot/services/github_events.py).
    fields.each(payload, "check_run.pull_requests", lambda entry, within: fields.number(entry, "number", within=within))
    return _repo_event(name, action, payload, head_sha=fields.text(payload, "check_run.head_sha", fields.COMMIT))


def _push(name: str, action: str, payload: Mapping[str, Any]) -> Event | Ignored:
    ref = fields.text(payload, "ref")
    after = fields.text(payload, "after", fields.COMMIT)
    if not ref.startswith("refs/heads/"):
        return Ignored(f"push to {ref[:100]!r}: only branches hold changes")
    if after == _NO_COMMIT or payload.get("deleted") is True:
        return Ignored("push that deleted a branch")
    if not isinstance(payload.get("created"), bool):
        raise fields.FieldProblem("'created' must be true or false")
    return _repo_event(name, action, payload, head_sha=after)


def _installation(name: str, action: str, payload: Mapping[str, Any]) -> Event:
    login, _ = _sender(payload)
    # The repositories a new installation covers get the onboarding pull request (bot/services/github_events.py).
    for listed in ("repositories", "repositories_added"):
        fields.each(
            payload, listed, lambda entry, within: fields.text(entry, "full_name", fields.FULL_NAME, within=within)
        )
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
