"""Each validation rule of the emulator rejects with the documented error shape and code.

Gateway errors carry error_code/message; Flow Service errors type .../FLOW-nnnn-status and report.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from destgen_emulator import EmulatorServer
from destgen_emulator.service.auth import AuthPolicy
from tests.conftest import documented
from tests.e2e.conftest import FLOW, HEADERS, created


def _flow_error(response: httpx.Response, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://ns.adobe.com/aep/errors/FLOW-{code}", body
    assert body["status"] == response.status_code == int(code.split("-")[1])
    assert body["title"]
    assert body["report"]["detailed-message"] == body["errorMessage"]
    assert body["report"]["request-id"] == response.headers["x-request-id"]
    return body


@pytest.mark.parametrize(
    ("drop", "status", "code"),
    [
        ("Authorization", 403, "403010"),
        ("x-api-key", 403, "403000"),
        ("x-gw-ims-org-id", 400, "400003"),
    ],
)
def test_emulator_gateway_rejects_missing_header(
    emulator: EmulatorServer, drop: str, status: int, code: str
) -> None:
    headers = {k: v for k, v in HEADERS.items() if k != drop}
    response = httpx.get(emulator.base_url + FLOW + "/flows", headers=headers)
    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert response.json()["message"]


def test_emulator_fixed_credentials_reject_others_and_issue_tokens() -> None:
    policy = AuthPolicy(api_key="the-key", client_id="cid", client_secret="csecret")
    with EmulatorServer(auth=policy) as server:
        url = server.base_url
        headers = HEADERS | {"x-api-key": "the-key"}
        assert httpx.get(url + FLOW + "/flows", headers=headers).status_code == 401
        bad = httpx.post(
            url + "/ims/token/v3",
            data={"grant_type": "client_credentials", "client_id": "cid", "client_secret": "no"},
        )
        assert bad.status_code == 401
        token = httpx.post(
            url + "/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": "cid",
                "client_secret": "csecret",
            },
        )
        assert token.status_code == 200
        assert token.json()["expires_in"] > 0
        in_url = httpx.post(
            url + "/ims/token/v3",
            params={"client_secret": "csecret"},
            data={"grant_type": "client_credentials", "client_id": "cid"},
        )
        assert in_url.status_code == 400
        assert "form body, not the URL" in in_url.text
        ok = httpx.get(
            url + FLOW + "/flows",
            headers=headers | {"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert ok.status_code == 200
        wrong_key = httpx.get(
            url + FLOW + "/flows",
            headers=headers
            | {"x-api-key": "x", "Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert wrong_key.status_code == 403
        assert wrong_key.json()["error_code"] == "403003"


def _chain(api: httpx.Client) -> dict[str, str]:
    source = created(
        api.post(
            "/sourceConnections", json=documented("01_source_connection__create_source_connection")
        )
    )
    base = created(
        api.post("/connections", json=documented("02_base_connection__amazon_s3_access_key"))
    )
    target_body = documented("03_target_connection__amazon_s3") | {"baseConnectionId": base["id"]}
    target = created(api.post("/targetConnections", json=target_body))
    flow_body = documented("04_create_dataflow__azure_blob") | {
        "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
        "sourceConnectionIds": [source["id"]],
        "targetConnectionIds": [target["id"]],
    }
    flow = created(api.post("/flows", json=flow_body))
    return {
        "source": source["id"],
        "base": base["id"],
        "target": target["id"],
        "flow": flow["id"],
        "etag": flow["etag"],
    }


def test_emulator_unknown_auth_spec_name_is_1415(api: httpx.Client) -> None:
    body = documented("02_base_connection__amazon_s3_access_key")
    body["auth"]["specName"] = "Access Token"
    _flow_error(api.post("/connections", json=body), "1415-400")


def test_emulator_auth_params_checked_against_spec(api: httpx.Client) -> None:
    body = documented("02_base_connection__amazon_s3_access_key")
    body["auth"]["params"]["s3SecretKey"] = "short"
    error = _flow_error(api.post("/connections", json=body), "1455-400")
    assert any(p.startswith("$.auth.params.s3SecretKey") for p in error["report"]["problems"])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"fileType": "XML"}, "$.params.fileType"),
        ({"fileType": "JSON", "csvOptions": {"delimiter": ","}}, "$.params"),
        ({"bucketName": "Bad_Bucket"}, "$.params.bucketName"),
    ],
    ids=["fileType-enum", "csvOptions-without-CSV", "bucket-pattern"],
)
def test_emulator_target_params_checked_against_spec(
    api: httpx.Client, change: dict[str, Any], problem: str
) -> None:
    base = created(
        api.post("/connections", json=documented("02_base_connection__amazon_s3_access_key"))
    )
    body = documented("03_target_connection__amazon_s3") | {"baseConnectionId": base["id"]}
    body["params"] |= change
    error = _flow_error(api.post("/targetConnections", json=body), "1455-400")
    assert any(p.startswith(problem) for p in error["report"]["problems"]), error


def test_emulator_missing_spec_version_is_422(api: httpx.Client) -> None:
    body = documented("01_source_connection__create_source_connection")
    del body["connectionSpec"]["version"]
    response = api.post("/sourceConnections", json=body)
    assert response.status_code == 422
    assert "version" in response.json()["message"]


def test_emulator_flow_spec_must_match_target_destination(api: httpx.Client) -> None:
    ids = _chain(api)
    body = documented("04_create_dataflow__sftp") | {
        "sourceConnectionIds": [ids["source"]],
        "targetConnectionIds": [ids["target"]],
    }
    _flow_error(api.post("/flows", json=body), "1413-400")


def test_emulator_flow_connections_must_exist(api: httpx.Client) -> None:
    body = documented("04_create_dataflow__amazon_s3") | {
        "sourceConnectionIds": ["nope"],
        "targetConnectionIds": ["nope"],
    }
    _flow_error(api.post("/flows", json=body), "1101-404")


def test_emulator_state_not_allowed_on_create(api: httpx.Client) -> None:
    _flow_error(
        api.post("/flows", json=documented("04_create_dataflow__amazon_s3") | {"state": "enabled"}),
        "1410-400",
    )


def test_emulator_not_found_shape(api: httpx.Client) -> None:
    response = api.get("/flows/does-not-exist")
    assert response.status_code == 404
    assert response.json()["errorMessage"] == "flows not found with id = [does-not-exist]"


def test_emulator_patch_without_if_match_is_1403(api: httpx.Client) -> None:
    ids = _chain(api)
    _flow_error(
        api.patch(
            f"/flows/{ids['flow']}",
            json=documented("08_other_dataflow_updates__add_mandatory_key_identity"),
        ),
        "1403-400",
    )


def test_emulator_stale_or_unquoted_etag_is_412(api: httpx.Client) -> None:
    ids = _chain(api)
    ops = documented("08_other_dataflow_updates__add_mandatory_key_identity")
    for stale in (ids["etag"].strip('"'), '"00000000-0000-0200-0000-000000000000"'):
        response = api.patch(f"/flows/{ids['flow']}", json=ops, headers={"If-Match": stale})
        assert response.status_code == 412
        assert "does not match the current version" in response.json()["errorMessage"]


@pytest.mark.parametrize(
    ("op", "code"),
    [
        ({"op": "move", "from": "/name", "path": "/description"}, "1434-400"),
        ({"op": "add", "path": "/state", "value": "disabled"}, "1455-400"),
        (
            {
                "op": "add",
                "path": "/transformations/0/params/segmentSelectors/selectors/-",
                "value": {"type": "PLATFORM_SEGMENT", "value": {"id": "a"}},
            },
            "1455-400",
        ),
    ],
    ids=["move", "system-field", "selector-rules"],
)
def test_emulator_bad_patch_rejected_and_nothing_changes(
    api: httpx.Client, op: dict[str, Any], code: str
) -> None:
    ids = _chain(api)
    _flow_error(
        api.patch(f"/flows/{ids['flow']}", json=[op], headers={"If-Match": ids["etag"]}), code
    )
    assert api.get(f"/flows/{ids['flow']}").json()["items"][0]["etag"] == ids["etag"]


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (
            {
                "exportMode": "DAILY_FULL_EXPORT",
                "schedule": {
                    "frequency": "EVERY_3_HOURS",
                    "triggerType": "SCHEDULED",
                    "startDate": "2026-01-01",
                    "startTime": "10:00",
                },
            },
            "not allowed",
        ),
        (
            {
                "schedule": {
                    "frequency": "DAILY",
                    "triggerType": "SCHEDULED",
                    "startDate": "2026-01-01",
                    "startTime": "10:30",
                }
            },
            "HH:00",
        ),
        (
            {"schedule": {"frequency": "DAILY", "startDate": "2026-01-01"}},
            "triggerType is required",
        ),
        (
            {
                "schedule": {
                    "frequency": "DAILY",
                    "triggerType": "AFTER_SEGMENT_EVAL",
                    "startDate": "01/01/2026",
                }
            },
            "YYYY-MM-DD",
        ),
        ({"filenameTemplate": "%DATETIME(YYYYMMdd_HHmmss)%_%TIMESTAMP%"}, "DATETIME and TIMESTAMP"),
        ({"filenameTemplate": "x" * 256}, "255"),
    ],
    ids=["frequency-mode", "start-time", "trigger", "date", "datetime-timestamp", "length"],
)
def test_emulator_selector_rules(api: httpx.Client, change: dict[str, Any], needle: str) -> None:
    ids = _chain(api)
    ops = copy.deepcopy(documented("04b_add_audiences__add_audience_to_dataflow"))
    ops[0]["value"]["value"] |= change
    error = _flow_error(
        api.patch(f"/flows/{ids['flow']}", json=ops, headers={"If-Match": ids["etag"]}), "1455-400"
    )
    assert any(needle in p for p in error["report"]["problems"]), error


def test_emulator_base_connection_in_use_is_1418(api: httpx.Client) -> None:
    ids = _chain(api)
    _flow_error(api.delete(f"/connections/{ids['base']}"), "1418-400")
    assert api.delete(f"/flows/{ids['flow']}").status_code == 202
    assert api.delete(f"/connections/{ids['base']}").status_code == 204
    assert api.get(f"/connections/{ids['base']}").status_code == 404


def test_emulator_wrong_content_type_is_rejected(api: httpx.Client) -> None:
    response = api.post("/sourceConnections", content=b"{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["detail"] == "A valid content-type must be specified"


def test_emulator_mapping_version_checked(api: httpx.Client) -> None:
    ids = _chain(api)
    ops = documented("07_mapping_set__patch_dataflow_with_mapping_set")
    _flow_error(
        api.patch(f"/flows/{ids['flow']}", json=ops, headers={"If-Match": ids["etag"]}), "1412-400"
    )


def test_emulator_transformations_empty_then_patch_fails(api: httpx.Client) -> None:
    ids = _chain(api)
    body = documented("04_create_dataflow__amazon_s3") | {
        "sourceConnectionIds": [ids["source"]],
        "targetConnectionIds": [ids["target"]],
    }
    flow = created(api.post("/flows", json=body))
    response = api.patch(
        f"/flows/{flow['id']}",
        json=documented("04b_add_audiences__add_audience_to_dataflow"),
        headers={"If-Match": flow["etag"]},
    )
    _flow_error(response, "1455-400")
