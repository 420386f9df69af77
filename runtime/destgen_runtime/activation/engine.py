"""The whole documented activation sequence as one plan, idempotent by name, for both clients.

The plan is a generator of steps (Operations and Updates); ``activate`` and ``aactivate`` only send
what it yields, so the sequence is written once and a re-run adopts what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from destgen_runtime.activation.file import ActivationError
from destgen_runtime.activation.payloads import Payloads, prepare
from destgen_runtime.activation.steps import (
    DEFAULT_OPTIONS,
    ActivationResult,
    ApplyOptions,
    Plan,
    Row,
    Update,
)
from destgen_runtime.payloads.mapping import MappingSet
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    NoFlowSpec as NoFlowSpec,
)
from destgen_runtime.transport.client import AsyncFlowServiceClient, FlowServiceClient


def plan(p: Payloads, options: ApplyOptions = DEFAULT_OPTIONS) -> Plan:
    """The documented sequence of the file's kind of workflow (workflows/): each entity adopted
    by name when it already exists, what differs from the file changed, and with
    ``options.prune`` what the file leaves out removed.
    """
    return (yield from p.workflow.plan(p, options))


def activate(
    client: FlowServiceClient | Any,
    payloads: Payloads,
    progress: Callable[[str], None] = lambda _s: None,
    options: ApplyOptions = DEFAULT_OPTIONS,
) -> ActivationResult:
    """Run (or re-run) an activation with the sync client: create what is absent, change what
    differs (and with ``options.prune`` remove what the file leaves out).

    ``client``: a FlowServiceClient, or anything with its ``run`` and ``update`` (a planner).
    """
    steps, reply = plan(payloads, options), None
    try:
        while True:
            step = steps.send(reply)
            progress(step.label)
            reply = (
                client.update(step.collection, step.entity_id, step.derive, known=step.known)
                if isinstance(step, Update)
                else client.run(step)
            )
    except StopIteration as done:
        result: ActivationResult = done.value
        return result


async def aactivate(
    client: AsyncFlowServiceClient,
    payloads: Payloads,
    progress: Callable[[str], None] = lambda _s: None,
    options: ApplyOptions = DEFAULT_OPTIONS,
) -> ActivationResult:
    """The async twin of :func:`activate`."""
    steps, reply = plan(payloads, options), None
    try:
        while True:
            step = steps.send(reply)
            progress(step.label)
            reply = (
                await client.update(step.collection, step.entity_id, step.derive, known=step.known)
                if isinstance(step, Update)
                else await client.run(step)
            )
    except StopIteration as done:
        result: ActivationResult = done.value
        return result


__all__ = [
    "ActivationError",
    "ActivationResult",
    "ApplyOptions",
    "MappingSet",
    "Payloads",
    "Row",
    "Update",
    "aactivate",
    "activate",
    "plan",
    "prepare",
]
