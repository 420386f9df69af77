"""The emulator's audiences over real sockets: a dataflow selects only audiences its sandbox has
(seeded, or created through the Segmentation API's POST), each tenant sees only its own.
"""

from __future__ import annotations

from typing import Any

import httpx

from destgen_emulator import EmulatorServer
from tests.conftest import documented
from tests.e2e.conftest import HEADERS, LOYAL, new_audiences
from tests.e2e.test_emulator_rules import _chain

DEFINITIONS = "/data/core/ups/segment/definitions"


def _add(audience_id: str) -> list[dict[str, Any]]:
    op: dict[str, Any] = documented("04b_add_audiences__add_audience_to_dataflow")[0]
    op["value"]["value"]["id"] = audience_id
    return [op]


def test_a_patch_selecting_an_unknown_audience_is_refused_by_path(api: httpx.Client) -> None:
    ids = _chain(api)
    refused = api.patch(
        f"/flows/{ids['flow']}", json=_add("made-up"), headers={"If-Match": ids["etag"]}
    )
    assert refused.status_code == 400
    assert "no audience made-up in sandbox prod" in refused.text
    assert "selectors[0].value.id" in refused.text
    kept = api.patch(f"/flows/{ids['flow']}", json=_add(LOYAL), headers={"If-Match": ids["etag"]})
    assert kept.status_code == 200, kept.text


def test_a_create_selecting_another_sandboxes_audience_is_refused(api: httpx.Client) -> None:
    ids = _chain(api)
    flow = api.get(f"/flows/{ids['flow']}").json()["items"][0]
    body = documented("04_create_dataflow__azure_blob") | {
        "name": "second flow",
        "flowSpec": flow["flowSpec"],
        "sourceConnectionIds": flow["sourceConnectionIds"],
        "targetConnectionIds": flow["targetConnectionIds"],
    }
    selector = _add("later")[0]["value"]
    body["transformations"][0]["params"]["segmentSelectors"]["selectors"] = [selector]
    [selector["value"]["id"]] = new_audiences(
        str(api.base_url).split("/data/")[0], ["Dev only"], sandbox="dev"
    )
    refused = api.post("/flows", json=body)
    assert refused.status_code == 400
    assert f"no audience {selector['value']['id']} in sandbox prod" in refused.text


def test_created_audiences_are_named_once_and_seen_by_their_tenant_only(
    emulator: EmulatorServer,
) -> None:
    [made] = new_audiences(emulator.base_url, ["Spring sale"])
    with httpx.Client(base_url=emulator.base_url, headers=HEADERS, timeout=10) as client:
        found = client.get(DEFINITIONS, params={"property": "name==Spring sale"}).json()
        assert [s["id"] for s in found["segments"]] == [made]
        assert client.get(f"{DEFINITIONS}/{made}").json()["name"] == "Spring sale"
        again = client.post(DEFINITIONS, json={"name": "Spring sale"})
        assert again.status_code == 400
        assert "already has an audience named 'Spring sale'" in again.text
        for bad in ({}, {"name": ""}, {"name": "x" * 257}, ["Spring sale"]):
            refused = client.post(DEFINITIONS, json=bad)
            assert refused.status_code == 400, bad
            assert "$.name" in refused.text
        other = client.get(f"{DEFINITIONS}/{made}", headers={"x-gw-ims-org-id": "OTHER@AdobeOrg"})
        assert other.status_code == 404
