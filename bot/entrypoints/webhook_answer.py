"""What the webhook endpoint says back to a delivery, and how the delivery is counted in the metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    """What the endpoint says back, and how the delivery is counted."""

    status_code: int
    # queued, duplicate, ignored, unauthorized, bad-request, too-large, invalid, error; and before the body is
    # verified: overloaded (503, shed), timeout (408), disconnected (the client left; nobody reads the answer)
    outcome: str
    reason: str = ""
    job: int | None = None
    event: str = "unknown"
    retry_after: int | None = None  # seconds, for a Retry-After header

    def body(self) -> dict[str, Any]:
        content: dict[str, Any] = {"status": self.outcome}
        if self.job is not None:
            content["job"] = self.job
        if self.reason:
            content["reason"] = self.reason
        return content

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
