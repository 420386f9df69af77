"""aepp (Adobe's de-facto Python wrapper, nobody here wrote it) drives the audience workflow against
the emulator on 127.0.0.1, and every call returns what the docs say.

Outside the fast suite (aepp pulls in about 500 MB): `make test-clients` installs it once into
.venv-clients and runs this file; .ci/run runs it after the README's test command. Its token comes
from the emulator's own /ims/token/v3 with client credentials, as aepp fetches it from IMS.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Imported, never skipped: a missing aepp fails this run (make test-clients installs it).
import aepp
import pytest
from aepp import dataprep, flowservice

from destgen_emulator import EmulatorServer
from destgen_emulator.service.auth import AuthPolicy

ROOT = Path(__file__).resolve().parent.parent.parent
DOCUMENTED = ROOT / "tests" / "examples" / "documented"
CLIENT_ID, CLIENT_SECRET, ORG = "aepp-client", "aepp-secret-value", "AEPP@AdobeOrg"
S3_SPEC = "4fce964d-3f37-408f-9778-e597338a21ee"


def _documented(name: str) -> Any:
    return json.loads((DOCUMENTED / f"{name}.json").read_text())


def _flow_body(name: str, source: str, target: str) -> dict[str, Any]:
    """The tutorial's S3 dataflow with its GeneralTransform (the Blob page's body carries one;
    the S3 page's empty list would refuse the audience PATCH, as decisions.md 12.2 says).
    """
    body: dict[str, Any] = _documented("04_create_dataflow__azure_blob")
    return body | {
        "name": name,
        "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
    }


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    policy = AuthPolicy(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with EmulatorServer(auth=policy) as server:
        yield server


@pytest.fixture(scope="module")
def connection(emulator: EmulatorServer) -> Any:
    """aepp configured for the emulator: its API base and its IMS token endpoint."""
    warnings.simplefilter("ignore")  # aepp posts to IMS with verify=False: urllib3 warns
    instance = aepp.configure(
        org_id=ORG,
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        scopes="openid,AdobeID,read_organizations",
        sandbox="prod",
        environment="support",
        endpoint=emulator.base_url,
        connectInstance=True,
    )
    token_url = f"{emulator.base_url}/ims/token/v3"
    instance.oauthEndpointV2 = token_url
    instance.__configObject__["oauthTokenEndpointV2"] = token_url
    aepp.config.config_object["oauthTokenEndpointV2"] = token_url
    return instance


@pytest.fixture(scope="module")
def flows(connection: Any) -> Any:
    return flowservice.FlowService(config=connection)


def test_specs_are_listed_and_read(flows: Any) -> None:
    specs = flows.getConnectionSpecs()
    assert S3_SPEC in {s["id"] for s in specs}
    spec = flows.getConnectionSpec(S3_SPEC)  # the documented envelope, as aepp hands it on
    assert spec["items"][0]["name"] == "Amazon S3"
    assert flows.getConnectionSpecIdFromName("Amazon S3") == S3_SPEC
    flow_specs = flows.getFlowSpecs()
    assert flow_specs
    assert all("id" in f for f in flow_specs)


def test_the_audience_workflow_end_to_end(emulator: EmulatorServer, flows: Any) -> None:
    base = flows.createConnection(data=_documented("02_base_connection__amazon_s3_access_key"))
    assert set(base) == {"id", "etag"}
    assert flows.connectionTest(base["id"]) == {"result": True}
    source = flows.createSourceConnection(
        data=_documented("01_source_connection__create_source_connection")
    )
    target_body = _documented("03_target_connection__amazon_s3") | {"baseConnectionId": base["id"]}
    target = flows.createTargetConnection(data=target_body)
    flow_body = _flow_body("aepp flow", source["id"], target["id"])
    flow = flows.createFlow(flow_spec_id=flow_body["flowSpec"]["id"], obj=flow_body)
    assert set(flow) == {"id", "etag"}, flow

    # An audience added the way aepp's docstring shows ops, title case and all.
    add = copy.deepcopy(_documented("04b_add_audiences__add_audience_to_dataflow"))
    for op in add:
        op["op"] = op["op"].title()
    current = flows.getFlow(flow["id"])
    patched = flows.updateFlow(flow["id"], current["etag"], add)
    assert patched["id"] == flow["id"]
    stored = flows.getFlow(flow["id"])
    selectors = stored["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    assert len(selectors) == len(add)

    # Runs appear as time passes; aepp lists them with count=false and follows next links.
    emulator.advance(48)
    runs = flows.getRuns(limit=1, prop=f"flowId=={flow['id']}")
    assert len(runs) >= 2
    assert {r["flowId"] for r in runs} == {flow["id"]}

    assert flows.deleteFlow(flow["id"]) is not None
    assert flows.deleteTargetConnection(target["id"]) is not None
    assert flows.deleteSourceConnection(source["id"]) is not None
    assert flows.deleteConnection(base["id"]) is not None
    assert flows.getFlows(onlyDestinations=True) == []


def test_flows_page_with_count_false_and_the_documented_next_link(flows: Any) -> None:
    source = flows.createSourceConnection(
        data=_documented("01_source_connection__create_source_connection")
    )
    base = flows.createConnection(data=_documented("02_base_connection__amazon_s3_access_key"))
    target_body = _documented("03_target_connection__amazon_s3") | {"baseConnectionId": base["id"]}
    target = flows.createTargetConnection(data=target_body)
    made = set()
    for n in range(5):
        body = _flow_body(f"aepp page {n}", source["id"], target["id"])
        made.add(flows.createFlow(flow_spec_id=body["flowSpec"]["id"], obj=body)["id"])
    listed = [f["id"] for f in flows.getFlows(limit=2, n_results="inf")]
    assert made <= set(listed)  # every page followed the way aepp does
    assert len(listed) == len(set(listed))  # and no flow twice


def test_mapping_sets_are_created_read_listed_and_updated(
    emulator: EmulatorServer, connection: Any
) -> None:
    prep = dataprep.DataPrep(config=connection)
    body = _documented("07_mapping_set__create_mapping_set")
    schema = prep.connector.postData(
        prep.endpoint + "/schemas", data={"name": "aepp input", "jsonSchema": {"type": "object"}}
    )
    body["inputSchema"] = {"id": schema["id"]}
    body["outputSchema"] = {
        "schemaRef": {
            "id": "https://ns.adobe.com/aepp/schemas/target",
            "contentType": "application/vnd.adobe.xed-full+json;version=1",
        }
    }
    made = prep.createMappingSet(mappingSet=body)
    assert made["version"] == 0
    read = prep.getMappingSet(made["id"])
    assert read["mappings"] == body["mappings"]
    listed = prep.connector.getData(
        prep.endpoint + "/mappingSets", params={"limit": 10, "start": 0}
    )
    assert made["id"] in {m["id"] for m in listed["data"]}
    rules = [{"sourceType": "ATTRIBUTE", "source": "personalEmail.address", "destination": "mail"}]
    updated = prep.updateMappingSet(made["id"], rules)  # aepp's PUT: output schema and rules
    assert (updated["id"], updated["version"]) == (made["id"], 1)
    assert prep.getMappingSet(made["id"])["mappings"] == rules
