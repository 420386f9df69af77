"""Audiences and datasets are referred to, never created: plan and apply check they exist in the
sandbox before anything is created, and name each missing one with the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from destgen.cli import main
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "REFS@AdobeOrg")


@pytest.mark.parametrize(
    ("example", "edit", "expected"),
    [
        (
            "amazon_s3.json",
            lambda doc: doc["audiences"][1].update(id="00000000-0000-4000-8000-000000000000"),
            "$.audiences[1].id: audience 00000000-0000-4000-8000-000000000000 ('Autumn campaign') "
            "does not exist in sandbox 'prod'; destgen promote resolves audiences by name",
        ),
        (
            "amazon_s3_datasets.json",
            lambda doc: doc["datasets"][0].update(id="no-such-dataset"),
            "$.datasets[0].id: dataset no-such-dataset (",
        ),
    ],
    ids=["audience", "dataset"],
)
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_missing_references_stop_before_anything_is_created(
    emulator: EmulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    example: str,
    edit: object,
    expected: str,
) -> None:
    doc = json.loads((ROOT / "examples" / example).read_text())
    edit(doc)  # type: ignore[operator]
    path = tmp_path / example
    path.write_text(json.dumps(doc))
    extra = ["--yes"] if command == "apply" else []
    assert main([command, "--json", *extra, str(path)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert report["status"] == "error"
    assert expected in report["error"]
    for collection in ("connections", "targetConnections", "flows", "sourceConnections"):
        assert emulator.state.store.all(collection) == [], collection


def test_a_run_asks_each_audience_once(emulator: EmulatorServer) -> None:
    from destgen_runtime.activation.payloads import parse_activation_file, prepare
    from destgen_runtime.activation.references import (
        KnownReferences,
        missing_references,
    )
    from destgen_runtime.transport.client import FlowServiceClient
    from destgen_runtime.transport.credentials import Identity, StaticToken

    payloads = prepare(
        parse_activation_file(json.loads((ROOT / "examples" / "amazon_s3.json").read_text()))
    )
    known = KnownReferences()
    identity = Identity(StaticToken("t"), "k", "REFS@AdobeOrg", "prod")
    with FlowServiceClient(base_url=emulator.base_url, identity=identity) as client:
        sent: list[str] = []
        real = client.run

        def counted(op: Any) -> Any:
            sent.append(op.path)
            return real(op)

        client.run = counted  # type: ignore[method-assign]
        for _file in range(3):  # three files of one folder naming the same audiences
            assert missing_references(client, payloads, known) == []
    # All of a file's audiences in one bulk read, and none asked again by the next files.
    assert len(payloads.audiences) == 2
    assert sent == ["/data/core/ups/audiences/bulk-get"]
