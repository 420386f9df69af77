"""Tenant isolation in the emulator, over sockets: every entity belongs to the (IMS org, sandbox)
that created it; every verb on every route (GET, LIST, PATCH, DELETE, enable/disable, Data Prep
reads, references between entities) sees only its own, and a body ``id`` never picks the id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, documented
from tests.e2e.conftest import use_emulator

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


def test_one_tenants_unrunnable_flow_never_fails_another_tenants_advance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)
    long_path = json.loads((ROOT / "examples" / "azure_blob.json").read_text())
    long_path["targetConnection"]["params"]["path"] = (
        "x" * 5000
    )  # longer than any path the kernel takes
    (tmp_path / "long.json").write_text(json.dumps(long_path))
    delivered = tmp_path / "delivered"
    delivered.mkdir()
    (delivered / "BLOCKED@AdobeOrg").write_text("a file where the org's folder goes")
    with EmulatorServer(deliver_to=delivered) as server:
        for org, path in (
            ("BLOCKED@AdobeOrg", ROOT / "examples" / "amazon_s3.json"),
            ("GOOD@AdobeOrg", ROOT / "examples" / "amazon_s3.json"),
            ("LONG@AdobeOrg", tmp_path / "long.json"),
            ("ODD@AdobeOrg", ROOT / "examples" / "google_cloud_storage.json"),
        ):
            use_emulator(monkeypatch, server.base_url, org)
            assert main(["apply", "--yes", str(path)]) == 0
        (odd,) = [f for f in server.state.store.all("flows") if f["imsOrgId"] == "ODD@AdobeOrg"]
        server.state.store.update(
            "flows", odd["id"], None, lambda flow: flow | {"transformations": "odd"}
        )
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            answer = http.post("/emulator/advance?hours=24", headers=OWNER)
        assert answer.status_code == 200, answer.text
        by_org = {
            org: [r for r in server.state.store.all("runs") if r["imsOrgId"] == org]
            for org in ("GOOD@AdobeOrg", "BLOCKED@AdobeOrg", "LONG@AdobeOrg", "ODD@AdobeOrg")
        }
    good = by_org["GOOD@AdobeOrg"]
    assert good
    assert {r["metrics"]["statusSummary"]["status"] for r in good} == {"success"}
    assert all(r["metrics"]["files"] for r in good)
    blocked, *_ = by_org["BLOCKED@AdobeOrg"]
    assert blocked["metrics"]["statusSummary"]["status"] == "failed"
    assert "could not be written" in blocked["metrics"]["statusSummary"]["errors"][0]["message"]
    long_run, *_ = by_org["LONG@AdobeOrg"]  # delivered, each folder name cut to what fits
    assert long_run["metrics"]["statusSummary"]["status"] == "success"
    written = Path(long_run["metrics"]["files"][0]["path"])
    assert max(len(part) for part in written.parts) <= 255
    (odd_run,) = by_org["ODD@AdobeOrg"]
    assert odd_run["metrics"]["statusSummary"]["status"] == "failed"
    error = odd_run["metrics"]["statusSummary"]["errors"][0]
    assert error["code"] == "DESTGEN-DATAFLOW-UNREADABLE"
