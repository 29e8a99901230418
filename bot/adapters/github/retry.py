"""Retrying GitHub calls: 5xx, timeouts and rate limits wait (Retry-After, X-RateLimit-Reset) and try again, bounded."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import requests
from github.GithubException import GithubException

from bot.adapters.github.secrets import scrub
from bot.ports import CodeHostError

__all__ = ["GiveUp", "RetryPolicy", "Retrying", "Wait", "decide", "is_transient"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# GitHub asks clients that hit a secondary rate limit without a Retry-After header to wait at least a minute.
# https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#handling-rate-limit-errors
SECONDARY_RATE_WAIT = 60.0
RETRY_HINT = "Olympus retried and gave up; run the command again in a few minutes (GitHub status: githubstatus.com)"
# What to do about answers that retrying cannot change.
_FINAL_HINTS = {
    401: "GitHub refused the App's credentials: check OLYMPUS_APP_ID and the private key",
    403: "the App is not allowed to do this: check its permissions (app.yml) and that it is installed on the repo",
    404: "it does not exist, or the App is not installed on that repository",
}


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to retry: attempts in all, the first backoff, the longest single and total waits."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_total_wait: float = 180.0


@dataclass(frozen=True)
class Wait:
    """Retry after this many seconds."""

    seconds: float
    why: str


@dataclass(frozen=True)
class GiveUp:
    """Do not retry: what went wrong and how the user can retry later."""

    detail: str
    hint: str
    status: int | None = None


def decide(error: Exception, attempt: int, policy: RetryPolicy, now: datetime, jitter: float = 1.0) -> Wait | GiveUp:
    """What to do after `attempt` (1-based) failed with `error`: wait and retry, or give up (pure; `jitter` in 0..1)."""
    status, headers, message = _describe(error)
    backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1)) * (0.5 + jitter / 2)
    if status is None and not isinstance(error, requests.exceptions.Timeout | requests.exceptions.ConnectionError):
        return GiveUp(scrub(f"{type(error).__name__}: {error}"), "")
    rate_limited = status == 429 or (status == 403 and _is_rate_limit(headers, message))
    if rate_limited:
        wait, resets_at = _rate_limit_wait(headers, message, now)
        if wait > policy.max_delay:
            when = resets_at or now.timestamp() + wait
            at = datetime.fromtimestamp(when, UTC).strftime("%H:%M:%S UTC")
            return GiveUp(
                f"GitHub's rate limit is exhausted (HTTP {status})",
                f"It resets at {at}; run the command again after that",
                status,
            )
        seconds, why = max(wait, backoff), f"rate limited (HTTP {status})"
    elif status is None:
        seconds, why = backoff, f"no answer ({type(error).__name__})"
    elif status >= 500:
        retry_after = _retry_after(headers, now)
        seconds, why = max(retry_after or 0.0, backoff), f"HTTP {status}"
    else:
        return GiveUp(_http_detail(status, message), _FINAL_HINTS.get(status, ""), status)
    if attempt >= policy.max_attempts:
        return GiveUp(f"{why} after {attempt} attempts", RETRY_HINT, status)
    return Wait(seconds, why)


class Retrying:
    """Runs a call, retrying what `decide` says to; a call that still fails raises CodeHostError."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    def pause(self, seconds: float) -> None:
        """Wait as this retrier waits between tries (a test's retrier may not wait at all)."""
        if seconds > 0:
            self._sleep(seconds)

    def call(self, operation: str, fn: Callable[[], T]) -> T:
        """fn(), retried; `operation` names what it does for the error message ("open a pull request in o/r")."""
        return self._run(operation, fn, only_transient=False)

    def request(self, operation: str, fn: Callable[[], T]) -> T:
        """fn(), one request, retried only while GitHub's answer says that trying again can help (5xx, rate limits,
        no answer); any other error reaches the caller as raised, so a 404 it expects stays a 404.

        Several requests in one `call` would otherwise all have to succeed in the same attempt: at a 20 % failure
        rate, ten of them do so one time in ten, and five attempts of the whole fail more often than not.
        """
        return self._run(operation, fn, only_transient=True)

    def _run(self, operation: str, fn: Callable[[], T], *, only_transient: bool) -> T:
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except RequestGaveUp as error:
                if only_transient:
                    raise
                # Said as the whole operation ("read pull request #3 of o/r"), not as one of its requests.
                raise CodeHostError(operation, error.detail, error.hint, status=error.status) from error
            except CodeHostError:
                raise
            except (GithubException, requests.exceptions.RequestException) as error:
                if only_transient and not is_transient(error):
                    raise
                decision = decide(error, attempt, self.policy, self._clock(), self._jitter())
                if isinstance(decision, Wait) and waited + decision.seconds > self.policy.max_total_wait:
                    decision = GiveUp(f"{decision.why}; still failing after {attempt} attempts", RETRY_HINT)
                if isinstance(decision, GiveUp):
                    gave_up = RequestGaveUp if only_transient else CodeHostError
                    raise gave_up(operation, decision.detail, decision.hint, status=_describe(error)[0]) from error
                log.warning("GitHub: %s: %s; retry %d in %.1fs", operation, decision.why, attempt, decision.seconds)
                waited += decision.seconds
                self._sleep(decision.seconds)


class RequestGaveUp(CodeHostError):
    """One request retried as often as allowed; the operation it belongs to reports it under its own name."""


def is_transient(error: Exception) -> bool:
    """Whether retrying the same request can get another answer: a 5xx, a rate limit, or no answer at all."""
    status, headers, message = _describe(error)
    if status is None:
        return isinstance(error, requests.exceptions.Timeout | requests.exceptions.ConnectionError)
    return status >= 500 or status == 429 or (status == 403 and _is_rate_limit(headers, message))


def _describe(error: Exception) -> tuple[int | None, Mapping[str, str], str]:
    if isinstance(error, GithubException):
        headers = {str(k).lower(): str(v) for k, v in (error.headers or {}).items()}
        data = error.data
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        return error.status, headers, message
    return None, {}, ""


def _is_rate_limit(headers: Mapping[str, str], message: str) -> bool:
    lowered = message.lower()
    return (
        "retry-after" in headers
        or headers.get("x-ratelimit-remaining") == "0"
        or lowered.startswith(("api rate limit exceeded", "you have exceeded a secondary rate limit"))
        or "secondary rate limit" in lowered
    )


def _rate_limit_wait(headers: Mapping[str, str], message: str, now: datetime) -> tuple[float, float | None]:
    """Seconds to wait, and the reset time (epoch) when GitHub said one."""
    retry_after = _retry_after(headers, now)
    if retry_after is not None:
        return retry_after, None
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        # +1: the reset is a whole second and it is not clear when in that second it happens.
        return max(int(reset) - now.timestamp(), 0.0) + 1.0, float(reset)
    return SECONDARY_RATE_WAIT, None


def _retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:  # the HTTP-date form, which RFC 9110 allows
        return max((parsedate_to_datetime(value) - now).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def _http_detail(status: int, message: str) -> str:
    return scrub(f"HTTP {status}: {message}" if message else f"HTTP {status}")
