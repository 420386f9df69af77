"""Dataset-export activation files against the emulator on 127.0.0.1: every destination's example
from nothing and again (idempotent), a new dataset list and a new schedule as the documented
PATCHes, runs as time passes, and the documented filter for dataset dataflows.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from destgen_runtime.activation.datasets import dataset_ids
from destgen_runtime.activation.engine import ActivationResult, activate
from destgen_runtime.activation.file import (
    ActivationError,
    activation_file_schema,
)
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen.cli.activate import load_file
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.service.datasets import CATALOG
from tests.conftest import AUDIENCE_EXAMPLES, DATASET_EXAMPLES, ROOT
from tests.e2e.conftest import FLOW, HEADERS, use_emulator

S3_DATASETS = ROOT / "examples" / "amazon_s3_datasets.json"
DATASET_FILTER = "inheritedAttributes.targetConnections[].data.outputType==DATASET_EXPORT"
STEPS = ["base connection", "target connection", "source connection", "dataflow"]


@pytest.fixture(autouse=True)
def _secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text()
    doc: dict[str, Any] = yaml.safe_load(text) if path.suffix == ".yaml" else json.loads(text)
    return doc


def _activate(
    server: EmulatorServer, folder: Path, *docs: dict[str, Any] | Path
) -> list[ActivationResult]:
    """Each activation in turn, from a file or from a document written to ``folder`` first."""
    identity = Identity(StaticToken("t"), "k", "TEST@AdobeOrg", "prod")
    results = []
    with FlowServiceClient(base_url=server.base_url, identity=identity) as client:
        for doc in docs:
            path = doc if isinstance(doc, Path) else folder / "activation.json"
            if not isinstance(doc, Path):
                path.write_text(json.dumps(doc))
            results.append(activate(client, load_file(path)))
    return results


def _actions(result: ActivationResult) -> dict[str, str]:
    return {row.entity: row.action for row in result.rows}


def test_every_destination_exports_datasets_idempotently(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    # The audience example first: its base connection has the dataset example's name, and is
    # shared rather than made twice.
    _activate(emulator, tmp_path, ROOT / "examples" / "amazon_s3.json")
    first = _activate(emulator, tmp_path, *DATASET_EXAMPLES)
    again = _activate(emulator, tmp_path, *DATASET_EXAMPLES)
    for path, made, repeated in zip(DATASET_EXAMPLES, first, again, strict=True):
        doc = _read(path)
        assert [r.entity for r in made.rows] == STEPS
        expected = {"base connection": "adopted" if path == S3_DATASETS else "created"}
        assert _actions(made) == dict.fromkeys(STEPS, "created") | expected
        assert _actions(repeated) == dict.fromkeys(STEPS, "adopted") | {
            "target params": "unchanged",
            "datasets": "unchanged",
            "schedule": "unchanged",
        }
        flow = emulator.state.store.get("flows", made.id_of("dataflow"))
        package = __import__(f"destgen_destinations.{doc['destination']}", fromlist=["spec"])
        assert flow["flowSpec"]["id"] == package.spec.DATASET_FLOW_SPEC_ID
        assert flow["transformations"] == []
        schedule = doc["dataflow"]["schedule"]
        start = dt.datetime.fromisoformat(schedule["start"]).timestamp()
        assert flow["scheduleParams"]["startTime"] == int(start)
        assert flow["scheduleParams"]["folderNameTemplate"] == schedule["folderNameTemplate"]
        source = emulator.state.store.get("sourceConnections", made.id_of("source connection"))
        assert dataset_ids(source) == sorted(d["id"] for d in doc["datasets"])
        target = emulator.state.store.get("targetConnections", made.id_of("target connection"))
        assert "datasetFileType" in target["params"]
        assert "fileType" not in target["params"]
    assert len(emulator.state.store.all("flows")) == 1 + len(DATASET_EXAMPLES)
    # The documented filter finds exactly the dataset dataflows, not the audience one.
    with httpx.Client(base_url=emulator.base_url + FLOW, headers=HEADERS) as api:
        listed = api.get("/flows", params={"property": DATASET_FILTER}).json()["items"]
    assert sorted(f["id"] for f in listed) == sorted(r.id_of("dataflow") for r in first)


def test_new_datasets_get_a_new_source_and_a_new_schedule_is_replaced(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    doc = _read(S3_DATASETS)
    (made,) = _activate(emulator, tmp_path, doc)
    flow_id, old_source = made.id_of("dataflow"), made.id_of("source connection")
    changed = copy.deepcopy(doc)
    changed["datasets"].append({"id": CATALOG[10]["id"], "name": CATALOG[10]["name"]})
    changed["dataflow"]["schedule"] |= {"interval": 6, "end": "2027-06-01T00:00:00Z"}
    (edited,) = _activate(emulator, tmp_path, changed)
    assert _actions(edited) == {
        "base connection": "adopted",
        "target connection": "adopted",
        "target params": "unchanged",
        "source connection": "created",  # a source connection's datasets cannot change
        "dataflow": "adopted",
        "datasets": "updated",
        "schedule": "updated",
    }
    flow = emulator.state.store.get("flows", flow_id)
    new_source = edited.id_of("source connection")
    assert flow["sourceConnectionIds"] == [new_source] != [old_source]
    assert flow["scheduleParams"]["interval"] == 6
    assert flow["scheduleParams"]["endTime"] == int(
        dt.datetime(2027, 6, 1, tzinfo=dt.UTC).timestamp()
    )
    assert flow["lastOperation"]["ops"][0]["path"] == "/sourceConnectionIds"
    assert flow["inheritedAttributes"]["sourceConnections"][0]["id"] == old_source
    # Back to the first list: the earlier source connection (same name, same datasets) is used
    # again, not made a third time; the schedule is left as the file says.
    doc["dataflow"]["schedule"] = changed["dataflow"]["schedule"]
    (back,) = _activate(emulator, tmp_path, doc)
    assert _actions(back)["source connection"] == "adopted"
    assert back.id_of("source connection") == old_source
    assert _actions(back)["datasets"] == "updated"
    assert _actions(back)["schedule"] == "unchanged"
    assert len(emulator.state.store.all("sourceConnections")) == 2


def test_dataset_flows_run_within_their_schedule(emulator: EmulatorServer, tmp_path: Path) -> None:
    now = dt.datetime.fromtimestamp(emulator.state.store.now_ms() / 1000, dt.UTC)
    hourly = _read(S3_DATASETS)
    hourly["dataflow"]["schedule"] |= {
        "start": (now - dt.timedelta(hours=1)).isoformat(),
        "end": (now + dt.timedelta(hours=10)).isoformat(),
    }
    once = _read(ROOT / "examples" / "adls_gen2_datasets.json")
    once["dataflow"]["schedule"]["start"] = (now - dt.timedelta(hours=1)).isoformat()
    later = copy.deepcopy(hourly)
    later["dataflow"]["name"] = "Starts next year"
    later["dataflow"]["schedule"] |= {"start": "2099-01-01T00:00:00Z", "end": None}
    results = _activate(emulator, tmp_path, hourly, once, later)
    runs = emulator.advance(24) + emulator.advance(24)
    by_flow: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_flow.setdefault(run["flowId"], []).append(run)
    hourly_id, once_id, later_id = (r.id_of("dataflow") for r in results)
    # 3-hourly between start and end: the 10 hours left hold three windows; none after the end.
    assert len(by_flow[hourly_id]) == 3
    assert len(by_flow[once_id]) == 1  # a one-time export runs once in its life
    assert later_id not in by_flow
    summary = by_flow[hourly_id][0]["metrics"]["recordSummary"]["sourceSummaries"][0]
    assert sorted(e["id"] for e in summary["entitySummaries"]) == sorted(
        f"dataset:{d['id']}" for d in hourly["datasets"]
    )


def _problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    path = tmp_path / "activation.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ActivationError) as caught:
        load_file(path)
    return caught.value.problems


def test_dataset_files_name_every_mistake_by_path(tmp_path: Path) -> None:
    doc = _read(S3_DATASETS)
    audience = _read(ROOT / "examples" / "amazon_s3.json")
    mixed = doc | {"audiences": audience["audiences"], "mandatoryFields": ["Email"]}
    assert _problems(tmp_path, mixed) == [
        "$.audiences: not part of workflow datasets",
        "$.mandatoryFields: not part of workflow datasets",
    ]
    no_schedule = copy.deepcopy(doc)
    del no_schedule["dataflow"]["schedule"]
    no_datasets = doc | {"datasets": []}
    assert _problems(tmp_path, no_schedule) == [
        "$.dataflow.schedule: required for workflow datasets"
    ]
    assert _problems(tmp_path, no_datasets) == [
        "$.datasets: workflow datasets needs at least one dataset"
    ]
    twice = doc | {"datasets": doc["datasets"] + doc["datasets"][:1]}
    assert _problems(tmp_path, twice) == [
        f"$.datasets[2].id: {doc['datasets'][0]['id']} is listed twice"
    ]
    scheduled_audiences = copy.deepcopy(audience)
    scheduled_audiences["dataflow"]["schedule"] = doc["dataflow"]["schedule"]
    assert _problems(tmp_path, scheduled_audiences | {"datasets": doc["datasets"]}) == [
        "$.datasets: only for workflow datasets",
        "$.dataflow.schedule: only for workflow datasets; each audience carries its own schedule",
    ]
    hourly_daily = copy.deepcopy(doc)
    hourly_daily["dataflow"]["schedule"] |= {"timeUnit": "hour", "interval": 1}
    (problem,) = _problems(tmp_path, hourly_daily)
    assert problem.startswith("$.dataflow.schedule: ")
    assert "not a documented cadence" in problem
    csv = copy.deepcopy(doc)
    csv["targetConnection"]["params"] |= {"fileType": "CSV"}
    (problem,) = _problems(tmp_path, csv)
    assert problem.startswith("$.targetConnection.params.fileType: unknown key 'fileType'")
    plain_json = copy.deepcopy(doc)
    plain_json["targetConnection"]["params"] |= {"datasetFileType": "JSON", "compression": "NONE"}
    (problem,) = _problems(tmp_path, plain_json)
    assert problem.startswith("$.targetConnection.params: ")
    assert "GZIP" in problem
    naive = copy.deepcopy(doc)
    naive["dataflow"]["schedule"]["start"] = "2026-12-01T00:00:00"
    (problem,) = _problems(tmp_path, naive)
    assert problem.startswith("$.dataflow.schedule.start: ")


def test_the_published_schema_tells_the_workflows_apart() -> None:
    schema = activation_file_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for path in [*AUDIENCE_EXAMPLES, *DATASET_EXAMPLES]:
        doc = json.loads(json.dumps(_read(path), default=str))
        assert list(validator.iter_errors(doc)) == [], path
    doc = _read(S3_DATASETS)
    audience = _read(ROOT / "examples" / "amazon_s3.json")
    assert list(validator.iter_errors(doc | {"audiences": audience["audiences"]}))
    no_schedule = copy.deepcopy(doc)
    del no_schedule["dataflow"]["schedule"]
    assert list(validator.iter_errors(no_schedule))
    assert list(validator.iter_errors(audience | {"datasets": doc["datasets"]}))


def test_replaced_sources_go_with_prune_and_with_destroy(
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from destgen.cli import main

    use_emulator(monkeypatch, emulator.base_url, "TEST@AdobeOrg")
    doc = _read(S3_DATASETS)
    path = tmp_path / "datasets.json"
    path.write_text(json.dumps(doc))
    assert main(["apply", "--yes", str(path)]) == 0
    changed = copy.deepcopy(doc)
    changed["datasets"].append({"id": CATALOG[10]["id"], "name": CATALOG[10]["name"]})
    path.write_text(json.dumps(changed))
    assert main(["apply", "--yes", str(path)]) == 0  # without --prune the old one is kept
    assert len(emulator.state.store.all("sourceConnections")) == 2
    capsys.readouterr()
    assert main(["plan", "--prune", str(path)]) == 3
    deleted = "- delete sourceConnections 'Data Lake for Acme datasets to S3' ("
    assert deleted in capsys.readouterr().out
    assert main(["apply", "--yes", "--prune", str(path)]) == 0
    (kept,) = emulator.state.store.all("sourceConnections")
    assert dataset_ids(kept) == sorted(d["id"] for d in changed["datasets"])
    # A switch back leaves a replaced one behind again; destroy takes it with the flow.
    path.write_text(json.dumps(doc))
    assert main(["apply", "--yes", str(path)]) == 0
    assert len(emulator.state.store.all("sourceConnections")) == 2
    assert main(["destroy", "--yes", str(path)]) == 0
    for collection in ("flows", "sourceConnections", "targetConnections", "connections"):
        assert emulator.state.store.all(collection) == [], collection
