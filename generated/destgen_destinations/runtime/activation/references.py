"""What an activation file refers to but does not create: its audiences and datasets must exist in
the sandbox before anything is created for it.

Reads only: a plan and an apply both ask first, so a typo in an audience id stops the run with
the audience and the sandbox named, instead of a dataflow half made.
"""

from __future__ import annotations

from destgen_destinations.runtime.activation.payloads import Payloads
from destgen_destinations.runtime.api import operations as ops
from destgen_destinations.runtime.transport.client import FlowServiceClient
from destgen_destinations.runtime.transport.errors import NotFoundError


def missing_references(client: FlowServiceClient, p: Payloads) -> list[str]:
    """One ``path: what is missing`` line per audience or dataset the client's sandbox lacks."""
    sandbox = client.core.identity.sandbox
    problems = []
    for index, selector in enumerate(p.audiences):
        audience = selector.value
        try:
            client.run(ops.audience(audience.id))
        except NotFoundError:
            named = f" ({audience.name!r})" if audience.name else ""
            problems.append(
                f"$.audiences[{index}].id: audience {audience.id}{named} does not exist in "
                f"sandbox {sandbox!r}; destgen promote resolves audiences by name"
            )
    if p.file.datasets:
        eligible = {e.id for e in client.follow(ops.collect(ops.eligible_datasets(limit=100)))}
        for index, dataset in enumerate(p.file.datasets):
            if dataset.id not in eligible:
                problems.append(
                    f"$.datasets[{index}].id: dataset {dataset.id} ({dataset.name!r}) is not an "
                    f"exportable dataset of sandbox {sandbox!r}; destgen datasets lists them"
                )
    return problems
