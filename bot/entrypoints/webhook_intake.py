"""A webhook body taken in under limits (bodies at once, bytes held, a deadline), its HMAC computed as it arrives.

Nothing about an unverified body is kept but its bytes, and only within the limits: an unsigned request is answered
from its headers, a signed one is hashed chunk by chunk and held once (no joined copy), and whatever cannot fit is
shed with a 503 and Retry-After before its bytes are read.
"""

from __future__ import annotations

import hmac
import logging
import math
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from starlette.requests import ClientDisconnect, Request

from bot.domain import webhooks
from bot.entrypoints.webhook_answer import Answer
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeLimits:
    """How many bodies may be read at once before verification, the bytes all bodies held may add up to, and how
    long one body may take to arrive."""

    max_inflight: int
    max_inflight_bytes: int
    read_timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakeLimits:
        return cls(
            max_inflight=settings.webhook_max_inflight,
            max_inflight_bytes=int(settings.webhook_max_inflight_bytes),
            read_timeout=settings.webhook_read_timeout,
        )

    @property
    def retry_after(self) -> int:
        # Every body now being read is done (or timed out) by then, so its place and its bytes are free again.
        return max(1, math.ceil(self.read_timeout))


class Intake:
    """One app's bodies in flight: those being read (not yet verified), and the bytes held until each is answered."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self.reading = 0
        self.held_bytes = 0

    @asynccontextmanager
    async def body(self, request: Request, secret: bytes) -> AsyncIterator[bytearray | Answer]:
        """The verified raw body, or the Answer that refuses it; its bytes count against the budget until exit."""
        hold = _Hold(self)
        try:
            yield await self._verified_body(request, secret, hold)
        finally:
            hold.release()

    async def _verified_body(self, request: Request, secret: bytes, hold: _Hold) -> bytearray | Answer:
        header = request.headers.get(webhooks.SIGNATURE_HEADER)
        if not webhooks.signature_can_match(secret, header) or header is None:
            return _UNAUTHORIZED  # no body could verify: none is read
        declared = _declared_length(request)
        if declared is not None and declared > webhooks.MAX_PAYLOAD_BYTES:
            return _TOO_LARGE
        if not self._start_reading():
            return self._overloaded(f"{self.limits.max_inflight} request bodies are being read already")
        try:
            if declared is not None and not hold.grow_to(declared):
                return self._overloaded(_OVER_BUDGET)
            mac = webhooks.body_mac(secret)
            body = await self._read(request, mac, declared, hold)
        finally:
            self._stop_reading()
        if isinstance(body, Answer):
            return body
        return body if webhooks.mac_matches(mac, header) else _UNAUTHORIZED

    async def _read(self, request: Request, mac: hmac.HMAC, declared: int | None, hold: _Hold) -> bytearray | Answer:
        """The body, fed to mac chunk by chunk and held once; or why it was not read to its end."""
        body = bytearray()
        try:
            with anyio.fail_after(self.limits.read_timeout):
                async for chunk in request.stream():
                    if len(body) + len(chunk) > webhooks.MAX_PAYLOAD_BYTES:
                        return _TOO_LARGE
                    if not hold.grow_to(len(body) + len(chunk)):
                        return self._overloaded(_OVER_BUDGET)
                    mac.update(chunk)
                    body += chunk
        except ClientDisconnect:
            # Anyone can do this, as often as they like: one line, no traceback.
            client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
            shown = "?" if declared is None else declared
            logger.warning(
                "webhook: %s closed the connection after %d of %s bytes; nothing was done", client, len(body), shown
            )
            return _DISCONNECTED
        except TimeoutError:
            return Answer(408, "timeout", f"the body did not arrive within {self.limits.read_timeout:g} seconds")
        return body

    def _start_reading(self) -> bool:
        with self._lock:
            if self.reading >= self.limits.max_inflight:
                return False
            self.reading += 1
            return True

    def _stop_reading(self) -> None:
        with self._lock:
            self.reading -= 1

    def reserve(self, extra: int) -> bool:
        with self._lock:
            if self.held_bytes + extra > self.limits.max_inflight_bytes:
                return False
            self.held_bytes += extra
            return True

    def release(self, held: int) -> None:
        with self._lock:
            self.held_bytes -= held

    def _overloaded(self, why: str) -> Answer:
        return Answer(503, "overloaded", f"{why}; retry later", retry_after=self.limits.retry_after)


class _Hold:
    """The bytes one request has reserved from its Intake's budget."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.size = 0

    def grow_to(self, size: int) -> bool:
        if size <= self.size:
            return True
        if not self.intake.reserve(size - self.size):
            return False
        self.size = size
        return True

    def release(self) -> None:
        self.intake.release(self.size)
        self.size = 0


def _declared_length(request: Request) -> int | None:
    """The Content-Length, or None for a chunked body; one too long to read as a number is over the cap anyway."""
    declared = request.headers.get("content-length", "")
    if not (declared.isascii() and declared.isdigit()):
        return None  # the server (h11) refuses a malformed one before the app sees it
    return int(declared) if len(declared) <= 20 else webhooks.MAX_PAYLOAD_BYTES + 1


_UNAUTHORIZED = Answer(401, "unauthorized", f"the {webhooks.SIGNATURE_HEADER} signature is missing or wrong")
_TOO_LARGE = Answer(413, "too-large", f"the body exceeds GitHub's {webhooks.MAX_PAYLOAD_BYTES}-byte cap")
_OVER_BUDGET = "the bytes of the bodies in flight would exceed the server's budget"
_DISCONNECTED = Answer(400, "disconnected", "the client closed the connection before the body was complete")
