"""``destgen destroy`` and ``destgen status`` against the emulator on 127.0.0.1: a file's
dataflow and its unshared connections go, shared ones stay; failed runs since ``--since`` make
status exit 1.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen.cli import main
from destgen.cli.status import since_time
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

AUDIENCES = ROOT / "examples" / "amazon_s3.json"
DATASETS = ROOT / "examples" / "amazon_s3_datasets.json"


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "LIFE@AdobeOrg")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def _names(emulator: EmulatorServer, collection: str) -> list[str]:
    return sorted(e["name"] for e in emulator.state.store.all(collection))


def test_destroy_removes_what_only_this_file_uses(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both files share the base connection "Acme exports to S3".
    assert main(["apply", "--yes", str(AUDIENCES), str(DATASETS)]) == 0
    capsys.readouterr()
    assert main(["destroy", str(DATASETS)]) == 1  # no terminal, no --yes: shown, not done
    out = capsys.readouterr().out
    assert "- delete flows 'Acme datasets to S3'" in out
    assert "= keep connections 'Acme exports to S3' (used by 1 more)" in out
    assert len(emulator.state.store.all("flows")) == 2
    assert main(["destroy", "--yes", str(DATASETS)]) == 0
    assert _names(emulator, "flows") == ["Acme audiences to S3"]
    assert _names(emulator, "targetConnections") == ["Acme S3 bucket"]
    assert _names(emulator, "connections") == ["Acme exports to S3"]
    assert _names(emulator, "sourceConnections") == ["Connect to Profile store"]
    assert main(["destroy", "--yes", str(AUDIENCES)]) == 0
    assert all(not emulator.state.store.all(c) for c in ("flows", "connections"))
    assert main(["destroy", "--yes", str(AUDIENCES)]) == 0
    assert "nothing of 'Acme audiences to S3' to remove" in capsys.readouterr().out


def test_destroy_finishes_what_an_interrupted_destroy_left(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(AUDIENCES)]) == 0
    # A destroy that stopped after its first delete (a 5xx, a dropped connection): the dataflow
    # is gone, the connections with their stored credentials are not.
    (flow,) = emulator.state.store.all("flows")
    with FlowServiceClient(
        base_url=emulator.base_url,
        identity=Identity(StaticToken("t"), "k", os.environ["AEP_ORG_ID"], "prod"),
    ) as client:
        client.run(ops.delete("flows", flow["id"]))
    capsys.readouterr()
    assert main(["destroy", "--yes", str(AUDIENCES)]) == 0
    out = capsys.readouterr().out
    assert "no dataflow named 'Acme audiences to S3'; left over:" in out
    assert "- delete connections 'Acme exports to S3'" in out
    for collection in ("targetConnections", "connections", "sourceConnections"):
        assert emulator.state.store.all(collection) == [], collection


def test_status_reports_runs_and_fails_on_a_failed_one(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(AUDIENCES)]) == 0
    emulator.advance(24)
    capsys.readouterr()
    assert main(["status", "--since", "7d", str(AUDIENCES)]) == 0
    out = capsys.readouterr().out
    assert "Acme audiences to S3: 4 run(s)" in out
    assert "success" in out
    assert "segment:2d79d0d8-724f-49fc-a09d-d1dec338c93c" in out
    emulator.advance(6, fail=True)
    assert main(["status", "--json", "--since", "7d", str(AUDIENCES)]) == 1
    report = json.loads(capsys.readouterr().out)
    failed = [r for r in report["files"][0]["runs"] if r["status"] == "failed"]
    assert failed
    assert failed[0]["errors"] == ["ACTIVATION_BATCH-0000-FAILED: Job aborted."]
    assert main(["status", "--since", "yesterday", str(AUDIENCES)]) == 2


def test_since_reads_durations_and_zoned_times() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert since_time("24h", now) == now - dt.timedelta(hours=24)
    assert since_time("7d", now) == now - dt.timedelta(days=7)
    assert since_time("2026-11-30T00:00:00Z", now) == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="time zone"):
        since_time("2026-11-30T00:00:00", now)
    with pytest.raises(ValueError, match="use a duration") as unreadable:
        since_time("3x", now)
    assert str(unreadable.value) == (
        "--since '3x': use a duration (24h, 7d) or an ISO 8601 time with a zone "
        "(2026-12-01T00:00:00Z)"
    )
    with pytest.raises(ValueError, match="before year 1; use a shorter one"):
        since_time("99999999999d", now)


def test_status_of_a_file_whose_flow_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", str(AUDIENCES)]) == 1  # nothing ran: never a silent success
    out, err = capsys.readouterr()
    assert "no dataflow named 'Acme audiences to S3'" in out
    assert "1 file with no dataflow in this sandbox" in err
    assert "apply first, or check AEP_SANDBOX_NAME" in err


def _applied_folder(tmp_path: Path) -> Path:
    """The S3 audience and dataset examples, applied: they share the base connection "Acme
    exports to S3".
    """
    folder = tmp_path / "setup"
    folder.mkdir()
    for example in (AUDIENCES, DATASETS):
        (folder / example.name).write_text(example.read_text())
    assert main(["apply", "--yes", str(folder)]) == 0
    return folder


def test_destroy_of_a_folder_removes_each_files_dataflow_and_then_what_they_shared(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _applied_folder(tmp_path)
    capsys.readouterr()
    assert main(["destroy", str(folder)]) == 1  # no terminal, no --yes: the first is shown only
    assert len(emulator.state.store.all("flows")) == 2
    assert main(["destroy", "--yes", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"== {folder / 'amazon_s3.json'}" in out
    assert f"== {folder / 'amazon_s3_datasets.json'}" in out
    assert all(not emulator.state.store.all(c) for c in ("flows", "connections"))
    assert main(["destroy", str(tmp_path / "empty.d")]) != 0


def test_destroy_json_reports_what_went_and_what_stayed(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _applied_folder(tmp_path)
    capsys.readouterr()
    assert main(["destroy", "--yes", "--json", str(folder / AUDIENCES.name)]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)  # the one document on stdout; the lines went to stderr
    assert report["format_version"] == 1
    (done,) = report["files"]
    assert done["status"] == "destroyed"
    assert {d["collection"] for d in done["deleted"]} >= {"flows", "targetConnections"}
    kept = {k["collection"]: k for k in done["kept"]}
    assert kept["connections"]["name"] == "Acme exports to S3"  # the datasets flow still uses it
    assert kept["connections"]["usedBy"] >= 1
    assert "- delete flows" in err
    assert main(["destroy", "--yes", "--json", str(folder / AUDIENCES.name)]) == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["status"] == "nothing to do"
