"""Exports you can open: every example's run, delivered by the emulator to a real folder, has
files whose names follow its templates, which parse back with the declared CSV options or as
JSON/Parquet, decompress, and decrypt with the matching private key; ``destgen preview`` shows
the same rows before any server exists.
"""

from __future__ import annotations

import base64
import copy
import csv
import gzip
import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from destgen_runtime.payloads.connection_patches import encryption_params

from destgen.cli import main
from destgen_emulator import EmulatorServer
from destgen_emulator.delivery import names
from destgen_emulator.delivery.encrypt import pgpy_module
from destgen_emulator.delivery.formats import csv_bytes
from tests.conftest import AUDIENCE_EXAMPLES, DATASET_EXAMPLES, run_cli
from tests.e2e.conftest import use_emulator

FILE_EXAMPLES = [p for p in AUDIENCE_EXAMPLES if p.stem not in ("azure_event_hubs", "braze")]


@pytest.fixture(scope="module")
def key_pair() -> tuple[Any, str]:
    """A throwaway OpenPGP key made for this test run: (private key, base64 public key)."""
    pgpy = pgpy_module()
    c = pgpy.constants
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        key = pgpy.PGPKey.new(c.PubKeyAlgorithm.RSAEncryptOrSign, 2048)
        key.add_uid(
            pgpy.PGPUID.new("destgen test"),
            usage={c.KeyFlags.EncryptCommunications, c.KeyFlags.EncryptStorage},
            hashes=[c.HashAlgorithm.SHA256],
            ciphers=[c.SymmetricKeyAlgorithm.AES256],
            compression=[c.CompressionAlgorithm.Uncompressed],
        )
    return key, base64.b64encode(str(key.pubkey).encode()).decode()


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = (
        yaml.safe_load(path.read_text()) if path.suffix == ".yaml" else json.loads(path.read_text())
    )
    return loaded


def _with_key(doc: dict[str, Any], public_key: str) -> dict[str, Any]:
    encryption = doc["baseConnection"].get("encryption")
    if encryption is not None:
        encryption["publicKey"] = public_key
    return doc


def _deliver(
    example: Path,
    public_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    rows: int,
    hours: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], Path]:
    """Apply ``example`` (its key replaced by ``public_key``) on an emulator that delivers to
    ``tmp_path/delivered``, let ``hours`` pass: the document, the runs and the folder.
    """
    doc = _with_key(_load(example), public_key)
    path = tmp_path / f"{example.stem}.json"
    path.write_text(json.dumps(doc))
    delivered = tmp_path / "delivered"
    with EmulatorServer(deliver_to=delivered, deliver_rows=rows) as server:
        use_emulator(monkeypatch, server.base_url, "DELIVER@AdobeOrg")
        assert main(["apply", "--yes", str(path)]) == 0
        runs = server.advance(hours)
    return doc, runs, delivered


def _decrypt(data: bytes, key: Any) -> bytes:
    pgpy = pgpy_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        message = pgpy.PGPMessage.from_blob(data)
        plain = key.decrypt(message).message
    return plain if isinstance(plain, bytes) else bytes(plain)


def _rows(name: str, data: bytes, options: dict[str, Any]) -> list[list[str] | dict[str, Any]]:
    """A delivered file parsed back as a reader would (csv with the options, JSON, Parquet)."""
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        return list(pq.read_table(io.BytesIO(data)).to_pylist())
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode()
    if ".json" in name:
        return [json.loads(line) for line in text.splitlines()]
    quote = options.get("quote", "")
    reader = (
        csv.reader(
            io.StringIO(text),
            delimiter=options.get("delimiter", ","),
            quotechar=quote,
            escapechar=options.get("escape", "\\"),
            doublequote=False,
        )
        if quote
        else csv.reader(
            io.StringIO(text), delimiter=options.get("delimiter", ","), quoting=csv.QUOTE_NONE
        )
    )
    return list(reader)


@pytest.mark.parametrize("example", FILE_EXAMPLES, ids=[p.stem for p in FILE_EXAMPLES])
def test_every_example_delivers_files_a_reader_opens(
    example: Path,
    key_pair: tuple[Any, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private, public = key_pair
    doc, runs, delivered = _deliver(example, public, tmp_path, monkeypatch, rows=40, hours=24)
    assert runs
    assert all(r["metrics"]["statusSummary"]["status"] == "success" for r in runs)
    recorded = [f for r in runs for f in r["metrics"]["files"]]
    assert recorded
    params = doc["targetConnection"]["params"]
    options = params.get("csvOptions") or {}
    for record in recorded:
        file = delivered / record["path"]
        assert file.is_file(), record
        assert file.stat().st_size == record["size"]
        assert file.resolve().is_relative_to(delivered.resolve())
        data = file.read_bytes()
        name = record["name"]
        if name.startswith("manifest-"):
            # manifest-<destinationId>-<dataflowRunId>.json, the dataflow being the destination
            uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            assert re.fullmatch(f"manifest-{uuid}-{uuid}\\.json", name), name
            manifest = json.loads(data)
            assert {e["name"] for e in manifest["exportResults"]} <= {r["name"] for r in recorded}
            continue
        audience = next(a for a in doc["audiences"] if a["id"] == record["segmentId"])
        assert re.fullmatch(_name_pattern(audience["filenameTemplate"]), name), name
        if doc["baseConnection"].get("encryption"):
            assert name.endswith(".gpg")
            data, name = _decrypt(data, private), name.removesuffix(".gpg")
        rows = _rows(name, data, options)
        columns = [m["destination"] for m in doc["mappings"]]
        if isinstance(rows[0], list):  # CSV: a header of the mapped columns, then the rows
            assert rows[0] == columns
            assert len(rows) == 41
            widths = [len(r) for r in rows[1:]]
            if options.get("quote"):
                assert set(widths) == {len(columns)}
            else:
                # Without a quote character a value holding the delimiter splits its row, as
                # the formatting page shows (Anna,"Doe,John" -> Anna,Doe,John): every 13th row
                # of the synthetic profiles carries one, so a preview shows the surprise.
                # (The synthetic value holds a comma: another delimiter keeps its rows whole.)
                split = [i for i, w in enumerate(widths) if w != len(columns)]
                comma = options.get("delimiter", ",") == ","
                assert split == ([i for i in range(40) if i % 13 == 12] if comma else [])
        else:
            assert list(rows[0]) == columns
            assert len(rows) == 40


def _name_pattern(template: str) -> str:
    """The file names a template allows: its macros as patterns, the extensions after."""
    pattern = re.escape(template)
    pattern = pattern.replace(re.escape("%DESTINATION_NAME%"), r"[^/]+")
    pattern = pattern.replace(re.escape("%SEGMENT_ID%"), r"[0-9a-f-]{36}")
    pattern = pattern.replace(re.escape("%SEGMENT_NAME%"), r"[^/]+")
    pattern = pattern.replace(re.escape("%TIMESTAMP%"), r"[0-9]{10}")
    pattern = re.sub(r"%DATETIME\\\(([^)]*)\\\)%", lambda m: r"[0-9_]+", pattern)
    return pattern + r"\.(csv|json|parquet|gz\.parquet)(\.gz)?(\.gpg)?"


def test_preview_shows_the_first_rows_of_the_delivered_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = next(p for p in FILE_EXAMPLES if p.stem == "google_cloud_storage")
    previewed = run_cli("preview", "--json", "--rows", "40", str(example))
    assert previewed.returncode == 0, previewed.stderr
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    shown = {
        match.group(0): f
        for f in json.loads(previewed.stdout)["files"]
        if not f["path"].rsplit("/", 1)[-1].startswith("manifest-")
        and (match := uuid.search(f["path"].rsplit("/", 1)[-1])) is not None
    }
    delivered = tmp_path / "delivered"
    with EmulatorServer(deliver_to=delivered, deliver_rows=40) as server:
        use_emulator(monkeypatch, server.base_url, "PREVIEW@AdobeOrg")
        assert main(["apply", "--yes", str(example)]) == 0
        runs = server.advance(24)
    for record in runs[0]["metrics"]["files"]:
        if record["name"].startswith("manifest-"):
            continue
        data = gzip.decompress((delivered / record["path"]).read_bytes()).decode()
        expected = shown[record["segmentId"]]
        assert data.splitlines()[: len(expected["firstRows"])] == expected["firstRows"]
        assert expected["size"] == record["size"]


def test_preview_says_when_a_key_cannot_encrypt(tmp_path: Path) -> None:
    doc = _load(next(p for p in FILE_EXAMPLES if p.stem == "amazon_s3"))
    doc["baseConnection"]["encryption"]["publicKey"] = base64.b64encode(b"not a key").decode()
    path = tmp_path / "s3.json"
    path.write_text(json.dumps(doc))
    done = run_cli("preview", str(path))
    assert done.returncode == 1
    assert "$.baseConnection.encryption.publicKey: not an OpenPGP public key" in done.stderr


def test_a_run_with_an_unusable_key_fails_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # destgen refuses such a key before sending it; another client (or the UI) may not.
    path = next(p for p in FILE_EXAMPLES if p.stem == "amazon_s3")
    delivered = tmp_path / "delivered"
    with EmulatorServer(deliver_to=delivered) as server:
        use_emulator(monkeypatch, server.base_url, "BADKEY@AdobeOrg")
        assert main(["apply", "--yes", str(path)]) == 0
        (base,) = [c for c in server.state.store.all("connections") if encryption_params(c)]

        def unusable(connection: dict[str, Any]) -> dict[str, Any]:
            changed = copy.deepcopy(connection)
            params = encryption_params(changed)
            assert params is not None
            params["publicKey"] = base64.b64encode(b"not a key").decode()
            return changed

        server.state.store.update("connections", base["id"], None, unusable)
        runs = server.advance(24)
    assert {r["metrics"]["statusSummary"]["status"] for r in runs} == {"failed"}
    assert "cannot encrypt" in runs[0]["metrics"]["statusSummary"]["errors"][0]["message"]
    assert not delivered.exists() or not any(delivered.rglob("*.gpg"))


def test_streams_deliver_no_files_and_status_names_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = next(p for p in AUDIENCE_EXAMPLES if p.stem == "braze")
    files = next(p for p in FILE_EXAMPLES if p.stem == "google_cloud_storage")
    with EmulatorServer(deliver_to=tmp_path / "delivered") as server:
        use_emulator(monkeypatch, server.base_url, "STATUS@AdobeOrg")
        assert main(["apply", "--yes", str(stream), str(files)]) == 0
        server.advance(24)
        capsys.readouterr()
        assert main(["status", "--since", "7d", str(files)]) == 0
        out = capsys.readouterr().out
        assert "wrote STATUS@AdobeOrg/prod/google_cloud_storage/acme-exports/audiences/" in out
        assert main(["status", "--json", "--since", "7d", str(stream)]) == 0
        (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert all(run["written"] == [] for run in entry["runs"])


def test_hostile_templates_and_paths_stay_inside_the_folder() -> None:
    import datetime as dt

    when = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
    text = names.expand(
        "../../%SEGMENT_NAME%/x",
        destination="D",
        audience_id="id",
        audience_name="a/../b",
        when=when,
    )
    assert "/" not in names.safe_part(text)
    assert names.safe_part("..") == "_"
    assert names.safe_part("a\x00b") == "a_b"
    assert len(names.safe_part("é" * 300).encode()) <= 255
    assert names.safe_folder("/../etc/./passwd/") == ("etc", "passwd")
    assert (
        names.expand(
            "%DESTINATION_NAME%_%DATETIME(YYYYMMdd_HHmmss)%_%this is custom text%",
            destination="Amazon S3",
            audience_id="i",
            audience_name="n",
            when=when,
        )
        == "Amazon S3_20261202_093000_this is custom text"
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["a,b", "John,null", "Doe, JD,"]),
        ({"quote": '"'}, ['"a","b"', '"John",null', '"Doe, JD",']),
        ({"quote": '"', "escape": "'", "delimiter": ";"}, ['"a";"b"', '"John";null', '"Doe, JD";']),
        ({"nullValue": '""', "emptyValue": "null"}, ["a,b", 'John,""', "Doe, JD,null"]),
        ({"quote": '"', "nullValue": ""}, ['"a","b"', '"John",', '"Doe, JD",']),
    ],
)
def test_csv_options_write_as_the_formatting_page_shows(
    options: dict[str, str], expected: list[str]
) -> None:
    rows = [("John", None), ("Doe, JD", "")]
    assert csv_bytes(("a", "b"), rows, options).decode().splitlines() == expected


def test_a_quote_inside_a_quoted_value_is_escaped() -> None:
    written = csv_bytes(("a",), [('say "hi"',)], {"quote": '"', "escape": "\\"}).decode()
    assert written.splitlines()[1] == '"say \\"hi\\""'


@pytest.mark.parametrize("example", DATASET_EXAMPLES, ids=[p.stem for p in DATASET_EXAMPLES])
def test_every_dataset_example_delivers_its_datasets_under_the_folder_template(
    example: Path,
    key_pair: tuple[Any, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private, public = key_pair
    doc, runs, delivered = _deliver(example, public, tmp_path, monkeypatch, rows=25, hours=72)
    recorded = [f for r in runs for f in r["metrics"].get("files", [])]
    assert {f["datasetId"] for f in recorded} == {d["id"] for d in doc["datasets"]}
    file_type = doc["targetConnection"]["params"]["datasetFileType"]
    for record in recorded:
        parts = record["path"].split("/")
        # <sandbox>/<destination>/<location...>/<template>/<dataset id>/exportTime=YYYYMMDDHHMM/
        assert parts[-3] == record["datasetId"]
        assert re.fullmatch(r"exportTime=[0-9]{12}", parts[-2])
        assert any(record["datasetId"] in p and "_" in p for p in parts[:-3])  # the template
        data, name = (delivered / record["path"]).read_bytes(), record["name"]
        if doc["baseConnection"].get("encryption"):
            data, name = _decrypt(data, private), name.removesuffix(".gpg")
        assert name.endswith(".json.gz" if file_type == "JSON" else "parquet")
        rows = _rows(name, data, {})
        assert len(rows) == 25
        assert isinstance(rows[0], dict)
        assert "_id" in rows[0]


def test_boto3_lists_and_reads_what_an_s3_destination_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--s3``: the user's own boto3 code, with the bucket and path from the file."""
    import boto3

    doc = _load(next(p for p in FILE_EXAMPLES if p.stem == "amazon_s3"))
    del doc["baseConnection"]["encryption"]  # plain files, to read back here
    path = tmp_path / "s3.json"
    path.write_text(json.dumps(doc))
    with EmulatorServer(deliver_to=tmp_path / "delivered", deliver_rows=10, s3=True) as server:
        use_emulator(monkeypatch, server.base_url, "S3@AdobeOrg")
        assert main(["apply", "--yes", str(path)]) == 0
        runs = server.advance(24)
        assert server.s3_endpoint is not None
        assert server.s3_endpoint.startswith("http://127.0.0.1:")
        s3 = boto3.client(
            "s3",
            endpoint_url=server.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id=doc["baseConnection"]["auth"]["params"]["s3AccessKey"],
            aws_secret_access_key="any",
        )
        bucket = doc["targetConnection"]["params"]["bucketName"]
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="audiences/")["Contents"]
        recorded = [f for r in runs for f in r["metrics"]["files"]]
        assert {o["Key"] for o in listed} == {
            f["object"].removeprefix(f"s3://{bucket}/") for f in recorded
        }
        first = next(f for f in recorded if not f["name"].startswith("manifest-"))
        key = first["object"].removeprefix(f"s3://{bucket}/")
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == (tmp_path / "delivered" / first["path"]).read_bytes()
    assert (
        gzip.decompress(body).decode().splitlines()[0]
        == '"firstName","personalEmail_address","Email"'
    )


def test_an_sftp_client_reads_the_delivered_files_with_the_files_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--sftp``: the password file's password and the key file's private key both log in,
    and see ``remotePath`` as the destination holds it; anything else is refused.
    """
    import paramiko

    key = paramiko.RSAKey.generate(2048)
    pem = io.StringIO()
    key.write_private_key(pem)
    monkeypatch.setenv("SFTP_SSH_KEY", base64.b64encode(pem.getvalue().encode()).decode())
    monkeypatch.setenv("SFTP_PASSWORD", "a-password-for-this-test")
    docs = []
    for stem in ("sftp_password", "sftp_ssh_key"):
        doc = _load(next(p for p in FILE_EXAMPLES if p.stem == stem))
        doc["baseConnection"].pop("encryption", None)  # plain files, to read back here
        path = tmp_path / f"{stem}.json"
        path.write_text(json.dumps(doc))
        docs.append((doc, path))
    delivered = tmp_path / "delivered"
    with EmulatorServer(deliver_to=delivered, deliver_rows=10, sftp=True) as server:
        use_emulator(monkeypatch, server.base_url, "SFTP@AdobeOrg", secrets=False)
        assert main(["apply", "--yes", *(str(p) for _d, p in docs)]) == 0
        runs = server.advance(24)
        assert server.sftp_address is not None
        host, port = server.sftp_address
        assert host == "127.0.0.1"
        doc = docs[0][0]
        username = doc["baseConnection"]["auth"]["params"]["username"]
        remote = doc["targetConnection"]["params"]["remotePath"]
        recorded = {f["name"]: f for r in runs for f in r["metrics"].get("files", [])}

        def listing(**credentials: Any) -> dict[str, bytes]:
            transport = paramiko.Transport((host, port))
            try:
                transport.connect(username=username, **credentials)
                sftp = paramiko.SFTPClient.from_transport(transport)
                assert sftp is not None
                names = sftp.listdir(remote)
                return {n: sftp.open(f"{remote}/{n}").read() for n in names}
            finally:
                transport.close()

        by_password = listing(password="a-password-for-this-test")
        by_key = listing(pkey=key)
        with pytest.raises(paramiko.AuthenticationException):
            listing(password="not-the-password")
    assert by_password == by_key
    assert set(by_password) <= set(recorded)
    for name, data in by_password.items():
        assert data == (delivered / recorded[name]["path"]).read_bytes()


def test_storage_servers_load_only_when_asked_and_need_a_delivery_folder() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, destgen_emulator.http.server\n"
        "print(sorted(m for m in ('moto', 'boto3', 'paramiko') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "[]", done.stderr
    refused = run_cli("emulator", "--port", "0", "--s3")
    assert refused.returncode == 2
    assert "--s3 and --sftp need --deliver-to" in refused.stderr


def test_preview_writes_its_samples_and_names_the_key(
    key_pair: tuple[Any, str], tmp_path: Path
) -> None:
    private, public = key_pair
    doc = _with_key(_load(next(p for p in FILE_EXAMPLES if p.stem == "amazon_s3")), public)
    path = tmp_path / "s3.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "samples"
    done = run_cli("preview", "--json", "--rows", "3", "--out", str(out), str(path))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["pgp"] == f"encrypts to key {private.fingerprint}"
    written = sorted(p for p in out.rglob("*") if p.is_file())
    assert sorted(p.name for p in written) == sorted(
        f["path"].rsplit("/", 1)[-1] for f in shown["files"]
    )
    sample = next(p for p in written if p.name.endswith(".csv.gz.gpg"))
    lines = gzip.decompress(_decrypt(sample.read_bytes(), private)).decode().splitlines()
    assert len(lines) == 4  # the header and three rows


def test_preview_in_text_shows_rows_and_refuses_what_has_no_files(tmp_path: Path) -> None:
    stream = run_cli("preview", str(next(p for p in AUDIENCE_EXAMPLES if p.stem == "braze")))
    assert stream.returncode == 2
    assert "Braze streams profiles; there are no files to preview" in stream.stderr
    datasets = run_cli("preview", "--json", "--rows", "2", str(DATASET_EXAMPLES[0]))
    assert datasets.returncode == 0, datasets.stderr
    ids = {d["id"] for d in _load(DATASET_EXAMPLES[0])["datasets"]}
    files = json.loads(datasets.stdout)["files"]
    assert len(files) == len(ids)  # one file per dataset
    for file in files:
        folder = file["path"].rsplit("/", 3)
        assert folder[1] in ids
        assert re.fullmatch(r"exportTime=[0-9]{12}", folder[2])
        assert folder[3].startswith("part-00000-preview.")
    doc = _load(next(p for p in FILE_EXAMPLES if p.stem == "google_cloud_storage"))
    doc["targetConnection"]["params"] |= {"fileType": "PARQUET", "compression": "NONE"}
    doc["targetConnection"]["params"].pop("csvOptions", None)
    path = tmp_path / "gcs.json"
    path.write_text(json.dumps(doc))
    shown = run_cli("preview", "--rows", "2", str(path))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].endswith(".parquet  (" + lines[0].rsplit("(", 1)[1])
    assert json.loads(lines[1].strip())["firstName"]


def test_the_command_line_starts_and_stops_the_storage_with_the_emulator(tmp_path: Path) -> None:
    """``destgen emulator --deliver-to DIR --s3 --sftp`` prints where a consumer points, then
    everything stops with the emulator (SIGTERM).
    """
    import queue
    import signal
    import subprocess
    import sys
    import threading

    command = [sys.executable, "-m", "destgen", "emulator", "--port", "0"]
    command += ["--deliver-to", str(tmp_path), "--s3", "--sftp"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            printed: queue.Queue[str] = queue.Queue()

            def read() -> None:
                # A reader thread: select() cannot see lines already in the text buffer.
                for line in process.stdout or []:
                    printed.put(line)

            threading.Thread(target=read, daemon=True).start()
            lines = [printed.get(timeout=60) for _ in range(3)]
            assert lines[0].startswith("destgen emulator listening on http://127.0.0.1:")
            assert lines[1].startswith("destgen emulator S3 endpoint http://127.0.0.1:")
            assert lines[2].startswith("destgen emulator SFTP 127.0.0.1 port ")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_preview_of_an_encrypted_file_shows_the_rows_it_holds_and_the_key() -> None:
    example = next(p for p in FILE_EXAMPLES if p.stem == "amazon_s3")
    done = run_cli("preview", "--json", "--rows", "3", str(example))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["pgp"].startswith("encrypts to key ")
    first = document["files"][0]
    assert first["path"].endswith(".gpg")
    assert first["encrypted"] is True
    assert len(first["firstRows"]) == 4  # the header and the three rows it encrypts
    assert first["firstRows"][0].startswith('"firstName"')
    shown = run_cli("preview", "--rows", "3", str(example))
    assert "encrypted, these are the rows it holds" in shown.stdout
