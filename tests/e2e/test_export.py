"""``destgen export`` against the emulator on 127.0.0.1: every example applied, exported and
planned again with no change (the round trip), secrets as predictable environment variables,
and files replaced only with ``--force``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from destgen_runtime.activation.export import secret_variable

from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import AUDIENCE_EXAMPLES, DATASET_EXAMPLES, ROOT
from tests.e2e.conftest import use_emulator


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    use_emulator(monkeypatch, emulator.base_url, "EXPORT@AdobeOrg")


@pytest.mark.usefixtures("env")
def test_export_then_plan_reports_no_change_for_every_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = [str(p) for p in AUDIENCE_EXAMPLES + DATASET_EXAMPLES]
    assert main(["apply", "--yes", *examples]) == 0
    exported = tmp_path / "exported"
    assert main(["export", "--all", str(exported)]) == 0
    err = capsys.readouterr().err
    files = sorted(exported.iterdir())
    assert len(files) == len(examples)
    assert "AZURE_BLOB_CONNECTION_STRING_ACME_BLOB" in err
    assert main(["plan", str(exported)]) == 0, capsys.readouterr().out
    docs = {p.stem: json.loads(p.read_text()) for p in files}
    blob = docs["acme_audiences_to_azure_blob"]
    assert blob["baseConnection"]["auth"]["params"]["connectionString"] == {
        "env": "AZURE_BLOB_CONNECTION_STRING_ACME_BLOB"
    }
    datasets = docs["acme_datasets_to_s3"]
    assert datasets["workflow"] == "datasets"
    assert datasets["dataflow"]["schedule"]["start"] == "2026-12-01T00:00:00Z"
    # No secret value of the environment was ever read back into a file.
    text = "".join(p.read_text() for p in files)
    assert not [name for name in demo_secrets() if os.environ[name] in text]
    # Edit an exported file: the plan shows it (the files are the live setup, as code).
    blob["targetConnection"]["params"]["compression"] = "NONE"
    (exported / "acme_audiences_to_azure_blob.json").write_text(json.dumps(blob))
    assert main(["plan", str(exported)]) == 3  # Exit.CHANGES


@pytest.mark.usefixtures("env")
def test_one_flow_by_name_or_id_and_files_are_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apply", "--yes", str(ROOT / "examples" / "sftp_datasets.yaml")]) == 0
    capsys.readouterr()
    assert main(["export", "--flow", "Acme datasets to SFTP"]) == 0
    doc = json.loads(capsys.readouterr().out)
    secret = doc["baseConnection"]["auth"]["params"]["password"]
    assert secret == {"env": "SFTP_PASSWORD_ACME_SFTP_PASSWORD"}
    out = tmp_path / "sftp.json"
    out.write_text("keep me")
    assert main(["export", "--flow", "Acme datasets to SFTP", "--out", str(out)]) == 1
    assert "pass --force" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["export", "--flow", "Acme datasets to SFTP", "--out", str(out), "--force"]) == 0
    assert json.loads(out.read_text()) == doc
    as_yaml = tmp_path / "sftp.yaml"
    assert main(["export", "--flow", "Acme datasets to SFTP", "--out", str(as_yaml)]) == 0
    assert yaml.safe_load(as_yaml.read_text()) == doc, "a .yaml file holds YAML"
    assert not as_yaml.read_text().lstrip().startswith("{")
    assert main(["export", "--flow", "no such flow"]) == 1
    assert "no dataflow named 'no such flow'" in capsys.readouterr().err


def test_secret_variables_have_predictable_names() -> None:
    assert secret_variable("amazon_s3", "s3SecretKey") == "AMAZON_S3_SECRET_KEY"
    named = secret_variable("amazon_s3", "s3SecretKey", "Acme exports (EU), v2")
    assert named == "AMAZON_S3_SECRET_KEY_ACME_EXPORTS_EU_V2"
    assert secret_variable("sftp", "password", "!!!") == "SFTP_PASSWORD_CONNECTION"
    assert secret_variable("azure_blob", "connectionString") == "AZURE_BLOB_CONNECTION_STRING"
    assert secret_variable("sftp", "sshKey") == "SFTP_SSH_KEY"
    assert secret_variable("adls_gen2", "servicePrincipalKey") == "ADLS_GEN2_SERVICE_PRINCIPAL_KEY"


@pytest.mark.usefixtures("env")
def test_one_odd_dataflow_never_stops_the_sandbox_export(
    emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = [str(ROOT / "examples" / n) for n in ("amazon_s3.json", "azure_blob.json")]
    assert main(["apply", "--yes", *examples]) == 0
    odd = next(f for f in emulator.state.store.all("flows") if "S3" in f["name"])

    def broken(flow: dict[str, Any]) -> dict[str, Any]:
        return flow | {"targetConnectionIds": []}  # what no client of ours would write

    emulator.state.store.update("flows", odd["id"], None, broken)
    capsys.readouterr()
    exported = tmp_path / "exported"
    assert main(["export", "--all", str(exported)]) == 1
    err = capsys.readouterr().err
    assert f"skipped 'Acme audiences to S3' ({odd['id']}):" in err
    assert [p.name for p in exported.iterdir()] == ["acme_audiences_to_azure_blob.json"]
    assert main(["promote", "--from-sandbox", "prod", "--to-sandbox", "dev"]) == 1
    assert "cannot be read back, so nothing was changed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "break_it",
    [
        lambda flow: flow | {"transformations": "not a list"},
        lambda flow: flow | {"transformations": [{"params": ["odd"]}]},
        lambda flow: flow
        | {"transformations": [{"params": {"segmentSelectors": {"selectors": "x"}}}]},
        lambda flow: flow | {"transformations": [{"params": {"segmentSelectors": 5}}]},
    ],
    ids=["transformations-string", "params-list", "selectors-string", "selectors-number"],
)
@pytest.mark.usefixtures("env")
def test_a_server_object_of_an_odd_shape_fails_its_file_alone(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str], break_it: Any
) -> None:
    examples = [str(ROOT / "examples" / n) for n in ("amazon_s3.json", "azure_blob.json")]
    assert main(["apply", "--yes", *examples]) == 0
    odd = next(f for f in emulator.state.store.all("flows") if "S3" in f["name"])
    emulator.state.store.update("flows", odd["id"], None, break_it)
    capsys.readouterr()
    for command in (["plan"], ["apply", "--yes"]):
        code = main([*command, *examples])
        out, err = capsys.readouterr()
        assert code == 1, out + err
        assert "Traceback" not in out + err
        assert "amazon_s3.json: failed" in err
        assert "azure_blob.json: no changes" in err  # the other file goes on
        assert "the service answered an object of an unexpected shape" in out + err
