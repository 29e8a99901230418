"""`olympus eval fixes`: the fix loop's record in the local store, as a success rate per failure class."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.fixes.attempts import ClassRate, rates_by_class
from bot.domain.markdown import one_line
from bot.entrypoints.local_loop import open_repo
from bot.wiring import build_local_loop


def report_fixes(repo: Path, *, as_json: bool) -> int:
    """Print each failure class's attempts, verified fixes, accepted ones and applies that held; 0 always."""
    git = open_repo(repo)
    loop = build_local_loop(git.root, say=lambda line: None)
    attempts = loop.store.fix_attempts()
    rates = rates_by_class(attempts)
    if as_json:
        print(json.dumps({"attempts": len(attempts), "classes": [_as_dict(rate) for rate in rates]}, indent=2))
        return 0
    if not attempts:
        print("no fix attempts recorded yet: the fix loop records one each time it tries to fix a failed plan or apply")
        return 0
    print(f"{len(attempts)} fix attempt(s)")
    heading = ("attempts", "verified", "accepted", "applied", "success", "taken", "held")
    print(f"{'failure class':<28} " + " ".join(f"{word:>8}" for word in heading))
    for rate in rates:
        print(
            f"{one_line(rate.failure_class)[:28]:<28} {rate.attempts:>8} {rate.verified:>8} {rate.accepted:>8} "
            f"{rate.applied:>8} {rate.success_rate:>8.0%} {_share(rate.acceptance_rate):>8} {_share(rate.held_rate):>8}"
        )
    print("success: verified fixes per attempt (a fix is offered only once validate, plan, scanners and policies pass)")
    print("taken: accepted fixes per offered fix a person took or let go; held: next applies that succeeded per")
    print("accepted fix applied since (-: none yet)")
    return 0


def _share(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _as_dict(rate: ClassRate) -> dict[str, object]:
    return {
        "failure_class": rate.failure_class,
        "attempts": rate.attempts,
        "verified": rate.verified,
        "accepted": rate.accepted,
        "applied": rate.applied,
        "success_rate": round(rate.success_rate, 4),
        "decided": rate.decided,
        "acceptance_rate": None if rate.acceptance_rate is None else round(rate.acceptance_rate, 4),
        "applies": rate.applies,
        "next_apply_rate": None if rate.held_rate is None else round(rate.held_rate, 4),
    }
