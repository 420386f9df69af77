"""``destgen promote`` from a development to a production sandbox on the emulator (127.0.0.1):
audiences and datasets resolved by name, anything missing listed before any change, and a
production sandbox never changed without ``--yes`` or its name typed at a terminal.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen.cli.promote import _guard, sandbox_kind
from destgen_emulator import EmulatorServer
from destgen_emulator.service.sandboxes import audience_id, dataset_id
from tests.conftest import ROOT
from tests.e2e.conftest import use_emulator

SELECTORS = ("transformations", 0, "params", "segmentSelectors", "selectors")


@pytest.fixture(autouse=True)
def _env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "PROMOTE@AdobeOrg", sandbox=None)
    # Exported files name the credentials by destination and param; prod's are set here.
    # (named after the destination, the param and the base connection: stable per connection)
    monkeypatch.setenv("AMAZON_S3_SECRET_KEY_ACME_EXPORTS_TO_S3", demo_secrets()["S3_SECRET_KEY"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal to confirm on


def _dev_files(folder: Path, *, extra_audience: str | None = None) -> Path:
    """The S3 audience and dataset examples, with the dev sandbox's ids."""
    folder.mkdir()
    audiences = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    for audience in audiences["audiences"]:
        audience["id"] = audience_id("dev", audience["name"])
    if extra_audience:
        extra = copy.deepcopy(audiences["audiences"][0])
        extra |= {"id": audience_id("dev", extra_audience), "name": extra_audience}
        audiences["audiences"].append(extra)
    datasets = json.loads((ROOT / "examples" / "amazon_s3_datasets.json").read_text())
    for dataset in datasets["datasets"]:
        dataset["id"] = dataset_id("dev", dataset["name"])
    (folder / "audiences.json").write_text(json.dumps(audiences))
    (folder / "datasets.json").write_text(json.dumps(datasets))
    return folder


def _flows(emulator: EmulatorServer, sandbox: str) -> list[dict[str, Any]]:
    return [f for f in emulator.state.store.all("flows") if f.get("sandboxName") == sandbox]


def test_dev_to_prod_resolves_by_name_and_needs_yes(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _dev_files(tmp_path / "dev")
    assert main(["apply", "--yes", "--sandbox", "dev", str(files)]) == 0
    assert len(_flows(emulator, "dev")) == 2
    capsys.readouterr()
    # Exported from dev (no files given): prod is production, so nothing happens without --yes.
    assert main(["promote", "--from-sandbox", "dev", "--to-sandbox", "prod"]) == 1
    assert "would change a production sandbox (prod)" in capsys.readouterr().err
    assert _flows(emulator, "prod") == []
    out = tmp_path / "prod"
    promoted = ["promote", "--from-sandbox", "dev", "--to-sandbox", "prod", "--out", str(out)]
    assert main(promoted) == 1  # refused (no --yes, no terminal): --out is left unwritten
    assert not out.exists(), "a refused run writes nothing that would block the re-run"
    assert main([*promoted, "--yes"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "acme_audiences_to_s3.json",
        "acme_datasets_to_s3.json",
    ], "named by their dataflows, as export names them"
    flows = {f["name"]: f for f in _flows(emulator, "prod")}
    selectors: Any = flows["Acme audiences to S3"]
    for part in SELECTORS:
        selectors = selectors[part]
    assert sorted(s["value"]["id"] for s in selectors) == sorted(
        audience_id("prod", name) for name in ("Winter campaign", "Autumn campaign")
    )
    source_id = flows["Acme datasets to S3"]["sourceConnectionIds"][0]
    source = emulator.state.store.get("sourceConnections", source_id)
    assert {d["dataSetId"] for d in source["params"]["datasets"]} == {
        dataset_id("prod", d["name"]) for d in source["params"]["datasets"]
    }
    # The resolved files are the prod setup as code: planning them in prod finds nothing to do.
    capsys.readouterr()
    assert main(["plan", "--sandbox", "prod", str(out)]) == 0
    # Promoting again changes nothing, so it needs no confirmation.
    assert main(["promote", "--from-sandbox", "dev", "--to-sandbox", "prod"]) == 0


def test_missing_audiences_are_all_listed_and_nothing_changes(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _dev_files(tmp_path / "dev", extra_audience="Beta testers")
    doc = json.loads((files / "audiences.json").read_text())
    extra = copy.deepcopy(doc["audiences"][0])
    extra |= {"id": audience_id("dev", "Internal staff"), "name": "Internal staff"}
    doc["audiences"].append(extra)
    del doc["audiences"][0]["name"]  # no name in the file: looked up in the source sandbox
    (files / "audiences.json").write_text(json.dumps(doc))
    capsys.readouterr()
    code = main(["promote", str(files), "--from-sandbox", "dev", "--to-sandbox", "prod", "--yes"])
    assert code == 1
    err = capsys.readouterr().err
    assert "audience 'Beta testers'" in err
    assert "audience 'Internal staff'" in err
    assert "2 audience(s) or dataset(s) missing in prod; nothing was changed" in err
    assert emulator.state.store.all("flows") == []


def test_a_production_sandbox_wants_its_name_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    args = argparse.Namespace(yes=False, to_sandbox="prod")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["yes", "prod"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    confirm = _guard(args, "production")
    assert confirm(1) is False  # "yes" is not the sandbox's name
    assert confirm(1) is True
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")
    assert _guard(args, "development")(1) is True


@pytest.mark.parametrize(
    ("sandbox", "kind"),
    [
        ({"name": "prod", "type": "production"}, "production"),
        ({"name": "prod", "type": "Production"}, "production"),
        ({"name": "prod", "type": "PRODUCTION"}, "production"),
        ({"name": "prod"}, "production"),  # no type: guarded, never waved through
        ({"name": "prod", "type": None}, "production"),
        ({"name": "prod", "type": ["development"]}, "production"),
        ({"name": "prod", "type": "staging"}, "production"),
        ("not an object", "production"),
        ({"name": "dev", "type": "development"}, "development"),
        ({"name": "dev", "type": "Development"}, "development"),
    ],
)
def test_only_a_sandbox_that_says_development_skips_the_production_guard(
    sandbox: object, kind: str
) -> None:
    assert sandbox_kind(sandbox) == kind


def test_a_wrong_name_at_the_production_prompt_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "yes")
    assert _guard(argparse.Namespace(yes=False, to_sandbox="prod"), "production")(1) is False
    assert "'yes' is not 'prod'; nothing applied" in capsys.readouterr().err


def test_promote_names_dataflows_and_applies_only_what_it_resolved(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _dev_files(tmp_path / "dev")
    out = tmp_path / "out"
    out.mkdir()
    # A file already in --out, for another dataflow: never applied, never replaced.
    (out / "stranger.yaml").write_text((ROOT / "examples" / "sftp_password.yaml").read_text())
    (out / "audiences.json").write_text("{}")
    capsys.readouterr()
    promoted = ["promote", str(files), "--from-sandbox", "dev", "--to-sandbox", "stage"]
    assert main([*promoted, "--out", str(out), "--yes"]) == 1
    assert "already holds audiences.json; --out never replaces a file" in capsys.readouterr().err
    assert (out / "audiences.json").read_text() == "{}"
    (out / "audiences.json").unlink()
    assert main([*promoted, "--out", str(out), "--yes"]) == 0
    printed = capsys.readouterr()
    assert "Acme audiences to S3" in printed.out + printed.err
    assert "/tmp" not in printed.err
    names = {f["name"] for f in _flows(emulator, "stage")}
    assert names == {"Acme audiences to S3", "Acme datasets to S3"}


def test_promote_refuses_what_it_would_lose_or_guess(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _dev_files(tmp_path / "dev")
    assert main(["apply", "--yes", "--sandbox", "dev", str(files)]) == 0
    twin = tmp_path / "more"
    twin.mkdir()
    (twin / "audiences.json").write_text((files / "audiences.json").read_text())
    promoted = ["--from-sandbox", "dev", "--to-sandbox", "stage", "--yes"]
    capsys.readouterr()
    assert main(["promote", str(files), str(twin), *promoted]) == 1
    assert "would both be promoted as audiences.json" in capsys.readouterr().err
    # The id is what the file means: a name that disagrees with the source sandbox is no guess.
    doc = json.loads((files / "audiences.json").read_text())
    doc["audiences"][0]["name"] = "Autumn campaign"  # the id is Winter campaign's
    (files / "audiences.json").write_text(json.dumps(doc))
    assert main(["promote", str(files / "audiences.json"), *promoted]) == 1
    err = capsys.readouterr().err
    assert "is named 'Autumn campaign' in the file but otherwise in the source sandbox" in err
    assert _flows(emulator, "stage") == []


def test_promote_refuses_a_dataset_name_the_target_holds_twice() -> None:
    from destgen_runtime.api.operations import Entity

    from destgen.cli.promote import _resolve

    class Listing:
        """What _resolve reads of the target: its eligible datasets, two of one name."""

        def iterate(self, _op: object) -> list[Entity]:
            return [Entity("d1", None, {"name": "Orders"}), Entity("d2", None, {"name": "Orders"})]

    doc = {"datasets": [{"id": "dev-orders", "name": "Orders"}]}
    target: Any = Listing()
    resolved, missing = _resolve([("d.json", doc)], target, target, "prod")
    assert resolved[0][1]["datasets"][0]["id"] == "dev-orders"  # never a guess
    assert missing == ["d.json: dataset 'Orders' (dev-orders) is ambiguous in prod"]


def test_a_connection_the_target_has_needs_no_secret_variable(
    emulator: EmulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = _dev_files(tmp_path / "dev")
    assert main(["apply", "--yes", "--sandbox", "dev", str(files)]) == 0
    promote = ["promote", "--from-sandbox", "dev", "--to-sandbox", "prod", "--yes"]
    assert main(promote) == 0
    # A change in dev, promoted to a prod that has the connection: its secret is not asked for.
    doc = json.loads((files / "audiences.json").read_text())
    doc["targetConnection"]["params"]["path"] = "audiences/moved"
    (files / "audiences.json").write_text(json.dumps(doc))
    assert main(["apply", "--yes", "--sandbox", "dev", str(files)]) == 0
    monkeypatch.delenv("AMAZON_S3_SECRET_KEY_ACME_EXPORTS_TO_S3")
    capsys.readouterr()
    assert main(promote) == 0, capsys.readouterr().err
    assert "1 changed" in capsys.readouterr().out
    targets = emulator.state.store.all("targetConnections")
    moved = [t for t in targets if t.get("sandboxName") == "prod" and "moved" in str(t["params"])]
    assert len(moved) == 1
