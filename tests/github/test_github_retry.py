"""The retry policy: what is retried, how long it waits (Retry-After, X-RateLimit-Reset), and when it gives up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from github.GithubException import GithubException, RateLimitExceededException

from bot.adapters.github.retry import GiveUp, Retrying, RetryPolicy, Wait, decide
from bot.ports import CodeHostError

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=60.0, max_total_wait=120.0)


def http(status: int, message: str = "", headers: dict[str, str] | None = None) -> GithubException:
    return GithubException(status, {"message": message} if message else None, headers or {})


def test_server_errors_back_off_exponentially() -> None:
    waits = [decide(http(502), attempt, POLICY, NOW) for attempt in (1, 2, 3)]
    assert waits == [Wait(1.0, "HTTP 502"), Wait(2.0, "HTTP 502"), Wait(4.0, "HTTP 502")]


def test_jitter_shortens_a_backoff_by_at_most_half() -> None:
    assert decide(http(500), 3, POLICY, NOW, jitter=0.0) == Wait(2.0, "HTTP 500")


def test_timeouts_and_connection_errors_are_retried() -> None:
    assert decide(requests.exceptions.ReadTimeout("slow"), 1, POLICY, NOW) == Wait(1.0, "no answer (ReadTimeout)")
    assert isinstance(decide(requests.exceptions.ConnectionError("reset"), 2, POLICY, NOW), Wait)


def test_client_errors_are_not_retried() -> None:
    assert decide(http(404, "Not Found"), 1, POLICY, NOW) == GiveUp(
        "HTTP 404: Not Found", "it does not exist, or the App is not installed on that repository", 404
    )
    assert decide(http(422, "Validation Failed"), 1, POLICY, NOW) == GiveUp("HTTP 422: Validation Failed", "", 422)
    # A 403 that is not a rate limit (missing permission) is final.
    assert isinstance(decide(http(403, "Resource not accessible by integration"), 1, POLICY, NOW), GiveUp)


def test_retry_after_seconds_is_honoured() -> None:
    assert decide(http(429, headers={"Retry-After": "7"}), 1, POLICY, NOW) == Wait(7.0, "rate limited (HTTP 429)")
    assert decide(http(403, "You have exceeded a secondary rate limit", {"retry-after": "30"}), 1, POLICY, NOW) == Wait(
        30.0, "rate limited (HTTP 403)"
    )


def test_retry_after_as_an_http_date() -> None:
    decision = decide(http(429, headers={"Retry-After": "Fri, 02 Jan 2026 03:04:15 GMT"}), 1, POLICY, NOW)
    assert decision == Wait(10.0, "rate limited (HTTP 429)")


def test_primary_rate_limit_waits_until_the_reset() -> None:
    reset = int(NOW.timestamp()) + 20
    error = RateLimitExceededException(
        403,
        {"message": "API rate limit exceeded for installation ID 1."},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
    )
    assert decide(error, 1, POLICY, NOW) == Wait(21.0, "rate limited (HTTP 403)")


def test_secondary_rate_limit_without_headers_waits_a_minute() -> None:
    error = http(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
    assert decide(error, 1, POLICY, NOW) == Wait(60.0, "rate limited (HTTP 403)")


def test_a_reset_beyond_the_longest_wait_gives_up_and_says_when() -> None:
    reset = int(NOW.timestamp()) + 3600
    error = http(403, "API rate limit exceeded", {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
    decision = decide(error, 1, POLICY, NOW)
    assert decision == GiveUp(
        "GitHub's rate limit is exhausted (HTTP 403)",
        "It resets at 04:04:05 UTC; run the command again after that",
        403,
    )


def test_the_last_attempt_gives_up() -> None:
    decision = decide(http(503), 4, POLICY, NOW)
    assert isinstance(decision, GiveUp)
    assert decision.detail == "HTTP 503 after 4 attempts"
    assert "run the command again" in decision.hint


class Flaky:
    """Fails with the given errors, then returns "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def retrying(sleeps: list[float], policy: RetryPolicy = POLICY) -> Retrying:
    return Retrying(policy, sleep=sleeps.append, clock=lambda: NOW, jitter=lambda: 1.0)


def test_retrying_sleeps_through_faults_then_returns() -> None:
    sleeps: list[float] = []
    fn = Flaky(http(500), http(429, headers={"Retry-After": "5"}), requests.exceptions.ConnectTimeout("x"))
    assert retrying(sleeps).call("read things", fn) == "done"
    assert fn.calls == 4
    assert sleeps == [1.0, 5.0, 4.0]


def test_retrying_raises_a_code_host_error_saying_what_failed() -> None:
    sleeps: list[float] = []
    fn = Flaky(*[http(502)] * 10)
    with pytest.raises(CodeHostError) as caught:
        retrying(sleeps).call("open a pull request from infra/x into main in acme/infra", fn)
    assert fn.calls == 4
    assert sleeps == [1.0, 2.0, 4.0]
    message = str(caught.value)
    assert message.startswith("GitHub: could not open a pull request from infra/x into main in acme/infra: HTTP 502")
    assert "run the command again" in message
    assert caught.value.status == 502


def test_retrying_stops_at_the_total_wait_budget() -> None:
    sleeps: list[float] = []
    fn = Flaky(*[http(429, headers={"Retry-After": "50"})] * 5)
    with pytest.raises(CodeHostError, match="still failing after 3 attempts"):
        retrying(sleeps).call("comment", fn)
    assert sleeps == [50.0, 50.0]


def test_a_final_error_is_not_retried_and_carries_no_token() -> None:
    sleeps: list[float] = []
    token = "ghs_" + "a" * 36
    fn = Flaky(http(401, f"Bad credentials {token}"))
    with pytest.raises(CodeHostError) as caught:
        retrying(sleeps).call("read a file", fn)
    assert sleeps == []
    assert token not in str(caught.value)
    assert "[secret removed]" in str(caught.value)


def test_other_exceptions_pass_through_unchanged() -> None:
    def broken() -> Any:
        raise KeyError("x")

    with pytest.raises(KeyError):
        retrying([]).call("read", broken)
