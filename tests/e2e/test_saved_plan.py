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
from destgen_runtime.api import operations as ops
from destgen_runtime.payloads import patch_ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen.cli import main
from destgen.cli.demo import demo_secrets
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
    from destgen_runtime.transport.credentials import identity_from_env

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
    # The plan derived again (nothing is created: side by side), then the apply: side by side,
    # though both name one base connection.
    assert groups == [[[0], [1]], [[0], [1]]]
    assert main(["plan", str(files)]) == 0


def _saved(tmp_path: Path, tag: str) -> tuple[Path, Path]:
    """A file applied, then changed (compression), and its plan saved: one change to review."""
    path = _file(tmp_path, tag)
    assert main(["apply", "--yes", str(path)]) == 0
    path = _file(tmp_path, tag, compression="NONE")
    plan = tmp_path / "plan.json"
    assert main(["plan", "--out", str(plan), str(path)]) == 3
    return path, plan


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("AEP_SANDBOX_NAME", "dev", "sandbox dev"),
        ("AEP_ORG_ID", "OTHER@AdobeOrg", "org OTHER@AdobeOrg"),
        ("AEP_BASE_URL", "http://127.0.0.2:9", "http://127.0.0.2:9"),
    ],
)
def test_a_saved_plan_applies_only_where_it_was_made(
    server: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    named: str,
) -> None:
    """Elsewhere the plan's one compression change would be a whole new chain nobody reviewed."""
    _path, plan = _saved(tmp_path, f"pinned {variable}")
    saved = json.loads(plan.read_text())["target"]
    assert saved == {"org": ORG, "sandbox": "prod", "baseUrl": server.base_url}
    monkeypatch.setenv(variable, value)
    capsys.readouterr()
    assert main(["apply", str(plan)]) == 1
    err = capsys.readouterr().err
    assert f"the plan was made for org {ORG}, sandbox prod, {server.base_url}" in err
    assert named in err.splitlines()[-1]
    with _client(server) as client:
        dev = FlowServiceClient(
            base_url=server.base_url, identity=Identity(StaticToken("t"), "k", ORG, "dev")
        )
        with dev:
            flows = dev.run(ops.find_by_name("flows", f"Acme audiences to S3 pinned {variable}"))
        assert flows.items == [], "nothing created where the plan was not made"
        target = client.run(
            ops.find_by_name("targetConnections", f"Acme S3 bucket pinned {variable}")
        ).items[0]
    assert target.data["params"]["compression"] == "GZIP"


@pytest.mark.parametrize(
    "edit",
    ["prune", "changes", "shared"],
)
def test_a_saved_plan_edited_by_hand_does_nothing_it_did_not_show(
    server: EmulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: str,
) -> None:
    """The changes are derived again at apply time: the file's own fields drive nothing."""
    path = _file(tmp_path, f"edited {edit}")
    assert main(["apply", "--yes", str(path)]) == 0
    # A colleague's audience, which only --prune would remove: the plan below does not show that.
    _edit_out_of_band(
        server,
        "flows",
        f"Acme audiences to S3 edited {edit}",
        patch_ops.patch(patch_ops.add_audience(daily_selector(LOYAL))),
    )
    path = _file(tmp_path, f"edited {edit}", compression="NONE")
    plan = tmp_path / "plan.json"
    assert main(["plan", "--out", str(plan), str(path)]) == 3
    document = json.loads(plan.read_text())
    (saved,) = document["files"]
    if edit == "prune":
        document["prune"] = True  # would remove LOYAL, which no line showed
    elif edit == "changes":
        saved["changes"][0]["fields"][0]["new"] = "BZIP2"  # says one thing, would do another
    else:
        saved["shared"] = ["made up"]  # only the service says what is shared
    plan.write_text(json.dumps(document))
    capsys.readouterr()
    code = main(["apply", str(plan)])
    err = capsys.readouterr().err
    if edit == "shared":
        assert code == 0, err  # the shared list is derived, never read: nothing is shared here
    else:
        assert code == 1
        assert "the changes differ from the saved plan's" in err
    flow = _entity(server, "flows", f"Acme audiences to S3 edited {edit}")
    selectors = flow["transformations"][0]["params"]["segmentSelectors"]["selectors"]
    assert LOYAL in [s["value"]["id"] for s in selectors], "never removed without being shown"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"destgenPlan": 2, "target": {"org": "o", "sandbox"', "cannot read the saved plan"),
        (b'{"destgenPlan": 2, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too deeply"),
        (b'{"destgenPlan": 1, "prune": false, "files": []}', "a plan of format 1"),
        (b'{"destgenPlan": "2"}', "a plan of format '2'"),
        (b'{"destgenPlan": 2, "x": "\xff"}', "cannot read the saved plan"),
    ],
)
def test_a_hostile_or_truncated_saved_plan_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes(content)
    assert main(["apply", str(plan)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert reason in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_a_saved_plan_whose_paths_are_hostile_is_refused_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _path, plan = _saved(tmp_path, "hostile paths")
    document = json.loads(plan.read_text())
    for hostile in ("a\x00b", "x" * 5000):
        document["files"][0]["path"] = hostile
        plan.write_text(json.dumps(document))
        capsys.readouterr()
        assert main(["apply", str(plan)]) == 2
        assert "not a plan this destgen wrote (files.0.path" in capsys.readouterr().err


def test_a_saved_plan_in_the_planned_folder_is_never_read_as_an_activation_file(
    tmp_path: Path,
) -> None:
    from destgen.cli.infra import activation_files

    folder = tmp_path / "destinations"
    folder.mkdir()
    (folder / "s3.json").write_text((ROOT / "examples" / "amazon_s3.json").read_text())
    (folder / "plan.json").write_text(json.dumps({"destgenPlan": 2, "files": []}))
    assert activation_files([folder]) == [folder / "s3.json"]
