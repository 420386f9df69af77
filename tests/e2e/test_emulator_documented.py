"""Every documented audience-export request is accepted by the emulator, in workflow order.

Bodies come from tests/examples/documented with the ids the emulator returned substituted in.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from destgen_destinations import registry
from destgen_emulator.service.catalog import derived_flow_spec_id
from tests.conftest import DOCUMENTED_SLUGS, SLUGS, documented
from tests.e2e.conftest import created
from tests.examples.test_documented import DATASET_FLOW_SPECS

BASES = {
    "amazon_s3": ["amazon_s3_access_key", "amazon_s3_assumed_role"],
    "azure_blob": ["azure_blob"],
    "adls_gen2": ["adls_gen2"],
    "data_landing_zone": ["data_landing_zone"],
    "google_cloud_storage": ["google_cloud_storage"],
    "sftp": [
        "sftp_password",
        "sftp_ssh_key",
        "sftp_ssh_key_with_encryption.at_833e3855",
        "sftp_ssh_key_with_encryption",
    ],
}
CSV_TARGETS = ("amazon_s3", "google_cloud_storage")


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return copy.deepcopy(body) | changes


@pytest.mark.parametrize("slug", DOCUMENTED_SLUGS)
def test_emulator_accepts_documented_workflow(api: httpx.Client, slug: str) -> None:
    source = created(
        api.post(
            "/sourceConnections", json=documented("01_source_connection__create_source_connection")
        )
    )
    bases = [
        created(api.post("/connections", json=documented(f"02_base_connection__{name}")))
        for name in BASES[slug]
    ]
    targets = [documented(f"03_target_connection__{slug}")]
    if slug in CSV_TARGETS:
        targets.append(documented(f"03_target_connection__{slug}_with_csv_options"))
    target_ids = [
        created(api.post("/targetConnections", json=_with(t, baseConnectionId=bases[0]["id"])))[
            "id"
        ]
        for t in targets
    ]
    flow_body = _with(
        documented(f"04_create_dataflow__{slug}"),
        sourceConnectionIds=[source["id"]],
        targetConnectionIds=[target_ids[0]],
    )
    if slug in DATASET_FLOW_SPECS:
        # The tutorial's id is this destination's dataset flow spec: refused, naming both ids.
        dataset, audience = DATASET_FLOW_SPECS[slug]
        refused = api.post("/flows", json=flow_body)
        assert refused.status_code == 400
        assert f"{dataset} is the dataset export flow spec" in refused.text
        assert audience in refused.text
        flow_body = _with(flow_body, flowSpec={"id": audience, "version": "1.0"})
    created(api.post("/flows", json=flow_body))
    # The Azure Blob tab's skeleton is what later PATCHes need (docs/api-contract.md §12.2): use it
    # for the rest.
    skeleton = documented("04_create_dataflow__azure_blob")["transformations"]
    flow = created(api.post("/flows", json=_with(flow_body, transformations=skeleton)))
    etag = flow["etag"]
    for _ in range(9):  # the update example replaces audience index 8
        etag = _patch(
            api, flow["id"], etag, documented("04b_add_audiences__add_audience_to_dataflow")
        )
    for name in ("update_audience_in_dataflow", "remove_audiences_from_dataflow"):
        etag = _patch(api, flow["id"], etag, documented(f"04b_add_audiences__{name}"))
    for name in (
        "add_deduplication_key_identity",
        "add_mandatory_key_identity",
        "add_marketing_action",
    ):
        etag = _patch(api, flow["id"], etag, documented(f"08_other_dataflow_updates__{name}"))
    stored = api.get(f"/flows/{flow['id']}").json()["items"][0]
    params = stored["transformations"][0]["params"]
    assert len(params["segmentSelectors"]["selectors"]) == 7
    assert (
        params["segmentSelectors"]["selectors"][6]["value"]["exportMode"]
        == "FIRST_FULL_THEN_INCREMENTAL"
    )
    assert params["primaryFields"] == [{"identityNamespace": "GAID", "fieldType": "IDENTITY"}]
    assert stored["policy"]["enforcementRefs"][0].startswith("/dulepolicy/marketingActions/custom/")
    target = api.get(f"/targetConnections/{target_ids[0]}").json()["items"][0]
    _patch(
        api,
        target_ids[0],
        target["etag"],
        documented("08_other_dataflow_updates__add_file_manifest"),
        "targetConnections",
    )


def _patch(
    api: httpx.Client, entity_id: str, etag: str, ops: Any, collection: str = "flows"
) -> str:
    response = api.patch(f"/{collection}/{entity_id}", json=ops, headers={"If-Match": etag})
    assert response.status_code == 200, response.text
    new_etag: str = response.json()["etag"]
    assert new_etag != etag
    return new_etag


def test_emulator_accepts_documented_mapping_workflow(emulator: Any, api: httpx.Client) -> None:
    prep_url = emulator.base_url + "/data/foundation/conversion"
    with httpx.Client(base_url=prep_url, headers=api.headers) as prep:
        _mapping_workflow(api, prep)


def _mapping_workflow(api: httpx.Client, prep: httpx.Client) -> None:
    spec = api.get("/connectionSpecs/4fce964d-3f37-408f-9778-e597338a21ee").json()["items"][0]
    output = spec["targetSpec"]["attributes"]["partnerSchema"]["jsonSchema"]
    in_id = prep.post("/schemas", json={"name": "in", "jsonSchema": {"type": "object"}}).json()[
        "id"
    ]
    response = prep.post("/schemas", json={"name": "out", "jsonSchema": output})
    assert response.status_code == 200
    assert response.json()["version"] == 0
    out_id = response.json()["id"]
    body = _with(
        documented("07_mapping_set__create_mapping_set"),
        inputSchema={"id": in_id},
        outputSchema={"id": out_id},
    )
    mapping = prep.post("/mappingSets", json=body)
    assert mapping.status_code == 200
    assert mapping.json()["version"] == 0
    source = created(
        api.post(
            "/sourceConnections", json=documented("01_source_connection__create_source_connection")
        )
    )
    base = created(
        api.post("/connections", json=documented("02_base_connection__amazon_s3_access_key"))
    )
    target = created(
        api.post(
            "/targetConnections",
            json=_with(documented("03_target_connection__amazon_s3"), baseConnectionId=base["id"]),
        )
    )
    flow = created(
        api.post(
            "/flows",
            json=_with(
                documented("04_create_dataflow__azure_blob"),
                flowSpec={"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
                sourceConnectionIds=[source["id"]],
                targetConnectionIds=[target["id"]],
            ),
        )
    )
    ops = documented("07_mapping_set__patch_dataflow_with_mapping_set")
    ops[0]["value"]["mappingId"] = mapping.json()["id"]
    _patch(api, flow["id"], flow["etag"], ops)


def test_every_flow_spec_says_its_workflow(api: httpx.Client) -> None:
    served = {s["id"]: s for s in api.get("/flowSpecs").json()["items"]}
    for dataset, audience in DATASET_FLOW_SPECS.values():
        assert served[dataset]["attributes"]["_workflow"] == "DATASETS"
        assert served[audience]["attributes"]["_workflow"] == "AUDIENCES"
        one = api.get(f"/flowSpecs/{dataset}").json()["items"][0]
        assert one["sourceConnectionSpecIds"] == ["23598e46-f560-407b-88d5-ea6207e49db0"]
    # The six's two workflows each, and the others' audience flow specs (the documented batch
    # flow spec serves two of them; the rest are the emulator's own, derived from the spec id).
    audience_only = {
        registry.destination(s).spec.AUDIENCE_FLOW_SPEC_ID
        or derived_flow_spec_id(registry.destination(s).spec.CONNECTION_SPEC_ID)
        for s in SLUGS
        if s not in DOCUMENTED_SLUGS
    }
    assert len(served) == 12 + len(audience_only)
