"""FlowServiceClient (sync) and AsyncFlowServiceClient: send Operations over httpx with retries.

What happens between requests (retries, reconciliation, 412 re-derivation, polling) lives in
flows.py as sans-IO generators; each client here only carries out their effects with its own
kind of I/O and sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import httpx

from destgen_runtime.api.constants import CONNECT_TIMEOUT_S, MAX_PAGES, READ_TIMEOUT_S
from destgen_runtime.api.operations import Created, Entity, Operation, Page
from destgen_runtime.transport.core import Core, resolve_base_url
from destgen_runtime.transport.credentials import Identity, identity_from_env
from destgen_runtime.transport.deadline_transport import (
    deadline_client,
    request_deadline,
    shared_ssl_context,
)
from destgen_runtime.transport.deadlines import (
    CappedStream,
    Deadlines,
    DeadlineStream,
    within_listing_bound,
)
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.flows import (
    Attempt,
    Derive,
    Flow,
    Sleep,
    run_flow,
    update_flow,
    wait_flow,
)
from destgen_runtime.transport.retry import RetryPolicy

T = TypeVar("T")
TIMEOUT = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
__all__ = ["AsyncFlowServiceClient", "Derive", "FlowServiceClient"]


class _Base:
    def __init__(
        self,
        *,
        base_url: str | None,
        identity: Identity | None,
        retry: RetryPolicy | None,
        dry_run: bool,
        echo: Callable[[str], None],
        deadlines: Deadlines | None,
    ) -> None:
        self.core = Core(
            resolve_base_url(base_url), identity or identity_from_env(), retry or RetryPolicy()
        )
        self.dry_run = dry_run
        self.echo = echo
        self.deadlines = deadlines or Deadlines()
        self._fake_ids = itertools.count(1)

    def _dry(self, op: Operation[T]) -> T:
        """Dry run: print the request as curl and answer as an empty service would."""
        self.echo(self.core.curl(op))
        return op.parse(op.empty(next(self._fake_ids)))

    @staticmethod
    def _advance(flow: Flow[T], reply: Any, error: DestgenError | None) -> tuple[bool, Any]:
        """Resume ``flow`` with a reply or an error: ``(True, result)`` when it has finished,
        ``(False, next effect)`` otherwise.
        """
        try:
            effect = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration as stop:
            return True, stop.value
        return False, effect


class FlowServiceClient(_Base):
    """Synchronous client. ``sleep`` is injectable so retry tests do not wait."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        identity: Identity | None = None,
        retry: RetryPolicy | None = None,
        dry_run: bool = False,
        echo: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            identity=identity,
            retry=retry,
            dry_run=dry_run,
            echo=echo,
            deadlines=deadlines,
        )
        # The default client bounds the header phase too (deadline_transport.py); a
        # caller's own client gets the body bound below only.
        self.http = http or deadline_client(TIMEOUT)
        self.sleep = sleep

    def run(self, op: Operation[T]) -> T:
        """Send ``op`` with retries (and reconciliation of creates); its parsed result."""
        if self.dry_run:
            return self._dry(op)
        return self._drive(run_flow(self.core, op))

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH with If-Match, re-deriving the ops from the fresh entity after each 412."""
        return self._drive(update_flow(self.core, collection, entity_id, derive, known))

    def wait_for_run(
        self,
        flow_id: str,
        *,
        timeout: float = 3600.0,
        poll: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> Entity:
        """The newest finished run of a dataflow, polling every ``poll`` s up to ``timeout`` s."""
        return self._drive(wait_flow(flow_id, timeout, poll, clock))

    def iterate(self, op: Operation[Page]) -> Iterator[Entity]:
        """Every entity of a list, following ``_links.next`` (bounded by MAX_PAGES pages and
        MAX_LISTING_BYTES bytes over all of them).
        """
        current: Operation[Page] | None = op
        listed = 0
        for _ in range(MAX_PAGES):
            if current is None:
                return
            page = self.run(current)
            listed = within_listing_bound(listed, page, op)
            yield from page.items
            current = page.next

    def follow(self, steps: Flow[T]) -> T:
        """Carry out a sans-IO generator of operations (an export, a listing): each with
        retries, errors thrown back in; its result.
        """
        return self._drive(steps)

    def _drive(self, flow: Flow[T]) -> T:
        reply: Any = None
        error: DestgenError | None = None
        while True:
            done, effect = self._advance(flow, reply, error)
            if done:
                return effect  # type: ignore[no-any-return]
            reply, error = None, None
            try:
                if isinstance(effect, Sleep):
                    self.sleep(self.deadlines.sleep_budget(effect.seconds, "retry"))
                elif isinstance(effect, Attempt):
                    reply = self._attempt(effect.op)
                else:
                    reply = self.run(effect)
            except DestgenError as exc:
                error = exc

    def _attempt(self, op: Operation[T]) -> T:
        budget = self.deadlines.request_budget(op.label)
        clock = self.deadlines.clock
        expires = clock() + budget
        request = self.core.request(self.http, op, self.core.identity.credentials.token(self.http))
        try:
            # Every socket read and write of the default client, headers and body, ends by the
            # deadline; for a caller's own client, the body is cut chunk by chunk.
            with request_deadline(expires, clock):
                response = self.http.send(request, stream=True)
                try:
                    inner: Any = response.stream  # a sync stream: this is the sync client
                    response.stream = DeadlineStream(inner, expires, clock, response.status_code)
                    response.read()
                finally:
                    response.close()
        except httpx.TransportError as exc:
            if clock() >= expires:
                raise self.deadlines.expired(
                    f"{op.label} ({op.method} {op.path})", budget
                ) from None
            raise self.core.transport_error(op, exc) from None
        return self.core.read(op, response)

    def close(self) -> None:
        """Close the underlying HTTP connection pool."""
        self.http.close()

    def __enter__(self) -> FlowServiceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncFlowServiceClient(_Base):
    """Asynchronous client over httpx.AsyncClient, same semantics as FlowServiceClient."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        identity: Identity | None = None,
        retry: RetryPolicy | None = None,
        dry_run: bool = False,
        echo: Callable[[str], None] = print,
        sleep: Callable[[float], Any] = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            identity=identity,
            retry=retry,
            dry_run=dry_run,
            echo=echo,
            deadlines=deadlines,
        )
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT, verify=shared_ssl_context())
        self.sleep = sleep

    async def run(self, op: Operation[T]) -> T:
        """Send ``op`` with retries (and reconciliation of creates); its parsed result."""
        if self.dry_run:
            return self._dry(op)
        return await self._drive(run_flow(self.core, op))

    async def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH with If-Match, re-deriving the ops from the fresh entity after each 412."""
        return await self._drive(update_flow(self.core, collection, entity_id, derive, known))

    async def wait_for_run(
        self,
        flow_id: str,
        *,
        timeout: float = 3600.0,
        poll: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> Entity:
        """The newest finished run of a dataflow, polling every ``poll`` s up to ``timeout`` s."""
        return await self._drive(wait_flow(flow_id, timeout, poll, clock))

    async def iterate(self, op: Operation[Page]) -> AsyncIterator[Entity]:
        """The async twin of :meth:`FlowServiceClient.iterate`, with the same bounds."""
        current: Operation[Page] | None = op
        listed = 0
        for _ in range(MAX_PAGES):
            if current is None:
                return
            page = await self.run(current)
            listed = within_listing_bound(listed, page, op)
            for item in page.items:
                yield item
            current = page.next

    async def follow(self, steps: Flow[T]) -> T:
        """The async twin of :meth:`FlowServiceClient.follow`."""
        return await self._drive(steps)

    async def _drive(self, flow: Flow[T]) -> T:
        reply: Any = None
        error: DestgenError | None = None
        while True:
            done, effect = self._advance(flow, reply, error)
            if done:
                return effect  # type: ignore[no-any-return]
            reply, error = None, None
            try:
                if isinstance(effect, Sleep):
                    await self.sleep(self.deadlines.sleep_budget(effect.seconds, "retry"))
                elif isinstance(effect, Attempt):
                    reply = await self._attempt(effect.op)
                else:
                    reply = await self.run(effect)
            except DestgenError as exc:
                error = exc

    async def _attempt(self, op: Operation[T]) -> T:
        budget = self.deadlines.request_budget(op.label)
        token = await self.core.identity.credentials.atoken(self.http)
        request = self.core.request(self.http, op, token)
        try:
            # Headers and body under one deadline, however slowly they arrive.
            async with asyncio.timeout(budget):
                response = await self.http.send(request, stream=True)
                try:
                    response.stream = CappedStream(response.stream, response.status_code)  # type: ignore[arg-type]
                    await response.aread()
                finally:
                    await response.aclose()
        except TimeoutError:
            raise self.deadlines.expired(f"{op.label} ({op.method} {op.path})", budget) from None
        except httpx.TransportError as exc:
            raise self.core.transport_error(op, exc) from None
        return self.core.read(op, response)

    async def aclose(self) -> None:
        """Close the underlying HTTP connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncFlowServiceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
