"""What an activation file refers to but does not create: its audiences and datasets must exist in
the sandbox before anything is created for it.

Reads only: a plan and an apply both ask first, so a typo in an audience id stops the run with
the audience and the sandbox named, instead of a dataflow half made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from destgen_runtime.activation.payloads import Payloads
from destgen_runtime.api import operations as ops
from destgen_runtime.api.constants import BULK_GET_MAX
from destgen_runtime.transport.client import FlowServiceClient


@dataclass
class KnownReferences:
    """What one run has already asked a sandbox: files of a folder name the same audiences and
    datasets, and each is looked up once.
    """

    audiences: dict[str, bool] = field(default_factory=dict)  # id -> exists
    datasets: set[str] | None = None  # the exportable datasets' ids, once listed

    def ask(self, client: FlowServiceClient, audience_ids: list[str]) -> None:
        """Learn which of ``audience_ids`` the sandbox holds: the ones not asked yet, in one
        bulk read per ``BULK_GET_MAX`` ids.
        """
        new = list(dict.fromkeys(i for i in audience_ids if i not in self.audiences))
        for start in range(0, len(new), BULK_GET_MAX):
            batch = new[start : start + BULK_GET_MAX]
            found = client.run(ops.audiences_bulk_get(batch))
            self.audiences |= {i: i in found for i in batch}

    def exportable(self, client: FlowServiceClient) -> set[str]:
        """The ids of the sandbox's exportable datasets (listed once per run)."""
        if self.datasets is None:
            listed = client.follow(ops.collect(ops.eligible_datasets(limit=100)))
            self.datasets = {e.id for e in listed}
        return self.datasets


def missing_references(
    client: FlowServiceClient, p: Payloads, known: KnownReferences | None = None
) -> list[str]:
    """One ``path: what is missing`` line per audience or dataset the client's sandbox lacks.

    ``known``: what the run already asked the same sandbox (a folder's files share it).
    """
    known = known if known is not None else KnownReferences()
    sandbox = client.core.identity.sandbox
    problems = []
    known.ask(client, [selector.value.id for selector in p.audiences])
    for index, selector in enumerate(p.audiences):
        audience = selector.value
        if not known.audiences[audience.id]:
            named = f" ({audience.name!r})" if audience.name else ""
            problems.append(
                f"$.audiences[{index}].id: audience {audience.id}{named} does not exist in "
                f"sandbox {sandbox!r}; destgen promote resolves audiences by name"
            )
    if p.file.datasets:
        eligible = known.exportable(client)
        for index, dataset in enumerate(p.file.datasets):
            if dataset.id not in eligible:
                problems.append(
                    f"$.datasets[{index}].id: dataset {dataset.id} ({dataset.name!r}) is not an "
                    f"exportable dataset of sandbox {sandbox!r}; destgen datasets lists them"
                )
    return problems
