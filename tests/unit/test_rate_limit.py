"""One request budget for many workers: requests spaced by the rate, and a 429's Retry-After
pausing every worker that shares the budget (a fake clock: no test waits).
"""

from __future__ import annotations

import httpx
from destgen_runtime.transport.rate_limit import (
    MAX_PAUSE_S,
    BudgetTransport,
    RequestBudget,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_requests_are_spaced_by_the_rate() -> None:
    clock = FakeClock()
    budget = RequestBudget(rate=4, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        budget.acquire()
    assert clock.slept == [0.25, 0.25, 0.25]
    unlimited = RequestBudget(clock=clock, sleep=clock.sleep)
    for _ in range(10):
        unlimited.acquire()
    assert clock.slept == [0.25, 0.25, 0.25]


def test_a_429_pauses_every_worker_sharing_the_budget() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock=clock, sleep=clock.sleep)
    answers = iter([httpx.Response(429, headers={"Retry-After": "5"}), httpx.Response(200)])
    first = BudgetTransport(budget, httpx.MockTransport(lambda _r: next(answers)))
    second = BudgetTransport(budget, httpx.MockTransport(lambda _r: httpx.Response(200)))
    request = httpx.Request("GET", "http://127.0.0.1/flows")
    assert first.handle_request(request).status_code == 429
    # Another worker's next request waits out the pause it did not receive itself.
    assert second.handle_request(request).status_code == 200
    assert clock.slept == [5.0]
    assert budget.pauses == 1
    budget.pause(10_000)  # a server's absurd Retry-After is capped
    assert first.handle_request(request).status_code == 200
    assert clock.slept[-1] == MAX_PAUSE_S
