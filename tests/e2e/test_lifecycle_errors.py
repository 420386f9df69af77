"""What the destinations-as-code commands do when things go wrong: a service that does not answer,
a bad file among good ones, an id that is not a dataflow, the same sandbox twice, a dataset missing
in the target sandbox; and the terminal confirmations. Every request goes to 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.service.sandboxes import audience_id
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

S3 = ROOT / "examples" / "amazon_s3.json"
DATASETS = ROOT / "examples" / "amazon_s3_datasets.json"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens once the probe is closed


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "ERR@AdobeOrg")
    monkeypatch.setenv("AMAZON_S3_SECRET_KEY_ACME_EXPORTS_TO_S3", demo_secrets()["S3_SECRET_KEY"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


def test_an_unreachable_service_fails_each_file_and_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AEP_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    assert main(["plan", "--retries", "1", "--json", str(S3)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["status"] == "error"
    assert main(["apply", "--retries", "1", "--yes", str(S3)]) == 1
    assert "error:" in capsys.readouterr().out
    for command, *rest in (
        ["status", str(S3)],
        ["destroy", "--yes", str(S3)],
        ["export", "--all", "x"],
    ):
        assert main([command, "--retries", "1", *rest]) == 1, command
        assert f"destgen {command}: " in capsys.readouterr().err


def test_bad_files_stop_everything_before_any_request(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.json").write_text(S3.read_text())
    (tmp_path / "broken.json").write_text("{not json")
    for command in ("plan", "apply", "status"):
        assert main([command, str(tmp_path)]) == 2  # Exit.USAGE: a file cannot be read
        assert "broken.json: not valid JSON" in capsys.readouterr().err
    assert emulator.state.store.all("connections") == []
    assert main(["destroy", str(tmp_path / "broken.json")]) == 2
    assert main(["plan", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "broken.json").write_text(S3.read_text())  # a second file for one dataflow
    assert main(["plan", str(tmp_path)]) == 1
    assert "is also the dataflow of" in capsys.readouterr().err


def test_apply_at_a_terminal_asks_and_json_reports_the_steps(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda _prompt: "no")
    assert main(["apply", str(S3)]) == 1
    assert emulator.state.store.all("flows") == []
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")
    capsys.readouterr()
    assert main(["apply", "--json", str(S3)]) == 0
    steps = json.loads(capsys.readouterr().out)["files"][0]["steps"]
    assert {s["entity"] for s in steps} >= {"dataflow", "audiences"}
    assert main(["apply", "--json", str(S3)]) == 0
    out, err = capsys.readouterr()
    assert "nothing to do" in err
    assert json.loads(out)["files"][0]["status"] == "unchanged"


def test_export_and_promote_refuse_what_they_cannot_do(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(S3), str(DATASETS)]) == 0
    flow_id = next(
        f["id"] for f in emulator.state.store.all("flows") if f["name"] == "Acme audiences to S3"
    )
    capsys.readouterr()
    assert main(["export", "--flow", flow_id]) == 0
    assert json.loads(capsys.readouterr().out)["dataflow"]["name"] == "Acme audiences to S3"
    assert main(["export", "--flow", "0" * 32]) == 1  # an id-like name that is no dataflow
    assert main(["promote", "--from-sandbox", "prod", "--to-sandbox", "prod"]) == 2
    assert "are the same" in capsys.readouterr().err
    assert main(["promote", "--from-sandbox", "prod", "--to-sandbox", " "]) == 2
    assert "each need a name" in capsys.readouterr().err
    # Into a development sandbox: datasets resolve by name there; a renamed one does not.
    doc = json.loads(DATASETS.read_text())
    doc["datasets"][0]["name"] = "No such dataset"
    (tmp_path / "datasets.json").write_text(json.dumps(doc))
    (tmp_path / "list.yaml").write_text("- not an activation file\n")
    assert main(["promote", str(tmp_path), "--from-sandbox", "prod", "--to-sandbox", "dev"]) == 1
    assert "not an activation file" in capsys.readouterr().err
    (tmp_path / "list.yaml").unlink()
    assert main(["promote", str(tmp_path), "--from-sandbox", "prod", "--to-sandbox", "dev"]) == 1
    assert "dataset 'No such dataset'" in capsys.readouterr().err
    # An audience with neither a name in the file nor a definition in the source sandbox.
    audiences = json.loads(S3.read_text())
    audiences["audiences"][0] = {
        k: v for k, v in audiences["audiences"][0].items() if k != "name"
    } | {"id": "unknown-audience"}
    (tmp_path / "datasets.json").unlink()
    (tmp_path / "audiences.json").write_text(json.dumps(audiences))
    assert main(["promote", str(tmp_path), "--from-sandbox", "prod", "--to-sandbox", "dev"]) == 1
    assert "has no name in the file" in capsys.readouterr().err
    assert audience_id("dev", "Winter campaign") != audience_id("prod", "Winter campaign")


def test_one_variable_for_two_connections_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads(S3.read_text())
    second = json.loads(S3.read_text())
    second["dataflow"]["name"] = "Another flow"
    second["baseConnection"]["name"] = "Another account"
    (tmp_path / "a.json").write_text(json.dumps(first))
    (tmp_path / "b.json").write_text(json.dumps(second))
    assert main(["plan", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "S3_SECRET_KEY is also the secret of base connection 'Acme exports to S3'" in err
    assert "one variable per connection" in err
