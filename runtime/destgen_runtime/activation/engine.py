"""The whole documented activation sequence as one plan, idempotent by name, for both clients.

The plan is a generator of steps (Operations and Updates); ``activate`` and ``aactivate`` only send
what it yields, so the sequence is written once and a re-run adopts what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from typing import Any

from destgen_runtime.activation import changes
from destgen_runtime.activation.datasets import dataset_plan
from destgen_runtime.activation.file import ActivationError
from destgen_runtime.activation.payloads import Payloads, prepare
from destgen_runtime.activation.steps import (
    DEFAULT_OPTIONS,
    ActivationResult,
    ApplyOptions,
    Plan,
    Row,
    Step,
    Update,
    connections,
    ensure,
    flow_state,
)
from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.mapping import MappingSet, mapping_set
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    NoFlowSpec as NoFlowSpec,
)
from destgen_runtime.schema.refs import source_connection
from destgen_runtime.transport.client import (
    AsyncFlowServiceClient,
    Derive,
    FlowServiceClient,
)


def plan(p: Payloads, options: ApplyOptions = DEFAULT_OPTIONS) -> Plan:
    """The documented sequence (docs/api-contract.md §2): each entity adopted by name when it
    already exists.

    All dataflow changes go out as one JSON Patch (one read, one write) instead of the tutorial's
    five calls; an entity created in this run is not read back before its first PATCH. What
    differs from the file is changed; with ``options.prune``, what the file leaves out is removed.
    """
    if p.datasets is not None:
        return (yield from dataset_plan(p, p.datasets, options))
    if p.flow_spec is None:
        # The spec came without its flow spec: the service names it (GET /flowSpecs).
        p = replace(p, found_flow_spec=(yield from _listed_flow_spec(p)))
    file, result = p.file, ActivationResult()
    created: dict[str, Entity] = {}
    yield from ensure(
        result,
        created,
        "sourceConnections",
        "source connection",
        source_connection(name=file.source_name),
    )
    yield from connections(p, result, created, options)
    flow = p.package.dataflow(
        name=file.dataflow.name,
        description=file.dataflow.description,
        source_connection_id=result.id_of("source connection"),
        target_connection_id=result.id_of("target connection"),
        flow_spec_id=p.found_flow_spec,
    )
    yield from ensure(result, created, "flows", "dataflow", flow)
    flow_id = result.id_of("dataflow")
    known = created.get("dataflow") or result.seen.get("dataflow")
    prune = options.prune
    parts: list[tuple[str, Derive | None]] = [
        (
            "audiences",
            changes.audience_ops(p.audiences, prune=prune) if p.audiences or prune else None,
        )
    ]
    # Rows name each entity's own id; flow settings (audiences, keys...) carry the dataflow's.
    own_ids: dict[str, str] = {}
    if p.streaming:
        # A stream exports attributes as profile selectors: no mapping set, keys or mandatory
        # fields (prepare refused those).
        selectors = changes.profile_selector_ops(p.profile_selectors, prune=prune)
        parts += [
            ("profile attributes", selectors if p.profile_selectors or prune else None),
            ("marketing actions", changes.policy(file.marketing_actions, prune=prune)),
        ]
        yield from _update_flow(p, result, flow_id, known, parts, own_ids)
        yield from flow_state(p, result, created)
        return result
    if p.mapping_rows:
        if known is None:
            known = yield ops.get("flows", flow_id)
        mapping_id = yield from _mapping(p, known)
        if mapping_id is not None:
            parts.append(("mapping set", changes.profile_mapping(*mapping_id)))
            own_ids["mapping set"] = mapping_id[0]
        else:
            existing = str(changes.params_of(known)["profileMapping"]["mappingId"])
            result.rows.append(Row("mapping set", file.dataflow.name, existing, None, "unchanged"))
    parts += [
        (
            "mandatory fields",
            changes.replace_param(
                "mandatoryFields",
                file.mandatory_fields,
                patch_ops.set_mandatory_fields,
                prune=prune,
            ),
        ),
        ("deduplication keys", changes.dedup(file, prune=prune)),
        ("marketing actions", changes.policy(file.marketing_actions, prune=prune)),
    ]
    yield from _update_flow(p, result, flow_id, known, parts, own_ids)
    yield from flow_state(p, result, created)
    return result


def _update_flow(
    p: Payloads,
    result: ActivationResult,
    flow_id: str,
    known: Entity | None,
    parts: list[tuple[str, Derive | None]],
    own_ids: dict[str, str],
) -> Generator[Step, Any, None]:
    """Every dataflow change as one JSON Patch (one read, one write), a row per part."""
    active = [(label, derive) for label, derive in parts if derive is not None]
    if not active:
        return
    changed: set[str] = set()
    done: Created = yield Update(
        "flows", flow_id, changes.combined(active, changed), "dataflow update", known
    )
    for label, _derive in active:
        result.rows.append(
            Row(
                label,
                p.file.dataflow.name,
                own_ids.get(label, flow_id),
                None if label in own_ids else done.etag,
                "updated" if label in changed else "unchanged",
            )
        )


def _listed_flow_spec(p: Payloads) -> Generator[Step, Any, str]:
    """The audience flow spec the service lists for the destination's connection spec (one with
    no dataset workflow); ActivationError when it lists none.
    """
    spec_id = p.package.spec.CONNECTION_SPEC_ID
    listed: list[Entity] = yield from ops.collect(ops.flow_specs_for(spec_id))
    audience, _datasets = ops.by_workflow(listed)
    if not audience:
        raise NoFlowSpec(
            f"the service lists no audience flow spec for {p.package.spec.NAME} (connection "
            f"spec {spec_id}); this sandbox cannot activate it"
        )
    return audience[0]


def _mapping(p: Payloads, flow: Entity) -> Generator[Step, Any, tuple[str, int] | None]:
    mapped = changes.params_of(flow).get("profileMapping") or {}
    if mapped.get("mappingId"):
        current: Entity = yield ops.get_mapping_set(str(mapped["mappingId"]))
        if changes.same_mappings(current.data.get("mappings"), p.mapping_rows):
            return None
        # Other mappings: a new mapping set is swapped in (a set in use is never edited).
    union: dict[str, Any] = yield ops.union_schema()
    spec: Entity = yield ops.connection_spec(p.package.spec.CONNECTION_SPEC_ID)
    partner = (
        ((spec.data.get("targetSpec") or {}).get("attributes") or {})
        .get("partnerSchema", {})
        .get("jsonSchema")
    )
    output = dict(partner or {"title": "defaultschema", "type": "object", "properties": {}})
    output["properties"] = dict(output.get("properties") or {}) | {
        r.destination: {"type": "string"} for r in p.mapping_rows
    }
    name = p.file.dataflow.name
    inputs, outputs = (
        ops.create_schema(f"{name} input", union),
        ops.create_schema(f"{name} output", output),
    )
    # One listing of the sandbox's schemas serves both look-ups.
    assert inputs.lookup is not None
    schemas = yield from ops.collect(inputs.lookup.first_page)
    source = yield from _reuse_or_create(inputs, schemas)
    target = yield from _reuse_or_create(outputs, schemas)
    payload = mapping_set(
        input_schema_id=source.id,
        output_schema_id=target.id,
        mappings=p.mapping_rows,
        name=f"{name} mapping",
    )
    made = yield from _reuse_or_create(ops.create_mapping_set(payload, f"{name} mapping"))
    return made.id, int(made.data.get("version", 0))


def _reuse_or_create(
    op: Operation[Entity], listed: list[Entity] | None = None
) -> Generator[Step, Any, Entity]:
    """A Data Prep entity an earlier, interrupted run made (same name, same content) is used
    again instead of made anew: a re-run leaves no orphan schema or mapping set behind.
    ``listed``: the entities already listed, when the caller has them.
    """
    assert op.lookup is not None
    assert op.lookup.pick is not None
    found = op.lookup.pick(listed) if listed is not None else (yield from ops.search(op.lookup))
    if found is not None:
        return found
    made: Entity = yield op
    return made


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
