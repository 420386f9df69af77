"""Any destination spec on the emulator: it serves a folder of raw specs (the 2020 corpus), reads
their dialect as the generator does, and lists flow specs a user fetches by id or all at once;
several destinations may share one flow spec.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from destgen.spec_folder import read_spec_folder
from destgen_emulator import EmulatorServer
from destgen_emulator.service.catalog import derived_flow_spec_id
from tests.conftest import ROOT, run_cli, run_destgen
from tests.e2e.conftest import FLOW, HEADERS, use_emulator

CORPUS = ROOT / "tests" / "data" / "corpus_2020"
CAMPAIGN = "0b23e41a-cb4a-4321-a78f-3b654f5d7d97"
BRAZE = "b69c2b6e-2da2-4448-abc4-890fa81c7024"
EVENT_HUBS = "bf9f5905-92b7-48bf-bf20-455bc6b60a4e"


@pytest.fixture
def corpus_emulator() -> EmulatorServer:
    with EmulatorServer(specs=CORPUS) as server:
        yield server


def test_the_emulator_serves_every_destination_of_a_raw_folder(
    corpus_emulator: EmulatorServer,
) -> None:
    with httpx.Client(base_url=corpus_emulator.base_url + FLOW, headers=HEADERS) as api:
        specs = api.get("/connectionSpecs").json()["items"]
        assert len(specs) == 45  # 19 destinations, 25 tag extensions, the Profile store source
        flows = api.get(
            "/flowSpecs", params={"property": f"targetConnectionSpecIds[]=={BRAZE}"}
        ).json()["items"]
        assert [f["id"] for f in flows] == [derived_flow_spec_id(BRAZE)]
        base = api.post(
            "/connections",
            json={
                "name": "campaign",
                "auth": {
                    "specName": "S3",
                    "params": {"accessId": "ABCDEFGHIJKLMNOPQRST", "secretKey": "s" * 40},
                },
                "connectionSpec": {"id": CAMPAIGN, "version": "1.0"},
            },
        )
        assert base.status_code == 201, base.text
        # Adobe Campaign's misplaced "required": ["mode"] is read as required, not a 500.
        target = api.post(
            "/targetConnections",
            json={
                "name": "campaign target",
                "baseConnectionId": base.json()["id"],
                "connectionSpec": {"id": CAMPAIGN, "version": "1.0"},
                "params": {"S3": {"bucketName": "acme-exports", "path": "out"}},
            },
        )
        assert target.status_code == 400, target.text
        assert "mode" in target.text


def test_fetch_brings_any_spec_home_and_it_generates(
    corpus_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_emulator(monkeypatch, corpus_emulator.base_url, "FETCH@AdobeOrg")
    one = tmp_path / "one"
    done = run_cli("fetch", "--spec-id", BRAZE, "--spec-id", EVENT_HUBS, "--out", str(one))
    assert done.returncode == 0, done.stderr
    entries = json.loads((one / "manifest.json").read_text())["destinations"]
    assert [(e["slug"], e["audience_flow_spec_id"]) for e in entries] == [
        ("braze", derived_flow_spec_id(BRAZE)),
        # destgen curates this spec as azure_event_hubs: the slug it is known by, whatever the
        # service names it (the name alone would give azure_event_hub)
        ("azure_event_hubs", derived_flow_spec_id(EVENT_HUBS)),
    ]
    tag = "db9f2ebb-38a1-47c3-aa1a-ece9557ee6a7"  # Adobe Target v2: a tag extension
    refused = run_cli("fetch", "--spec-id", tag, "--out", str(one))
    assert refused.returncode == 1
    assert "not a Flow Service destination" in refused.stderr
    assert json.loads((one / "manifest.json").read_text())["destinations"] == entries
    every = tmp_path / "every"
    done = run_cli("fetch", "--all-destinations", "--out", str(every))
    assert done.returncode == 0, done.stderr
    assert "19 destination specs" in done.stdout
    out = tmp_path / "library"
    generated = run_destgen("generate", "--specs", str(every), "--out", str(out))
    assert generated.returncode == 0, generated.stderr[-2000:]
    registry = (out / "destgen_destinations" / "registry.py").read_text()
    assert f"{derived_flow_spec_id(BRAZE)!r}: ('braze',)" in registry.replace('"', "'")


def test_one_flow_spec_may_serve_several_destinations(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shared = "71471eba-b620-49e4-90fd-23f1fa0174d8"  # the documented legacy batch flow spec
    entries = []
    for spec_id, slug in (
        ("432768ac-d5d8-4650-b5e9-49902531818d", "mock_s3"),
        (EVENT_HUBS, "hubs"),
    ):
        (source,) = CORPUS.glob(f"{spec_id}__*.json")
        shutil.copy(source, specs / f"{slug}.json")
        entries.append(
            {"slug": slug, "connection_spec_id": spec_id, "audience_flow_spec_id": shared}
        )
    (specs / "manifest.json").write_text(json.dumps({"destinations": entries}))
    with EmulatorServer(specs=specs) as server:
        with httpx.Client(base_url=server.base_url + FLOW, headers=HEADERS) as api:
            (flow_spec,) = api.get("/flowSpecs").json()["items"]
        assert flow_spec["id"] == shared
        assert sorted(flow_spec["targetConnectionSpecIds"]) == sorted(
            ["432768ac-d5d8-4650-b5e9-49902531818d", EVENT_HUBS]
        )
    out = tmp_path / "library"
    done = run_destgen("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    # The shared flow spec finds each package by its target's connection spec, and alone
    # decides nothing.
    script = (
        "from destgen_destinations import registry as r\n"
        f"print(r.by_flow_spec({shared!r}, {EVENT_HUBS!r}).spec.SLUG, "
        f"r.by_flow_spec({shared!r}, '432768ac-d5d8-4650-b5e9-49902531818d').spec.SLUG, "
        f"r.by_flow_spec({shared!r}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        env=os.environ | {"PYTHONPATH": str(out)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert found.stdout.split() == ["hubs", "mock_s3", "None"], found.stderr


AIRSHIP = "2c6a8689-fd90-43c3-8a73-3595132e102c__airship_tags_destination.json"
ACTIVATE_ONE = """
import json, sys
from destgen_runtime.activation.engine import activate, prepare
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

doc = json.loads(sys.argv[2])
identity = Identity(StaticToken("t"), "k", "DROP@AdobeOrg", "prod")
with FlowServiceClient(base_url=sys.argv[1], identity=identity) as client:
    result = activate(client, prepare(ActivationFile.model_validate(doc)))
print(json.dumps([[r.entity, r.action] for r in result.rows]))
"""


def test_a_spec_dropped_into_the_folder_activates_with_no_code_edit(tmp_path: Path) -> None:
    """A real spec the project never saw, as a file in the specs folder: generated by name, its
    flow spec asked of the service, activated through the runtime as generated.
    """
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs_cache", specs)
    shutil.copy(CORPUS / AIRSHIP, specs / "airship.json")
    out = tmp_path / "library"
    done = run_destgen("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    doc = {
        "destination": "airship_tags_destination",
        "baseConnection": {
            "name": "Airship project",
            "auth": {"specName": "Bearer Token", "params": {"token": {"env": "AIRSHIP_TOKEN"}}},
        },
        "targetConnection": {"name": "Airship EU", "params": {"domain": "EU"}},
        "dataflow": {"name": "Audiences to Airship"},
        "audiences": [{"id": "2d79d0d8-724f-49fc-a09d-d1dec338c93c", "name": "Winter campaign"}],
        "mappings": [{"source": "Email", "destination": "named_user_id", "sourceType": "IDENTITY"}],
    }
    with EmulatorServer(specs=specs) as server:
        ran = subprocess.run(
            [sys.executable, "-c", ACTIVATE_ONE, server.base_url, json.dumps(doc)],
            env=os.environ | {"PYTHONPATH": str(out), "AIRSHIP_TOKEN": "a-token"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        (flow,) = server.state.store.all("flows")
    rows = json.loads(ran.stdout)
    assert ["dataflow", "created"] in rows
    assert flow["flowSpec"]["id"] == derived_flow_spec_id("2c6a8689-fd90-43c3-8a73-3595132e102c")
    selectors = flow["transformations"][0]["params"]["profileSelectors"]["selectors"]
    assert selectors[0]["value"]["mapping"]["identity"] is True


def test_fetch_refuses_what_it_cannot_bring_home_and_keeps_entries_it_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spec id the service lacks, a slug another spec holds: nothing written, reasons given;
    an entry already there keeps its slug; a dataset flow spec is recorded as such.
    """
    specs = tmp_path / "served"
    shutil.copytree(ROOT / "specs_cache", specs)
    with EmulatorServer(specs=specs) as server:
        use_emulator(monkeypatch, server.base_url, "FETCH2@AdobeOrg")
        out = tmp_path / "home"
        missing = run_cli("fetch", "--spec-id", "no-such-spec", "--out", str(out))
        assert missing.returncode == 1
        assert "fetch failed" in missing.stderr
        assert not out.exists()
        s3 = "4fce964d-3f37-408f-9778-e597338a21ee"
        assert run_cli("fetch", "--spec-id", s3, "--out", str(out)).returncode == 0
        (entry,) = json.loads((out / "manifest.json").read_text())["destinations"]
        assert entry["slug"] == "amazon_s3"
        assert entry["audience_flow_spec_id"] == "1a0514a6-33d4-4c7f-aff8-594799c47549"
        assert entry["dataset_flow_spec_id"] == "269ba276-16fc-47db-92b0-c1049a3c131f"
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["destinations"].append({"slug": "braze", "connection_spec_id": "someone-else"})
        (out / "manifest.json").write_text(json.dumps(manifest))
        clash = run_cli("fetch", "--spec-id", BRAZE, "--out", str(out))
        assert clash.returncode == 1
        assert "would take the slug 'braze' of connection spec someone-else" in clash.stderr
        again = run_cli("fetch", "--spec-id", s3, "--out", str(out))
        assert again.returncode == 0
        both = run_cli("fetch", "--spec-id", s3, "--all-destinations", "--out", str(out))
        assert both.returncode == 2


def test_a_folder_names_each_unreadable_spec_and_goes_on(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(CORPUS / "b69c2b6e-2da2-4448-abc4-890fa81c7024__braze.json", specs)
    (specs / "broken.json").write_text("{not json")
    (specs / "list.json").write_text("[1, 2]")
    encryption = {
        "id": "x",
        "name": "Odd",
        "version": "1.0",
        "authSpec": [],
        "targetSpec": {"spec": {"type": "object", "properties": {}}},
        "encryptionSpecs": [],
        "encryption": [],
    }
    (specs / "odd.json").write_text(json.dumps(encryption))
    read = read_spec_folder(specs)
    assert [s.slug for s in read.specs] == ["braze"]
    reasons = {Path(r.file).name: r.reasons[0] for r in read.refused}
    assert "not valid JSON" in reasons["broken.json"]
    assert "expected a connection spec object" in reasons["list.json"]
    assert "odd.json#/encryption" in reasons["odd.json"]
