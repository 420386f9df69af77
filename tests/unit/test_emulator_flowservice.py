"""Flow Service semantics called directly (no HTTP): creates check every reference, PATCH keeps to
the patchable paths under If-Match, deletes refuse what a flow uses, actions change state once.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from destgen_emulator.service import flowservice
from destgen_emulator.service.catalog import Catalog
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.state import EmulatorState
from tests.conftest import ROOT, documented

META = {"sandboxName": "prod", "imsOrgId": "ORG@AdobeOrg"}
PROD = ("ORG@AdobeOrg", "prod")
S3_KEY = documented("02_base_connection__amazon_s3_access_key")
S3_TARGET = documented("03_target_connection__amazon_s3")
S3_FLOW = documented("04_create_dataflow__amazon_s3")
SOURCE = documented("01_source_connection__create_source_connection")


def _message(error: ApiError) -> str:
    return str(error.body.get("errorMessage") or error.body.get("message"))


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState(Catalog(ROOT / "specs_cache"))


def _create(state: EmulatorState, collection: str, body: dict[str, Any]) -> dict[str, Any]:
    status, created = flowservice.create(state, collection, copy.deepcopy(body), dict(META))
    assert status == 201
    return created


@pytest.fixture
def chain(state: EmulatorState) -> dict[str, str]:
    source = _create(state, "sourceConnections", SOURCE)["id"]
    base = _create(state, "connections", S3_KEY)["id"]
    target = _create(state, "targetConnections", S3_TARGET | {"baseConnectionId": base})["id"]
    body = S3_FLOW | {"sourceConnectionIds": [source], "targetConnectionIds": [target]}
    flow = _create(state, "flows", body)["id"]
    return {"source": source, "base": base, "target": target, "flow": flow}


def _refused(call: Any, message: str, status: int = 400) -> None:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.status == status
    assert message in _message(caught.value), _message(caught.value)


def test_creates_refuse_bad_references(state: EmulatorState, chain: dict[str, str]) -> None:
    def create(collection: str, body: dict[str, Any]) -> Any:
        return lambda: flowservice.create(state, collection, body, dict(META))

    other_spec = {"id": "00000000-0000-0000-0000-000000000000", "version": "1.0"}
    _refused(create("flows", S3_FLOW | {"state": "enabled"}), "State is not allowed")
    _refused(
        create("sourceConnections", SOURCE | {"connectionSpec": S3_KEY["connectionSpec"]}),
        "audiences come from the Profile store",
    )
    _refused(
        create("connections", S3_KEY | {"connectionSpec": other_spec}),
        "Please provide a valid spec id",
    )
    _refused(
        create("targetConnections", S3_TARGET | {"connectionSpec": other_spec}),
        "Invalid connection spec id",
    )
    _refused(
        create("targetConnections", S3_TARGET | {"baseConnectionId": "nope"}),
        "baseConnectionId: the requested connections resource nope is not found",
        status=404,
    )
    sftp_target = documented("03_target_connection__sftp")
    _refused(
        create("targetConnections", sftp_target | {"baseConnectionId": chain["base"]}),
        f"Base connection {chain['base']} belongs to connection spec",
    )
    _refused(
        create("flows", S3_FLOW | {"flowSpec": {"id": "nope", "version": "1.0"}}),
        "Invalid flow spec id nope",
    )
    _refused(
        create("flows", S3_FLOW | {"sourceConnectionIds": [], "targetConnectionIds": []}),
        "sourceConnectionIds must hold exactly one id",
    )
    blob_flow = documented("04_create_dataflow__azure_blob")
    _refused(
        create(
            "flows",
            blob_flow
            | {"sourceConnectionIds": [chain["source"]], "targetConnectionIds": [chain["target"]]},
        ),
        f"target connection {chain['target']} is for connection spec",
    )


def test_a_name_only_base_connection_is_stored_as_sent(state: EmulatorState) -> None:
    created = _create(state, "connections", {"name": "landing zone"})
    assert state.store.get("connections", created["id"])["name"] == "landing zone"


def test_patch_needs_if_match_and_patchable_paths(
    state: EmulatorState, chain: dict[str, str]
) -> None:
    etag = state.store.get("flows", chain["flow"])["etag"]
    ops = [{"op": "replace", "path": "/name", "value": "renamed"}]
    _refused(lambda: flowservice.patch(state, "flows", chain["flow"], None, ops, PROD), "If-Match")
    bad_path = [{"op": "replace", "path": "/flowSpec/id", "value": "x"}]
    _refused(
        lambda: flowservice.patch(state, "flows", chain["flow"], etag, bad_path, PROD),
        "path '/flowSpec/id' cannot be patched on flows",
    )
    status, patched = flowservice.patch(state, "flows", chain["flow"], etag, ops, PROD)
    assert status == 200
    assert patched["etag"] != etag
    _refused(
        lambda: flowservice.patch(state, "flows", chain["flow"], etag, ops, PROD),
        "",
        status=412,
    )
    stored = state.store.get("flows", chain["flow"])
    assert stored["name"] == "renamed"
    assert stored["lastOperation"]["operation"] == "update"


def test_target_patch_is_revalidated(state: EmulatorState, chain: dict[str, str]) -> None:
    etag = state.store.get("targetConnections", chain["target"])["etag"]
    ops = [{"op": "replace", "path": "/params/compression", "value": "ZIP"}]
    with pytest.raises(ApiError) as caught:
        flowservice.patch(state, "targetConnections", chain["target"], etag, ops, PROD)
    assert caught.value.status == 400
    assert state.store.get("targetConnections", chain["target"])["params"]["compression"] == "NONE"


def test_delete_refuses_a_base_connection_a_flow_uses(
    state: EmulatorState, chain: dict[str, str]
) -> None:
    _refused(
        lambda: flowservice.delete(state, "connections", chain["base"], PROD),
        "is being used in one or more flows",
    )
    assert flowservice.delete(state, "flows", chain["flow"], PROD) == 202
    assert flowservice.delete(state, "targetConnections", chain["target"], PROD) == 202
    assert flowservice.delete(state, "connections", chain["base"], PROD) == 204
    _refused(lambda: flowservice.delete(state, "connections", chain["base"], PROD), "", status=404)


def test_actions_change_state_once(state: EmulatorState, chain: dict[str, str]) -> None:
    etag = state.store.get("flows", chain["flow"])["etag"]
    _refused(
        lambda: flowservice.action(state, chain["flow"], "pause", etag, PROD), "action pause is not"
    )
    _refused(lambda: flowservice.action(state, chain["flow"], None, etag, PROD), "is not supported")
    _refused(
        lambda: flowservice.action(state, chain["flow"], "Enable", etag, PROD),
        "cannot be applied on the current state enabled",
    )
    status, done = flowservice.action(state, chain["flow"], "disable", etag, PROD)
    assert status == 200
    assert state.store.get("flows", chain["flow"])["state"] == "disabled"
    assert done["etag"] != etag


def test_reads_stay_in_their_sandbox(state: EmulatorState, chain: dict[str, str]) -> None:
    assert flowservice.get_one(state, "flows", chain["flow"], PROD)["items"][0]["id"]
    _refused(
        lambda: flowservice.get_one(state, "flows", chain["flow"], ("ORG@AdobeOrg", "dev")),
        "",
        status=404,
    )
    assert (
        flowservice.list_all(state, "flows", ("ORG@AdobeOrg", "dev"), [], "/flows")["items"] == []
    )
    counted = flowservice.list_all(state, "flows", PROD, [("count", "true")], "/flows")
    assert counted == {"count": 1}
    _refused(
        lambda: flowservice.list_all(
            state, "flows", PROD, [("count", "true"), ("limit", "1")], "/flows"
        ),
        "limit and count cannot be used together",
    )
