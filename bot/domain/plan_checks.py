"""The check blocks, preconditions and postconditions of a Terraform plan JSON, as the summary shows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check block, precondition or postcondition result of the plan."""

    address: str
    kind: str
    status: str  # "pass" | "fail" | "error" | "unknown"
    problems: tuple[str, ...] = ()


def checks_of(raw: object) -> tuple[CheckResult, ...]:
    """The plan's `checks` as results with their problems' messages (what is not shaped as Terraform writes it is
    left out)."""
    if not isinstance(raw, list):
        return ()
    results: list[CheckResult] = []
    for check in raw:
        if not isinstance(check, dict):
            continue
        address = check.get("address")
        address = address if isinstance(address, dict) else {}
        problems: list[str] = []
        instances = check.get("instances")
        for instance in instances if isinstance(instances, list) else []:
            found = instance.get("problems") if isinstance(instance, dict) else None
            for problem in found if isinstance(found, list) else []:
                if isinstance(problem, dict) and problem.get("message"):
                    problems.append(_text(problem.get("message")))
        results.append(
            CheckResult(
                address=_text(address.get("to_display")),
                kind=_text(address.get("kind")),
                status=_text(check.get("status")) or "unknown",
                problems=tuple(problems),
            )
        )
    return tuple(results)


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
