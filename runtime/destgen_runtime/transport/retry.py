"""When to retry and how long to wait: exponential backoff with jitter, Retry-After honoured and
capped.

Sleep, jitter and clock are injected, so tests read exact delay tables instead of sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from destgen_runtime.api.constants import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    MAX_ATTEMPTS,
    RETRY_AFTER_CAP_S,
)
from destgen_runtime.transport.errors import (
    DestgenError,
    RateLimited,
    ServerError,
    TransportError,
)

# 500 too: Adobe's troubleshooting guide says a 500 may mean "reaching the API limit ... wait before
# trying again", and only idempotent requests (reads, deletes, If-Match PATCHes) are ever retried.
RETRYABLE_5XX = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the clients retry 429, 5xx, transport errors and 412s."""

    max_attempts: int = MAX_ATTEMPTS
    base: float = BACKOFF_BASE_S
    cap: float = BACKOFF_CAP_S
    retry_after_cap: float = RETRY_AFTER_CAP_S
    # Full jitter by default; tests pass ``lambda delay: delay`` for exact tables.
    jitter: Callable[[float], float] = field(default=lambda delay: random.uniform(0, delay))

    def backoff(self, attempt: int) -> float:
        """The wait before attempt ``attempt + 1`` (attempt counts from 1)."""
        return self.jitter(min(self.cap, self.base * 2 ** (attempt - 1)))

    def delay_for(self, error: DestgenError, attempt: int, *, idempotent: bool) -> float | None:
        """Seconds to wait before retrying, or None when this error must not be retried."""
        if attempt >= self.max_attempts:
            return None
        if isinstance(error, RateLimited):
            # Nothing was done on a 429, so even a create may be re-sent.
            if error.retry_after is not None:
                return min(self.retry_after_cap, max(0.0, error.retry_after))
            return self.backoff(attempt)
        if not idempotent:
            # Creates with an unknown outcome are reconciled by the caller, not retried here.
            return None
        if isinstance(error, TransportError) and error.final:
            return None
        if isinstance(error, TransportError) or (
            isinstance(error, ServerError) and error.status in RETRYABLE_5XX
        ):
            return self.backoff(attempt)
        return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), else None."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
