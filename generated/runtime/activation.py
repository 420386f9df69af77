"""The whole documented activation sequence as one plan, idempotent by name, for both clients.

The plan is a generator of steps (Operations and Updates); ``activate`` and ``aactivate`` only send
what it yields, so the sequence is written once and a re-run adopts what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from generated.runtime import operations as ops
from generated.runtime import patch_ops
from generated.runtime.activation_spec import (
    ActivationError,
    ActivationFile,
    destination_package,
    resolve_secrets,
)
from generated.runtime.audiences import AudienceSelector
from generated.runtime.client import AsyncFlowServiceClient, Derive, FlowServiceClient
from generated.runtime.mapping import MappingSet, mapping_set
from generated.runtime.mapping import mapping as mapping_row
from generated.runtime.operations import Created, Entity, Operation
from generated.runtime.refs import source_connection
from generated.runtime.spec_model import compact
from generated.runtime.wire import to_wire


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
    entity: str
    name: str
    id: str
    etag: str | None
    action: str  # created | adopted | updated | unchanged


@dataclass
class ActivationResult:
    rows: list[Row] = field(default_factory=list)

    def id_of(self, entity: str) -> str:
        return next(r.id for r in self.rows if r.entity == entity)


Step = Operation[Any] | Update
Plan = Generator[Step, Any, ActivationResult]


@dataclass(frozen=True)
class Payloads:
    """Everything validated up front: no request is sent until the whole file is known good."""

    file: ActivationFile
    base: BaseModel
    target_params: dict[str, Any]
    audiences: list[AudienceSelector]
    mapping_rows: list[Any]
    package: Any = field(repr=False)


def prepare(file: ActivationFile) -> Payloads:
    """Resolve secrets from the environment and validate every payload; raises ActivationError."""
    package = destination_package(file.destination)
    base = _validated(package.models.BaseConnection, _base_wire(file, package), "$.baseConnection")
    params = _validated(
        package.models.TargetParams, file.target_connection.params, "$.targetConnection.params"
    )
    audiences = [_validated(AudienceSelector, {"type": "PLATFORM_SEGMENT", "value": a}, f"$.audiences[{i}]")
                 for i, a in enumerate(file.audiences)]  # fmt: skip
    rows = [
        _validated(type(mapping_row("a", "b")), m.model_dump(by_alias=True), f"$.mappings[{i}]")
        for i, m in enumerate(file.mappings)
    ]
    return Payloads(
        file, base, params.model_dump(by_alias=True, exclude_none=True), audiences, rows, package
    )


def _base_wire(file: ActivationFile, package: Any) -> dict[str, Any]:
    config = file.base_connection
    wire: dict[str, Any] = {"name": config.name}
    if config.description:
        wire["description"] = config.description
    if config.auth is not None:
        secrets = frozenset(package.spec.SECRET_PARAMS.get(config.auth.spec_name, ()))
        params = resolve_secrets(config.auth.params, secrets, "$.baseConnection.auth.params")
        wire["auth"] = {"specName": config.auth.spec_name, "params": params}
        wire["connectionSpec"] = {
            "id": package.spec.CONNECTION_SPEC_ID,
            "version": package.spec.CONNECTION_SPEC_VERSION,
        }
    if config.encryption is not None:
        key = resolve_secrets(
            {"publicKey": config.encryption.public_key}, frozenset(), "$.baseConnection.encryption"
        )
        wire["encryptionSpecs"] = {
            "params": key | {"encryptionAlgo": config.encryption.encryption_algo}
        }
    return wire


def _validated(model: type[BaseModel], data: Any, where: str) -> Any:
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except PydanticValidationError as exc:
        raise ActivationError(
            [f"{where}{_loc(e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)]
        ) from None


def _loc(loc: tuple[Any, ...]) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else f".{p}"
        for p in loc
        if not (isinstance(p, str) and p[:1].isupper())
    )


def plan(p: Payloads) -> Plan:
    """The documented sequence (contract §2): each entity adopted by name when it already exists.

    All dataflow changes go out as one JSON Patch (one read, one write) instead of the tutorial's five
    calls; an entity created in this run is not read back before its first PATCH.
    """
    file, spec, result = p.file, p.package.spec, ActivationResult()
    created: dict[str, Entity] = {}

    def ensure(collection: str, entity: str, name: str, payload: BaseModel) -> Plan:
        page = yield ops.find_by_name(collection, name)
        if page.items:
            result.rows.append(Row(entity, name, page.items[0].id, page.items[0].etag, "adopted"))
        else:
            made: Created = yield ops.create(collection, payload, name)
            result.rows.append(Row(entity, name, made.id, made.etag, "created"))
            created[entity] = Entity(made.id, made.etag, to_wire(payload))
        return result

    yield from ensure("sourceConnections", "source connection", file.source_connection_name,
                      source_connection(name=file.source_connection_name))  # fmt: skip
    yield from ensure("connections", "base connection", file.base_connection.name, p.base)
    manifest = (
        {}
        if file.include_file_manifest is None
        else {"includeFileManifest": file.include_file_manifest}
    )
    target = p.package.models.TargetConnection.model_validate(compact({
        "name": file.target_connection.name, "description": file.target_connection.description,
        "baseConnectionId": result.id_of("base connection"), "params": p.target_params | manifest,
        "connectionSpec": {"id": spec.CONNECTION_SPEC_ID, "version": spec.CONNECTION_SPEC_VERSION}}))  # fmt: skip
    yield from ensure("targetConnections", "target connection", file.target_connection.name, target)
    flow = p.package.dataflow(name=file.dataflow.name, description=file.dataflow.description,
                              source_connection_id=result.id_of("source connection"),
                              target_connection_id=result.id_of("target connection"))  # fmt: skip
    yield from ensure("flows", "dataflow", file.dataflow.name, flow)
    flow_id = result.id_of("dataflow")
    known = created.get("dataflow")
    parts: list[tuple[str, Derive | None]] = [
        ("audiences", _audience_ops(p.audiences) if p.audiences else None)
    ]
    if p.mapping_rows:
        if known is None:
            known = yield ops.get("flows", flow_id)
        mapping_id = yield from _mapping(p, known)
        if mapping_id is not None:
            parts.append(("mapping set", _profile_mapping(*mapping_id)))
        else:
            result.rows.append(Row("mapping set", file.dataflow.name, flow_id, None, "unchanged"))
    parts += [("mandatory fields", _replace_param("mandatoryFields", file.mandatory_fields, patch_ops.set_mandatory_fields)),
              ("deduplication keys", _dedup(file)), ("marketing actions", _policy(file.marketing_actions))]  # fmt: skip
    active = [(label, derive) for label, derive in parts if derive is not None]
    if active:
        changed: set[str] = set()
        done: Created = yield Update(
            "flows", flow_id, _combined(active, changed), "dataflow update", known
        )
        for label, _derive in active:
            result.rows.append(
                Row(
                    label,
                    file.dataflow.name,
                    flow_id,
                    done.etag,
                    "updated" if label in changed else "unchanged",
                )
            )
    if file.include_file_manifest is not None and "target connection" not in created:
        done = yield Update(
            "targetConnections",
            result.id_of("target connection"),
            _manifest(file.include_file_manifest),
            "file manifest",
        )
        result.rows.append(
            Row(
                "file manifest",
                file.target_connection.name,
                done.id,
                done.etag,
                "updated" if done.changed else "unchanged",
            )
        )
    return result


def _combined(parts: list[tuple[str, Derive]], changed: set[str]) -> Derive:
    """One derive for several: every part looks at the same fresh entity; their ops form one patch."""

    def derive(entity: Entity) -> Any:
        changed.clear()
        collected: list[Any] = []
        for label, part in parts:
            patch = part(entity)
            if patch is not None:
                changed.add(label)
                collected += patch.root
        return patch_ops.patch(*collected) if collected else None

    return derive


def _params(entity: Entity) -> dict[str, Any]:
    transformations = entity.data.get("transformations") or [{}]
    params: dict[str, Any] = transformations[0].get("params") or {}
    return params


def _audience_ops(audiences: list[AudienceSelector]) -> Derive:
    wanted = [a.model_dump(by_alias=True, exclude_none=True) for a in audiences]

    def derive(entity: Entity) -> Any:
        present = [
            s.get("value", {}).get("id")
            for s in (_params(entity).get("segmentSelectors") or {}).get("selectors", [])
        ]
        changes = []
        for selector, model in zip(wanted, audiences, strict=True):
            audience_id = selector["value"]["id"]
            if audience_id not in present:
                changes.append(patch_ops.add_audience(model))
        return patch_ops.patch(*changes) if changes else None

    return derive


def _mapping(p: Payloads, flow: Entity) -> Generator[Step, Any, tuple[str, int] | None]:
    if (_params(flow).get("profileMapping") or {}).get("mappingId"):
        return (
            None  # already mapped: an activation never replaces a mapping set it did not create now
        )
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
    source: Entity = yield ops.create_schema(f"{p.file.dataflow.name} input", union)
    target: Entity = yield ops.create_schema(f"{p.file.dataflow.name} output", output)
    made: Entity = yield ops.create_mapping_set(
        mapping_set(input_schema_id=source.id, output_schema_id=target.id, mappings=p.mapping_rows)
    )
    return made.id, int(made.data.get("version", 0))


def _profile_mapping(mapping_id: str, version: int) -> Derive:
    return lambda entity: (
        None
        if _params(entity).get("profileMapping", {}).get("mappingId")
        else patch_ops.patch(patch_ops.set_profile_mapping(mapping_id, version))
    )


def _replace_param(key: str, wanted: list[str], build: Callable[[list[str]], Any]) -> Derive | None:
    if not wanted:
        return None
    return lambda entity: (
        None if _params(entity).get(key) == wanted else patch_ops.patch(build(wanted))
    )


def _dedup(file: ActivationFile) -> Derive | None:
    keys = file.deduplication_keys
    if keys is None:
        return None
    op = patch_ops.set_deduplication_keys(
        identity_namespace=keys.identity_namespace, attribute_paths=keys.attribute_paths
    )
    wanted = op.model_dump(by_alias=True)["value"]
    return lambda entity: (
        None if _params(entity).get("primaryFields") == wanted else patch_ops.patch(op)
    )


def _policy(refs: list[str]) -> Derive | None:
    if not refs:
        return None
    return lambda entity: (
        None
        if (entity.data.get("policy") or {}).get("enforcementRefs") == refs
        else patch_ops.patch(patch_ops.set_marketing_actions(refs))
    )


def _manifest(enabled: bool) -> Derive:
    return lambda entity: (
        None
        if (entity.data.get("params") or {}).get("includeFileManifest") == enabled
        else patch_ops.patch(patch_ops.set_file_manifest(enabled))
    )


def activate(
    client: FlowServiceClient, payloads: Payloads, progress: Callable[[str], None] = lambda _s: None
) -> ActivationResult:
    steps, reply = plan(payloads), None
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
) -> ActivationResult:
    steps, reply = plan(payloads), None
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
    "MappingSet",
    "Payloads",
    "aactivate",
    "activate",
    "plan",
    "prepare",
]
