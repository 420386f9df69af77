"""FlowServiceClient (sync) and AsyncFlowServiceClient: send Operations over httpx with retries.

Both drive the same Core; each loop only adds its own kind of I/O and sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import httpx

from destgen_destinations.runtime import operations as ops
from destgen_destinations.runtime.constants import (
    CONNECT_TIMEOUT_S,
    MAX_412_RETRIES,
    MAX_PAGES,
    READ_TIMEOUT_S,
)
from destgen_destinations.runtime.core import Core, finished_run, resolve_base_url
from destgen_destinations.runtime.credentials import Identity, identity_from_env
from destgen_destinations.runtime.errors import DestgenError, PreconditionFailed
from destgen_destinations.runtime.operations import Created, Entity, Operation, Page
from destgen_destinations.runtime.retry import RetryPolicy

T = TypeVar("T")
Derive = Callable[
    [Entity], Any
]  # fresh entity -> JSON Patch ops, or None when nothing is left to do
TIMEOUT = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)


class _Base:
    def __init__(
        self,
        *,
        base_url: str | None,
        identity: Identity | None,
        retry: RetryPolicy | None,
        dry_run: bool,
        echo: Callable[[str], None],
    ) -> None:
        self.core = Core(
            resolve_base_url(base_url), identity or identity_from_env(), retry or RetryPolicy()
        )
        self.dry_run = dry_run
        self.echo = echo
        self._fake_ids = itertools.count(1)

    @staticmethod
    def _lookup(lookup: tuple[str, str]) -> Operation[Page]:
        """The list call that finds a create's entity by name when its outcome is unknown."""
        return ops.find_by_name(lookup[0].rsplit("/", 1)[-1], lookup[1])

    @staticmethod
    def _adopted(page: Page) -> Created | None:
        return Created(page.items[0].id, page.items[0].etag) if page.items else None

    def _dry(self, op: Operation[T]) -> T:
        """Dry run: print the request as curl and answer as an empty service would."""
        self.echo(self.core.curl(op))
        return op.parse(op.empty(next(self._fake_ids)))


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
    ) -> None:
        super().__init__(
            base_url=base_url, identity=identity, retry=retry, dry_run=dry_run, echo=echo
        )
        self.http = http or httpx.Client(timeout=TIMEOUT)
        self.sleep = sleep

    def run(self, op: Operation[T]) -> T:
        if self.dry_run:
            return self._dry(op)
        for attempt in itertools.count(1):
            try:
                request = self.core.request(
                    self.http, op, self.core.identity.credentials.token(self.http)
                )
                try:
                    response = self.http.send(request)
                except httpx.TransportError as exc:
                    raise self.core.transport_error(op, exc) from None
                return self.core.read(op, response)
            except DestgenError as error:
                step = self.core.next_step(op, error, attempt)
                if step.action == "raise":
                    raise
                self.sleep(step.delay)
                if (
                    step.action == "lookup"
                    and op.lookup
                    and (found := self._find(op.lookup)) is not None
                ):
                    return found  # type: ignore[return-value]  # a create's result is a Created
        raise AssertionError("unreachable")

    def _find(self, lookup: tuple[str, str]) -> Created | None:
        return self._adopted(self.run(self._lookup(lookup)))

    def iterate(self, op: Operation[Page]) -> Iterator[Entity]:
        """Every entity of a list, following ``_links.next`` (bounded by MAX_PAGES)."""
        current: Operation[Page] | None = op
        for _ in range(MAX_PAGES):
            if current is None:
                return
            page = self.run(current)
            yield from page.items
            current = page.next

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH with If-Match; on 412 re-read, re-derive the ops from the fresh entity, try again.

        ``known``: the entity as the caller last saw it; the first attempt uses it without a GET.
        """
        for attempt in range(1, MAX_412_RETRIES + 1):
            entity = (
                known
                if known is not None and attempt == 1
                else self.run(ops.get(collection, entity_id))
            )
            patch = derive(entity)
            if patch is None:
                return Created(entity.id, entity.etag, changed=False)
            try:
                return self.run(ops.patch(collection, entity_id, entity.etag or "", patch))
            except PreconditionFailed:
                # Someone else won the race: back off (jittered) so writers do not collide again.
                self.sleep(self.core.retry.backoff(attempt))
        raise PreconditionFailed(
            412, "FLOW-1404-412", f"{collection} {entity_id} kept changing; gave up"
        )

    def wait_for_run(
        self,
        flow_id: str,
        *,
        timeout: float = 3600.0,
        poll: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> Entity:
        """The newest finished run of a dataflow, polling every ``poll`` s for at most ``timeout``
        s.
        """
        deadline = clock() + timeout
        while (run := finished_run(self.run(ops.runs(flow_id)))) is None:
            if clock() + poll > deadline:
                raise DestgenError(f"no finished run of dataflow {flow_id} within {timeout:.0f} s")
            self.sleep(poll)
        return run

    def close(self) -> None:
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
    ) -> None:
        super().__init__(
            base_url=base_url, identity=identity, retry=retry, dry_run=dry_run, echo=echo
        )
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT)
        self.sleep = sleep

    async def run(self, op: Operation[T]) -> T:
        if self.dry_run:
            return self._dry(op)
        for attempt in itertools.count(1):
            try:
                token = await self.core.identity.credentials.atoken(self.http)
                request = self.core.request(self.http, op, token)
                try:
                    response = await self.http.send(request)
                except httpx.TransportError as exc:
                    raise self.core.transport_error(op, exc) from None
                return self.core.read(op, response)
            except DestgenError as error:
                step = self.core.next_step(op, error, attempt)
                if step.action == "raise":
                    raise
                await self.sleep(step.delay)
                if (
                    step.action == "lookup"
                    and op.lookup
                    and (found := await self._find(op.lookup)) is not None
                ):
                    return found  # type: ignore[return-value]
        raise AssertionError("unreachable")

    async def _find(self, lookup: tuple[str, str]) -> Created | None:
        return self._adopted(await self.run(self._lookup(lookup)))

    async def iterate(self, op: Operation[Page]) -> AsyncIterator[Entity]:
        current: Operation[Page] | None = op
        for _ in range(MAX_PAGES):
            if current is None:
                return
            page = await self.run(current)
            for item in page.items:
                yield item
            current = page.next

    async def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        for attempt in range(1, MAX_412_RETRIES + 1):
            entity = (
                known
                if known is not None and attempt == 1
                else await self.run(ops.get(collection, entity_id))
            )
            patch = derive(entity)
            if patch is None:
                return Created(entity.id, entity.etag, changed=False)
            try:
                return await self.run(ops.patch(collection, entity_id, entity.etag or "", patch))
            except PreconditionFailed:
                await self.sleep(self.core.retry.backoff(attempt))
        raise PreconditionFailed(
            412, "FLOW-1404-412", f"{collection} {entity_id} kept changing; gave up"
        )

    async def wait_for_run(
        self,
        flow_id: str,
        *,
        timeout: float = 3600.0,
        poll: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> Entity:
        deadline = clock() + timeout
        while (run := finished_run(await self.run(ops.runs(flow_id)))) is None:
            if clock() + poll > deadline:
                raise DestgenError(f"no finished run of dataflow {flow_id} within {timeout:.0f} s")
            await self.sleep(poll)
        return run

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncFlowServiceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
