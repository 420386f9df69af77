"""Destinations beyond the six, from their real specs alone, on the emulator through the same code
paths: two streaming (Azure Event Hubs, Braze) and three file-based (Adobe Campaign, Salesforce
Marketing Cloud, a legacy S3). Nothing here is per destination but the example file it reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from destgen.cli import main
from destgen_emulator import EmulatorServer
from destgen_emulator.service.catalog import derived_flow_spec_id
from tests.conftest import ROOT
from tests.e2e.conftest import FLOW, HEADERS, use_emulator

EXAMPLES = ROOT / "examples"
LONG_TAIL = (
    "azure_event_hubs.json",
    "braze.json",
    "adobe_campaign.json",
    "salesforce_marketing_cloud.yaml",
    "amazon_s3_legacy.json",
)
SHARED_BATCH_FLOW_SPEC = "71471eba-b620-49e4-90fd-23f1fa0174d8"
BRAZE = "b69c2b6e-2da2-4448-abc4-890fa81c7024"


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "TAIL@AdobeOrg")


def _doc(name: str) -> dict[str, Any]:
    text = (EXAMPLES / name).read_text()
    loaded: dict[str, Any] = yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)
    return loaded


def _flow(emulator: EmulatorServer, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        f for f in emulator.state.store.all("flows") if f["name"] == name
    ]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("example", LONG_TAIL)
def test_each_example_applies_then_plans_clean(example: str) -> None:
    assert main(["apply", "--yes", str(EXAMPLES / example)]) == 0
    assert main(["plan", str(EXAMPLES / example)]) == 0  # a second look finds nothing to do


def test_a_stream_exports_audiences_alone_and_attributes_as_profile_selectors(
    emulator: EmulatorServer,
) -> None:
    assert main(["apply", "--yes", str(EXAMPLES / "azure_event_hubs.json")]) == 0
    flow = _flow(emulator, "Acme audiences to Event Hubs")
    assert flow["flowSpec"]["id"] == SHARED_BATCH_FLOW_SPEC  # shared with the legacy S3 spec
    params = flow["transformations"][0]["params"]
    selectors = params["profileSelectors"]["selectors"]
    assert [s["value"]["path"] for s in selectors] == [
        "person.name.firstName",
        "personalEmail.address",
        "identityMap.Email",
    ]
    assert [s["value"]["mapping"]["identity"] for s in selectors] == [False, False, True]
    audiences = params["segmentSelectors"]["selectors"]
    assert {"filenameTemplate", "schedule", "exportMode"}.isdisjoint(audiences[0]["value"])
    assert not params.get("profileMapping")  # no Data Prep mapping set for a stream


def test_a_flow_spec_the_spec_lacks_is_asked_of_the_service(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", str(EXAMPLES / "braze.json")]) == 3
    assert "+ identity identityMap.Email as external_id" in capsys.readouterr().out
    assert main(["apply", "--yes", str(EXAMPLES / "braze.json")]) == 0
    flow = _flow(emulator, "Acme audiences to Braze")
    assert flow["flowSpec"]["id"] == derived_flow_spec_id(BRAZE)


def test_a_stream_refuses_what_only_files_have(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc("braze.json")
    doc["audiences"][0]["filenameTemplate"] = "%SEGMENT_NAME%"
    doc["mandatoryFields"] = ["Email"]
    doc["mappings"].append({"source": "x", "destination": "y", "sourceType": "STATIC"})
    path = tmp_path / "braze.json"
    path.write_text(json.dumps(doc))
    assert main(["plan", str(path)]) == 1  # an invalid file: the work fails, nothing is sent
    err = capsys.readouterr().err
    assert "$.audiences[0].filenameTemplate" in err
    assert "$.mandatoryFields: not for a streaming destination" in err
    assert "$.mappings[2].sourceType: a streaming destination takes ATTRIBUTE or IDENTITY" in err


def test_a_stream_prunes_and_exports_what_it_applied(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(EXAMPLES / "braze.json")]) == 0
    exported = tmp_path / "exported.json"
    assert main(["export", "--flow", "Acme audiences to Braze", "--out", str(exported)]) == 0
    back = json.loads(exported.read_text())
    original = _doc("braze.json")
    assert back["destination"] == "braze"
    assert back["mappings"] == original["mappings"]
    assert [a["id"] for a in back["audiences"]] == [a["id"] for a in original["audiences"]]
    original["mappings"] = original["mappings"][1:]  # first_name is no longer sent
    edited = tmp_path / "braze.json"
    edited.write_text(json.dumps(original))
    capsys.readouterr()
    assert main(["plan", "--prune", str(edited)]) == 3
    assert "- attribute person.name.firstName as first_name" in capsys.readouterr().out
    assert main(["apply", "--yes", "--prune", str(edited)]) == 0
    flow = _flow(emulator, "Acme audiences to Braze")
    kept = flow["transformations"][0]["params"]["profileSelectors"]["selectors"]
    assert [s["value"]["mapping"]["destination"] for s in kept] == ["external_id"]


def test_the_emulator_refuses_file_settings_on_a_streaming_flow(
    emulator: EmulatorServer,
) -> None:
    assert main(["apply", "--yes", str(EXAMPLES / "azure_event_hubs.json")]) == 0
    flow = _flow(emulator, "Acme audiences to Event Hubs")
    selector = {
        "type": "PLATFORM_SEGMENT",
        "value": {"id": "2d79d0d8-724f-49fc-a09d-d1dec338c93c", "filenameTemplate": "x.csv"},
    }
    headers = HEADERS | {"x-gw-ims-org-id": "TAIL@AdobeOrg", "If-Match": flow["etag"]}
    with httpx.Client(base_url=emulator.base_url + FLOW, headers=headers) as api:
        refused = api.patch(
            f"/flows/{flow['id']}",
            json=[
                {
                    "op": "add",
                    "path": "/transformations/0/params/segmentSelectors/selectors/-",
                    "value": selector,
                }
            ],
        )
    assert refused.status_code == 400
    assert "value.filenameTemplate is not for a streaming destination" in refused.text


def test_file_based_long_tail_targets_keep_their_spec_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _doc("adobe_campaign.json")
    del doc["targetConnection"]["params"]["mode"]  # required by the spec's misplaced "required"
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(doc))
    assert main(["plan", str(path)]) == 1  # an invalid file: the work fails, nothing is sent
    assert "$.targetConnection.params.mode" in capsys.readouterr().err


def test_the_streaming_tutorials_target_body_validates_and_is_accepted(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    """The tutorial's target connection carries ``data: {format: json}`` beside the params."""
    assert main(["apply", "--yes", str(EXAMPLES / "azure_event_hubs.json")]) == 0
    (base,) = emulator.state.store.all("connections")
    body = {
        "name": "Azure Event Hubs target connection",
        "baseConnectionId": base["id"],
        "connectionSpec": {"id": "bf9f5905-92b7-48bf-bf20-455bc6b60a4e", "version": "1.0"},
        "data": {"format": "json"},
        "params": {"eventHubName": "profiles-2"},
    }
    path = tmp_path / "target.json"
    path.write_text(json.dumps(body))
    assert main(["validate", "--kind", "target-connection", str(path)]) == 0
    headers = HEADERS | {"x-gw-ims-org-id": "TAIL@AdobeOrg"}
    with httpx.Client(base_url=emulator.base_url + FLOW, headers=headers) as api:
        made = api.post("/targetConnections", json=body)
        assert made.status_code == 201, made.text
        wrong = api.post("/targetConnections", json=body | {"params": {"stream": "x"}})
    assert wrong.status_code == 400
    assert "eventHubName" in wrong.text
