"""What the CLI prints: versions, destinations, JSON documents, tables that fit the terminal, one
summary line, silent broken pipes, dry runs without secrets, every missing variable at once.

In-process (``main(argv)`` with captured output) where a fresh interpreter adds nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import DestgenError

from destgen import __version__
from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import DOCUMENTED, ROOT

S3_EXAMPLE = ROOT / "examples" / "amazon_s3.json"
CREDENTIALS = {"AEP_ACCESS_TOKEN": "t0ken", "AEP_API_KEY": "k", "AEP_ORG_ID": "ORG@AdobeOrg"}
CREDENTIALS["AEP_SANDBOX_NAME"] = "prod"  # a change always names its sandbox


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"destgen {__version__}"


def test_cli_destinations_json_lists_every_generated_package(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from destgen_destinations import DESTINATIONS

    code, out, _ = _main(capsys, "destinations", "--json")
    facts = json.loads(out)
    assert code == 0
    assert [f["slug"] for f in facts] == list(DESTINATIONS)
    s3 = next(f for f in facts if f["slug"] == "amazon_s3")
    assert s3["authSpecs"] == ["Access Key", "Assumed Role"]
    assert len(s3["specSha256"]) == 64


def test_cli_destinations_table_fits_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _main(capsys, "destinations")
    assert code == 0
    assert "amazon_s3" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_validate_reads_stdin_and_prints_json() -> None:
    body = (DOCUMENTED / "03_target_connection__amazon_s3.json").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "destgen", "validate", "--kind", "target-connection", "--json", "-"],
        input=body,
        capture_output=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 0
    assert report["valid"] is True
    assert report["files"] == [
        {"file": "-", "kind": "target-connection", "status": "ok", "problems": [], "warnings": []}
    ]


def test_validate_expands_folders_and_skips_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = json.loads((DOCUMENTED / "04_create_dataflow__sftp.json").read_text())
    (tmp_path / "nested").mkdir()
    (tmp_path / "good.json").write_text(json.dumps(good))
    (tmp_path / "nested" / "bad.json").write_text(json.dumps(good | {"extra": 1}))
    (tmp_path / "notes.txt").write_text("not a payload")
    code, out, _ = _main(capsys, "validate", "--kind", "dataflow", "--json", str(tmp_path))
    report = json.loads(out)
    assert code == 1
    assert [f["status"] for f in report["files"]] == ["ok", "invalid"]
    assert report["files"][1]["problems"] == [
        "$.extra: unknown key: not in the connection spec or the documented request "
        "[extra_forbidden]"
    ]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: os.mkfifo(p), "is not a regular file"),
        (lambda p: None, "does not exist"),
        (lambda p: p.write_text("[" * 100_000), "not JSON this validator accepts"),
        (lambda p: p.write_text("1" * 5000), "not JSON this validator accepts"),
    ],
    ids=["fifo", "missing", "deep-nesting", "huge-integer"],
)
def test_validate_unreadable_inputs_exit_2_without_hanging(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: Any, expected: str
) -> None:
    path = tmp_path / "payload.json"
    make(path)
    code, out, _ = _main(capsys, "validate", "--kind", "dataflow", str(path))
    assert code == 2
    assert f"{path}: " in out
    assert expected in out


def test_cli_broken_pipe_is_silent() -> None:
    done = subprocess.run(
        f"'{sys.executable}' -m destgen activation-schema | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout == '{\n  "$defs"'[:10]
    assert done.stderr == ""


def test_activate_dry_run_needs_no_secrets_or_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [*demo_secrets(), *CREDENTIALS, "AEP_CLIENT_ID", "AEP_CLIENT_SECRET"]:
        monkeypatch.delenv(name, raising=False)
    code, out, err = _main(capsys, "activate", "--dry-run", str(S3_EXAMPLE))
    assert code == 0, err
    assert out.count("curl -X POST") >= 4
    assert "'s3SecretKey': '***'" not in out
    assert '"s3SecretKey": "***"' in out
    assert "Bearer ***" in out


def test_activate_reports_every_problem_with_variables_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in demo_secrets():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AEP_SANDBOX_NAME", "prod")
    doc = json.loads(S3_EXAMPLE.read_text())
    doc["baseConnection"]["auth"]["params"]["s3AccessKey"] = {"env": "S3_ACCESS_KEY"}
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc))
    code, _, err = _main(capsys, "activate", str(path))
    assert code == 1
    assert "s3SecretKey: environment variable S3_SECRET_KEY is not set" in err
    assert 's3AccessKey: {"env": ...} references are for secret fields only' in err


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"s3SecretKey": {"env": "AEP_CLIENT_SECRET"}}, "AEP_* variables hold destgen's own"),
        ({"s3SecretKey": {"env": "aep_access_token"}}, "AEP_* variables hold destgen's own"),
        ({"s3AccessKey": {"env": "S3_SECRET_KEY"}}, "for secret fields only"),
    ],
    ids=["client-secret", "lower-case-token", "secret-into-plain-field"],
)
def test_activate_env_references_only_for_secrets_never_our_credentials(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    params: dict[str, Any],
    message: str,
) -> None:
    canary = {"AEP_CLIENT_SECRET": "CLIENTSECRETCANARY"}
    for name, value in (demo_secrets() | CREDENTIALS | canary).items():
        monkeypatch.setenv(name, value)
    doc = json.loads(S3_EXAMPLE.read_text())
    doc["baseConnection"]["auth"]["params"] |= params
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc))
    code, out, err = _main(capsys, "activate", "--dry-run", str(path))
    assert code == 1
    assert message in err
    assert "CLIENTSECRETCANARY" not in out + err


def test_activate_dry_run_still_checks_everything_but_the_placeholders(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in demo_secrets():
        monkeypatch.delenv(name, raising=False)
    doc = json.loads(S3_EXAMPLE.read_text())
    doc["baseConnection"]["auth"]["params"]["s3AccessKey"] = "not-an-access-key"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc))
    code, _, err = _main(capsys, "activate", "--dry-run", str(path))
    assert code == 1
    assert "s3AccessKey" in err
    assert "s3SecretKey" not in err


def test_activate_json_and_table_name_each_entity_and_summarise(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (demo_secrets() | CREDENTIALS).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "100")
    with EmulatorServer() as server:
        monkeypatch.setenv("AEP_BASE_URL", server.base_url)
        code, out, err = _main(capsys, "activate", "--json", str(S3_EXAMPLE))
        assert code == 0, err
        report = json.loads(out)
        steps = {s["entity"]: s for s in report["steps"]}
        mapping_sets = server.state.store.all("mappingSets")
        assert [m["id"] for m in mapping_sets] == [steps["mapping set"]["id"]]
        assert steps["mapping set"]["id"] != steps["dataflow"]["id"]
        assert sum(report["summary"].values()) == len(report["steps"])

        code, out, err = _main(capsys, "activate", str(S3_EXAMPLE))
        assert code == 0, err
        lines = out.splitlines()
        assert max(len(line) for line in lines) <= 100
        # The second run adopts what the first created, and also reconciles the file manifest.
        assert lines[-1] == "10 steps: 4 adopted, 6 unchanged"
        assert steps["mapping set"]["id"][:8] in out


def test_client_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    identity = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", None)
    monkeypatch.setenv("AEP_BASE_URL", "http://127.0.0.1:9/")
    with FlowServiceClient(identity=identity) as client:
        assert client.core.base_url == "http://127.0.0.1:9"
    monkeypatch.delenv("AEP_BASE_URL")
    with FlowServiceClient(identity=identity) as client:
        assert client.core.base_url == "https://platform.adobe.io"


@pytest.mark.parametrize(
    "url", ["http://platform.example", "ftp://127.0.0.1", "http://10.0.0.1:80", "platform.adobe.io"]
)
def test_client_refuses_plain_http_off_loopback(url: str) -> None:
    identity = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", None)
    with pytest.raises(DestgenError, match="refused"):
        FlowServiceClient(base_url=url, identity=identity)


def test_activate_never_adopts_a_same_named_entity_of_another_spec(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from destgen_runtime.api import operations as ops

    import destgen_destinations.sftp as sftp

    for name, value in (demo_secrets() | CREDENTIALS).items():
        monkeypatch.setenv(name, value)
    doc = json.loads(S3_EXAMPLE.read_text())
    with EmulatorServer() as server:
        monkeypatch.setenv("AEP_BASE_URL", server.base_url)
        other = sftp.base_connection_sftp_with_password(
            name=doc["baseConnection"]["name"],
            domain="sftp.example.com",
            username="u",
            password="a-password-123",
        )
        with FlowServiceClient() as client:
            impostor = client.run(ops.create("connections", other, other.name)).id
        code, out, err = _main(capsys, "activate", "--json", str(S3_EXAMPLE))
        assert code == 0, err
        steps = {s["entity"]: s for s in json.loads(out)["steps"]}
    assert steps["base connection"]["action"] == "created"
    assert steps["base connection"]["id"] != impostor


def test_verbose_prints_every_request_and_response_line_and_no_secret(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.e2e.conftest import use_emulator

    use_emulator(monkeypatch, emulator.base_url, "VERBOSE@AdobeOrg")
    monkeypatch.setenv("AEP_ACCESS_TOKEN", "TOKENVALUEsecret0123")
    example = str(ROOT / "examples" / "amazon_s3.json")
    assert main(["--verbose", "apply", "--yes", example]) == 0
    err = capsys.readouterr().err
    assert "destgen: -> GET /data/foundation/flowservice/connections?property=name==" in err
    assert "destgen: -> POST /data/foundation/flowservice/flows (" in err
    assert "destgen: <- POST /data/foundation/flowservice/flows: HTTP 201" in err
    assert "(request id " in err
    assert not [s for s in demo_secrets().values() if s in err]
    assert "TOKENVALUEsecret0123" not in err
    monkeypatch.setenv("DESTGEN_LOG", "debug")
    assert main(["plan", example]) == 0
    assert "destgen: <- GET " in capsys.readouterr().err
    monkeypatch.delenv("DESTGEN_LOG")
    assert main(["plan", example]) == 0
    assert "destgen: <- GET " not in capsys.readouterr().err, "the log goes with the run"


def test_plan_json_names_each_change_by_action_collection_name_and_id(
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from tests.e2e.conftest import use_emulator

    use_emulator(monkeypatch, emulator.base_url, "PLANJSON@AdobeOrg")
    assert main(["plan", "--json", str(S3_EXAMPLE)]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["format_version"] == 1
    changes = document["files"][0]["changes"]
    creates = {(c["action"], c["collection"]) for c in changes}
    assert ("create", "flows") in creates
    assert ("create", "connections") in creates
    flow = next(c for c in changes if c["collection"] == "flows")
    assert flow["name"] == "Acme audiences to S3"
    assert flow["id"] is None, "known after apply"
    assert main(["apply", "--yes", str(S3_EXAMPLE)]) == 0
    doc = json.loads(S3_EXAMPLE.read_text())
    doc["targetConnection"]["params"]["compression"] = "NONE"
    edited = tmp_path / "s3.json"
    edited.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["plan", "--json", str(edited)]) == 3
    (update,) = json.loads(capsys.readouterr().out)["files"][0]["changes"]
    assert update["action"] == "update"
    assert update["collection"] == "targetConnections"
    assert update["id"]
    (field,) = [f for f in update["fields"] if f["path"].endswith("compression")]
    assert (field["old"], field["new"]) == ("GZIP", "NONE")
