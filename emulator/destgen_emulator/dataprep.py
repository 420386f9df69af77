"""Data Prep (conversion schemas, mapping sets) and the Profile / Identity look-ups the workflow
uses.

HTTP-free like flowservice.py: parsed input in, (status, body) out or ApiError.
"""

from __future__ import annotations

import re
from typing import Any

from destgen_emulator.errors import ApiError, flow
from destgen_emulator.state import EmulatorState
from destgen_emulator.store import Tenant, tenant_of

IDENTITY_NAMESPACES = [
    {
        "code": code,
        "id": number,
        "name": name,
        "idType": kind,
        "namespaceType": "Standard",
        "status": "ACTIVE",
        "custom": False,
    }
    for number, (code, name, kind) in enumerate(
        [
            ("ECID", "ECID", "COOKIE"),
            ("Email", "Email", "Email"),
            ("Phone_E.164", "Phone (E.164)", "Phone"),
            ("GAID", "Google Ad ID (GAID)", "DEVICE"),
            ("IDFA", "Apple IDFA", "DEVICE"),
            ("Email_LC_SHA256", "Emails (SHA256, lowercased)", "Email"),
        ],
        start=4,
    )
]
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
    entity = state.store.create("schemas", body, {**meta, "version": 0})
    return 200, _public(entity)


def create_mapping_set(
    state: EmulatorState, body: Any, meta: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """``POST /mappingSets``: validate and store a mapping set, answer 201 with its id."""
    if not isinstance(body, dict):
        raise ApiError(400, {"message": "The body must be a JSON object"})
    problems = []
    for key in ("inputSchema", "outputSchema"):
        ref = body.get(key)
        schema_id = ref.get("id") if isinstance(ref, dict) else None
        if not _schema_exists(state, schema_id, tenant_of(meta)):
            problems.append(f"$.{key}.id: schema {schema_id} does not exist")
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


def _schema_exists(state: EmulatorState, schema_id: object, tenant: Tenant) -> bool:
    try:
        state.store.get("schemas", str(schema_id), tenant)
    except ApiError:
        return False
    return True


def get(state: EmulatorState, collection: str, entity_id: str, tenant: Tenant) -> dict[str, Any]:
    """One Data Prep entity of the caller's org and sandbox by id, or a 404 ``ApiError``."""
    return _public(state.store.get(collection, entity_id, tenant))


# Bookkeeping the Data Prep answers do not show: store fields and the owning org and sandbox.
_PRIVATE = ("etag", "createdAt", "updatedAt", "imsOrgId", "sandboxName", "sandboxId")


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
