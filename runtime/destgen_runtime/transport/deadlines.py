"""Deadlines a client keeps: one request in all (headers and body, however slowly a server trickles
them) and the client's whole run (every request, retry and wait of an activation).

A read timeout alone restarts with every byte; these do not. Both clients share this arithmetic;
each enforces it with its own kind of I/O.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import httpx

from destgen_runtime.api.constants import (
    MAX_ERROR_BODY_BYTES,
    MAX_LISTING_BYTES,
    MAX_RESPONSE_BYTES,
    REQUEST_DEADLINE_S,
)
from destgen_runtime.api.operations import Operation, Page
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    DeadlineExceeded as DeadlineExceeded,
)
from destgen_runtime.schema.errors import (
    ResponseTooLarge as ResponseTooLarge,
)
from destgen_runtime.transport.errors import TransportError


@dataclass
class Deadlines:
    """``request_s`` for each request, ``run_s`` (None: unbounded) from the client's creation."""

    request_s: float = REQUEST_DEADLINE_S
    run_s: float | None = None
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        for name, value in (("request_s", self.request_s), ("run_s", self.run_s)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        self.started = self.clock()

    def _left(self) -> float | None:
        return None if self.run_s is None else self.started + self.run_s - self.clock()

    def request_budget(self, label: str) -> float:
        """Seconds the next request may take; ``DeadlineExceeded`` once the run's time is up."""
        left = self._left()
        if left is not None and left <= 0:
            raise DeadlineExceeded(
                f"{label}: not sent, the run deadline of {self.run_s:g} s passed"
            )
        return self.request_s if left is None else min(self.request_s, left)

    def sleep_budget(self, seconds: float, label: str) -> float:
        """``seconds``, or what is left of the run if less; ``DeadlineExceeded`` when none is."""
        left = self._left()
        if left is not None and left <= seconds:
            raise DeadlineExceeded(
                f"{label}: the run deadline of {self.run_s:g} s would pass while waiting to retry"
            )
        return seconds

    @staticmethod
    def expired(label: str, budget: float) -> TransportError:
        """The error for a request that took longer than ``budget`` (retryable, maybe sent)."""
        return TransportError(f"{label}: no complete answer within {budget:g} s", sent=True)


def within_listing_bound(listed: int, page: Page, op: Operation[Page]) -> int:
    """Bytes listed so far with ``page``; ResponseTooLarge once a listing's pages together pass
    ``MAX_LISTING_BYTES``.
    """
    listed += page.size
    if listed > MAX_LISTING_BYTES:
        raise ResponseTooLarge(MAX_LISTING_BYTES, f"the listing {op.label} ({op.path})")
    return listed


def body_limit(status_code: int) -> tuple[int, bool]:
    """How much of a response body to read, and whether to cut it there (an error's body, whose
    message is all that is wanted) rather than refuse it (ResponseTooLarge).
    """
    if status_code >= 400:
        return MAX_ERROR_BODY_BYTES, True
    return MAX_RESPONSE_BYTES, False


def _capped(chunk: bytes, size: int, limit: int, cut: bool) -> bytes | None:
    """``chunk`` (the body having reached ``size`` with it) within ``limit``: cut short, or
    ResponseTooLarge; None once nothing more is to be read.
    """
    if size <= limit:
        return chunk
    if not cut:
        raise ResponseTooLarge(limit)
    kept = len(chunk) - (size - limit)
    return chunk[:kept] if kept > 0 else None


class DeadlineStream(httpx.SyncByteStream):
    """A response body that stops with ``httpx.ReadTimeout`` once ``expires`` has passed, and
    past its limit (``body_limit``) is cut short or refused with ResponseTooLarge.
    """

    def __init__(
        self,
        inner: httpx.SyncByteStream,
        expires: float,
        clock: Callable[[], float],
        status_code: int = 200,
    ) -> None:
        self.inner = inner
        self.expires = expires
        self.clock = clock
        self.limit, self.cut = body_limit(status_code)

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self.inner:
            if self.clock() > self.expires:
                raise httpx.ReadTimeout("request deadline passed")
            size += len(chunk)
            kept = _capped(chunk, size, self.limit, self.cut)
            if kept is not None:
                yield kept
            if size >= self.limit and self.cut:
                return  # the rest is never read: closing the response drops the connection

    def close(self) -> None:
        """Close the wrapped stream (and so the connection's response)."""
        self.inner.close()


class CappedStream(httpx.AsyncByteStream):
    """The async client's response body, cut short or refused past its limit (``body_limit``);
    its deadline is ``asyncio.timeout`` around the whole read.
    """

    def __init__(self, inner: httpx.AsyncByteStream, status_code: int = 200) -> None:
        self.inner = inner
        self.limit, self.cut = body_limit(status_code)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in self.inner:
            size += len(chunk)
            kept = _capped(chunk, size, self.limit, self.cut)
            if kept is not None:
                yield kept
            if size >= self.limit and self.cut:
                return  # the rest is never read: closing the response drops the connection

    async def aclose(self) -> None:
        """Close the wrapped stream (and so the connection's response)."""
        await self.inner.aclose()
