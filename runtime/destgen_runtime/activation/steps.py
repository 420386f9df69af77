"""The building blocks of an activation plan, shared by both workflows: the steps a plan yields,
the rows it reports, and the adopt-or-create step every entity goes through.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel

from destgen_runtime.activation import changes
from destgen_runtime.activation.payloads import Payloads
from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.schema.errors import NoFlowSpec
from destgen_runtime.schema.refs import source_connection
from destgen_runtime.schema.spec_model import compact
from destgen_runtime.schema.wire import to_wire
from destgen_runtime.transport.adoption import adoptable, wanted_form
from destgen_runtime.transport.client import Derive


@dataclass(frozen=True)
class ApplyOptions:
    """How far an activation goes beyond creating and changing what the file names."""

    prune: bool = False  # remove audiences and flow settings the file leaves out
    rotate_secrets: bool = False  # send the file's credentials to an existing base connection


DEFAULT_OPTIONS = ApplyOptions()


@dataclass(frozen=True)
class Update:
    """PATCH ``collection/entity_id`` with ops derived from the fresh entity (re-derived on 412)."""

    collection: str
    entity_id: str
    derive: Derive
    label: str
    known: Entity | None = None  # the entity as last seen: the first PATCH skips re-reading it


@dataclass(frozen=True)
class Row:
    """One line of an activation's report: which entity, its id and etag, and what was done."""

    entity: str
    name: str
    id: str
    etag: str | None
    action: str  # created | adopted | updated | unchanged | removed


@dataclass
class ActivationResult:
    """The ids an activation created, adopted or updated, and each step taken."""

    rows: list[Row] = field(default_factory=list)
    # Entities found by name, as listed: later steps read them from here instead of again.
    seen: dict[str, Entity] = field(default_factory=dict, repr=False)
    # Entities already looked up (found or not), so no step lists them a second time.
    looked_up: set[str] = field(default_factory=set, repr=False)

    def id_of(self, entity: str) -> str:
        """The id of the entity named ``entity`` (for example "dataflow")."""
        return next(r.id for r in self.rows if r.entity == entity)


Step = Operation[Any] | Update
Plan = Generator[Step, Any, ActivationResult]


def ensure(
    result: ActivationResult,
    created: dict[str, Entity],
    collection: str,
    entity: str,
    payload: BaseModel,
    linked: Entity | str | None = None,
) -> Plan:
    """Adopt the entity named like ``payload`` when it exists, else create it; one row either way.

    ``linked``: the entity the existing dataflow uses (as read, or its id). It is adopted, and
    renamed when the file names it differently, never created anew: a dataflow's connections
    cannot be swapped. Read already, it is not listed again. ``created`` collects what this run
    made, so its first PATCH need not read it back.
    """
    wanted = wanted_form(payload)
    name = str(wanted["name"])
    found = linked if isinstance(linked, Entity) else result.seen.get(entity)
    if found is None and entity not in result.looked_up:
        page = yield ops.find_by_name(collection, name)
        found = adoptable(page.items, wanted, entity + "s")
    if isinstance(linked, str) and (found is None or found.id != linked):
        found = yield ops.get(collection, linked)
    if found is None:
        made: Created = yield ops.create(collection, payload, name)
        result.rows.append(Row(entity, name, made.id, made.etag, "created"))
        created[entity] = Entity(made.id, made.etag, to_wire(payload))
        return result
    result.rows.append(Row(entity, name, found.id, found.etag, "adopted"))
    result.seen[entity] = found
    settings = changes.name_and_description(name, wanted.get("description"))
    if settings(found) is not None:
        done: Created = yield Update(collection, found.id, settings, f"{entity} settings", found)
        result.rows.append(Row(f"{entity} settings", name, done.id, done.etag, "updated"))
        result.seen[entity] = Entity(found.id, done.etag, found.data | wanted_names(wanted))
    return result


def wanted_names(wanted: Any) -> dict[str, Any]:
    """The name and (when given) description a file wants, as entity data."""
    return {k: wanted[k] for k in ("name", "description") if wanted.get(k) is not None}


def linked_flow(p: Payloads, result: ActivationResult) -> Generator[Step, Any, Entity | None]:
    """The file's dataflow when it exists (by name and this workflow's flow spec): what its
    connections are, so a renamed connection is recognised as the one the dataflow uses.
    """
    page = yield ops.find_by_name("flows", p.file.dataflow.name)
    flow = adoptable(page.items, p.flow_identity(), "dataflows")
    result.looked_up.add("dataflow")
    if flow is not None:
        result.seen["dataflow"] = flow
    return flow


def target_of(p: Payloads, result: ActivationResult) -> BaseModel:
    """The target connection's create body, on the base connection ``result`` holds."""
    file, spec = p.file, p.package.spec
    manifest = (
        {}
        if file.include_file_manifest is None
        else {"includeFileManifest": file.include_file_manifest}
    )
    model = p.workflow.target_connection_model(p.package)
    target: BaseModel = model.model_validate(
        compact(
            {
                "name": file.target_connection.name,
                "description": file.target_connection.description,
                "baseConnectionId": result.id_of("base connection"),
                "params": p.target_params | manifest,
                "connectionSpec": {
                    "id": spec.CONNECTION_SPEC_ID,
                    "version": spec.CONNECTION_SPEC_VERSION,
                },
            }
        )
    )
    return target


def connections(
    p: Payloads, result: ActivationResult, created: dict[str, Entity], options: ApplyOptions
) -> Plan:
    """Base and target connection, adopted or created; an adopted target gets the params that
    differ from the file, an adopted base connection new credentials only with
    ``options.rotate_secrets`` (secrets cannot be read back, so they are never compared).
    """
    if "dataflow" in result.looked_up:  # looked up already (audience_chain)
        flow = result.seen.get("dataflow")
    else:
        flow = yield from linked_flow(p, result)
    linked_target: Entity | None = None
    base_id = None
    if flow is not None:
        target_id = str((flow.data.get("targetConnectionIds") or [""])[0])
        linked_target = yield ops.get("targetConnections", target_id)
        base_id = str(linked_target.data.get("baseConnectionId") or "") or None
    yield from ensure(result, created, "connections", "base connection", p.base, base_id)
    auth = p.file.base_connection.auth
    if auth is not None and "base connection" not in created:
        secrets = frozenset(p.package.spec.SECRET_PARAMS.get(auth.spec_name, ()))
        done: Created = yield Update(
            "connections",
            result.id_of("base connection"),
            changes.credentials(
                p.package.models,
                to_wire(p.base)["auth"]["params"],
                secrets,
                rotate=options.rotate_secrets,
            ),
            "credentials",
            result.seen.get("base connection"),
        )
        if done.changed:
            name = p.file.base_connection.name
            result.rows.append(Row("credentials", name, done.id, done.etag, "updated"))
    target = target_of(p, result)
    yield from ensure(
        result, created, "targetConnections", "target connection", target, linked_target
    )
    if "target connection" not in created:
        done = yield Update(
            "targetConnections",
            result.id_of("target connection"),
            changes.target_params(to_wire(target)["params"]),
            "target params",
            result.seen.get("target connection"),
        )
        action = "updated" if done.changed else "unchanged"
        name = p.file.target_connection.name
        result.rows.append(Row("target params", name, done.id, done.etag, action))
    return result


def flow_state(p: Payloads, result: ActivationResult, created: dict[str, Entity]) -> Plan:
    """Enable or disable the dataflow when the file says which and the flow is not so already."""
    wanted = p.file.dataflow.enabled
    if wanted is None:
        return result
    flow_id = result.id_of("dataflow")
    live = created.get("dataflow") or result.seen.get("dataflow")
    if live is None:
        live = yield ops.get("flows", flow_id)
    # A new dataflow starts enabled.
    is_enabled = live.data.get("state", "enabled") == "enabled"
    if is_enabled == wanted:
        result.rows.append(Row("state", p.file.dataflow.name, flow_id, None, "unchanged"))
        return result
    done: Created = yield ops.flow_action(flow_id, "enable" if wanted else "disable")
    result.rows.append(Row("state", p.file.dataflow.name, flow_id, done.etag, "updated"))
    return result


@dataclass
class Chain:
    """An audience dataflow's chain as far as its settings: the result so far, what this run
    created, the dataflow's id and the dataflow as last seen (None: read it before patching).
    """

    result: ActivationResult
    created: dict[str, Entity]
    flow_id: str
    known: Entity | None


def audience_chain(p: Payloads, options: ApplyOptions) -> Generator[Step, Any, Chain]:
    """Source, base and target connection and the dataflow of an audience export (to files or a
    stream), each adopted by name or created: what its settings are then patched onto.
    """
    if p.flow_spec is None:
        # The spec came without its flow spec: the service names it (GET /flowSpecs).
        p = replace(p, found_flow_spec=(yield from _listed_flow_spec(p)))
    file, result = p.file, ActivationResult()
    created: dict[str, Entity] = {}
    flow = yield from linked_flow(p, result)
    source_ids = (flow.data.get("sourceConnectionIds") or []) if flow is not None else []
    if source_ids:
        # The dataflow names its source connection: adopted by id, with no read (a dataflow's
        # source cannot be swapped, and the Profile-store source is shared: never renamed).
        result.rows.append(
            Row("source connection", file.source_name, str(source_ids[0]), None, "adopted")
        )
    else:
        yield from ensure(
            result,
            created,
            "sourceConnections",
            "source connection",
            source_connection(name=file.source_name),
        )
    yield from connections(p, result, created, options)
    body = p.package.dataflow(
        name=file.dataflow.name,
        description=file.dataflow.description,
        source_connection_id=result.id_of("source connection"),
        target_connection_id=result.id_of("target connection"),
        flow_spec_id=p.found_flow_spec,
    )
    yield from ensure(result, created, "flows", "dataflow", body)
    flow_id = result.id_of("dataflow")
    return Chain(result, created, flow_id, created.get("dataflow") or result.seen.get("dataflow"))


def update_flow(
    p: Payloads,
    chain: Chain,
    parts: list[tuple[str, Derive | None]],
    own_ids: dict[str, str],
) -> Generator[Step, Any, None]:
    """Every dataflow change as one JSON Patch (one read, one write), a row per part.

    ``own_ids``: the parts whose rows name their own entity (the mapping set), not the flow.
    """
    active = [(label, derive) for label, derive in parts if derive is not None]
    if not active:
        return
    changed: set[str] = set()
    done: Created = yield Update(
        "flows", chain.flow_id, changes.combined(active, changed), "dataflow update", chain.known
    )
    for label, _derive in active:
        chain.result.rows.append(
            Row(
                label,
                p.file.dataflow.name,
                own_ids.get(label, chain.flow_id),
                None if label in own_ids else done.etag,
                "updated" if label in changed else "unchanged",
            )
        )


def _listed_flow_spec(p: Payloads) -> Generator[Step, Any, str]:
    """The audience flow spec the service lists for the destination's connection spec (one with
    no dataset workflow); NoFlowSpec when it lists none.
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
