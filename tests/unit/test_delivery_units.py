"""The delivery room and the storage servers at their edges: keys that are not keys, folders that
are gone, selectors a stream refuses, a read-only SFTP view that never leaves its root.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import paramiko
import pytest

from destgen_emulator import EmulatorServer
from destgen_emulator.delivery.plan import file_type_of, location_of, plan_from
from destgen_emulator.delivery.render import render
from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.run_files import run_files
from destgen_emulator.service.validation import profile_selectors, selectors
from destgen_emulator.storage.sftp_server import Accounts, SftpServer, _public_blob

WHEN = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_where_a_target_writes_and_in_what_format() -> None:
    legacy = {"mode": "S3", "S3": {"bucketName": "b", "path": "p", "format": "TAB_DELIMITED"}}
    assert location_of(legacy) == ("b", "p")
    assert file_type_of(legacy) == "CSV"
    assert file_type_of({"mode": "FTP", "FTP": {"format": "JSON"}}) == "JSON"
    assert file_type_of({"fileType": "parquet"}) == "PARQUET"


def test_parquet_files_and_a_key_that_is_not_base64() -> None:
    plan = plan_from(
        destination="D",
        target_params={"bucketName": "b", "fileType": "PARQUET", "compression": "GZIP"},
        selectors=[{"value": {"id": "a1", "filenameTemplate": "%SEGMENT_ID%"}}],
        columns=("firstName",),
        public_key=None,
    )
    (parquet,) = render(plan, rows=3, seed="s", when=WHEN).files
    assert parquet.name == "a1.gz.parquet"
    assert parquet.data[:4] == b"PAR1"
    keyed = plan_from(
        destination="D",
        target_params={"bucketName": "b"},
        selectors=[],
        columns=(),
        public_key="%%%",
    )
    assert render(keyed, rows=1, seed="s", when=WHEN).problem == (
        "the PGP public key cannot encrypt: the public key is not base64"
    )


def test_run_files_skip_what_was_deleted_or_has_nothing_to_write(tmp_path: Path) -> None:
    with EmulatorServer(deliver_to=tmp_path) as server:
        state = server.state
        gone = {"id": "f", "targetConnectionIds": ["missing"], "imsOrgId": "O", "sandboxName": "s"}
        assert run_files(state, gone, "r", WHEN) == ([], None)
        assert run_files(state, {"id": "f"}, "r", WHEN) == ([], None)


def test_streaming_and_profile_selector_rules() -> None:
    def refused(transformations: Any, *, streaming: bool) -> str:
        problems = []
        for check in (selectors, profile_selectors):
            try:
                check(transformations, streaming=streaming)
            except ApiError as exc:
                problems.append(json.dumps(exc.body))
        assert problems
        return " ".join(problems)

    bad = [
        {
            "params": {
                "segmentSelectors": {"selectors": [{"type": "OTHER"}, {"type": "PLATFORM_SEGMENT"}]}
            }
        }
    ]
    text = refused(bad, streaming=True)
    assert "type must be PLATFORM_SEGMENT" in text
    assert "value.id is required" in text
    on_file = [{"params": {"profileSelectors": {"selectors": [{"type": "JSON_PATH"}]}}}]
    assert "exports through its mapping set" in refused(on_file, streaming=False)
    shapes = [
        {
            "params": {
                "profileSelectors": {
                    "selectors": [{"type": "XPATH"}, {"type": "JSON_PATH", "value": {"path": ""}}]
                }
            }
        }
    ]
    text = refused(shapes, streaming=True)
    assert "[0].type: must be JSON_PATH" in text
    assert "[1].value.path: required" in text


def test_sftp_accounts_take_passwords_and_keys_and_nothing_else(tmp_path: Path) -> None:
    accounts = Accounts()
    rsa = paramiko.RSAKey.generate(1024)
    pem = io.StringIO()
    rsa.write_private_key(pem)
    key_b64 = base64.b64encode(pem.getvalue().encode()).decode()
    accounts.register("u", tmp_path, {"password": "pw", "sshKey": key_b64}, jail=tmp_path)
    assert accounts.by_password("u", "pw") is not None
    assert accounts.by_password("u", "nope") is None
    assert accounts.by_password("nobody", "pw") is None
    assert accounts.by_key("u", rsa) is not None
    assert accounts.by_key("u", paramiko.RSAKey.generate(1024)) is None
    assert _public_blob("%%%") is None  # not base64
    assert _public_blob(base64.b64encode(b"not a key").decode()) is None


def test_the_sftp_view_is_read_only_and_stays_in_its_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "upload").mkdir(parents=True)
    (root / "upload" / "a.csv").write_text("x\n")
    (tmp_path / "secret.txt").write_text("outside")
    server = SftpServer()
    server.accounts.register("u", root, {"password": "pw"}, jail=root)
    server.start()
    try:
        host, port = server.address
        transport = paramiko.Transport((host, port))
        transport.connect(username="u", password="pw")
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        assert sftp.listdir("/upload") == ["a.csv"]
        assert sftp.stat("/upload/a.csv").st_size == 2
        assert sftp.normalize("upload") == "/upload"
        with pytest.raises(FileNotFoundError):
            sftp.stat("/missing")
        with pytest.raises(FileNotFoundError):
            sftp.listdir("/upload/a.csv")
        with pytest.raises(FileNotFoundError):
            sftp.open("/../secret.txt").read()
        with pytest.raises(PermissionError):
            sftp.open("/upload/a.csv", "w")
        # A new file, a folder, a removal, a rename: refused as read-only, never "no such file".
        changes: list[tuple[Any, tuple[str, ...]]] = [
            (sftp.open, ("/upload/new.csv", "w")),
            (sftp.mkdir, ("/upload/sub",)),
            (sftp.remove, ("/upload/a.csv",)),
            (sftp.rename, ("/upload/a.csv", "/upload/b.csv")),
        ]
        for change, arguments in changes:
            with pytest.raises(PermissionError):
                change(*arguments)
        assert (root / "upload" / "a.csv").read_text() == "x\n"
        transport.close()
    finally:
        server.stop()


def test_a_raw_folder_skips_files_without_an_id_and_reads_saved_answers(tmp_path: Path) -> None:
    from destgen_emulator.service.catalog import Catalog

    spec = {
        "id": "raw-1",
        "name": "Raw",
        "version": "1.0",
        "targetSpec": {"spec": {"type": "object", "properties": {"path": {"type": "string"}}}},
    }
    (tmp_path / "saved.json").write_text(json.dumps({"items": [spec]}))
    (tmp_path / "noid.json").write_text(json.dumps({"name": "no id"}))
    catalog = Catalog(tmp_path)
    assert list(catalog.destinations) == ["raw-1"]
    assert catalog.destinations["raw-1"].rules["authSpec"] == []  # no authSpec: no credentials
    assert catalog.connection_spec("raw-1") == spec


def test_run_files_without_mapping_key_or_source_still_deliver(tmp_path: Path) -> None:
    with EmulatorServer(deliver_to=tmp_path) as server:
        state = server.state
        assert run_files(state, {"id": "f", "scheduleParams": {}}, "r", WHEN) == ([], None)
        from destgen_emulator.service.run_files import _columns, _datasets, _public_key

        tenant = ("O", "prod")
        assert _columns(state, {}, tenant) == ()
        assert _columns(state, {"profileMapping": {"mappingId": "gone"}}, tenant) == ()
        assert _public_key({}) is None
        assert _public_key({"encryptionSpecs": [{"params": {"publicKey": "k"}}]}) == "k"
        assert _datasets(state, {"sourceConnectionIds": ["gone"]}, tenant) == []


def test_a_planted_link_never_roots_an_sftp_login_elsewhere(tmp_path: Path) -> None:
    """A link where a login's root should be, or inside it, reads nothing outside the folder."""
    delivered, outside = tmp_path / "delivered", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("another user's file")
    tenant = delivered / "ORG" / "prod"
    tenant.mkdir(parents=True)
    (tenant / "sftp").symlink_to(outside, target_is_directory=True)  # the planted root
    inner = delivered / "ORG" / "dev" / "sftp"
    inner.mkdir(parents=True)
    (inner / "link.txt").symlink_to(outside / "secret.txt")  # a planted file inside a real root
    server = SftpServer()
    server.accounts.register("u", tenant / "sftp", {"password": "pw"}, jail=delivered)
    server.accounts.register("v", inner, {"password": "pw"}, jail=delivered)
    server.start()
    try:
        host, port = server.address
        for username, path in (("u", "/secret.txt"), ("v", "/link.txt")):
            transport = paramiko.Transport((host, port))
            transport.connect(username=username, password="pw")
            sftp = paramiko.SFTPClient.from_transport(transport)
            assert sftp is not None
            with pytest.raises(FileNotFoundError):
                sftp.open(path).read()
            transport.close()
    finally:
        server.stop()


def test_each_org_and_sandbox_delivers_into_a_folder_of_its_own(tmp_path: Path) -> None:
    from destgen_emulator.delivery.deliver import delivery_base

    one = delivery_base(tmp_path, ("ACME@AdobeOrg", "prod"), "sftp")
    other = delivery_base(tmp_path, ("OTHER@AdobeOrg", "prod"), "sftp")
    assert one != other
    assert one.relative_to(tmp_path.resolve()).parts == ("ACME@AdobeOrg", "prod", "sftp")
    hostile = delivery_base(tmp_path, ("../..", "../../etc"), "sftp")
    assert hostile.is_relative_to(tmp_path.resolve())


def test_a_new_file_format_is_one_row_of_the_format_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake format (pipe-separated text) added to FORMATS alone: the plan recognises it, the
    renderer names and writes its files, and the preview reads them back.
    """
    from destgen.cli.preview import first_rows
    from destgen_emulator.delivery import formats

    def write(
        columns: tuple[str, ...], rows: list[Any], _options: dict[str, Any], compress: bool
    ) -> tuple[bytes, int]:
        text = "\n".join("|".join(str(v) for v in row) for row in [columns, *rows]) + "\n"
        plain = text.encode()
        return (formats.gzip_bytes(plain) if compress else plain), len(plain)

    fake = formats.FileFormat(
        "PIPES",
        ".pipes",
        ".pipes.gz",
        write,
        lambda data, compressed, count: formats.FORMATS["CSV"].read(data, compressed, count),
    )
    monkeypatch.setitem(formats.FORMATS, "PIPES", fake)
    plan = plan_from(
        destination="D",
        target_params={"bucketName": "b", "fileType": "pipes", "compression": "GZIP"},
        selectors=[{"value": {"id": "a1", "filenameTemplate": "%SEGMENT_ID%"}}],
        columns=("firstName", "Email"),
        public_key=None,
    )
    assert plan.file_type == "PIPES"
    (written,) = render(plan, rows=2, seed="s", when=WHEN).files
    assert written.name == "a1.pipes.gz"
    shown = first_rows(written)
    assert shown[0] == "firstName|Email"
    assert len(shown) == 3
