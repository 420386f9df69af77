"""The dataset-export activation: base and target connection, a Data Lake source connection for
the file's datasets, and the dataset dataflow with its schedule; idempotent by name.

A source connection's datasets cannot change once created (the dataset export page), so a new
dataset list gets a new source connection and the dataflow is pointed at it with
``replace /sourceConnectionIds``; a new schedule is ``replace /scheduleParams``. Both go out as one
If-Match PATCH, re-derived on 412 like every other update.
"""

from __future__ import annotations

from typing import Any

from destgen_runtime.activation import changes
from destgen_runtime.activation.payloads import DatasetPayloads, Payloads
from destgen_runtime.activation.steps import (
    DEFAULT_OPTIONS,
    ActivationResult,
    ApplyOptions,
    Plan,
    Row,
    Update,
    connections,
    flow_state,
)
from destgen_runtime.api import operations as ops
from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID
from destgen_runtime.api.operations import Created, Entity
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.destination import dataset_package
from destgen_runtime.schema.wire import to_wire
from destgen_runtime.transport.client import Derive


def dataset_ids(source: Any) -> list[str]:
    """The dataset ids a Data Lake source connection (entity data or create body) exports, sorted:
    the order of a list says nothing about what is exported.
    """
    datasets = ((source or {}).get("params") or {}).get("datasets") or []
    return sorted(str(d.get("dataSetId")) for d in datasets if isinstance(d, dict))


def dataset_plan(
    p: Payloads, wanted: DatasetPayloads, options: ApplyOptions = DEFAULT_OPTIONS
) -> Plan:
    """The dataset-export sequence (export_datasets.md §3-§6); see the module docstring."""
    file, result = p.file, ActivationResult()
    created: dict[str, Entity] = {}
    yield from connections(p, result, created, options)
    flow = result.seen.get("dataflow")  # looked up by connections(), with this flow spec
    source_id = yield from _source(wanted, flow, result)
    if flow is None:
        body = dataset_package(p.package).dataset_dataflow(
            name=file.dataflow.name,
            description=file.dataflow.description,
            source_connection_id=source_id,
            target_connection_id=result.id_of("target connection"),
            schedule=wanted.schedule,
        )
        made: Created = yield ops.create("flows", body, file.dataflow.name)
        result.rows.append(Row("dataflow", file.dataflow.name, made.id, made.etag, "created"))
        created["dataflow"] = Entity(made.id, made.etag, to_wire(body))
    else:
        result.rows.append(Row("dataflow", file.dataflow.name, flow.id, flow.etag, "adopted"))
        changed: set[str] = set()
        settings = changes.name_and_description(file.dataflow.name, file.dataflow.description)
        derive = _derive(source_id, wanted, changed, settings)
        done: Created = yield Update("flows", flow.id, derive, "dataflow update", flow)
        for label in ("datasets", "schedule"):
            action = "updated" if label in changed else "unchanged"
            result.rows.append(Row(label, file.dataflow.name, flow.id, done.etag, action))
        if options.prune:
            yield from prune_replaced_sources(wanted.source.name, source_id, flow.id, result)
    yield from flow_state(p, result, created)
    return result


def replaced_sources(listed: list[Entity], name: str, keep_id: str) -> list[Entity]:
    """The Data Lake source connections among ``listed`` named ``name`` other than ``keep_id``:
    a dataset flow's earlier ones, replaced when its dataset list changed.
    """
    return [
        found
        for found in listed
        if found.id != keep_id
        and found.data.get("name") == name
        and (found.data.get("connectionSpec") or {}).get("id") == DATA_LAKE_SPEC_ID
    ]


def prune_replaced_sources(name: str, keep_id: str, flow_id: str, result: ActivationResult) -> Any:
    """``--prune``: the Data Lake source connections of this name that a dataset list change
    replaced (kept so a switch back reuses them), deleted once no other dataflow uses them.

    The flow itself counts as using only ``keep_id`` (what this run sets), so a plan shows the
    same deletions its apply makes.
    """
    page = yield ops.find_by_name("sourceConnections", name)
    stale = replaced_sources(page.items, name, keep_id)
    if not stale:
        return
    flows: list[Entity] = yield from ops.collect(ops.list_("flows"))
    used = {i for f in flows if f.id != flow_id for i in (f.data.get("sourceConnectionIds") or [])}
    for found in stale:
        if found.id not in used:
            yield ops.delete("sourceConnections", found.id, name)
            result.rows.append(Row("source connection", name, found.id, None, "removed"))


def _source(wanted: DatasetPayloads, flow: Entity | None, result: ActivationResult) -> Any:
    """The id of a Data Lake source connection exporting exactly the file's datasets: the flow's
    own when it still fits, else one of that name that fits (an earlier run's), else a new one.
    """
    name, ids = wanted.source.name, dataset_ids(to_wire(wanted.source))
    if flow is not None:
        current_id = (flow.data.get("sourceConnectionIds") or [""])[0]
        current: Entity = yield ops.get("sourceConnections", current_id)
        if dataset_ids(current.data) == ids:
            result.rows.append(Row("source connection", name, current.id, current.etag, "adopted"))
            return current.id
    page = yield ops.find_by_name("sourceConnections", name)
    for found in page.items:
        spec_id = (found.data.get("connectionSpec") or {}).get("id")
        same = found.data.get("name") == name and spec_id == DATA_LAKE_SPEC_ID
        if same and dataset_ids(found.data) == ids:
            result.rows.append(Row("source connection", name, found.id, found.etag, "adopted"))
            return found.id
    made: Created = yield ops.create("sourceConnections", wanted.source, name)
    result.rows.append(Row("source connection", name, made.id, made.etag, "created"))
    return made.id


def _derive(source_id: str, wanted: DatasetPayloads, changed: set[str], settings: Derive) -> Any:
    schedule = to_wire(wanted.schedule)

    def derive(entity: Entity) -> Any:
        changed.clear()
        described = settings(entity)
        found: list[Any] = list(described.root) if described is not None else []
        if entity.data.get("sourceConnectionIds") != [source_id]:
            changed.add("datasets")
            found.append(patch_ops.replace_source_connection(source_id))
        if entity.data.get("scheduleParams") != schedule:
            changed.add("schedule")
            found.append(patch_ops.replace_schedule(wanted.schedule))
        return patch_ops.patch(*found) if found else None

    return derive
