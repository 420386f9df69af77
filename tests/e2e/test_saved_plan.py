"""Plan as data, and apply exactly what was reviewed, against the emulator on 127.0.0.1.

``plan --out PLAN`` saves typed changes and the etags the plan read (no secret); ``apply PLAN``
carries it out only while nothing it read has moved; an interactive ``apply`` holds itself to the
plan it showed, so a change made while the prompt waited stops it instead of being undone.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_destinations.runtime.api import operations as ops
from destgen_destinations.runtime.payloads import patch_ops
from destgen_destinations.runtime.transport.client import FlowServiceClient
from destgen_destinations.runtime.transport.credentials import Identity, StaticToken
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, daily_selector
from tests.e2e.conftest import LOYAL, use_emulator

ORG = "SAVED@AdobeOrg"
S3 = {
    k: v
    for k, v in json.loads((ROOT / "examples" / "amazon_s3.json").read_text()).items()
    if k != "mappings"  # a dozen Data Prep calls each run, and nothing this file is about
}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _env(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, server.base_url, ORG)


def _file(tmp_path: Path, tag: str, **target: Any) -> Path:
    doc = copy.deepcopy(S3)
    for key in ("baseConnection", "targetConnection", "dataflow"):
        doc[key]["name"] = f"{doc[key]['name']} {tag}"
    doc["targetConnection"]["params"] |= target
    path = tmp_path / f"{tag}.json"
    path.write_text(json.dumps(doc))
    return path


def _client(server: EmulatorServer) -> FlowServiceClient:
    return FlowServiceClient(
        base_url=server.base_url, identity=Identity(StaticToken("t"), "k", ORG, "prod")
    )


def _entity(server: EmulatorServer, collection: str, name: str) -> dict[str, Any]:
    with _client(server) as client:
        (found,) = client.run(ops.find_by_name(collection, name)).items
    return found.data


def _edit_out_of_band(server: EmulatorServer, collection: str, name: str, patch: Any) -> None:
    """What a colleague does in the UI meanwhile: one If-Match PATCH, a new etag."""
    with _client(server) as client:
        entity_id = _entity(server, collection, name)["id"]
        client.update(collection, entity_id, lambda _fresh: patch)


def test_saved_plan_holds_typed_changes_and_etags_and_applies(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "saved")
    assert main(["apply", "--yes", str(path)]) == 0
    path = _file(tmp_path, "saved", compression="NONE")
    plan = tmp_path / "plan.json"
    capsys.readouterr()
    assert main(["plan", "--out", str(plan), str(path)]) == 3
    assert f"destgen apply {plan} applies it" in capsys.readouterr().err
    text = plan.read_text()
    for secret in demo_secrets().values():
        assert secret not in text
    (saved,) = json.loads(text)["files"]
    assert len(saved["sha256"]) == 64
    assert any(key.startswith("targetConnections/") for key in saved["etags"])
    fields = [f for step in saved["changes"] for f in step["fields"]]
    compression = {"action": "change", "path": "/params.compression", "old": "GZIP", "new": "NONE"}
    assert compression in fields
    assert main(["apply", str(plan)]) == 0
    target = _entity(server, "targetConnections", "Acme S3 bucket saved")
    assert target["params"]["compression"] == "NONE"
    assert main(["plan", str(path)]) == 0


def test_apply_plan_refuses_an_entity_that_moved_since(
    server: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "moved")
    assert main(["apply", "--yes", str(path)]) == 0
    path = _file(tmp_path, "moved", compression="NONE")
    plan = tmp_path / "plan.json"
    assert main(["plan", "--out", str(plan), str(path)]) == 3
    described = patch_ops.Rename(op="replace", path="/description", value="edited in the UI")
    _edit_out_of_band(
        server, "targetConnections", "Acme S3 bucket moved", patch_ops.patch(described)
    )
    capsys.readouterr()
    assert main(["apply", "--json", str(plan)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert "changed since the plan was made (etag" in report["error"]
    target = _entity(server, "targetConnections", "Acme S3 bucket moved")
    assert target["params"]["compression"] == "GZIP", "a moved entity is never changed"


def test_apply_plan_refuses_a_file_edited_since_and_a_foreign_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, "edited")
    plan = tmp_path / "plan.json"
    assert main(["plan", "--out", str(plan), str(path)]) == 3
    _file(tmp_path, "edited", compression="NONE")
    capsys.readouterr()
    assert main(["apply", str(plan)]) == 1
    assert f"{path} changed since the plan was saved; plan again" in capsys.readouterr().err
    assert main(["apply", "--prune", str(plan)]) == 2
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"destgenPlan": 2, "files": []}))
    assert main(["apply", str(foreign)]) == 2
    assert "not a plan this destgen wrote" in capsys.readouterr().err


def test_apply_at_a_prompt_applies_the_plan_it_showed(
    server: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _file(tmp_path, "prompt")
    assert main(["apply", "--yes", str(path)]) == 0
    path = _file(tmp_path, "prompt", compression="NONE")
    added = patch_ops.patch(patch_ops.add_audience(daily_selector(LOYAL)))

    def answer_after_a_colleague_adds_an_audience(_prompt: str) -> str:
        _edit_out_of_band(server, "flows", "Acme audiences to S3 prompt", added)
        return "yes"

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", answer_after_a_colleague_adds_an_audience)
    capsys.readouterr()
    assert main(["apply", "--json", "--prune", str(path)]) == 1
    (report,) = json.loads(capsys.readouterr().out)["files"]
    assert report["error"].startswith("flows ")
    assert "changed since the plan was made" in report["error"]
    flow = _entity(server, "flows", "Acme audiences to S3 prompt")
    selectors = flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    ids = [s["value"]["id"] for s in selectors]
    assert LOYAL in ids, "never removed without being shown"


def test_a_folder_run_makes_one_identity_for_all_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With client credentials that is one OAuth token for the run, not one per file."""
    from destgen_destinations.runtime.transport.credentials import identity_from_env

    made = []

    def counted(**kwargs: Any) -> Any:
        made.append(kwargs)
        return identity_from_env(**kwargs)

    monkeypatch.setattr("destgen.cli.infra.identity_from_env", counted)
    for tag in ("one", "two", "three"):
        doc = copy.deepcopy(S3)  # one base connection (one secret), three dataflows
        for key in ("targetConnection", "dataflow"):
            doc[key]["name"] = f"{doc[key]['name']} {tag}"
        (tmp_path / f"{tag}.json").write_text(json.dumps(doc))
    assert main(["plan", "--concurrency", "3", str(tmp_path)]) == 3
    assert len(made) == 1


def test_files_run_side_by_side_unless_one_creates_what_another_names(tmp_path: Path) -> None:
    from destgen.cli.infra import load_all, sharing_groups

    for tag in ("one", "two", "three"):
        doc = copy.deepcopy(S3)  # one base connection and one source connection, by name
        for key in ("targetConnection", "dataflow"):
            doc[key]["name"] = f"{doc[key]['name']} {tag}"
        (tmp_path / f"{tag}.json").write_text(json.dumps(doc))
    loaded = load_all([tmp_path], placeholders=True)
    assert isinstance(loaded, list)
    assert sharing_groups(loaded) == [[0, 1, 2]]  # names alone: all in order
    assert sharing_groups(loaded, set()) == [[0], [1], [2]]  # all exist already: side by side
    base = ("connections", S3["baseConnection"]["name"])
    assert sharing_groups(loaded, {base}) == [[0, 1, 2]]  # one creates it: the others wait


def test_a_saved_plan_groups_files_by_what_it_creates(
    server: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files that create the same entity wait for each other; what exists runs side by side."""
    from destgen.cli import infra

    files, plan = tmp_path / "files", tmp_path / "plan.json"
    files.mkdir()

    def write(compression: str) -> None:
        for tag in ("one", "two"):
            doc = copy.deepcopy(S3)  # one base and one source connection by name
            for key in ("targetConnection", "dataflow"):
                doc[key]["name"] = f"{doc[key]['name']} grouped {tag}"
            doc["targetConnection"]["params"]["compression"] = compression
            (files / f"{tag}.json").write_text(json.dumps(doc))

    write("GZIP")
    assert main(["plan", "--out", str(plan), str(files)]) == 3
    base = ["connections", S3["baseConnection"]["name"]]
    assert all(base in f["creates"] for f in json.loads(plan.read_text())["files"])
    assert main(["apply", str(plan)]) == 0
    write("NONE")  # both files now change what exists, and create nothing
    assert main(["plan", "--out", str(plan), str(files)]) == 3
    assert [f["creates"] for f in json.loads(plan.read_text())["files"]] == [[], []]
    groups: list[list[list[int]]] = []
    original = infra.sharing_groups

    def recorded(*args: Any) -> list[list[int]]:
        groups.append(original(*args))
        return groups[-1]

    monkeypatch.setattr(infra, "sharing_groups", recorded)
    assert main(["apply", "--concurrency", "2", str(plan)]) == 0
    assert groups == [[[0], [1]]]  # side by side, though both name one base connection
    assert main(["plan", str(files)]) == 0
