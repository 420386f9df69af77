"""The clients' multi-step behaviour as sans-IO generators: retries with reconciliation, If-Match
updates that re-derive on 412, waiting for a run. Each yields effects; a client carries them out.

Both clients drive these same generators, so sync and async cannot drift apart.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from destgen_runtime.api import operations as ops
from destgen_runtime.api.constants import MAX_412_RETRIES
from destgen_runtime.api.operations import Created, Entity, Operation, Page
from destgen_runtime.transport.adoption import adoptable, wanted_form
from destgen_runtime.transport.core import Core, finished_run
from destgen_runtime.transport.errors import DestgenError, PreconditionFailed

T = TypeVar("T")
# fresh entity -> JSON Patch ops, or None when nothing is left to do
Derive = Callable[[Entity], Any]


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """Send ``op`` once: the client's reply is its parsed result, or the error is thrown in."""

    op: Operation[T]


@dataclass(frozen=True)
class Sleep:
    """A request from a flow to its driver: wait this many seconds, then resume."""

    seconds: float


# An Operation on its own means "run it with retries" (a nested run_flow).
Effect = Attempt[Any] | Operation[Any] | Sleep
Flow = Generator[Effect, Any, T]


def run_flow(core: Core, op: Operation[T]) -> Flow[T]:
    """Attempts with the retry policy's decisions; a create whose outcome is unknown is looked up
    by name and adopted, never blindly sent again.
    """
    for attempt in itertools.count(1):
        try:
            result: T = yield Attempt(op)
            return result
        except DestgenError as error:
            step = core.next_step(op, error, attempt)
            if step.action == "raise":
                raise
            yield Sleep(step.delay)
            if step.action == "lookup" and op.lookup:
                found = yield from find(op.lookup, op.payload)
                if found is not None:
                    adopted: T = op.lookup.adopt(found)
                    return adopted
    raise AssertionError("unreachable")


def find(lookup: ops.Lookup, payload: Any) -> Flow[Entity | None]:
    """What a create made, if anything: Flow Service by its adoption rules on the first page of
    the name filter, Data Prep by the lookup's own choice over every page.
    """
    if lookup.pick is not None:
        found: Entity | None = yield from ops.search(lookup)
        return found
    page: Page = yield lookup.first_page
    return adoptable(page.items, wanted_form(payload), lookup.label)


def update_flow(
    core: Core, collection: str, entity_id: str, derive: Derive, known: Entity | None
) -> Flow[Created]:
    """PATCH with If-Match; on 412 re-read, re-derive the ops from the fresh entity, try again.

    ``known``: the entity as the caller last saw it; the first attempt uses it without a GET.
    """
    for attempt in range(1, MAX_412_RETRIES + 1):
        entity: Entity = (
            known if known is not None and attempt == 1 else (yield ops.get(collection, entity_id))
        )
        patch = derive(entity)
        if patch is None:
            return Created(entity.id, entity.etag, changed=False)
        try:
            done: Created = yield ops.patch(collection, entity_id, entity.etag or "", patch)
            return done
        except PreconditionFailed:
            # Someone else won the race: back off (jittered) so writers do not collide again.
            yield Sleep(core.retry.backoff(attempt))
    raise PreconditionFailed(
        412, "FLOW-1404-412", f"{collection} {entity_id} kept changing; gave up"
    )


def wait_flow(
    flow_id: str, timeout: float, poll: float, clock: Callable[[], float]
) -> Flow[Entity]:
    """The newest finished run of a dataflow, polling every ``poll`` s for at most ``timeout``."""
    deadline = clock() + timeout
    while True:
        page: Page = yield ops.runs(flow_id)
        if (run := finished_run(page)) is not None:
            return run
        if clock() + poll > deadline:
            raise DestgenError(f"no finished run of dataflow {flow_id} within {timeout:.0f} s")
        yield Sleep(poll)
