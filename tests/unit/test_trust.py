"""What a CI run with production credentials and nobody watching relies on (issue 27): every
networked command names where it acts, a change is never sent to a sandbox nobody named, two
files never define one connection two ways, secret variables never swap between connections,
credentials never leave over plain HTTP for a host that only looks like loopback, and server
text never drives the terminal.
"""

from __future__ import annotations

import argparse
import copy
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from destgen_runtime.activation.export import secret_variable
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import (
    DestgenError,
    TransportError,
    connect_failure,
)
from destgen_runtime.transport.redact import one_line
from destgen_runtime.transport.retry import RetryPolicy
from destgen_runtime.transport.urls import is_loopback, secure_url

from destgen.cli.exit_codes import Exit
from destgen.cli.export import MAX_STEM, file_stem
from destgen.cli.target import announce, target_of, unknown_variables
from tests.conftest import ROOT, run_cli

S3 = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
ENV = {
    "AEP_ACCESS_TOKEN": "t",
    "AEP_API_KEY": "k",
    "AEP_ORG_ID": "ACME@AdobeOrg",
    # Nothing listens on port 9 of loopback: refused at once, never retried (not reached yet).
    "AEP_BASE_URL": "http://127.0.0.1:9",
    "S3_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    from destgen_emulator import EmulatorServer

    with EmulatorServer() as server:
        yield server.base_url


def test_the_target_line_names_org_sandbox_and_base_url() -> None:
    args = argparse.Namespace(command="plan", base_url=None, sandbox=None)
    where = target_of(args, {"AEP_ORG_ID": "O", "AEP_SANDBOX_NAME": "dev"})
    assert where.line() == "org O, sandbox dev, https://platform.adobe.io"
    args.sandbox = "qa"
    assert target_of(args, {"AEP_SANDBOX_NAME": "dev"}).sandbox == "qa", "--sandbox wins"
    unnamed = target_of(args, {}, sandbox=None)
    assert unnamed.line().startswith("org (AEP_ORG_ID not set), sandbox qa")


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("plan", []),
        ("export", ["--flow", "x"]),
        ("status", []),
        ("datasets", []),
        ("destroy", ["--yes"]),
        ("activate", []),
    ],
)
def test_every_networked_command_opens_with_its_target(command: str, extra: list[str]) -> None:
    paths = [] if command in ("export", "datasets") else [str(ROOT / "examples" / "amazon_s3.json")]
    done = run_cli(command, *paths, *extra, env=ENV | {"AEP_SANDBOX_NAME": "dev"})
    first = done.stderr.splitlines()[0]
    assert first == f"destgen {command}: org ACME@AdobeOrg, sandbox dev, http://127.0.0.1:9"


@pytest.mark.parametrize("command", ["apply", "activate", "destroy"])
def test_a_change_without_a_named_sandbox_is_refused(command: str) -> None:
    confirm = [] if command == "activate" else ["--yes"]
    done = run_cli(command, *confirm, str(ROOT / "examples" / "amazon_s3.json"), env=ENV)
    assert done.returncode == Exit.USAGE
    where, refusal = done.stderr.strip().splitlines()
    assert "sandbox (none named: the service's default, production)" in where
    assert "no sandbox named; set AEP_SANDBOX_NAME" in refusal


def test_a_read_without_a_named_sandbox_says_which_it_reads() -> None:
    done = run_cli("plan", str(ROOT / "examples" / "amazon_s3.json"), env=ENV)
    assert "sandbox (none named: the service's default, production)" in done.stderr
    assert "no sandbox named" not in done.stderr


def test_a_dry_run_needs_no_sandbox() -> None:
    args = argparse.Namespace(command="activate", dry_run=True, base_url=None)
    assert announce(args, {}) is None


def test_an_unknown_aep_variable_is_warned_about_with_the_nearest_name() -> None:
    assert unknown_variables({"AEP_SANDBOX": "dev", "AEP_ORG_ID": "o", "PATH": "/"}) == [
        "destgen: warning: AEP_SANDBOX is not a variable destgen reads; did you mean "
        "AEP_SANDBOX_NAME?"
    ]
    assert unknown_variables({"AEP_ZZZZZZZZZZZZZZ": "x"}) == [
        "destgen: warning: AEP_ZZZZZZZZZZZZZZ is not a variable destgen reads"
    ]
    done = run_cli("plan", "/nonexistent.json", env=ENV | {"AEP_SANBOX_NAME": "dev"})
    assert "AEP_SANBOX_NAME is not a variable destgen reads; did you mean AEP_SANDBOX_NAME?" in (
        done.stderr
    )


def test_diff_without_live_is_not_networked() -> None:
    args = argparse.Namespace(command="diff", live=False)
    assert announce(args, {"AEP_SANDBOX": "x"}) is None


def test_two_files_that_define_one_base_connection_differently_are_refused(
    tmp_path: Path,
) -> None:
    one, two = copy.deepcopy(S3), copy.deepcopy(S3)
    two["targetConnection"]["name"] += " two"
    two["dataflow"]["name"] += " two"
    two["baseConnection"]["auth"]["params"]["s3AccessKey"] = "AKIAIOSFODNN7EXAMPLA"
    (tmp_path / "one.json").write_text(json.dumps(one))
    (tmp_path / "two.json").write_text(json.dumps(two))
    done = run_cli("plan", str(tmp_path), env=ENV | {"AEP_SANDBOX_NAME": "dev"})
    assert done.returncode == Exit.FAILED
    assert (
        f"{tmp_path / 'two.json'}: $.baseConnection: 'Acme exports to S3' is defined differently "
        f"in {tmp_path / 'one.json'}"
    ) in done.stderr
    # Defined the same, a base connection is shared as before.
    two["baseConnection"] = one["baseConnection"]
    (tmp_path / "two.json").write_text(json.dumps(two))
    done = run_cli("plan", "--json", str(tmp_path), env=ENV | {"AEP_SANDBOX_NAME": "dev"})
    assert "defined differently" not in done.stderr


def test_an_audience_listed_twice_is_refused(tmp_path: Path) -> None:
    doc = copy.deepcopy(S3)
    doc["audiences"].append(copy.deepcopy(doc["audiences"][0]))
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(doc))
    done = run_cli("validate", str(path))
    assert done.returncode == Exit.FAILED
    assert f"$.audiences[2].id: {doc['audiences'][0]['id']} is listed twice" in done.stdout


@pytest.mark.parametrize(
    ("key", "values", "said"),
    [
        ("mandatoryFields", [""], "$.mandatoryFields[0]: String should have at least 1 character"),
        (
            "deduplicationKeys",
            {"identityNamespace": "Email", "attributePaths": ["person.name"]},
            "deduplication keys mix identity namespaces and attributes; pick one kind",
        ),
        (
            "deduplicationKeys",
            {"attributePaths": ["a.b", "c.d", "e.f"]},
            "at most two XDM attributes can be deduplication keys",
        ),
        (
            "deduplicationKeys",
            {"identityNamespace": ""},
            "$.deduplicationKeys.identityNamespace: String should have at least 1 character",
        ),
        (
            "marketingActions",
            ["", "/dulepolicy/marketingActions/core/email"],
            "$.marketingActions[1]: '/dulepolicy/marketingActions/core/email' is not a marketing "
            "action reference",
        ),
    ],
)
def test_what_a_patch_would_refuse_is_refused_in_the_file(
    key: str, values: object, said: str, tmp_path: Path
) -> None:
    """A file's mandatory fields, deduplication keys and marketing actions are checked as their
    dataflow PATCH checks them: found by `make fuzz`, a file that validated used to crash
    `activate` with a traceback when the PATCH was built, after the connections were made.
    """
    doc = copy.deepcopy(S3) | {key: values}
    path = tmp_path / "patch.json"
    path.write_text(json.dumps(doc))
    for command in (["validate"], ["activate", "--dry-run"]):
        done = run_cli(*command, str(path))
        assert done.returncode == Exit.FAILED, (command, done.stderr)
        assert said in done.stdout + done.stderr, command
        assert "Traceback" not in done.stdout + done.stderr


def test_connection_names_alike_in_their_first_words_get_their_own_variables() -> None:
    common = "Acme exports for the European marketing team"
    first = secret_variable("amazon_s3", "s3SecretKey", f"{common} (Paris)")
    second = secret_variable("amazon_s3", "s3SecretKey", f"{common} (Berlin)")
    assert first != second
    # From the name alone: the same whatever order a sandbox lists its connections in.
    assert first == secret_variable("amazon_s3", "s3SecretKey", f"{common} (Paris)")
    assert first.startswith("AMAZON_S3_SECRET_KEY_ACME_EXPORTS_FOR_THE_EUROPEAN_MARKETING_")
    short = secret_variable("amazon_s3", "s3SecretKey", "Acme exports to S3")
    assert short == "AMAZON_S3_SECRET_KEY_ACME_EXPORTS_TO_S3", "short names keep their name"


def test_an_over_long_dataflow_name_makes_a_file_name_a_file_system_takes() -> None:
    long = "Acme " * 60
    stem = file_stem(long)
    assert len(stem) <= MAX_STEM
    assert stem != file_stem(long + "x"), "two long names never meet"
    assert file_stem("Acme audiences to S3") == "acme_audiences_to_s3"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("localhost", True),
        ("127.attacker.example", False),
        ("127.0.0.1.nip.io", False),
        ("10.0.0.1", False),
        ("localhost.example", False),
    ],
)
def test_only_real_loopback_hosts_take_plain_http(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    url = f"http://[{host}]:9" if ":" in host else f"http://{host}:9"
    if loopback:
        assert secure_url(url, "token URL", "hint") == url
    else:
        with pytest.raises(DestgenError, match="refused"):
            secure_url(url, "token URL", "hint")


def test_server_text_cannot_drive_the_terminal() -> None:
    hostile = "Acme\x1b[2J\x1b]0;pwned\x07 \u202eevil\u200b\x85\nfake line"
    shown = one_line(hostile)
    assert shown.isprintable()
    assert "\\x1b[2J" in shown
    assert "\\u202e" in shown
    assert "\\n" in shown


def _refused_client(**kwargs: Any) -> tuple[FlowServiceClient, list[float]]:
    slept: list[float] = []
    identity = Identity(StaticToken("t"), "k", "o", "dev")
    client = FlowServiceClient(base_url="http://127.0.0.1:9", identity=identity, **kwargs)
    client.sleep = slept.append
    return client, slept


def test_a_refused_first_connection_is_said_at_once_not_retried() -> None:
    client, slept = _refused_client()
    with client, pytest.raises(TransportError) as raised:
        client.run(ops.list_("flows"))
    assert "connection refused (nothing listens there) talking to http://127.0.0.1:9" in str(
        raised.value
    )
    assert raised.value.final
    assert slept == []


def test_a_refused_connection_after_an_answer_is_a_restart_and_retried() -> None:
    client, slept = _refused_client(retry=RetryPolicy(max_attempts=3, jitter=lambda d: d))
    client.core.reached = True  # the service answered before: now it restarts
    with client, pytest.raises(TransportError) as raised:
        client.run(ops.list_("flows"))
    assert not raised.value.final
    assert len(slept) == 2


def test_a_tls_handshake_to_a_plain_server_is_said_at_once(emulator_url: str) -> None:
    secure = emulator_url.replace("http://", "https://")
    slept: list[float] = []
    identity = Identity(StaticToken("t"), "k", "o", "dev")
    with FlowServiceClient(base_url=secure, identity=identity) as client:
        client.sleep = slept.append
        with pytest.raises(TransportError, match="TLS handshake failed"):
            client.run(ops.list_("flows"))
    assert slept == []


def test_connect_failures_are_named() -> None:
    def chained(cause: BaseException) -> httpx.ConnectError:
        try:
            raise httpx.ConnectError("x") from cause
        except httpx.ConnectError as exc:
            return exc

    dns = socket.gaierror(-2, "Name or service not known")
    assert connect_failure(chained(dns), reached=True) == (
        "no such host (Name or service not known)",
        True,
    )
    assert connect_failure(chained(OSError("other")), reached=False) == ("ConnectError", False)


@pytest.mark.parametrize("command", ["plan", "export", "datasets"])
def test_an_unreachable_token_url_is_one_line(command: str) -> None:
    env = {k: v for k, v in ENV.items() if k != "AEP_ACCESS_TOKEN"}
    env |= {"AEP_CLIENT_ID": "id", "AEP_CLIENT_SECRET": "the-client-secret"}
    env |= {"AEP_TOKEN_URL": "http://127.0.0.1:9/ims/token/v3", "AEP_SANDBOX_NAME": "dev"}
    paths = {"plan": [str(ROOT / "examples" / "amazon_s3.json")], "export": ["--all", "x"]}
    done = run_cli(command, *paths.get(command, []), env=env)
    assert done.returncode == Exit.FAILED
    said = done.stdout + done.stderr  # plan reports a file's error in its table
    assert "Traceback" not in said
    assert "the-client-secret" not in said
    assert "token request (http://127.0.0.1:9/ims/token/v3): connection refused" in said
    assert len(done.stderr.strip().splitlines()) <= 3, done.stderr


def test_a_base_url_with_the_api_path_is_explained() -> None:
    env = ENV | {"AEP_BASE_URL": "https://platform.adobe.io/data/foundation/flowservice/"}
    done = run_cli("plan", str(ROOT / "examples" / "amazon_s3.json"), env=env)
    assert done.returncode == Exit.FAILED
    assert (
        "already ends in an API path (/data/foundation/flowservice); give the host alone "
        "(https://platform.adobe.io)"
    ) in done.stderr


@pytest.mark.parametrize(
    "sandbox", ["../../etc", "prod/../dev", "Prod", "sändbox", "-x", "a" * 257]
)
def test_the_emulator_refuses_a_sandbox_name_the_service_would_not_take(
    emulator_url: str, sandbox: str
) -> None:
    headers = [
        (b"authorization", b"Bearer t"),
        (b"x-api-key", b"k"),
        (b"x-gw-ims-org-id", b"O@AdobeOrg"),
        (b"x-sandbox-name", sandbox.encode("utf-8")),
    ]
    with httpx.Client(base_url=emulator_url) as http:
        answer = http.get("/data/foundation/flowservice/flows", headers=headers)
    assert answer.status_code == 400
    assert "Invalid x-sandbox-name" in answer.json()["message"]


@pytest.mark.parametrize("sandbox", ["sändbox", "../prod"])
def test_a_sandbox_name_the_service_would_not_take_is_one_line(sandbox: str) -> None:
    done = run_cli("plan", "--sandbox", sandbox, str(ROOT / "examples" / "amazon_s3.json"), env=ENV)
    assert done.returncode == Exit.FAILED
    assert "Traceback" not in done.stderr
    assert f"the sandbox: {sandbox!r} is not a sandbox name" in done.stderr
    done = run_cli(
        "plan", str(ROOT / "examples" / "amazon_s3.json"), env=ENV | {"AEP_SANDBOX_NAME": sandbox}
    )
    assert f"AEP_SANDBOX_NAME: {sandbox!r} is not a sandbox name" in done.stdout + done.stderr


def _pgp_key(usage: str) -> Any:
    """A throwaway RSA 1024 OpenPGP key whose one user id allows ``usage``."""
    import warnings

    from destgen_emulator.delivery.encrypt import pgpy_module

    pgpy = pgpy_module()
    c = pgpy.constants
    flags = {
        "encrypt": {c.KeyFlags.EncryptCommunications, c.KeyFlags.EncryptStorage},
        "sign": {c.KeyFlags.Sign},
    }[usage]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        key = pgpy.PGPKey.new(c.PubKeyAlgorithm.RSAEncryptOrSign, 1024)
        key.add_uid(pgpy.PGPUID.new("destgen test"), usage=flags, hashes=[c.HashAlgorithm.SHA256])
    return key


def _b64(text: str | bytes) -> str:
    import base64

    return base64.b64encode(text if isinstance(text, bytes) else text.encode()).decode()


@pytest.fixture(scope="module")
def pgp_keys() -> dict[str, str]:
    encrypting, signing = _pgp_key("encrypt"), _pgp_key("sign")
    return {
        "private (armored)": _b64(str(encrypting)),
        "private (binary)": _b64(bytes(encrypting)),
        "signing only": _b64(str(signing.pubkey)),
        "public": _b64(str(encrypting.pubkey)),
    }


@pytest.mark.parametrize(
    ("which", "reason"),
    [
        ("private (armored)", "an OpenPGP private key: give its public key"),
        ("private (binary)", "an OpenPGP private key: give its public key"),
        ("signing only", "the key cannot encrypt (a signing-only key?)"),
    ],
)
def test_only_a_public_key_that_can_encrypt_passes_validation(
    tmp_path: Path, pgp_keys: dict[str, str], which: str, reason: str
) -> None:
    doc = copy.deepcopy(S3)
    doc["baseConnection"]["encryption"]["publicKey"] = pgp_keys[which]
    path = tmp_path / "keyed.json"
    path.write_text(json.dumps(doc))
    done = run_cli("validate", str(path))
    assert done.returncode == Exit.FAILED
    assert f"$.baseConnection.encryption.publicKey: {reason}" in done.stdout
    assert pgp_keys[which][:40] not in done.stdout + done.stderr, "the key is never quoted"
    applied = run_cli("apply", "--yes", str(path), env=ENV | {"AEP_SANDBOX_NAME": "dev"})
    assert applied.returncode == Exit.FAILED
    assert reason in applied.stderr
    doc["baseConnection"]["encryption"]["publicKey"] = pgp_keys["public"]
    path.write_text(json.dumps(doc))
    assert run_cli("validate", str(path)).returncode == Exit.OK


def test_the_generated_models_refuse_a_private_key_as_public_key(pgp_keys: dict[str, str]) -> None:
    from pydantic import ValidationError

    from destgen_destinations.amazon_s3.models import EncryptionParams

    with pytest.raises(ValidationError, match="an OpenPGP private key"):
        EncryptionParams.model_validate({"publicKey": pgp_keys["private (armored)"]})
    assert EncryptionParams.model_validate({"publicKey": pgp_keys["public"]})


def test_fetch_keeps_only_the_spec_it_asked_for(tmp_path: Path) -> None:
    """A server answering with another spec's id never replaces that destination's file."""
    from destgen.errors import GeneratorError
    from destgen.fetch import fetch_destinations

    other = json.loads((ROOT / "specs_cache" / "sftp.json").read_text())

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [other]})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    identity = Identity(StaticToken("t"), "k", "o", "dev")
    asked = "4fce964d-3f37-408f-9778-e597338a21ee"
    client = FlowServiceClient(base_url="https://platform.example", identity=identity, http=http)
    with client, pytest.raises(GeneratorError, match=f"asked for connection spec {asked}, got"):
        fetch_destinations(client, tmp_path, [asked])
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_one_spec_id_in_two_files_is_refused_naming_both(tmp_path: Path) -> None:
    from destgen.spec_folder import read_spec_folder

    for name in ("one.json", "two.json"):
        (tmp_path / name).write_text((ROOT / "specs_cache" / "amazon_s3.json").read_text())
    (tmp_path / "sftp.json").write_text((ROOT / "specs_cache" / "sftp.json").read_text())
    folder = read_spec_folder(tmp_path)
    assert [Path(s.file).name for s in folder.specs] == ["sftp.json"]
    reasons = {Path(r.file).name: r.reasons[0] for r in folder.refused}
    assert set(reasons) == {"one.json", "two.json"}
    assert f"is also in {tmp_path / 'two.json'}" in reasons["one.json"]
    assert f"is also in {tmp_path / 'one.json'}" in reasons["two.json"]


def test_a_raw_copy_of_a_curated_spec_is_refused_naming_the_curated_file(tmp_path: Path) -> None:
    import shutil

    from destgen.spec_folder import read_spec_folder

    shutil.copytree(ROOT / "specs_cache", tmp_path / "specs")
    copied = tmp_path / "specs" / "my copy of s3.json"
    copied.write_text((ROOT / "specs_cache" / "amazon_s3.json").read_text())
    folder = read_spec_folder(tmp_path / "specs")
    (refusal,) = [r for r in folder.refused if r.file == str(copied)]
    assert "amazon_s3.json; keep one file per spec" in refusal.reasons[0]
    assert str(copied) not in {s.file for s in folder.specs}


def test_two_manifest_entries_of_one_spec_id_stop_the_run(tmp_path: Path) -> None:
    import shutil

    from destgen.errors import GeneratorError
    from destgen.spec_folder import read_spec_folder

    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "specs_cache", specs)
    shutil.copy(specs / "amazon_s3.json", specs / "amazon_s3_again.json")
    manifest = json.loads((specs / "manifest.json").read_text())
    (entry,) = [e for e in manifest["destinations"] if e["slug"] == "amazon_s3"]
    manifest["destinations"].append(entry | {"slug": "amazon_s3_again"})
    (specs / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(GeneratorError, match=r"is also in .*amazon_s3"):
        read_spec_folder(specs)


@pytest.mark.parametrize(
    "command",
    ["activate", "plan", "apply", "export", "destroy", "status", "datasets", "audiences", "doctor"],
)
def test_every_networked_command_takes_the_sandbox_the_same_way(command: str) -> None:
    helped = run_cli(command, "--help")
    assert "--sandbox SANDBOX" in helped.stdout
    assert "default AEP_SANDBOX_NAME" in helped.stdout


def test_the_sandbox_flag_is_where_a_command_says_it_acts() -> None:
    env = ENV | {"AEP_SANDBOX_NAME": "prod"}
    done = run_cli("status", "--sandbox", "qa", str(ROOT / "examples" / "amazon_s3.json"), env=env)
    assert "sandbox qa," in done.stderr.splitlines()[0]
    refused = run_cli("datasets", "--sandbox", "../prod", env=env)
    assert refused.returncode != 0
    assert "'../prod' is not a sandbox name" in refused.stderr
