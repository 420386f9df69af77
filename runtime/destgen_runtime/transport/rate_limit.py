"""One request budget for many workers: a client-side rate limit (token bucket) and a shared pause
after a 429, so when the service says "Retry-After: 5" to one worker, all of them wait.

Used as an httpx transport wrapper, so every request of every client that shares it is counted,
retries included.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from destgen_runtime.transport.client import TIMEOUT
from destgen_runtime.transport.deadline_transport import (
    DeadlineTransport,
    shared_ssl_context,
)
from destgen_runtime.transport.retry import parse_retry_after

MAX_PAUSE_S = 60.0  # a Retry-After beyond this is the server's mistake, not a minute's wait


@dataclass
class RequestBudget:
    """At most ``rate`` requests per second (None: unlimited), and none while paused."""

    rate: float | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next_slot: float = 0.0
    _paused_until: float = 0.0
    pauses: int = 0  # how many 429s paused everyone (for reports and tests)

    def acquire(self) -> None:
        """Wait for this request's turn: after any pause, then one slot per 1/rate seconds."""
        with self._lock:
            now = self.clock()
            start = max(now, self._paused_until, self._next_slot)
            if self.rate:
                self._next_slot = start + 1.0 / self.rate
        if start > now:
            self.sleep(start - now)

    def pause(self, seconds: float) -> None:
        """Hold every worker's next request for ``seconds`` (a 429's Retry-After)."""
        with self._lock:
            until = self.clock() + min(max(seconds, 0.0), MAX_PAUSE_S)
            if until > self._paused_until:
                self._paused_until = until
                self.pauses += 1


class BudgetTransport(httpx.BaseTransport):
    """Sends through ``inner`` within ``budget``; a 429 with Retry-After pauses the budget."""

    def __init__(self, budget: RequestBudget, inner: httpx.BaseTransport | None = None) -> None:
        self.budget = budget
        self.inner = inner or DeadlineTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """One request, in turn."""
        self.budget.acquire()
        response = self.inner.handle_request(request)
        if response.status_code == 429:
            delay = parse_retry_after(response.headers.get("Retry-After"))
            self.budget.pause(delay if delay is not None else 1.0)
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def budget_client(budget: RequestBudget) -> httpx.Client:
    """An ``httpx.Client`` (thread-safe, shared by every worker) whose requests keep ``budget``."""
    return httpx.Client(
        timeout=TIMEOUT, verify=shared_ssl_context(), transport=BudgetTransport(budget)
    )
