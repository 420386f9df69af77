"""The emulator's dataset workflow over real sockets: what it accepts from the documented bodies,
and each rule it enforces, with the workflow taken from the flow spec.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from destgen_destinations.amazon_s3 import spec as s3
from destgen_emulator import EmulatorServer
from destgen_emulator.service.datasets import CATALOG
from tests.e2e.conftest import created

DATA_LAKE = {"id": "23598e46-f560-407b-88d5-ea6207e49db0", "version": "1.0"}
PROFILE = {"id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1", "version": "1.0"}
S3_SPEC = {"id": s3.CONNECTION_SPEC_ID, "version": "1.0"}
START = 1_796_083_200  # 2026-12-01T00:00:00Z in epoch seconds
SCHEDULE = {
    "exportMode": "FIRST_FULL_THEN_INCREMENTAL",
    "interval": 3,
    "timeUnit": "hour",
    "startTime": START,
    "endTime": START + 86_400 * 30,
    "foldernameTemplate": "%DESTINATION%_%DATASET_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
}


def _setup(api: httpx.Client) -> dict[str, str]:
    """An S3 base connection, one target per workflow and one source per workflow."""
    base = created(
        api.post(
            "/connections",
            json={
                "name": "S3",
                "auth": {
                    "specName": "Access Key",
                    "params": {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": "x" * 40},
                },
                "connectionSpec": S3_SPEC,
            },
        )
    )["id"]
    location = {
        "mode": "Server-to-server",
        "bucketName": "my-bucket",
        "path": "p",
        "compression": "GZIP",
    }
    ids = {"base": base}
    for name, params in (
        ("dataset_target", location | {"datasetFileType": "JSON"}),
        ("audience_target", location | {"fileType": "CSV"}),
    ):
        body = {"name": name, "baseConnectionId": base, "params": params, "connectionSpec": S3_SPEC}
        ids[name] = created(api.post("/targetConnections", json=body))["id"]
    lake = {
        "name": "lake",
        "connectionSpec": DATA_LAKE,
        "params": {"datasets": [{"dataSetId": CATALOG[0]["id"], "name": CATALOG[0]["name"]}]},
    }
    ids["lake"] = created(api.post("/sourceConnections", json=lake))["id"]
    profile = {"name": "profile", "connectionSpec": PROFILE}
    ids["profile"] = created(api.post("/sourceConnections", json=profile))["id"]
    return ids


def _flow(ids: dict[str, str], **changes: Any) -> dict[str, Any]:
    body = {
        "name": "datasets to S3",
        "flowSpec": {"id": s3.DATASET_FLOW_SPEC_ID, "version": "1.0"},
        "sourceConnectionIds": [ids["lake"]],
        "targetConnectionIds": [ids["dataset_target"]],
        "transformations": [],
        "scheduleParams": SCHEDULE,
    }
    return body | changes


def _refused(response: httpx.Response, *fragments: str) -> None:
    assert response.status_code == 400, response.text
    for fragment in fragments:
        assert fragment in response.text, response.text


def test_the_documented_dataset_bodies_are_accepted_and_edited(api: httpx.Client) -> None:
    ids = _setup(api)
    flow_id = created(api.post("/flows", json=_flow(ids)))["id"]
    flow = api.get(f"/flows/{flow_id}").json()["items"][0]
    assert flow["inheritedAttributes"]["targetConnections"][0]["data"] == {
        "outputType": "DATASET_EXPORT"
    }
    # The documented edits: a new schedule, a new source connection; both under If-Match.
    new_schedule = {"interval": 6, "timeUnit": "hour", "startTime": START, "endTime": START + 1}
    edit = [{"op": "replace", "path": "/scheduleParams", "value": new_schedule}]
    assert api.patch(f"/flows/{flow_id}", json=edit).status_code == 400  # no If-Match
    done = api.patch(f"/flows/{flow_id}", json=edit, headers={"If-Match": flow["etag"]})
    assert done.status_code == 200, done.text
    lake = {
        "name": "lake 2",
        "connectionSpec": DATA_LAKE,
        "params": {"datasets": [{"dataSetId": CATALOG[1]["id"], "name": CATALOG[1]["name"]}]},
    }
    second = created(api.post("/sourceConnections", json=lake))["id"]
    swap = [{"op": "replace", "path": "/sourceConnectionIds", "value": [second]}]
    done = api.patch(f"/flows/{flow_id}", json=swap, headers={"If-Match": done.json()["etag"]})
    assert done.status_code == 200, done.text
    assert api.get(f"/flows/{flow_id}").json()["items"][0]["sourceConnectionIds"] == [second]
    # A source connection's datasets cannot change; its name can.
    fixed = [{"op": "replace", "path": "/params", "value": {"datasets": []}}]
    source = api.get(f"/sourceConnections/{second}").json()["items"][0]
    answer = api.patch(
        f"/sourceConnections/{second}", json=fixed, headers={"If-Match": source["etag"]}
    )
    _refused(answer, "/params", "cannot be patched")


def test_the_flow_spec_decides_the_workflow_of_sources_and_targets(api: httpx.Client) -> None:
    ids = _setup(api)
    _refused(
        api.post("/flows", json=_flow(ids, sourceConnectionIds=[ids["profile"]])),
        "is not a Data Lake one",
        f"flow spec {s3.DATASET_FLOW_SPEC_ID} is the dataset export flow spec",
        f"an audience dataflow takes {s3.AUDIENCE_FLOW_SPEC_ID}",
    )
    _refused(
        api.post("/flows", json=_flow(ids, targetConnectionIds=[ids["audience_target"]])),
        f"Target connection {ids['audience_target']} has AUDIENCES params",
    )
    audience = {
        "name": "audiences to S3",
        "flowSpec": {"id": s3.AUDIENCE_FLOW_SPEC_ID, "version": "1.0"},
        "sourceConnectionIds": [ids["profile"]],
        "targetConnectionIds": [ids["dataset_target"]],
    }
    _refused(
        api.post("/flows", json=audience),
        "has DATASETS params (fileType expected)",
        f"a dataset dataflow takes {s3.DATASET_FLOW_SPEC_ID}",
    )
    _refused(
        api.post("/flows", json=audience | {"sourceConnectionIds": [ids["lake"]]}),
        "is not a Profile store one",
    )


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            {"startTime": START * 1000},
            "$.scheduleParams.startTime: epoch seconds, not milliseconds",
        ),
        ({"startTime": "2026-12-01"}, "$.scheduleParams.startTime: required epoch seconds"),
        ({"endTime": START - 1}, "$.scheduleParams.endTime: must come after startTime"),
        ({"interval": 1}, "FIRST_FULL_THEN_INCREMENTAL every 1 hour is not a documented cadence"),
        ({"exportMode": "DAILY_FULL_EXPORT"}, "DAILY_FULL_EXPORT every 3 hour"),
        ({"foldernameTemplate": "%DATETIME(YYYY)%_%EXPORT_TIME%"}, "exclude each other"),
        ({"foldernameTemplate": "%SEGMENT_ID%"}, "unknown macro %SEGMENT_ID%"),
        ({"folderNameTemplate": "%DATASET_ID%"}, "disagree; send one"),
        ({"cadence": "daily"}, "$.scheduleParams.cadence: unknown field"),
    ],
)
def test_schedules_outside_the_documented_rules_are_refused(
    api: httpx.Client, change: dict[str, Any], fragment: str
) -> None:
    ids = _setup(api)
    _refused(api.post("/flows", json=_flow(ids, scheduleParams=SCHEDULE | change)), fragment)


def test_what_a_dataset_export_cannot_carry(api: httpx.Client, emulator: EmulatorServer) -> None:
    ids = _setup(api)
    _refused(api.post("/flows", json=_flow(ids, scheduleParams=None)), "required object")
    selectors = [{"name": "GeneralTransform", "params": {}}]
    _refused(api.post("/flows", json=_flow(ids, transformations=selectors)), "no transformations")
    unknown = {
        "name": "lake",
        "connectionSpec": DATA_LAKE,
        "params": {"datasets": [{"dataSetId": "nope", "name": "x"}]},
    }
    _refused(
        api.post("/sourceConnections", json=unknown),
        "$.params.datasets[0].dataSetId: no dataset nope in this sandbox",
    )
    _refused(
        api.post("/sourceConnections", json=unknown | {"params": {"datasets": []}}),
        "at least one",
    )
    plain = {
        "name": "plain json",
        "baseConnectionId": ids["base"],
        "params": {
            "bucketName": "b",
            "path": "p",
            "datasetFileType": "JSON",
            "compression": "NONE",
        },
        "connectionSpec": S3_SPEC,
    }
    _refused(api.post("/targetConnections", json=plain), "JSON is exported with GZIP only")
    # An audience flow keeps refusing scheduleParams when patched in.
    audience = {
        "name": "audiences",
        "flowSpec": {"id": s3.AUDIENCE_FLOW_SPEC_ID, "version": "1.0"},
        "sourceConnectionIds": [ids["profile"]],
        "targetConnectionIds": [ids["audience_target"]],
        "transformations": [],
    }
    flow = created(api.post("/flows", json=audience))
    add = [{"op": "add", "path": "/scheduleParams", "value": SCHEDULE}]
    _refused(
        api.patch(f"/flows/{flow['id']}", json=add, headers={"If-Match": flow["etag"]}),
        "takes no scheduleParams",
    )
    swap = [{"op": "replace", "path": "/sourceConnectionIds", "value": [ids["lake"]]}]
    _refused(
        api.patch(f"/flows/{flow['id']}", json=swap, headers={"If-Match": flow["etag"]}),
        "is not a Profile store one",
    )
