"""Tenant isolation in the emulator, over sockets: every entity belongs to the (IMS org, sandbox)
that created it; every verb on every route (GET, LIST, PATCH, DELETE, enable/disable, Data Prep
reads, references between entities) sees only its own, and a body ``id`` never picks the id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from destgen_emulator import EmulatorServer
from tests.conftest import documented

FLOW = "/data/foundation/flowservice"
PREP = "/data/foundation/conversion"


def _headers(org: str, sandbox: str) -> dict[str, str]:
    return {
        "Authorization": "Bearer t",
        "x-api-key": "k",
        "x-gw-ims-org-id": org,
        "x-sandbox-name": sandbox,
    }


OWNER = _headers("ORG@AdobeOrg", "prod")
OTHERS = {
    "other-sandbox": _headers("ORG@AdobeOrg", "dev"),
    "other-org": _headers("OTHER@AdobeOrg", "prod"),
}


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[httpx.Client, dict[str, Any]]]:
    with EmulatorServer() as server, httpx.Client(base_url=server.base_url, timeout=10) as http:

        def post(path: str, body: dict[str, Any]) -> str:
            answer = http.post(path, json=body, headers=OWNER)
            assert answer.status_code in (200, 201), answer.text
            return str(answer.json()["id"])

        source = post(
            f"{FLOW}/sourceConnections",
            documented("01_source_connection__create_source_connection"),
        )
        base = post(f"{FLOW}/connections", documented("02_base_connection__amazon_s3_access_key"))
        target = post(
            f"{FLOW}/targetConnections",
            documented("03_target_connection__amazon_s3") | {"baseConnectionId": base},
        )
        flow = post(
            f"{FLOW}/flows",
            documented("04_create_dataflow__amazon_s3")
            | {"sourceConnectionIds": [source], "targetConnectionIds": [target]},
        )
        schema = post(f"{PREP}/schemas", {"jsonSchema": {"type": "object"}})
        ids = {"source": source, "base": base, "target": target, "flow": flow, "schema": schema}
        yield http, ids


@pytest.mark.parametrize("other", sorted(OTHERS))
def test_another_tenant_sees_nothing_and_changes_nothing(
    world: tuple[httpx.Client, dict[str, Any]], other: str
) -> None:
    http, ids = world
    them = OTHERS[other]
    flow_url = f"{FLOW}/flows/{ids['flow']}"
    etag = http.get(flow_url, headers=OWNER).json()["items"][0]["etag"]
    assert http.get(flow_url, headers=them).status_code == 404
    assert http.get(f"{FLOW}/flows", headers=them).json()["items"] == []
    rename = [{"op": "replace", "path": "/name", "value": "taken over"}]
    assert http.patch(flow_url, json=rename, headers=them | {"If-Match": etag}).status_code == 404
    action = http.post(
        f"{flow_url}/action", params={"op": "disable"}, headers=them | {"If-Match": etag}
    )
    assert action.status_code == 404
    assert http.delete(f"{FLOW}/targetConnections/{ids['target']}", headers=them).status_code == 404
    assert http.get(f"{PREP}/schemas/{ids['schema']}", headers=them).status_code == 404
    # References across tenants do not resolve either.
    target = documented("03_target_connection__amazon_s3") | {"baseConnectionId": ids["base"]}
    refused = http.post(f"{FLOW}/targetConnections", json=target, headers=them)
    assert refused.status_code == 404
    assert "FLOW-1101-404" in refused.text
    mapping = {
        "inputSchema": {"id": ids["schema"]},
        "outputSchema": {"id": ids["schema"]},
        "mappings": [{"source": "a", "destination": "b"}],
    }
    assert http.post(f"{PREP}/mappingSets", json=mapping, headers=them).status_code == 400
    # The owner's entities are untouched.
    mine = http.get(flow_url, headers=OWNER).json()["items"][0]
    assert mine["etag"] == etag
    assert mine["state"] == "enabled"


def test_a_body_id_never_picks_or_overwrites_an_entity(
    world: tuple[httpx.Client, dict[str, Any]],
) -> None:
    http, ids = world
    hijack = {"id": ids["schema"], "jsonSchema": {"type": "string"}}
    answer = http.post(f"{PREP}/schemas", json=hijack, headers=OTHERS["other-sandbox"])
    assert answer.status_code == 200
    assert answer.json()["id"] != ids["schema"]
    owner_view = http.get(f"{PREP}/schemas/{ids['schema']}", headers=OWNER).json()
    assert owner_view["jsonSchema"] == {"type": "object"}
