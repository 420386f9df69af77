"""``apply`` and ``promote`` ask for a secret variable only where the plan sends credentials: a
base connection it creates, or one whose credentials it replaces. An existing connection needs
none; and if it vanishes while the prompt waits, apply refuses instead of sending a placeholder.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

S3_BASE = "Acme exports to S3"


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "SECRETS@AdobeOrg")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal to confirm on


def _s3(folder: Path, name: str = "s3.json", **names: str) -> Path:
    doc = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    doc.pop("mappings")  # Data Prep's calls say nothing here
    for key, value in names.items():
        doc[key]["name"] = value
    path = folder / name
    path.write_text(json.dumps(doc))
    return path


def _connections(emulator: EmulatorServer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = emulator.state.store.all("connections")
    return found


def test_only_creating_or_rotating_credentials_needs_the_secret(
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _s3(tmp_path)
    secret = os.environ["S3_SECRET_KEY"]
    monkeypatch.delenv("S3_SECRET_KEY")
    # A new base connection needs its secret: named, with why, before anything is sent.
    assert main(["apply", "--yes", str(path)]) == 1
    err = capsys.readouterr().err
    assert "environment variable S3_SECRET_KEY is not set" in err
    assert f"(apply creates base connection {S3_BASE!r})" in err
    assert _connections(emulator) == []
    monkeypatch.setenv("S3_SECRET_KEY", secret)
    assert main(["apply", "--yes", str(path)]) == 0
    capsys.readouterr()

    # The connection exists: a change elsewhere applies with the variable unset.
    monkeypatch.delenv("S3_SECRET_KEY")
    etag = _connections(emulator)[0]["etag"]
    doc = json.loads(path.read_text())
    doc["targetConnection"]["params"]["path"] = "audiences/moved"
    path.write_text(json.dumps(doc))
    assert main(["apply", "--yes", str(path)]) == 0, capsys.readouterr().err
    assert "Apply complete: 0 created, 1 changed, 0 removed." in capsys.readouterr().out
    assert _connections(emulator)[0]["etag"] == etag  # the connection untouched
    # Rotating sends the credentials: the variable is needed again, and said so.
    assert main(["apply", "--yes", "--rotate-secrets", str(path)]) == 1
    err = capsys.readouterr().err
    assert "environment variable S3_SECRET_KEY is not set" in err
    assert f"(apply replaces the credentials of base connection {S3_BASE!r})" in err


def test_a_connection_gone_while_the_prompt_waits_is_not_created_without_its_secret(
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["apply", "--yes", str(_s3(tmp_path))]) == 0
    # A second dataflow on the same base connection: its plan adopts the connection.
    other = _s3(
        tmp_path,
        "other.json",
        targetConnection="Acme S3 bucket (other)",
        dataflow="Acme audiences to S3 (other)",
    )
    monkeypatch.delenv("S3_SECRET_KEY")
    capsys.readouterr()

    def delete_then_confirm(_files: int, *_args: Any) -> bool:
        for connection in _connections(emulator):
            emulator.state.store.delete("connections", connection["id"])
        return True

    monkeypatch.setattr("destgen.cli.infra.confirmed", delete_then_confirm)
    assert main(["apply", str(other)]) == 1
    err = capsys.readouterr().err
    assert "needs S3_SECRET_KEY (not set; the plan did not need it): set it and plan again" in err
    assert _connections(emulator) == [], "no connection was created with a placeholder secret"
