"""``destgen validate`` exit codes and output: 0 valid, 1 invalid with file + JSON path, 2
unreadable.

Runs the real command in a subprocess; never a traceback.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from tests.conftest import DOCUMENTED, ROOT, run_destgen


def test_validate_valid_files_exit_0() -> None:
    # Three tabs of the tutorial use dataset flow specs (decisions.md); these three are valid.
    slugs = ("amazon_s3", "azure_blob", "sftp")
    files = [str(DOCUMENTED / f"04_create_dataflow__{slug}.json") for slug in slugs]
    done = run_destgen("validate", "--kind", "dataflow", *files)
    assert done.returncode == 0, done.stdout
    assert done.stdout.count(": ok (dataflow)") == 3


def test_validate_invalid_file_exit_1_with_path_and_rule(tmp_path: Path) -> None:
    body = json.loads(
        (DOCUMENTED / "03_target_connection__amazon_s3_with_csv_options.json").read_text()
    )
    body["params"]["csvOptions"]["delimiter"] = "#"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body))
    done = run_destgen("validate", "--kind", "target-connection", str(bad))
    assert done.returncode == 1
    assert f"{bad}: $.params.csvOptions.delimiter: Input should be" in done.stdout


def test_validate_unreadable_and_non_json_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    done = run_destgen(
        "validate", "--kind", "mapping-set", str(broken), str(tmp_path / "missing.json")
    )
    assert done.returncode == 2
    assert f"{broken}: not JSON" in done.stdout
    assert "missing.json: cannot read" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_validate_never_prints_a_secret(tmp_path: Path) -> None:
    body = json.loads((DOCUMENTED / "02_base_connection__amazon_s3_access_key.json").read_text())
    body["auth"]["params"]["s3SecretKey"] = "CANARY-not-forty-characters"
    bad = tmp_path / "secret.json"
    bad.write_text(json.dumps(body))
    done = run_destgen("validate", "--kind", "base-connection", str(bad))
    assert done.returncode == 1
    assert "CANARY" not in done.stdout + done.stderr


def test_validate_unknown_destination_is_usage_error(tmp_path: Path) -> None:
    done = run_destgen(
        "validate",
        "--kind",
        "dataflow",
        "--destination",
        "ftp",
        str(DOCUMENTED / "04_create_dataflow__sftp.json"),
    )
    assert done.returncode == 2
    assert "unknown destination 'ftp'" in done.stderr


def test_validate_help_explains_kinds_and_exit_codes() -> None:
    done = run_destgen("validate", "--help")
    assert done.returncode == 0
    for word in ("dataflow-patch", "mapping-set", "Exit 0", "--destination"):
        assert word in done.stdout


def test_validate_refuses_nan_and_infinity_as_not_json(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    payload = tmp_path / "nan.json"
    payload.write_text('{"name": "x", "params": {"n": NaN}}')
    done = run_cli("validate", "--kind", "target-connection", str(payload))
    assert done.returncode == 2
    assert f"{payload}: not JSON: NaN is not a JSON number" in done.stdout


def test_validate_recognises_activation_files_json_and_yaml(tmp_path: Path) -> None:
    from tests.conftest import ROOT, run_cli

    folder = tmp_path / "setup"
    folder.mkdir()
    (folder / "s3.json").write_text((ROOT / "examples" / "amazon_s3.json").read_text())
    (folder / "sftp.yaml").write_text((ROOT / "examples" / "sftp_password.yaml").read_text())
    broken = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
    broken["audiences"][0]["exportMod"] = "x"
    (folder / "broken.json").write_text(json.dumps(broken))
    done = run_cli("validate", str(folder))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{folder / 'broken.json'}: $.audiences[0].exportMod: unknown key 'exportMod'; "
        "did you mean 'exportMode'?",
        f"{folder / 's3.json'}: ok (activation-file)",
        f"{folder / 'sftp.yaml'}: ok (activation-file)",
    ]
    # Told as a mapping set, an activation file is judged as one (and fails as one).
    wrong = run_cli("validate", "--kind", "mapping-set", str(folder / "sftp.yaml"))
    assert wrong.returncode == 1
    # A request body written in YAML is judged as that body, not as an activation file.
    (folder / "target.yaml").write_text(
        "name: Acme exports\nbaseConnectionId: b1\n"
        "connectionSpec: {id: 4fce964d-3f37-408f-9778-e597338a21ee, version: '1.0'}\n"
        "params: {bucketName: acme-exports, path: p, fileType: CSV, compression: ZIP}\n"
    )
    body = run_cli("validate", str(folder / "target.yaml"))
    assert body.returncode == 1
    (line,) = body.stdout.splitlines()
    assert "$.params.compression" in line
    assert "activation" not in line
    (folder / "bad.yaml").write_text("a: [")
    assert "not valid YAML" in run_cli("validate", str(folder / "bad.yaml")).stdout


def test_yaml_on_standard_input_is_read_as_yaml() -> None:
    from destgen.cli.validate import run_validate

    text = (ROOT / "examples" / "sftp_password.yaml").read_bytes()
    out = io.StringIO()
    code = run_validate("auto", None, [Path("-")], out=out, stdin=io.BytesIO(text))
    assert code == 0, out.getvalue()
    assert out.getvalue() == "-: ok (activation-file)\n"
    out = io.StringIO()
    garbage = io.BytesIO(b"a: [\n")
    assert run_validate("auto", None, [Path("-")], out=out, stdin=garbage) == 2
    assert "-: neither JSON" in out.getvalue()
    assert "nor YAML" in out.getvalue()


def test_a_kind_the_destination_does_not_have_is_an_answer_not_a_crash(tmp_path: Path) -> None:
    """Data Landing Zone's base connections hold no credentials to patch; Braze's spec declares
    no dataset workflow. Both once ended in a traceback (found by a Hypothesis run over every
    kind); both are now one line naming the destination, exit 1.
    """
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps([{"op": "replace", "path": "/name", "value": "n"}]))
    patch = run_destgen(
        "validate",
        "--kind",
        "base-connection-patch",
        "--destination",
        "data_landing_zone",
        str(payload),
    )
    assert patch.returncode == 1, patch.stderr
    assert "$: data_landing_zone: this destination's base connections have no credentials" in (
        patch.stdout
    )
    dataset = run_destgen(
        "validate", "--kind", "dataset-target-connection", "--destination", "braze", str(payload)
    )
    assert dataset.returncode == 1, dataset.stderr
    assert "$: braze has no dataset-target-connection" in dataset.stdout
    assert "Traceback" not in patch.stderr + dataset.stderr


def test_a_key_written_twice_is_refused_where_a_reviewer_could_misread_it(tmp_path: Path) -> None:
    """JSON and YAML readers keep the second of two equal keys silently; a reviewer may have read
    the first. Activation files (JSON and YAML) and payload files refuse them, naming the key;
    nothing is sent (activate --dry-run stops before printing a request).
    """
    example = (ROOT / "examples" / "amazon_s3.json").read_text()
    name = json.loads(example)["dataflow"]["name"]
    twice = example.replace(f'"name": "{name}"', f'"name": "{name}", "name": "another"', 1)
    assert twice != example
    json_file = tmp_path / "twice.json"
    json_file.write_text(twice)
    yaml_file = tmp_path / "twice.yaml"
    yaml_file.write_text("destination: amazon_s3\ndestination: sftp\n")
    payload = tmp_path / "payload.json"
    payload.write_text('{"bucketName": "a-bucket", "bucketName": "b-bucket"}')
    for path, says in (
        (json_file, "the key 'name' appears twice in one object"),
        (yaml_file, "the key 'destination' appears twice in one mapping"),
    ):
        for command in (("validate",), ("activate", "--dry-run"), ("fmt", "--check")):
            done = run_destgen(*command, str(path))
            assert done.returncode in (1, 2), (command, done.stdout, done.stderr)
            assert says in done.stdout + done.stderr, command
            assert "curl" not in done.stdout
            assert "Traceback" not in done.stderr
    done = run_destgen("validate", "--kind", "target-connection", str(payload))
    assert done.returncode == 2
    assert "the key 'bucketName' appears twice in one object" in done.stdout + done.stderr
