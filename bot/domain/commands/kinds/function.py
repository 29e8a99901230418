"""A Lambda function's options: runtime, memory and timeout, with AWS's current runtimes and limits."""

from __future__ import annotations

from bot.domain.commands.kinds.rules import KindRules
from bot.domain.commands.wording import closest, listing, shown
from bot.domain.models import ResourceKind

__all__ = ["FUNCTION", "LAMBDA_RUNTIMES", "MEMORY_MB", "TIMEOUT_S"]

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


def _problems(key: str, value: str) -> list[str]:
    if key == "runtime" and value not in LAMBDA_RUNTIMES:
        match = closest(value.lower(), LAMBDA_RUNTIMES)
        hint = f"did you mean `{match}`?" if match else f"use one of {listing(LAMBDA_RUNTIMES)}"
        return [f"`{shown(value)}` is not a current Lambda runtime; {hint}"]
    if key in ("memory_mb", "timeout_s"):
        low, high = MEMORY_MB if key == "memory_mb" else TIMEOUT_S
        what = "memory (MB)" if key == "memory_mb" else "timeout (seconds)"
        if not (value.isascii() and value.isdigit() and len(value) <= 6 and low <= int(value) <= high):
            return [f"the {what} must be a whole number from {low} to {high}, not `{shown(value)}`"]
    return []


def _normalized(key: str, value: str) -> str:
    return str(int(value)) if key in ("memory_mb", "timeout_s") else value


FUNCTION = KindRules(
    kind=ResourceKind.FUNCTION,
    example_name="resize",
    create_keys=("cloud", "runtime", "memory", "timeout", "region", "env"),
    option_keys={"runtime": "runtime", "memory": "memory_mb", "timeout": "timeout_s"},
    defaults={"runtime": "python3.12", "memory_mb": "128", "timeout_s": "10"},
    problems=_problems,
    normalized=_normalized,
    key_synonyms={"memory_mb": "memory", "timeout_s": "timeout"},
)
