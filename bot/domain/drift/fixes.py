"""`/infra fix drift`'s pull requests: the restore's commit trailer, and the adopt's drifted attributes → options."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.domain.plans import Mark, ResourceChange

# The trailer of a restore's commit: the project it plans although no file of it changed. Read from the pull
# request's commits, so the projects a change plans and applies follow from its head, as its changed files do.
RESTORES_TRAILER: Final = "Olympus-Restores-Drift"
_TRAILER_LINE: Final = re.compile(rf"^{RESTORES_TRAILER}: *(\S.*?) *$", re.MULTILINE)
_IN_MODULE: Final = re.compile(r"module\.([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z0-9_]+)\.[A-Za-z0-9_-]+(\[[^\]]*\])?\Z")


def restores_trailer(project: str) -> str:
    """The trailer line naming the project a restore plans (project names hold no spaces or line breaks)."""
    return f"{RESTORES_TRAILER}: {project}"


def restored_projects(messages: Iterable[str]) -> tuple[str, ...]:
    """The projects the commits' trailers name, in order, once each; a name that is no project is ignored later."""
    return tuple(dict.fromkeys(name for message in messages for name in _TRAILER_LINE.findall(message)))


def _on_off(value: object) -> str | None:
    # A bool (`versioning[0].enabled`) or S3's own words (`status`); S3 never goes back to "Disabled".
    if value is True or value == "Enabled":
        return "on"
    if value is False or value == "Suspended":
        return "off"
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _whole(value: object) -> str | None:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


# (resource type inside a generated module, drifted attribute) → (the `/infra update` option, the value it takes).
# Only what the generator's options express; a setting they do not (tags, the public access block) is no option.
_OPTIONS: Final = {
    ("aws_s3_bucket_versioning", "versioning_configuration[0].status"): ("versioning", _on_off),
    # hashicorp/aws 4+ still reads a bucket's versioning back into aws_s3_bucket itself (3.x sets it there).
    ("aws_s3_bucket", "versioning[0].enabled"): ("versioning", _on_off),
    ("google_storage_bucket", "versioning[0].enabled"): ("versioning", _on_off),
    ("aws_instance", "instance_type"): ("instance_type", _text),
    ("aws_lambda_function", "runtime"): ("runtime", _text),
    ("aws_lambda_function", "memory_size"): ("memory_mb", _whole),
    ("aws_lambda_function", "timeout"): ("timeout_s", _whole),
}
# Read back by the provider whenever a setting changes: they follow from the options, and no plan changes them.
_FOLLOWERS: Final = {("aws_lambda_function", "last_modified")}


@dataclass(frozen=True)
class Adoption:
    """What adopting a project's drift changes: each module call's `/infra update` options, or what stops it."""

    options: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # module call → options
    problems: tuple[str, ...] = ()  # one sentence per drift no option carries

    @property
    def possible(self) -> bool:
        return bool(self.options) and not self.problems


def adoption_of(resources: Sequence[ResourceChange]) -> Adoption:
    """The options that make each drifted module call match reality, or why a drift cannot be adopted.

    Values are read here only to become options: a sensitive one (a Mark) is never adopted.
    """
    options: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for resource in resources:
        found = _IN_MODULE.match(resource.address)
        if resource.action == "delete":
            problems.append(f"{resource.address} was deleted outside Terraform: a deletion is restored, not adopted")
            continue
        if found is None or resource.action != "update":
            problems.append(f"{resource.address} is not inside a module call Olympus generates")
            continue
        call, type_ = found.group(1), found.group(2)
        if resource.more_attributes:
            problems.append(f"{resource.address} has more drifted attributes than a check lists")
        for attribute in resource.attributes:
            if (type_, attribute.name) in _FOLLOWERS:
                continue
            rule = _OPTIONS.get((type_, attribute.name))
            if type(attribute.new) is Mark:
                problems.append(f"{resource.address}: {attribute.name} is hidden (sensitive, or known only later)")
                continue
            value = rule[1](attribute.new) if rule is not None else None
            if rule is None or value is None:
                problems.append(f"{resource.address}: {attribute.name} is no setting of its module call")
                continue
            key = rule[0]
            chosen = options.setdefault(call, {})
            if chosen.get(key, value) != value:
                problems.append(f"{resource.address} reads {key} otherwise than the rest of module {call}")
                continue
            chosen[key] = value
    return Adoption({call: tuple(sorted(chosen.items())) for call, chosen in options.items()}, tuple(problems))
