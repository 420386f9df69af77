"""``destgen activate`` as a user runs it: bad files stop before any request, dry runs print curl.

The emulator on 127.0.0.1 is the target; its store shows whether anything was sent. Refusals and
dry runs run the CLI in process; a real activation and the schema run in fresh interpreters.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, run_cli, run_destgen

S3 = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())


def _env(base_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    return (
        dict(os.environ)
        | demo_secrets()
        | {
            "AEP_ACCESS_TOKEN": "TOKENCANARYxyz",
            "AEP_API_KEY": "k",
            "AEP_ORG_ID": "ORG@AdobeOrg",
            "AEP_SANDBOX_NAME": "prod",
            "AEP_BASE_URL": base_url,
        }
    )


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "activation.json"
    path.write_text(json.dumps(doc))
    return path


BAD = [
    ("unknown-destination", {"destination": "ftp"}, "$.destination: unknown destination 'ftp'"),
    (
        "wrong-auth-variant",
        {"baseConnection": {"name": "b", "auth": {"specName": "Connection String", "params": {}}}},
        "$.baseConnection.auth",
    ),
    (
        "inline-secret",
        {
            "baseConnection": {
                "name": "b",
                "auth": {
                    "specName": "Access Key",
                    "params": {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": "x" * 40},
                },
            }
        },
        "$.baseConnection.auth.params.s3SecretKey: secrets may not be written in the file",
    ),
    (
        "bad-schedule",
        {
            "audiences": [
                S3["audiences"][0]
                | {
                    "schedule": {
                        "frequency": "EVERY_3_HOURS",
                        "triggerType": "SCHEDULED",
                        "startDate": "2026-12-01",
                        "startTime": "06:00",
                    }
                }
            ]
        },
        "$.audiences[0]: schedule.frequency EVERY_3_HOURS",
    ),
    (
        "bad-target-param",
        {
            "targetConnection": {
                "name": "t",
                "params": S3["targetConnection"]["params"] | {"container": "x"},
            }
        },
        "$.targetConnection.params.container",
    ),
    ("unknown-key", {"schedule": "daily"}, "$.schedule: unknown key 'schedule'"),
]


@pytest.mark.parametrize(("change", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_activate_bad_file_exit_1_naming_field_nothing_sent(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    with EmulatorServer() as server:
        done = run_cli("activate", str(_write(tmp_path, S3 | change)), env=_env(server.base_url))
        assert done.returncode == 1, done.stderr
        assert message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert all(
            not server.state.store.all(c)
            for c in ("sourceConnections", "connections", "targetConnections", "flows")
        )


def test_activate_missing_env_secret_names_field(tmp_path: Path) -> None:
    env = _env()
    del env["S3_SECRET_KEY"]
    done = run_cli("activate", str(ROOT / "examples" / "amazon_s3.json"), env=env)
    assert done.returncode == 1
    assert (
        "$.baseConnection.auth.params.s3SecretKey: environment variable S3_SECRET_KEY is not set"
        in done.stderr
    )


def test_activate_unreadable_file_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "a.yaml"
    broken.write_text("destination: [unclosed")
    done = run_cli("activate", str(broken), env=_env())
    assert done.returncode == 2
    assert "not valid YAML" in done.stderr


def test_activate_dry_run_prints_curl_in_order_with_secrets_masked() -> None:
    env = _env()
    del env["AEP_BASE_URL"]
    done = run_cli("activate", "--dry-run", str(ROOT / "examples" / "amazon_s3.json"), env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    order = [
        out.index(f"curl -X POST 'https://platform.adobe.io/data/foundation/flowservice/{c}'")
        for c in ("sourceConnections", "connections", "targetConnections", "flows")
    ]
    assert order == sorted(order)
    # One JSON Patch carries every dataflow change (audiences, mapping, keys, marketing actions).
    assert out.count("curl -X PATCH") == 1
    assert "Authorization: Bearer ***" in out
    assert "x-api-key: ***" in out
    for path in (
        "segmentSelectors/selectors/-",
        "/profileMapping",
        "/mandatoryFields",
        "/primaryFields",
        '"/policy"',
    ):
        assert path in out, path
    assert '"s3SecretKey": "***"' in out
    for secret in (env["S3_SECRET_KEY"], "TOKENCANARYxyz"):
        assert secret not in out + done.stderr


def test_activate_against_emulator_prints_table() -> None:
    with EmulatorServer() as server:
        done = run_destgen(
            "activate", str(ROOT / "examples" / "sftp_password.yaml"), env=_env(server.base_url)
        )
        assert done.returncode == 0, done.stderr
        assert "created" in done.stdout
        assert "dataflow" in done.stdout
        assert len(server.state.store.all("flows")) == 1


def test_activation_schema_is_published() -> None:
    done = run_destgen("activation-schema")
    schema = json.loads(done.stdout)
    assert done.returncode == 0
    assert {
        "destination",
        "baseConnection",
        "targetConnection",
        "dataflow",
    } <= set(schema["required"])
    assert schema["$defs"]["EnvRef"]["properties"]["env"]["pattern"]
