"""What clients nobody here wrote send and expect: aepp's and Adobe's Postman collections' request
shapes against the emulator and `destgen validate`, over real sockets on 127.0.0.1.

Each test is one defect found by driving the emulator with those clients (issue 12): list
parameters, the documented next-link form, unrouted paths, filters on specs, quoted filter
values, paging under concurrent writes, Location headers, title-case patch ops and external
audiences.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from destgen_emulator import EmulatorServer
from tests.conftest import documented, run_cli
from tests.e2e.conftest import FLOW, HEADERS, created, new_audiences
from tests.e2e.test_emulator_rules import _chain

SOURCE = documented("01_source_connection__create_source_connection")


def _sources(api: httpx.Client, count: int) -> list[str]:
    return [
        created(api.post("/sourceConnections", json=SOURCE | {"name": f"s{i}"}))["id"]
        for i in range(count)
    ]


def test_count_false_pages_like_no_count(api: httpx.Client) -> None:
    # aepp's getFlows() and Adobe's Postman list requests send count=false beside limit.
    made = _sources(api, 3)
    listed = api.get("/sourceConnections", params={"count": "false", "limit": "2"})
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == 2
    assert api.get("/sourceConnections", params={"count": "true"}).json() == {"count": len(made)}
    both = api.get("/sourceConnections", params={"count": "true", "limit": "2"})
    assert both.status_code == 400
    assert "FLOW-1401-400" in both.json()["type"]


def test_next_link_is_the_documented_relative_form_and_every_client_style_follows_it(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    made = set(_sources(api, 5))
    first = api.get("/sourceConnections", params={"limit": "2", "property": "name!=s4"}).json()
    href = first["_links"]["next"]["href"]
    assert href.startswith("/sourceConnections?continuationToken=")
    assert set(parse_qs(urlsplit(href).query)) == {"continuationToken"}
    # aepp's first style: the href appended to the service base.
    appended = httpx.get(emulator.base_url + FLOW + href, headers=HEADERS).json()
    # aepp's second style: the token split out and resent with the same limit.
    (token,) = parse_qs(urlsplit(href).query)["continuationToken"]
    resent = api.get("/sourceConnections", params={"continuationToken": token, "limit": "2"})
    assert appended["items"] == resent.json()["items"]
    seen = {i["id"] for i in first["items"]}
    url: str | None = href
    for _ in range(5):  # bounded: two more pages at most
        if not url:
            break
        page = api.get(url).json()
        seen |= {i["id"] for i in page["items"]}
        url = page["_links"].get("next", {}).get("href")
    # The filter of the first page held on every later one.
    assert len(seen) == 4
    assert seen <= made


def test_paging_is_stable_while_entities_change(api: httpx.Client) -> None:
    made = _sources(api, 6)
    first = api.get("/sourceConnections", params={"limit": "3"}).json()
    page_one = [i["id"] for i in first["items"]]
    # Between two page fetches: one already-served entity changes (it moves to the front of the
    # default order), one new entity appears and one not yet served is deleted.
    seen_then_changed = page_one[0]
    etag = first["items"][0]["etag"]
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    response = api.patch(
        f"/sourceConnections/{seen_then_changed}", json=patch, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.text
    _sources(api, 1)
    rest = [i for i in made if i not in page_one]
    deleted = rest[0]
    assert api.delete(f"/sourceConnections/{deleted}").status_code == 202
    second = api.get(first["_links"]["next"]["href"]).json()
    page_two = [i["id"] for i in second["items"]]
    assert not set(page_one) & set(page_two)  # nothing served twice
    assert set(page_two) == set(rest) - {deleted}  # nothing unchanged missed


def test_specs_honour_property_filters(api: httpx.Client) -> None:
    specs = api.get("/connectionSpecs").json()["items"]
    wanted = specs[0]
    one = api.get("/connectionSpecs", params={"property": f"name=={wanted['name']}"}).json()
    assert [s["id"] for s in one["items"]] == [wanted["id"]]
    by_id = api.get("/connectionSpecs", params={"property": f"id=={wanted['id']}"}).json()
    assert len(by_id["items"]) == 1
    flow_specs = api.get("/flowSpecs").json()["items"]
    flow_one = api.get("/flowSpecs", params={"property": f"id=={flow_specs[0]['id']}"}).json()
    assert [s["id"] for s in flow_one["items"]] == [flow_specs[0]["id"]]
    none = api.get("/flowSpecs", params={"property": "name==no such spec"}).json()
    assert none["items"] == []


def test_quoted_filter_values_match_exactly_one(api: httpx.Client) -> None:
    created(api.post("/sourceConnections", json=SOURCE | {"name": "a, b"}))
    created(api.post("/sourceConnections", json=SOURCE | {"name": "a"}))
    quoted = api.get("/sourceConnections", params={"property": 'name=="a, b"'}).json()
    assert [i["name"] for i in quoted["items"]] == ["a, b"]
    # Unquoted, the comma keeps its documented meaning: any of.
    any_of = api.get("/sourceConnections", params={"property": "name==a, b"}).json()
    assert [i["name"] for i in any_of["items"]] == ["a"]


def test_unrouted_paths_answer_json_after_the_auth_check(emulator: EmulatorServer) -> None:
    base = emulator.base_url + FLOW
    # What the gateway answers a request without credentials on a real route.
    gateway = httpx.get(base + "/flows")
    assert gateway.status_code in (401, 403)
    for path in ("/connections/x/explore", "/nope", "/flows/"):
        anonymous = httpx.get(base + path)
        assert (anonymous.status_code, anonymous.json()) == (gateway.status_code, gateway.json())
        known = httpx.get(base + path, headers=HEADERS)
        assert known.status_code == 404, path
        assert known.json()["type"].endswith("FLOW-1101-404")
    assert "no trailing slash" in httpx.get(base + "/flows/", headers=HEADERS).text
    wrong = httpx.put(base + "/flows", headers=HEADERS, json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert wrong.json()["status"] == 405
    assert httpx.post(base + "/runs", headers=HEADERS, json={}).status_code == 405


def test_creates_say_where_the_entity_is(emulator: EmulatorServer, api: httpx.Client) -> None:
    response = api.post("/sourceConnections", json=SOURCE)
    entity_id = response.json()["id"]
    location = response.headers["location"]
    assert location == f"{FLOW}/sourceConnections/{entity_id}"
    fetched = httpx.get(emulator.base_url + location, headers=HEADERS)
    assert fetched.json()["items"][0]["id"] == entity_id


EXTERNAL_AUDIENCE: list[dict[str, Any]] = [
    {
        "op": "Add",
        "path": "/transformations/0/params/segmentSelectors/selectors/-",
        "value": {
            "type": "PLATFORM_SEGMENT",
            "value": {
                "id": "extaud9001",
                "systemSegmentId": "979558ae-a8ba-4e6e-b6ba-95c0a523b44a",
                "namespace": "aamSegments",
                "name": "Combined First and Last Name Segment",
                "description": "",
                "filenameTemplate": "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
                "exportMode": "DAILY_FULL_EXPORT",
                "schedule": {
                    "startDate": "2022-07-22",
                    "frequency": "ONCE",
                    "startTime": "23:00",
                    "triggerType": "SCHEDULED",
                },
                "enrichmentInfo": {
                    "enabled": True,
                    "sourceType": "AUDIENCE_DATASET",
                    "mappingSet": {"id": "1111-1111-1111-1111", "version": 0},
                },
            },
        },
    },
    {"op": "Replace", "path": "/name", "value": "renamed by aepp"},
]


def test_validate_and_emulator_agree_on_external_audiences_and_title_case_ops(
    emulator: EmulatorServer, api: httpx.Client, tmp_path: Path
) -> None:
    patch = copy.deepcopy(EXTERNAL_AUDIENCE)
    selector = patch[0]["value"]["value"]
    [selector["id"]] = new_audiences(emulator.base_url, [selector["name"]])
    path = tmp_path / "patch.json"
    path.write_text(json.dumps(patch))
    done = run_cli("validate", "--kind", "dataflow-patch", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    ids = _chain(api)
    response = api.patch(f"/flows/{ids['flow']}", json=patch, headers={"If-Match": ids["etag"]})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("op", "where"),
    [
        ({"op": "move", "path": "/name", "value": "x"}, "$[0]:"),
        ({"op": "Replace", "path": "/name", "value": 7}, "$[0].value:"),
        ({"op": "Replace", "path": "/name"}, "$[0].value:"),
    ],
    ids=["unsupported-op", "wrong-value", "missing-value"],
)
def test_validate_names_the_field_of_a_patch_op(
    op: dict[str, Any], where: str, tmp_path: Path
) -> None:
    path = tmp_path / "patch.json"
    path.write_text(json.dumps([op]))
    done = run_cli("validate", "--kind", "dataflow-patch", str(path))
    assert done.returncode == 1
    assert where in done.stdout + done.stderr
    assert ".rename" not in done.stdout + done.stderr


PREP = "/data/foundation/conversion"


@pytest.fixture
def prep(emulator: EmulatorServer) -> Any:
    with httpx.Client(base_url=emulator.base_url + PREP, headers=HEADERS, timeout=10) as client:
        yield client


def _mapping_set_body(prep: httpx.Client, destination: str) -> dict[str, Any]:
    schema = prep.post("/schemas", json={"jsonSchema": {"type": "object"}}).json()["id"]
    return {
        "inputSchema": {"id": schema},
        "outputSchema": {"id": schema},
        "mappings": [{"source": "personalEmail.address", "destination": destination}],
        "name": f"set {destination}",
    }


def test_mapping_sets_list_update_and_keep_their_versions(prep: httpx.Client) -> None:
    first = prep.post("/mappingSets", json=_mapping_set_body(prep, "email"))
    assert first.status_code == 200, first.text
    set_id = first.json()["id"]
    prep.post("/mappingSets", json=_mapping_set_body(prep, "other"))
    listed = prep.get("/mappingSets", params={"limit": "10", "start": "0"}).json()
    assert listed["_page"] == {"count": 2, "limit": 10}
    named = prep.get("/mappingSets", params={"limit": "10", "start": "0", "name": "set email"})
    assert [m["id"] for m in named.json()["data"]] == [set_id]
    second_page = prep.get("/mappingSets", params={"limit": "1", "start": "1"}).json()
    assert second_page["_page"]["count"] == 1
    assert prep.get("/mappingSets", params={"limit": "10"}).status_code == 400  # start required
    changed = _mapping_set_body(prep, "email_address") | {"version": 99, "id": "hijack"}
    updated = prep.put(f"/mappingSets/{set_id}", json=changed)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["id"], updated.json()["version"]) == (set_id, 1)
    current = prep.get(f"/mappingSets/{set_id}").json()
    assert current["mappings"][0]["destination"] == "email_address"
    assert "_versions" not in current
    earlier = prep.get(f"/mappingSets/{set_id}", params={"version": "0"}).json()
    assert earlier["mappings"][0]["destination"] == "email"
    assert prep.get(f"/mappingSets/{set_id}", params={"version": "7"}).status_code == 404
    bad = prep.put(f"/mappingSets/{set_id}", json={"mappings": []})
    assert bad.status_code == 400
    assert prep.get(f"/mappingSets/{set_id}").json()["version"] == 1  # nothing changed


def test_output_schema_may_be_an_xdm_schema_ref_in_both(prep: httpx.Client, tmp_path: Path) -> None:
    body = _mapping_set_body(prep, "email")
    body["outputSchema"] = {
        "schemaRef": {
            "id": "https://ns.adobe.com/tenant/schemas/abc",
            "contentType": "application/vnd.adobe.xed-full+json;version=1",
        }
    }
    assert prep.post("/mappingSets", json=body).status_code == 200
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(body))
    done = run_cli("validate", "--kind", "mapping-set", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    body["outputSchema"]["schemaRef"]["contentType"] = "text/plain"
    assert prep.post("/mappingSets", json=body).status_code == 400
    path.write_text(json.dumps(body))
    assert run_cli("validate", "--kind", "mapping-set", str(path)).returncode == 1


def test_connection_test_answers_for_the_callers_connections(api: httpx.Client) -> None:
    base = created(api.post("/connections", json=documented("02_base_connection__sftp_password")))
    assert api.get(f"/connections/{base['id']}/test").json() == {"result": True}
    assert api.get("/connections/nope/test").status_code == 404
    other = api.get(f"/connections/{base['id']}/test", headers={"x-sandbox-name": "dev"})
    assert other.status_code == 404


EDIT_TARGET = [
    {"op": "replace", "path": "/params", "value": {"bucketName": "new-bucket", "path": "updated"}}
]


def test_adobes_edit_destination_example_keeps_the_params_it_does_not_list(
    api: httpx.Client, tmp_path: Path
) -> None:
    ids = _chain(api)
    target = api.get(f"/targetConnections/{ids['target']}").json()["items"][0]
    before = target["params"]
    response = api.patch(
        f"/targetConnections/{ids['target']}",
        json=EDIT_TARGET,
        headers={"If-Match": target["etag"]},
    )
    assert response.status_code == 200, response.text
    after = api.get(f"/targetConnections/{ids['target']}").json()["items"][0]["params"]
    assert after == before | {"bucketName": "new-bucket", "path": "updated"}
    path = tmp_path / "edit.json"
    path.write_text(json.dumps(EDIT_TARGET))
    args = ("validate", "--kind", "target-connection-patch", "--destination", "amazon_s3")
    assert run_cli(*args, str(path)).returncode == 0
    # A param the spec does not have, a bad value, an unknown path: each named.
    bad = [
        {"op": "replace", "path": "/params", "value": {"bucket": "x", "compression": "ZIP"}},
        {"op": "replace", "path": "/params/bucketName", "value": "x"},
    ]
    path.write_text(json.dumps(bad))
    done = run_cli(*args, str(path))
    assert done.returncode == 1
    assert "$[0].value.bucket: unknown key" in done.stdout
    assert "$[0].value.compression:" in done.stdout
    assert "$[1]: unsupported JSON Patch operation for a target connection" in done.stdout
    no_destination = run_cli("validate", "--kind", "target-connection-patch", str(path))
    assert "pass --destination" in no_destination.stdout + no_destination.stderr


def test_base_connection_patches_carry_one_auth_specs_params_in_full(tmp_path: Path) -> None:
    args = ("validate", "--kind", "base-connection-patch", "--destination", "amazon_s3")
    path = tmp_path / "credentials.json"
    new_keys = {
        "s3AccessKey": "AKIAIOSFODNN7EXAMPLE",
        "s3SecretKey": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12",
    }
    good = [
        {"op": "Replace", "path": "/auth/params", "value": new_keys},
        {"op": "replace", "path": "/name", "value": "renamed"},
    ]
    path.write_text(json.dumps(good))
    assert run_cli(*args, str(path)).returncode == 0
    path.write_text(json.dumps([{"op": "remove", "path": "/auth/params"}]))
    assert run_cli(*args, str(path)).returncode == 0
    half = [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": "AKIA-ONLY"}}]
    path.write_text(json.dumps(half))
    done = run_cli(*args, str(path))
    assert done.returncode == 1
    assert "$[0].value" in done.stdout
    assert "AKIA-ONLY" not in done.stdout


def _validate(kind: str, body: Any, tmp_path: Path, *extra: str) -> int:
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(body))
    return run_cli("validate", "--kind", kind, *extra, str(path)).returncode


def test_five_former_splits_get_one_answer_in_validate_and_the_emulator(
    api: httpx.Client, tmp_path: Path
) -> None:
    # SFTP's port is an integer: "22" is refused by both, 22 accepted by both.
    sftp = documented("02_base_connection__sftp_password")
    for port, verdict in (("22", False), (22, True)):
        body = copy.deepcopy(sftp)
        body["auth"]["params"]["port"] = port
        assert (_validate("base-connection", body, tmp_path) == 0) is verdict, port
        assert (api.post("/connections", json=body).status_code == 201) is verdict, port

    ids = _chain(api)
    flow_body = documented("04_create_dataflow__azure_blob") | {
        "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
        "sourceConnectionIds": [ids["source"]],
        "targetConnectionIds": [ids["target"]],
    }
    # aepp's default scheduleParams on an audience flow: refused by both.
    scheduled = flow_body | {"scheduleParams": {"frequency": "minute", "interval": 15}}
    assert _validate("dataflow", scheduled, tmp_path) == 1
    refused = api.post("/flows", json=scheduled)
    assert refused.status_code == 400
    assert "$.scheduleParams" in refused.text
    # The legacy empty profileSelectors on create: accepted by both.
    legacy = copy.deepcopy(flow_body)
    legacy["transformations"][0]["params"]["profileSelectors"] = {"selectors": []}
    assert _validate("dataflow", legacy, tmp_path) == 0
    flow = created(api.post("/flows", json=legacy | {"name": "legacy selectors"}))

    # replace /sourceConnectionIds (documented) and replace /description on a flow without one.
    other = created(api.post("/sourceConnections", json=SOURCE | {"name": "other source"}))
    ops = [
        {"op": "replace", "path": "/sourceConnectionIds", "value": [other["id"]]},
        {"op": "replace", "path": "/description", "value": "now described"},
    ]
    assert _validate("dataflow-patch", ops, tmp_path) == 0
    without = {k: v for k, v in flow_body.items() if k != "description"}
    bare = created(api.post("/flows", json=without | {"name": "no description"}))
    done = api.patch(f"/flows/{bare['id']}", json=ops, headers={"If-Match": bare["etag"]})
    assert done.status_code == 200, done.text
    stored = api.get(f"/flows/{bare['id']}").json()["items"][0]
    assert (stored["sourceConnectionIds"], stored["description"]) == (
        [other["id"]],
        "now described",
    )
    assert flow["id"]


def test_adobes_own_mistakes_get_the_documented_errors(api: httpx.Client) -> None:
    ids = _chain(api)
    rename = [{"op": "replace", "path": "/name", "value": "x"}]
    # Postman sends if-match as a query parameter: the header is missing.
    query = api.patch(f"/flows/{ids['flow']}", json=rename, params={"if-match": ids["etag"]})
    assert (query.status_code, query.json()["type"][-13:]) == (400, "FLOW-1403-400")
    # The S3 edit examples' old key names: the spec's own keys are required.
    base = api.get(f"/connections/{ids['base']}").json()["items"][0]
    old_keys = [
        {"op": "replace", "path": "/auth/params", "value": {"accessId": "a", "secretKey": "b"}}
    ]
    response = api.patch(
        f"/connections/{ids['base']}", json=old_keys, headers={"If-Match": base["etag"]}
    )
    assert (response.status_code, response.json()["type"][-13:]) == (400, "FLOW-1455-400")
    # The update guide's body with a missing comma: not JSON.
    broken = api.patch(
        f"/flows/{ids['flow']}",
        content=b'[{"op": "replace" "path": "/name", "value": "x"}]',
        headers={"If-Match": ids["etag"], "Content-Type": "application/json"},
    )
    assert (broken.status_code, broken.json()["type"][-13:]) == (400, "FLOW-1405-400")


def test_a_flows_run_link_is_served_relative_to_the_service(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    ids = _chain(api)
    add = documented("04b_add_audiences__add_audience_to_dataflow")
    assert api.patch(
        f"/flows/{ids['flow']}", json=add, headers={"If-Match": ids["etag"]}
    ).is_success
    emulator.advance(24)
    link = api.get(f"/flows/{ids['flow']}").json()["items"][0]["runs"]
    assert link == f"/runs?property=flowId=={ids['flow']}"
    runs = api.get(link).json()["items"]
    assert runs
    assert {r["flowId"] for r in runs} == {ids["flow"]}
