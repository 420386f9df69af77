"""Ownership in plan and apply: each change names its entity by name and id, a connection other
dataflows use is named as shared and changed only with ``--change-shared``, and a create shows
where it points (bucket, path) before it exists.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

AUDIENCES = ROOT / "examples" / "amazon_s3.json"
DATASETS = ROOT / "examples" / "amazon_s3_datasets.json"  # the same base connection


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "OWN@AdobeOrg")


def test_a_create_shows_where_it_points(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(AUDIENCES)]) == 3
    out = capsys.readouterr().out
    assert "+ create targetConnections 'Acme S3 bucket' (bucketName: acme-exports, path:" in out


def test_a_shared_connection_changes_only_when_asked(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(AUDIENCES), str(DATASETS)]) == 0
    doc = json.loads(AUDIENCES.read_text())
    doc["baseConnection"]["description"] = "edited by the audience team"
    edited = tmp_path / "audiences.json"
    edited.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["plan", str(edited)]) == 3
    out = capsys.readouterr().out
    (base,) = emulator.state.store.all("connections")
    assert (
        f"update connections 'Acme exports to S3' ({base['id']}), shared with 1 other "
        "dataflow(s): Acme datasets to S3"
    ) in out
    assert main(["apply", "--yes", str(edited)]) == 1
    assert "pass --change-shared" in capsys.readouterr().err
    assert emulator.state.store.get("connections", base["id"]).get("description") != (
        "edited by the audience team"
    )
    assert main(["apply", "--yes", "--change-shared", str(edited)]) == 0
    changed = emulator.state.store.get("connections", base["id"])
    assert changed["description"] == "edited by the audience team"


def test_a_dataflow_of_the_same_name_does_not_take_over_its_chain(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another team's file names its dataflow as ours: its connections carry other names, so
    the plan says the chain was found under another name, and apply changes nothing unasked.
    """
    assert main(["apply", "--yes", str(AUDIENCES)]) == 0
    doc = json.loads(AUDIENCES.read_text())
    doc["baseConnection"]["name"] = "Other team base"
    doc["targetConnection"]["name"] = "Other team target"
    doc["targetConnection"]["params"]["bucketName"] = "other-bucket"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["plan", str(other)]) == 3
    out = capsys.readouterr().out
    (base,) = emulator.state.store.all("connections")
    (target,) = emulator.state.store.all("targetConnections")
    assert (
        f"update connections 'Acme exports to S3' ({base['id']}), found through the dataflow "
        "under another name"
    ) in out
    assert main(["apply", "--yes", "--prune", str(other)]) == 1
    assert "pass --change-shared" in capsys.readouterr().err
    assert emulator.state.store.get("connections", base["id"])["name"] == "Acme exports to S3"
    kept = emulator.state.store.get("targetConnections", target["id"])
    assert kept["params"]["bucketName"] == "acme-exports"
    assert main(["apply", "--yes", "--change-shared", str(other)]) == 0
    assert emulator.state.store.get("connections", base["id"])["name"] == "Other team base"
