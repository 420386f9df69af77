"""Data Prep (conversion schemas, mapping sets) and the Profile / Identity look-ups the workflow
uses.

HTTP-free like flowservice.py: parsed input in, (status, body) out or ApiError.
"""

from __future__ import annotations

import re
from typing import Any

from destgen_emulator.service.errors import ApiError, flow
from destgen_emulator.service.listing import whole_number
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Tenant, tenant_of

UNION_SCHEMA = {
    "title": "XDM Individual Profile",
    "type": "object",
    "properties": {
        "person": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "object",
                    "properties": {"firstName": {"type": "string"}, "lastName": {"type": "string"}},
                }
            },
        },
        "personalEmail": {"type": "object", "properties": {"address": {"type": "string"}}},
        "segmentMembership": {"type": "object"},
        "identityMap": {"type": "object"},
    },
}
SOURCE_TYPES = ("ATTRIBUTE", "EXPRESSION", "STATIC")


def create_schema(
    state: EmulatorState, body: Any, meta: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """``POST /data/foundation/conversion/schemas``: store a schema, answer 201 with its id."""
    if not isinstance(body, dict) or not ({"jsonSchema", "schemaRef", "sampleId"} & body.keys()):
        raise ApiError(400, {"message": "A schema needs jsonSchema, schemaRef or sampleId"})
    if "jsonSchema" in body and not isinstance(body["jsonSchema"], dict):
        raise ApiError(400, {"message": "jsonSchema must be a JSON object"})
    now = state.store.now_ms()
    entity = state.store.create(
        "schemas", body, {**meta, "version": 0, "createdDate": now, "modifiedDate": now}
    )
    return 200, _public(entity)


def _check_mapping_set(state: EmulatorState, body: Any, tenant: Tenant) -> dict[str, Any]:
    """The rules of a mapping set body (create and update alike); FLOW-1419-400 lists them all."""
    if not isinstance(body, dict):
        raise ApiError(400, {"message": "The body must be a JSON object"})
    problems = []
    # Optional, as in Data Prep's MappingSet schema (aepp sends none for XDM targets); when
    # given, it must exist.
    if "inputSchema" in body:
        input_ref = body["inputSchema"]
        input_id = input_ref.get("id") if isinstance(input_ref, dict) else None
        if not _schema_exists(state, input_id, tenant):
            problems.append(f"$.inputSchema.id: schema {input_id} does not exist")
    problems += _output_schema_problems(state, body.get("outputSchema"), tenant)
    mappings = body.get("mappings")
    if not isinstance(mappings, list) or not mappings:
        problems.append("$.mappings: at least one mapping is required")
    for index, item in enumerate(mappings if isinstance(mappings, list) else []):
        if not isinstance(item, dict) or not item.get("source") or not item.get("destination"):
            problems.append(f"$.mappings[{index}]: source and destination are required")
            continue
        if "." in str(item["destination"]):
            problems.append(f"$.mappings[{index}].destination: may not contain '.'")
        if item.get("sourceType", "ATTRIBUTE") not in SOURCE_TYPES:
            problems.append(f"$.mappings[{index}].sourceType: one of {', '.join(SOURCE_TYPES)}")
    if problems:
        raise flow(1419, 400, "The mapping set failed validation", problems=problems)
    return body


def _output_schema_problems(state: EmulatorState, ref: Any, tenant: Tenant) -> list[str]:
    """The output schema is a conversion schema (``id``) or an XDM schema (``schemaRef``)."""
    if isinstance(ref, dict) and "schemaRef" in ref and "id" not in ref:
        schema_ref = ref["schemaRef"]
        if not isinstance(schema_ref, dict) or not isinstance(schema_ref.get("id"), str):
            return ["$.outputSchema.schemaRef.id: an XDM schema id is required"]
        if not str(schema_ref.get("contentType", "")).startswith("application/vnd.adobe.xed"):
            return ["$.outputSchema.schemaRef.contentType: an application/vnd.adobe.xed type"]
        return []
    schema_id = ref.get("id") if isinstance(ref, dict) else None
    if not _schema_exists(state, schema_id, tenant):
        return [f"$.outputSchema.id: schema {schema_id} does not exist"]
    return []


def create_mapping_set(
    state: EmulatorState, body: Any, meta: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """``POST /mappingSets``: validate and store a mapping set, answer 200 with its id."""
    body = _check_mapping_set(state, body, tenant_of(meta))
    now = state.store.now_ms()
    entity = state.store.create(
        "mappingSets",
        body,
        {
            **meta,
            "version": 0,
            "createdDate": now,
            "modifiedDate": now,
            "createdBy": "emulator@AdobeID",
            "modifiedBy": "emulator@AdobeID",
        },
    )
    return 200, _public(entity)


def update_mapping_set(
    state: EmulatorState, mapping_set_id: str, body: Any, tenant: Tenant
) -> tuple[int, dict[str, Any]]:
    """``PUT /mappingSets/{id}``: a new version of the whole mapping set (version + 1); earlier
    versions stay readable with ``?version=n``, as flows may still point at them.
    """
    body = _check_mapping_set(state, body, tenant)
    content = {k: v for k, v in body.items() if k not in _SYSTEM}

    def change(entity: dict[str, Any]) -> dict[str, Any]:
        history = [*entity.get(_HISTORY, []), _public(entity)]
        kept = {k: v for k, v in entity.items() if k in (*_SYSTEM, *_PRIVATE, *_AUDIT)}
        return (
            kept
            | content
            | {
                "version": entity["version"] + 1,
                "modifiedDate": state.store.now_ms(),
                "modifiedBy": "emulator@AdobeID",
                _HISTORY: history,
            }
        )

    return 200, _public(state.store.update("mappingSets", mapping_set_id, None, change, tenant))


def list_entities(
    state: EmulatorState, collection: str, query: list[tuple[str, str]], tenant: Tenant
) -> dict[str, Any]:
    """``GET /mappingSets`` or ``/schemas`` with ``limit`` and ``start`` (both required): offset
    pages, a ``name`` filter and ``orderBy`` on ``createdDate`` or ``updatedDate`` (``-`` first
    for newest first), in Data Prep's own shape.
    """
    params = dict(query)
    limit, start = _bounded(params, "limit", 1, 100), _bounded(params, "start", 0, None)
    name = params.get("name")
    order = params.get("orderBy", "-updatedDate")
    field = {"createdDate": "createdDate", "updatedDate": "modifiedDate"}.get(order.lstrip("+-"))
    if field is None:
        raise ApiError(400, {"message": "orderBy is createdDate or updatedDate, + or - first"})
    found = state.store.find(collection, lambda e: name is None or e.get("name") == name, tenant)
    found.sort(key=lambda e: (e.get(field, 0), e["id"]), reverse=order.startswith("-"))
    data = [_public(e) for e in found[start : start + limit]]
    return {"data": data, "_page": {"count": len(data), "limit": limit}, "_links": {}}


def _bounded(params: dict[str, str], key: str, low: int, high: int | None) -> int:
    """A required integer query parameter within bounds, else a 400 naming it."""
    value = whole_number(params.get(key), low, high)
    if value is None:
        top = f" to {high}" if high is not None else " or more"
        raise ApiError(400, {"message": f"{key} is required: an integer from {low}{top}"})
    return value


def _schema_exists(state: EmulatorState, schema_id: object, tenant: Tenant) -> bool:
    try:
        state.store.get("schemas", str(schema_id), tenant)
    except ApiError:
        return False
    return True


def get(
    state: EmulatorState,
    collection: str,
    entity_id: str,
    tenant: Tenant,
    version: str | None = None,
) -> dict[str, Any]:
    """One Data Prep entity of the caller's org and sandbox by id (a mapping set at ``version``
    when asked), or a 404 ``ApiError``.
    """
    entity = state.store.get(collection, entity_id, tenant)
    if version is None or str(entity.get("version")) == version:
        return _public(entity)
    for earlier in entity.get(_HISTORY, []):
        if str(earlier.get("version")) == version:
            return dict(earlier)
    raise ApiError(404, {"message": f"{collection} {entity_id} has no version {version}"})


# Bookkeeping the Data Prep answers do not show: store fields, the owning org and sandbox, and
# a mapping set's earlier versions.
_HISTORY = "_versions"
_PRIVATE = ("etag", "createdAt", "updatedAt", "imsOrgId", "sandboxName", "sandboxId", _HISTORY)
# Who created and changed it, kept across updates.
_AUDIT = ("createdClient", "updatedBy", "updatedClient")
# Set by the service: an update's body cannot change them.
_SYSTEM = ("id", "version", "createdDate", "createdBy", "modifiedDate", "modifiedBy")


def _public(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if k not in _PRIVATE}


def union_schema(query: list[tuple[str, str]]) -> dict[str, Any]:
    """The profile union schema; a ``property=`` flag other than the documented two is a 400."""
    for key, value in query:
        if key == "property" and not re.fullmatch(
            r"(fullSchema|includeRelationshipDescriptors)==(true|false)", value
        ):
            raise ApiError(400, {"message": f"unsupported property {value}"})
    return UNION_SCHEMA
