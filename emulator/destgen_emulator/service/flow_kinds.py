"""The emulator's side of a workflow kind: how a dataflow of each kind is checked when it is
created, and whether its runs write files. One row per kind, told from the flow spec's
``attributes._workflow`` and the destination (a flow spec may serve file-based and streaming
destinations alike: the target decides).

The tool's runtime has the same three kinds as types (destgen_runtime.activation.workflows);
the emulator stands alone, so it keeps its own table, and a new kind is one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from destgen_emulator.service import dataset_flows, sandboxes, validation
from destgen_emulator.service.catalog import Destination
from destgen_emulator.service.errors import validation as validation_error
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Tenant

# state, the dataflow's body, its tenant, its destination (None: no longer in the catalog) ->
# raises on a bad body.
Check = Callable[[EmulatorState, dict[str, Any], Tenant, Destination | None], None]


@dataclass(frozen=True)
class FlowKind:
    """One kind of dataflow as the service sees it."""

    name: str
    workflow: str  # the flow spec's attributes._workflow
    writes_files: bool
    check: Check
    # Whether a destination of this workflow is this kind (streaming or not).
    fits: Callable[[Destination], bool]


def _no_schedule_params(body: dict[str, Any]) -> None:
    if "scheduleParams" in body:
        # The newest tutorial: an audience is scheduled in its own selector; only an old
        # tutorial (and aepp's default) put dataset-style scheduleParams on audience flows.
        raise validation_error(
            "An audience dataflow takes no scheduleParams",
            ["$.scheduleParams: each audience carries its own schedule"],
        )


def _audience_check(streaming: bool) -> Check:
    def check(
        state: EmulatorState, body: dict[str, Any], tenant: Tenant, _destination: Destination | None
    ) -> None:
        _no_schedule_params(body)
        validation.selectors(body.get("transformations"), streaming=streaming)
        validation.profile_selectors(body["transformations"], streaming=streaming)
        validation.selected_audiences_exist(
            body["transformations"], sandboxes.audience_ids(state, tenant), tenant[1]
        )

    return check


def _dataset_check(
    _state: EmulatorState, body: dict[str, Any], _tenant: Tenant, _destination: Destination | None
) -> None:
    dataset_flows.check_transformations(body)
    dataset_flows.check_schedule(body.get("scheduleParams"))


KINDS = (
    FlowKind(
        "audiences",
        validation.AUDIENCE_WORKFLOW,
        True,
        _audience_check(False),
        lambda d: not d.streaming,
    ),
    FlowKind(
        "stream", validation.AUDIENCE_WORKFLOW, False, _audience_check(True), lambda d: d.streaming
    ),
    FlowKind("datasets", validation.DATASET_WORKFLOW, True, _dataset_check, lambda _d: True),
)


def kind_of(workflow: str, destination: Destination | None) -> FlowKind:
    """The kind of a dataflow of ``workflow`` to ``destination`` (None, a destination the
    catalog no longer has: the kind that writes files).
    """
    return next(
        kind
        for kind in KINDS
        if kind.workflow == workflow
        and (kind.fits(destination) if destination is not None else kind.writes_files)
    )


def flow_kind(
    state: EmulatorState, flow: dict[str, Any], destination: Destination | None
) -> FlowKind:
    """The kind of a stored dataflow: its flow spec's workflow, its destination's kind."""
    spec_id = str((flow.get("flowSpec") or {}).get("id", ""))
    dataset = spec_id in state.catalog.dataset_flows
    return kind_of(
        validation.DATASET_WORKFLOW if dataset else validation.AUDIENCE_WORKFLOW, destination
    )
