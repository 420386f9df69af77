"""The files a run writes when the emulator delivers (``--deliver-to DIR``): the stored target,
base connection and mapping set make the run's ``ExportPlan``; the delivery room renders and
writes it; the run records each file (``metrics.files``).

Streaming dataflows write no files; a run whose PGP key cannot encrypt writes none and fails, as
the service's would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from destgen_runtime.payloads.connection_patches import encryption_params

from destgen_emulator.delivery.deliver import deliver
from destgen_emulator.delivery.plan import ExportPlan, dataset_plan_from, plan_from
from destgen_emulator.delivery.render import render
from destgen_emulator.service import flow_kinds
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.state import EmulatorState


@dataclass(frozen=True)
class Delivery:
    """What every run of one flow delivers with: its plan and where its files go."""

    plan: ExportPlan
    place: tuple[str, str]  # the org and the sandbox: each tenant's files in a folder of its own
    slug: str
    to_s3: bool


def streams(state: EmulatorState, flow: dict[str, Any]) -> bool:
    """Whether the flow's target is a streaming destination (its runs write no files)."""
    tenant = (flow.get("imsOrgId"), flow.get("sandboxName") or "prod")
    try:
        target = state.store.get("targetConnections", str(flow["targetConnectionIds"][0]), tenant)
    except (ApiError, KeyError, IndexError, TypeError):
        return False
    destination = state.destination_of_spec((target.get("connectionSpec") or {}).get("id", ""))
    return not flow_kinds.flow_kind(state, flow, destination).writes_files


def delivery_of(state: EmulatorState, flow: dict[str, Any]) -> Delivery | None:
    """The flow's delivery, read from the store once for all its runs of an ``advance``; None
    when nothing is delivered (no ``--deliver-to``, a stream, a connection deleted since).
    """
    if state.deliver_to is None:
        return None
    store, tenant = state.store, (flow.get("imsOrgId"), flow.get("sandboxName") or "prod")
    try:
        target = store.get("targetConnections", str(flow["targetConnectionIds"][0]), tenant)
        base = store.get("connections", str(target.get("baseConnectionId")), tenant)
    except (ApiError, KeyError, IndexError):
        return None  # deleted since: nothing to deliver to
    destination = state.destination_of_spec((target.get("connectionSpec") or {}).get("id", ""))
    if destination is None or not flow_kinds.flow_kind(state, flow, destination).writes_files:
        return None
    params = (flow.get("transformations") or [{}])[0].get("params") or {}
    target_params = target.get("params") or {}
    schedule = flow.get("scheduleParams")
    if isinstance(schedule, dict):
        plan = dataset_plan_from(
            destination=str(destination.spec.get("name")),
            target_params=target_params,
            datasets=_datasets(state, flow, tenant),
            folder_template=str(
                schedule.get("folderNameTemplate", schedule.get("foldernameTemplate")) or ""
            ),
            instance=(str(flow.get("name")), str(flow["id"])),
            tenant=(str(tenant[0]), str(tenant[1])),
            public_key=_public_key(base),
        )
    else:
        plan = plan_from(
            destination=str(destination.spec.get("name")),
            target_params=target_params,
            selectors=(params.get("segmentSelectors") or {}).get("selectors") or [],
            columns=_columns(state, params, tenant),
            public_key=_public_key(base),
            instance=(str(flow.get("name")), str(flow["id"])),
        )
    place = (str(tenant[0]), str(tenant[1]))
    return Delivery(plan, place, destination.slug, "bucketName" in target_params)


def run_files(
    state: EmulatorState,
    flow: dict[str, Any],
    run_id: str,
    when: dt.datetime,
    delivery: Delivery | None = None,
    *,
    only: frozenset[str] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Deliver one run of ``flow`` (with its ``delivery``, when the caller read it already): the
    records of the files written, and a problem that kept them from being written (None when
    all went well or nothing was due).
    """
    delivery = delivery or delivery_of(state, flow)
    if delivery is None or state.deliver_to is None:
        return [], None
    plan = delivery.plan
    if only is not None:  # the audiences due in this run's window (runs.py), not every one
        plan = replace(plan, audiences=tuple(a for a in plan.audiences if a.id in only))
    rendered = render(
        # The rows depend on the audience and the seed alone: `destgen preview --seed` shows them.
        plan,
        rows=state.deliver_rows,
        seed=str(state.seed),
        when=when,
        run_id=run_id,
    )
    if rendered.problem is not None:
        return [], rendered.problem
    root = state.deliver_to
    paths = deliver(root, delivery.place, delivery.slug, rendered.files)
    objects: list[str | None] = [None] * len(paths)
    if state.s3 is not None and delivery.to_s3:
        objects = list(state.s3.put(rendered.files))
    return [
        {
            "path": path.relative_to(root.resolve()).as_posix(),
            "name": file.name,
            "size": len(file.data),
            "rows": file.rows,
            **({"object": url} if url else {}),
            **(
                {("datasetId" if plan.datasets else "segmentId"): file.audience_id}
                if file.audience_id
                else {}
            ),
        }
        for path, file, url in zip(paths, rendered.files, objects, strict=True)
    ], None


def _columns(state: EmulatorState, params: dict[str, Any], tenant: Any) -> tuple[str, ...]:
    mapping_id = (params.get("profileMapping") or {}).get("mappingId")
    if not mapping_id:
        return ()
    try:
        mapping = state.store.get("mappingSets", str(mapping_id), tenant)
    except ApiError:
        return ()
    return tuple(str(m.get("destination")) for m in mapping.get("mappings") or [])


def _public_key(base: dict[str, Any]) -> str | None:
    key = (encryption_params(base) or {}).get("publicKey")
    return key if isinstance(key, str) and key else None


def _datasets(state: EmulatorState, flow: dict[str, Any], tenant: Any) -> list[tuple[str, str]]:
    """The (id, name) of each dataset the flow's Data Lake source connection exports."""
    try:
        source = state.store.get("sourceConnections", str(flow["sourceConnectionIds"][0]), tenant)
    except (ApiError, KeyError, IndexError):
        return []
    listed = (source.get("params") or {}).get("datasets") or []
    return [
        (str(d.get("dataSetId")), str(d.get("name") or d.get("dataSetId")))
        for d in listed
        if isinstance(d, dict)
    ]
