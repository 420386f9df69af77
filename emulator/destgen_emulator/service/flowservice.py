"""Flow Service semantics: create, read, list, PATCH with If-Match, delete and actions per
collection.

HTTP-free: every function takes parsed input and returns a (status, body) pair or raises ApiError.
"""

from __future__ import annotations

import uuid
from typing import Any

from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID

from destgen_emulator.delivery.deliver import delivery_base
from destgen_emulator.service import dataset_flows, flow_kinds, listing, validation
from destgen_emulator.service.catalog import PROFILE_STORE_SPEC, Destination
from destgen_emulator.service.errors import ApiError, flow
from destgen_emulator.service.errors import validation as validation_error
from destgen_emulator.service.patching import PATCH_ERROR, apply_patch, check_shape
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Tenant, tenant_of

# What a PATCH may touch per collection (docs/api-contract.md §4): everything else is system-owned.
PATCHABLE = {
    "flows": (
        "/name",
        "/description",
        "/transformations",
        "/policy",
        "/labels",
        "/sourceConnectionIds",
        "/scheduleParams",
    ),
    "targetConnections": ("/name", "/description", "/params"),
    "connections": ("/name", "/description", "/auth/params"),
    "sourceConnections": ("/name", "/description"),
}
# Set by the service, never taken from a request body.
SYSTEM_FIELDS = frozenset(
    {
        "id",
        "etag",
        "version",
        "createdAt",
        "updatedAt",
        "createdBy",
        "updatedBy",
        "createdClient",
        "updatedClient",
        "sandboxId",
        "sandboxName",
        "imsOrgId",
    }
)
# docs/api-contract.md §12.5: flows, source and target connections answer 202 (DY, DELF); base
# connections 204
# (DELA, FY).
DELETE_STATUS = {
    "flows": 202,
    "sourceConnections": 202,
    "targetConnections": 202,
    "connections": 204,
}


def create(
    state: EmulatorState, collection: str, body: Any, meta: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """``POST`` to a Flow Service collection: validate against the spec, store, answer 201."""
    validation.require_name(body)
    if "state" in body:
        raise flow(1410, 400, "State is not allowed in the create flow request")
    body = {k: v for k, v in body.items() if k not in SYSTEM_FIELDS}
    tenant = tenant_of(meta)
    prepared = CREATORS[collection](state, body, tenant)
    entity_id = None
    if collection == "flows":
        entity_id = str(uuid.uuid4())
        prepared = {**prepared, "runs": f"/runs?property=flowId=={entity_id}"}
    entity = state.store.create(collection, prepared, {**meta, "state": "enabled"}, entity_id)
    return 201, {"id": entity["id"], "etag": entity["etag"]}


def _source(state: EmulatorState, body: dict[str, Any], tenant: Tenant) -> dict[str, Any]:
    ref = validation.require_spec_ref(body, "connectionSpec")
    if dataset_flows.is_data_lake(body):
        return dataset_flows.source_connection(body, tenant[1])
    if ref["id"] != PROFILE_STORE_SPEC["id"]:
        raise flow(
            1413,
            400,
            f"Invalid connection spec id {ref['id']} for a source connection: audiences come "
            f"from the Profile store ({PROFILE_STORE_SPEC['id']}), datasets from the Data Lake "
            f"({DATA_LAKE_SPEC_ID})",
        )
    # typeInfo as the flow GET examples show it for the Profile store (docs/api-contract.md §2.7).
    return body | {"typeInfo": {"type": "ProfileFragments", "id": "ups"}, "inheritedAttributes": {}}


def _base(state: EmulatorState, body: dict[str, Any], tenant: Tenant) -> dict[str, Any]:
    if "connectionSpec" not in body and "auth" not in body:
        return body  # the documented Data Landing Zone body: only a name
    ref = validation.require_spec_ref(body, "connectionSpec")
    destination = state.destination_of_spec(ref["id"])
    if destination is None:
        raise ApiError(400, {"message": "Please provide a valid spec id"})
    validation.base_connection(body, destination)
    if isinstance(body.get("auth"), dict):
        auth = body["auth"]
        _learn_sftp_login(state, destination, auth.get("params"), tenant)
        body = {
            **body,
            "auth": {
                **auth,
                "params": state.masked_auth(destination, auth["specName"], auth.get("params")),
            },
        }
    return body


def _learn_sftp_login(
    state: EmulatorState, destination: Destination, params: Any, tenant: Tenant
) -> None:
    """With ``--sftp``, the SFTP server learns the login before the secrets are masked (kept in
    memory as a hash or a public key) and roots it at the destination's delivered folder.
    """
    if state.sftp is None or state.deliver_to is None or not isinstance(params, dict):
        return
    username = params.get("username")
    if isinstance(username, str) and username:
        # The tenant's own folder (org and sandbox): another org's login of the same username
        # is another account, rooted elsewhere.
        root = delivery_base(state.deliver_to, (str(tenant[0]), tenant[1]), destination.slug)
        state.sftp.accounts.register(username, root, params, jail=state.deliver_to)


def _target(state: EmulatorState, body: dict[str, Any], tenant: Tenant) -> dict[str, Any]:
    ref = validation.require_spec_ref(body, "connectionSpec")
    destination = state.destination_of_spec(ref["id"])
    if destination is None:
        raise flow(1413, 400, f"Invalid connection spec id {ref['id']}")
    base_id = body.get("baseConnectionId")
    base = _existing(state, "connections", base_id, "baseConnectionId", tenant)
    base_spec = (base.get("connectionSpec") or {}).get("id")
    if base_spec not in (None, ref["id"]):
        raise flow(
            1413,
            400,
            f"Base connection {base_id} belongs to connection spec {base_spec}, not {ref['id']}",
        )
    validation.target_params(body.get("params"), destination)
    return body | {
        "inheritedAttributes": {
            "baseConnection": {"id": base_id, "connectionSpec": base.get("connectionSpec")}
        }
    }


def _flow(state: EmulatorState, body: dict[str, Any], tenant: Tenant) -> dict[str, Any]:
    ref = validation.require_spec_ref(body, "flowSpec")
    # The flow spec decides the workflow (attributes._workflow); everything else follows it.
    served = state.catalog.audience_flows.get(ref["id"], [])
    workflow = validation.AUDIENCE_WORKFLOW
    if not served:
        served = state.catalog.dataset_flows.get(ref["id"], [])
        workflow = validation.DATASET_WORKFLOW
    if not served:
        raise flow(1413, 400, f"Invalid flow spec id {ref['id']}")
    sources = [
        _existing(state, "sourceConnections", i, "sourceConnectionIds", tenant)
        for i in _ids(body, "sourceConnectionIds")
    ]
    targets = [
        _existing(state, "targetConnections", i, "targetConnectionIds", tenant)
        for i in _ids(body, "targetConnectionIds")
    ]
    # A flow spec may serve several destinations: the target connection says which one.
    destination = served[0]
    for target in targets:
        match = [d for d in served if d.spec_id == target["connectionSpec"]["id"]]
        if not match:
            names = ", ".join(d.spec["name"] for d in served)
            raise flow(
                1413,
                400,
                f"Flow spec {ref['id']} is for {names}; target connection "
                f"{target['id']} is for connection spec {target['connectionSpec']['id']}",
            )
        destination = match[0]
    _check_workflow(destination, ref["id"], workflow, sources, targets)
    flow_kinds.kind_of(workflow, destination).check(state, body, tenant, destination)
    # The documented filter for dataset dataflows reads
    # inheritedAttributes.targetConnections[].data.outputType==DATASET_EXPORT.
    output = {"data": {"outputType": "DATASET_EXPORT"}} if workflow != "AUDIENCES" else {}
    inherited = {
        "properties": {"isDestinationFlow": True},
        "sourceConnections": [
            {"id": s["id"], "connectionSpec": s["connectionSpec"]} for s in sources
        ],
        "targetConnections": [
            {"id": t["id"], "connectionSpec": t["connectionSpec"]} | output for t in targets
        ],
    }
    return body | {"inheritedAttributes": inherited}


def _check_workflow(
    destination: Destination,
    flow_spec_id: str,
    workflow: str,
    sources: list[dict[str, Any]],
    targets: list[dict[str, Any]],
) -> None:
    """Sources and targets must be written for the flow spec's workflow; the message names the
    flow spec the other workflow takes, since picking the wrong one of the pair is the usual slip.
    """
    dataset = workflow == validation.DATASET_WORKFLOW
    kind, other_kind = ("dataset", "audience") if dataset else ("audience", "dataset")
    other = destination.flow_spec_ids[0] if dataset else destination.dataset_flow_spec_id
    because = (
        f"flow spec {flow_spec_id} is the {kind} export flow spec of {destination.spec['name']} "
        f"(attributes._workflow {workflow}); {'an' if dataset else 'a'} {other_kind} dataflow "
        f"takes {other}"
    )
    for source in sources:
        if dataset_flows.is_data_lake(source) != dataset:
            wanted = "a Data Lake" if dataset else "a Profile store"
            raise flow(
                1413, 400, f"Source connection {source['id']} is not {wanted} one: {because}"
            )
    for target in targets:
        written_for = validation.params_workflow(target.get("params"))
        if written_for != workflow:
            expected = "datasetFileType" if dataset else "fileType"
            raise flow(
                1413,
                400,
                f"Target connection {target['id']} has {written_for} params ({expected} "
                f"expected): {because}",
            )
        validation.target_params(target.get("params"), destination, workflow)


CREATORS = {
    "sourceConnections": _source,
    "connections": _base,
    "targetConnections": _target,
    "flows": _flow,
}


def _ids(body: dict[str, Any], key: str) -> list[str]:
    ids = body.get(key)
    if not isinstance(ids, list) or len(ids) != 1 or not isinstance(ids[0], str):
        raise validation_error(f"{key} must hold exactly one id", [f"$.{key}: exactly one id"])
    return ids


def _existing(
    state: EmulatorState, collection: str, entity_id: Any, field: str, tenant: Tenant
) -> dict[str, Any]:
    try:
        return state.store.get(collection, str(entity_id), tenant)
    except ApiError:
        # The catalog's not-found code with its own status (FLOW-1101-404), the id and type
        # in the report as the documented 404 shows them.
        raise flow(
            1101,
            404,
            f"{field}: the requested {collection} resource {entity_id} is not found",
            id=str(entity_id),
            type=collection,
        ) from None


def patch(
    state: EmulatorState,
    collection: str,
    entity_id: str,
    if_match: str | None,
    ops: Any,
    tenant: Tenant,
) -> tuple[int, dict[str, Any]]:
    """``PATCH`` one entity with JSON Patch under ``If-Match``: all operations or none."""
    if if_match is None:
        raise flow(1403, 400, "The header 'If-Match' is missing in the request")
    ops = check_shape(ops)
    for op in ops:
        path = op["path"]
        if not any(path == p or path.startswith(p + "/") for p in PATCHABLE[collection]):
            raise flow(
                1455,
                400,
                f"{PATCH_ERROR}: " f"path '{path}' cannot be patched on {collection}",
            )

    def change(entity: dict[str, Any]) -> dict[str, Any]:
        adapted = [_replace_or_add(entity, op) for op in ops]
        if collection == "targetConnections":
            adapted = [_merge_params(entity, op) for op in adapted]
        updated = apply_patch(entity, adapted)
        touched_auth = any(op["path"].startswith("/auth") for op in ops)
        _check_patched(state, collection, updated, tenant, touched_auth=touched_auth)
        if collection == "flows":
            updated["lastOperation"] = {
                "operation": "update",
                "ops": ops,
                "percentCompleted": 100,
                "status": {"value": "completed", "errors": []},
            }
        return updated

    entity = state.store.update(collection, entity_id, if_match, change, tenant)
    return 200, {"id": entity["id"], "etag": entity["etag"]}


def _replace_or_add(entity: dict[str, Any], op: Any) -> Any:
    """``replace /description`` on an entity without one sets it, as ``validate`` (which cannot
    see the stored entity) accepts it: one answer in both (decisions.md).
    """
    if (
        isinstance(op, dict)
        and op.get("path") == "/description"
        and str(op.get("op", "")).lower() == "replace"
        and "description" not in entity
    ):
        return op | {"op": "add"}
    return op


def _merge_params(entity: dict[str, Any], op: Any) -> Any:
    """``replace /params`` on a target connection keeps the params it does not list: Adobe's
    edit-destination example sends bucket and path alone and presents the result as working
    (decisions.md). Every other op is applied as RFC 6902 says.
    """
    if (
        isinstance(op, dict)
        and op.get("path") == "/params"
        and str(op.get("op", "")).lower() in ("add", "replace")
        and isinstance(op.get("value"), dict)
        and isinstance(entity.get("params"), dict)
    ):
        return op | {"value": entity["params"] | op["value"]}
    return op


def _check_patched(
    state: EmulatorState,
    collection: str,
    entity: dict[str, Any],
    tenant: Tenant,
    *,
    touched_auth: bool,
) -> None:
    if collection == "flows":
        _check_patched_flow(state, entity, tenant)
        for transformation in entity.get("transformations") or []:
            mapping = (transformation.get("params") or {}).get("profileMapping") or {}
            if mapping:
                _check_mapping(state, mapping, tenant)
    elif collection == "targetConnections":
        destination = state.destination_of_spec(entity["connectionSpec"]["id"])
        if destination is not None:
            validation.target_params(entity.get("params"), destination)
    elif collection == "connections" and touched_auth:
        # New credentials replace the old ones entirely (EDIT); stored values are masked, so only
        # a PATCH that sends credentials is checked, and what it sends is masked in turn.
        destination = state.destination_of_spec((entity.get("connectionSpec") or {}).get("id", ""))
        if destination is not None and isinstance(entity.get("auth"), dict):
            validation.base_connection(entity, destination)
            auth = entity["auth"]
            auth["params"] = state.masked_auth(destination, auth["specName"], auth.get("params"))


def _check_patched_flow(state: EmulatorState, entity: dict[str, Any], tenant: Tenant) -> None:
    """A patched flow keeps its workflow's rules; a replaced source must exist and fit them."""
    flow_spec_id = (entity.get("flowSpec") or {}).get("id", "")
    destination = state.catalog.by_dataset_flow_spec.get(flow_spec_id)
    sources = [
        _existing(state, "sourceConnections", i, "sourceConnectionIds", tenant)
        for i in _ids(entity, "sourceConnectionIds")
    ]
    if destination is not None:
        _check_workflow(destination, flow_spec_id, validation.DATASET_WORKFLOW, sources, [])
        kind = flow_kinds.kind_of(validation.DATASET_WORKFLOW, destination)
        kind.check(state, entity, tenant, destination)
        return
    targets = [
        _existing(state, "targetConnections", i, "targetConnectionIds", tenant)
        for i in _ids(entity, "targetConnectionIds")
    ]
    destination = next(
        (state.destination_of_spec(t["connectionSpec"]["id"]) for t in targets), None
    ) or state.catalog.by_flow_spec.get(flow_spec_id)
    if destination is not None:
        _check_workflow(destination, flow_spec_id, validation.AUDIENCE_WORKFLOW, sources, [])
    kind = flow_kinds.kind_of(validation.AUDIENCE_WORKFLOW, destination)
    kind.check(state, entity, tenant, destination)


def _check_mapping(state: EmulatorState, mapping: dict[str, Any], tenant: Tenant) -> None:
    mapping_id, version = mapping.get("mappingId"), mapping.get("mappingVersion")
    try:
        stored = state.store.get("mappingSets", str(mapping_id), tenant)
    except ApiError:
        raise flow(1412, 400, f"Mapping set {mapping_id} does not exist") from None
    if version != stored.get("version"):
        raise flow(1412, 400, f"Invalid mapping version {version} for mapping set {mapping_id}")


def delete(state: EmulatorState, collection: str, entity_id: str, tenant: Tenant) -> int:
    """``DELETE`` one entity; refuse while a dataflow still uses a connection."""

    def guard() -> None:
        if collection == "connections":
            targets = {
                t["id"]
                for t in state.store.find(
                    "targetConnections", lambda t: t.get("baseConnectionId") == entity_id, tenant
                )
            }
            if state.store.find(
                "flows", lambda f: bool(targets & set(f.get("targetConnectionIds", []))), tenant
            ):
                raise flow(
                    1418,
                    400,
                    f"The base connection {entity_id} cannot be deleted because the base "
                    "connection is being used in one or more flows",
                )

    state.store.delete(collection, entity_id, guard, tenant)
    return DELETE_STATUS[collection]


def action(
    state: EmulatorState, flow_id: str, op: str | None, if_match: str | None, tenant: Tenant
) -> tuple[int, dict[str, Any]]:
    """``POST /flows/{id}?op=...``: enable or disable a dataflow."""
    wanted = {"enable": "enabled", "disable": "disabled"}.get((op or "").lower())
    if wanted is None:
        raise flow(1422, 400, f"The action {op} is not supported; use op=enable or op=disable")

    def change(entity: dict[str, Any]) -> dict[str, Any]:
        if entity.get("state") == wanted:
            message = f"The action {op.lower()} cannot be applied on the current state {wanted}"  # type: ignore[union-attr]
            raise flow(1422, 400, message)
        return {**entity, "state": wanted}

    entity = state.store.update("flows", flow_id, if_match, change, tenant)
    return 200, {"id": entity["id"], "etag": entity["etag"]}


def test_connection(state: EmulatorState, entity_id: str, tenant: Tenant) -> tuple[int, Any]:
    """``GET /connections/{id}/test``: ``{"result": true}`` for a base connection of the caller's
    tenant. Every stored connection passed its spec's checks on create; there is no remote
    storage to reach, so the answer cannot be false here.
    """
    state.store.get("connections", entity_id, tenant)  # a 404 when it is not there
    return 200, {"result": True}


def get_one(
    state: EmulatorState, collection: str, entity_id: str, tenant: Tenant
) -> dict[str, Any]:
    """``GET`` one entity of the caller's org and sandbox, or a 404 ``ApiError``."""
    return {"items": [state.store.get(collection, entity_id, tenant)]}


def list_all(
    state: EmulatorState, collection: str, tenant: Tenant, query: list[tuple[str, str]], path: str
) -> dict[str, Any]:
    """``GET`` a collection: filtered, ordered and paged with continuation tokens.

    ``path`` is the collection's path relative to the service (``/flows``), as next links show it.
    """
    return listing.listing(
        query,
        path,
        lambda filters: state.store.find(collection, lambda e: listing.matches(e, filters), tenant),
    )
