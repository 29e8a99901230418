"""The ping tool's checks: each a callable answering ok or missing in a line, never raising."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.tools.state_results import CheckResult, PingResult

__all__ = ["Check", "Probe", "ping"]


@dataclass(frozen=True)
class Check:
    """What one probe found: ok, and why in a line."""

    ok: bool
    reason: str


Probe = Callable[[], Check]


def ping(probes: Mapping[str, Probe]) -> PingResult:
    """Every probe's answer; a probe that raises is missing, its error's first line the reason."""
    checks = [_checked(name, probe) for name, probe in probes.items()]
    return PingResult(ok=all(check.status == "ok" for check in checks), checks=checks)


def _checked(name: str, probe: Probe) -> CheckResult:
    try:
        found = probe()
    except Exception as error:  # noqa: BLE001 - a health check reports a failure, it never passes one on
        text = str(error).strip().splitlines()
        return CheckResult(name=name, status="missing", reason=(text[0] if text else type(error).__name__)[:200])
    reason = found.reason.strip().splitlines()[0] if found.reason.strip() else ""
    return CheckResult(name=name, status="ok" if found.ok else "missing", reason=reason[:200])
