"""The long tail right, on the real 2020 specs (tests/data/corpus_2020) and the emulator on
127.0.0.1: what is no destination says why, what a spec requires stays required, nothing a spec
does not declare is added, delivery follows the spec's own settings and each audience's schedule,
and a base connection with no auth is told apart without ``--kind``.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from destgen_runtime.schema.dialect import (
    DATA_LAKE_TARGET_SPEC_ID,
    not_a_destination,
    standardise,
)
from destgen_runtime.schema.wire import to_wire

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen.spec_folder import read_spec_folder
from destgen_destinations import amazon_s3, amazon_s3_legacy
from destgen_destinations.adobe_campaign import models as campaign
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, daily_selector, run_cli, run_destgen
from tests.e2e.conftest import use_emulator

CORPUS = ROOT / "tests" / "data" / "corpus_2020"
AMAZON_S3_2020 = CORPUS / "267d55db-3b67-4237-9450-e5be417b9b23__amazon_s3_connection_spec.json"
MOCK_S3 = CORPUS / "432768ac-d5d8-4650-b5e9-49902531818d__mock_s3.json"
# The Data Lake target as the Flow Service API's file describes it (its fixed connection spec
# id; a target connection's params are the dataset to ingest into). No 2020 spec here is it.
DATA_LAKE = {
    "id": DATA_LAKE_TARGET_SPEC_ID,
    "name": "Data Lake",
    "version": "1.0",
    "authSpec": [],
    "targetSpec": {
        "spec": {
            "type": "object",
            "properties": {"dataSetId": {"type": "string"}},
            "required": ["dataSetId"],
        }
    },
}


def test_the_data_lake_target_is_no_destination_and_says_why(tmp_path: Path) -> None:
    pointer, reason = not_a_destination(DATA_LAKE) or ("", "")
    assert pointer == "/id"
    assert "ingestion (source) flows" in reason
    renamed = {**DATA_LAKE, "id": "11111111-2222-4333-8444-555555555555", "name": "Lake"}
    assert not_a_destination(renamed) is not None, "told by its dataset-id target too"
    (tmp_path / "data_lake.json").write_text(json.dumps(DATA_LAKE))
    shutil.copy(MOCK_S3, tmp_path / MOCK_S3.name)
    folder = read_spec_folder(tmp_path)
    (refusal,) = folder.refused
    assert refusal.not_a_destination
    assert "not a destination" in refusal.reasons[0]
    assert [s.slug for s in folder.specs] == ["mock_s3"]


def test_an_empty_default_keeps_a_required_field_required() -> None:
    raw = json.loads(AMAZON_S3_2020.read_text())
    read, notes = standardise(raw)
    target = read["targetSpec"]["spec"]
    assert target["required"] == ["bucketName", "path"]
    assert "default" not in target["properties"]["bucketName"]
    assert "default" not in target["properties"]["path"]
    assert target["properties"]["region"]["default"] == "", "an optional field keeps its default"
    auth = read["authSpec"][0]["spec"]
    assert "default" not in auth["properties"]["accessKeyId"]
    assert any("bucketName/default: an empty default on a required field" in n for n in notes)


def test_the_2020_amazon_s3_spec_generates_models_that_require_what_it_requires(
    tmp_path: Path,
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(AMAZON_S3_2020, specs / AMAZON_S3_2020.name)
    library = tmp_path / "library"
    generated = run_destgen("generate", "--specs", str(specs), "--out", str(library))
    assert generated.returncode == 0, generated.stderr
    out = _probe(
        library,
        "from destgen_destinations.amazon_s3_connection_spec import models as m\n"
        "from pydantic import ValidationError\n"
        "for cls, body in ((m.TargetParams, {'region': 'eu'}),\n"
        "                  (m.AmazonS3AuthSpecParams, {'secretAccessKey': 'x'})):\n"
        "    try:\n"
        "        cls.model_validate(body)\n"
        "    except ValidationError as exc:\n"
        "        print(sorted(e['loc'][0] for e in exc.errors() if e['type'] == 'missing'))\n",
    )
    assert out.splitlines() == ["['bucketName', 'path']", "['accessKeyId']"]


def _probe(library: Path, code: str) -> str:
    """``code`` run with ``library`` first on the path (it has the checkout's package name)."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=os.environ | {"PYTHONPATH": f"{library}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_no_param_the_spec_does_not_declare_is_added() -> None:
    legacy = amazon_s3_legacy.target_connection(name="t", base_connection_id="b", path="exports")
    assert amazon_s3_legacy.to_wire(legacy)["params"] == {"path": "exports"}
    stored = {"path": "exports", "mode": "S3"}  # a legacy target as the service keeps it
    assert amazon_s3_legacy.models.TargetParams.model_validate(stored).mode == "S3"
    assert "include_file_manifest" not in campaign.TargetParams.model_fields
    assert campaign.TargetParams.model_validate(
        {"mode": "S3", "S3": {"bucketName": "acme", "path": "p"}}
    )
    # The current specs keep what every documented request sends with them.
    current = amazon_s3.target_connection(
        name="t",
        base_connection_id="b",
        bucket_name="acme-exports",
        path="p",
        file_type="CSV",
        compression="NONE",
    )
    assert amazon_s3.to_wire(current)["params"]["mode"] == "Server-to-server"


def _campaign_file(tmp_path: Path, s3_format: str) -> Path:
    doc = json.loads((ROOT / "examples" / "adobe_campaign.json").read_text())
    doc["targetConnection"]["params"] = {
        "mode": "S3",
        "S3": {"bucketName": "acme-campaign", "path": "imports", "format": s3_format},
        "FTP": {"remotePath": "elsewhere", "format": "CSV"},
    }
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_tab_delimited_format_delivers_tab_separated_files_where_the_mode_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _campaign_file(tmp_path, "TAB_DELIMITED")
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "preview"
    assert main(["preview", "--rows", "5", "--out", str(out), str(path)]) == 0
    capsys.readouterr()
    (written,) = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith("manifest")]
    parts = written.relative_to(out).parts
    assert parts[:4] == ("preview", "adobe_campaign", "acme-campaign", "imports")
    assert "elsewhere" not in parts, "the FTP settings are not where an S3 mode delivers"
    data = written.read_bytes()
    text = (gzip.decompress(data) if written.suffix == ".gz" else data).decode()
    header = text.splitlines()[0]
    assert header.split("\t") == ["firstName", "Email"]
    assert next(csv.reader(io.StringIO(text), delimiter="\t")) == ["firstName", "Email"]


def test_each_audience_is_delivered_on_its_own_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    frequencies = {a["id"]: a["schedule"]["frequency"] for a in example["audiences"]}
    assert sorted(frequencies.values()) == ["DAILY", "EVERY_6_HOURS"]
    with EmulatorServer(deliver_to=tmp_path / "delivered") as server:
        use_emulator(monkeypatch, server.base_url, "SCHEDULE@AdobeOrg")
        assert main(["apply", "--yes", str(ROOT / "examples" / "amazon_s3.json")]) == 0
        runs = server.advance(24)
    assert len(runs) == 4, "one run per six hours"
    files_per_audience: dict[str, int] = {}
    for run in runs:
        for file in run["metrics"].get("files", []):
            if "segmentId" in file:
                files_per_audience[file["segmentId"]] = (
                    files_per_audience.get(file["segmentId"], 0) + 1
                )
    expected = {"DAILY": 1, "EVERY_6_HOURS": 4}
    assert {a: expected[f] for a, f in frequencies.items()} == files_per_audience
    # Each run's record counts name the audiences it exported, and only those.
    counted: dict[str, int] = {}
    for run in runs:
        (target,) = run["metrics"]["recordSummary"]["targetSummaries"]
        for summary in target["entitySummaries"]:
            audience = summary["id"].removeprefix("segment:")
            counted[audience] = counted.get(audience, 0) + 1
    assert counted == files_per_audience


def test_a_raw_specs_files_land_under_its_slug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = tmp_path / "served"
    shutil.copytree(ROOT / "specs_cache", served)
    shutil.copy(MOCK_S3, served / MOCK_S3.name)
    with EmulatorServer(specs=served) as server:
        destination = server.state.destination_of_spec("432768ac-d5d8-4650-b5e9-49902531818d")
    assert destination is not None
    assert destination.slug == "mock_s3", "named as the generator names it, not by its file"


def test_a_base_connection_without_auth_is_told_apart_without_kind(tmp_path: Path) -> None:
    body = {
        "name": "Acme landing zone",
        "connectionSpec": {"id": "10440537-2a7b-4583-ac39-ed38d4b848e8", "version": "1.0"},
    }
    path = tmp_path / "dlz.json"
    path.write_text(json.dumps(body))
    done = run_cli("validate", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok (base-connection)" in done.stdout
    wrong = copy.deepcopy(body) | {"auth": {"specName": "x", "params": {}}}
    path.write_text(json.dumps(wrong))
    refused = run_cli("validate", str(path))
    assert refused.returncode == 1
    assert "$.auth" in refused.stdout


def test_a_word_between_percent_signs_that_is_no_macro_is_warned_about(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    doc["audiences"][0]["filenameTemplate"] = "%DESTINATION_NAME%_%SEGMENT_NAM%_%custom text%"
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(doc))
    done = run_cli("validate", str(path))
    assert done.returncode == 0, "valid: custom text between percent signs is allowed"
    assert (
        "$.audiences[0].filenameTemplate: %SEGMENT_NAM% is no file name macro: it is written as "
        "the text 'SEGMENT_NAM' (macros: %DESTINATION_NAME%, %SEGMENT_ID%, %SEGMENT_NAME%"
    ) in done.stdout
    assert "custom text" not in done.stdout, "lower-case custom text is what the docs allow"
    selector = to_wire(daily_selector("2d79d0d8-724f-49fc-a09d-d1dec338c93c"))
    selector["value"]["filenameTemplate"] = "%SEGMENT_NAM%"
    flow = [
        {
            "op": "add",
            "path": "/transformations/0/params/segmentSelectors/selectors/-",
            "value": selector,
        }
    ]
    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps(flow))
    done = run_cli("validate", "--kind", "dataflow-patch", "--destination", "amazon_s3", str(patch))
    assert "$[0].value.value.filenameTemplate: %SEGMENT_NAM% is no file name macro" in done.stdout


def test_a_dataset_file_with_no_end_is_warned_about_wherever_it_is_read(tmp_path: Path) -> None:
    doc = json.loads((ROOT / "examples" / "amazon_s3_datasets.json").read_text())
    doc["dataflow"]["schedule"].pop("end", None)
    path = tmp_path / "datasets.json"
    path.write_text(json.dumps(doc))
    warning = "$.dataflow.schedule.end: none given: Adobe stops a dataset export six months"
    validated = run_cli("validate", str(path))
    assert validated.returncode == 0
    assert warning in validated.stdout
    planned = run_cli("activate", "--dry-run", str(path))
    assert planned.returncode == 0, planned.stderr
    assert f"{path}: warning: {warning}" in planned.stderr


def test_runs_start_at_their_own_window_and_streams_claim_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = ROOT / "examples" / "amazon_s3.json"
    stream = ROOT / "examples" / "braze.json"
    with EmulatorServer() as server:
        use_emulator(monkeypatch, server.base_url, "RUNTIMES@AdobeOrg")
        assert main(["apply", "--yes", str(files), str(stream)]) == 0
        server.advance(24)
        capsys.readouterr()
        assert main(["status", "--json", "--since", "7d", str(files), str(stream)]) == 0
        report = json.loads(capsys.readouterr().out)
    by_file = {Path(entry["file"]).name: entry["runs"] for entry in report["files"]}
    starts = [run["startedAt"] for run in by_file["amazon_s3.json"]]
    assert len(starts) == len(set(starts)) == 4, "one start time per six-hour window"
    assert all(start.endswith("Z") and "T" in start for start in starts)
    assert by_file["braze.json"]
    assert {run["files"] for run in by_file["braze.json"]} == {0}


def test_a_delivering_runs_record_counts_are_its_files_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with EmulatorServer(deliver_to=tmp_path / "out", deliver_rows=7) as server:
        use_emulator(monkeypatch, server.base_url, "ROWS@AdobeOrg")
        assert main(["apply", "--yes", str(ROOT / "examples" / "amazon_s3.json")]) == 0
        runs = server.advance(24)
    for run in runs:
        (target,) = run["metrics"]["recordSummary"]["targetSummaries"]
        rows = {f["segmentId"]: f["rows"] for f in run["metrics"]["files"] if "segmentId" in f}
        counted = {
            e["id"].removeprefix("segment:"): e["outputRecordCount"]
            for e in target["entitySummaries"]
        }
        assert counted == rows == dict.fromkeys(rows, 7)
