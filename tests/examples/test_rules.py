"""A negative case for each rule the generated models and builders encode, with the message it
gives.

Each row: a payload change and the JSON path + text the problem must carry.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.audiences import audience
from destgen_runtime.payloads.mapping import mapping
from destgen_runtime.schema.wire import to_masked, to_wire
from pydantic import ValidationError

import destgen_destinations.amazon_s3 as s3
import destgen_destinations.azure_blob as blob
import destgen_destinations.google_cloud_storage as gcs
import destgen_destinations.sftp as sftp
from destgen.cli.validate import validate_payload
from tests.conftest import documented

S3_TARGET = "03_target_connection__amazon_s3_with_csv_options"
S3_BASE = "02_base_connection__amazon_s3_access_key"
SFTP_ENC = "02_base_connection__sftp_ssh_key_with_encryption.at_833e3855"
ADD_AUDIENCE = "04b_add_audiences__add_audience_to_dataflow"


def _set(body: Any, path: str, value: Any) -> Any:
    """``body`` with the dotted ``path`` set to ``value`` (``DELETE`` removes it)."""
    body = copy.deepcopy(body)
    node = body
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parts[:-1]:
        node = node[part]
    if value == "DELETE":
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return body


SELECTOR = "0.value.value"
CASES = [
    # (id, kind, fixture, dotted path, new value, expected JSON path, expected text)
    (
        "workflow-datasetFileType-absent",
        "target-connection",
        S3_TARGET,
        "params.datasetFileType",
        "JSON",
        "$.params.datasetFileType",
        "unknown key",
    ),
    (
        "workflow-fileType-required",
        "target-connection",
        S3_TARGET,
        "params.fileType",
        "DELETE",
        "$.params.fileType",
        "required key is missing",
    ),
    (
        "csvOptions-only-with-CSV",
        "target-connection",
        S3_TARGET,
        "params.fileType",
        "PARQUET",
        "$.params.csvOptions",  # the key that breaks the rule
        "csvOptions is allowed only when fileType EQUALS 'CSV'",
    ),
    (
        "csv-delimiter-enum",
        "target-connection",
        S3_TARGET,
        "params.csvOptions.delimiter",
        ",,",
        "$.params.csvOptions.delimiter",
        "Input should be",
    ),
    (
        "secret-pattern-kept",
        "base-connection",
        S3_BASE,
        "auth.params.s3SecretKey",
        "too-short",
        "$.auth.params.s3SecretKey",
        "String should match pattern",
    ),
    (
        "access-key-pattern",
        "base-connection",
        S3_BASE,
        "auth.params.s3AccessKey",
        "lowercase",
        "$.auth.params.s3AccessKey",
        "String should match pattern",
    ),
    (
        "unknown-auth-key",
        "base-connection",
        S3_BASE,
        "auth.params.s3Token",
        "x",
        "$.auth.params.s3Token",
        "unknown key",
    ),
    (
        "unknown-spec-name",
        "base-connection",
        S3_BASE,
        "auth.specName",
        "Access Token",
        "$.auth",
        "specName",
    ),
    (
        "null-rejected",
        "base-connection",
        S3_BASE,
        "description",
        None,
        "$.description",
        "null is not allowed; omit the key instead",
    ),
    (
        "ssh-key-base64",
        "base-connection",
        SFTP_ENC,
        "auth.params.sshKey",
        "not base64!",
        "$.auth.params.sshKey",
        "not valid base64",
    ),
    (
        "public-key-base64",
        "base-connection",
        SFTP_ENC,
        "encryptionSpecs.params.publicKey",
        "%%%",
        "$.encryptionSpecs.params.publicKey",
        "not valid base64",
    ),
    (
        "encryption-algo-enum",
        "base-connection",
        SFTP_ENC,
        "encryptionSpecs.params.encryptionAlgo",
        "RSA",
        "$.encryptionSpecs.params.encryptionAlgo",
        "Input should be 'PGPGPG', 'NONE' or 'PGP/GPG'",
    ),
    (
        "s3-bucket-lookahead",
        "target-connection",
        S3_TARGET,
        "params.bucketName",
        "192.168.1.1",
        "$.params.bucketName",
        "String should match pattern",
    ),
    (
        "s3-path-pattern",
        "target-connection",
        S3_TARGET,
        "params.path",
        "a b",
        "$.params.path",
        "String should match pattern",
    ),
    (
        "connection-spec-version",
        "target-connection",
        S3_TARGET,
        "connectionSpec.version",
        "DELETE",
        "$.connectionSpec.version",
        "required key is missing",
    ),
    (
        "snake-case-key-on-wire",
        "target-connection",
        S3_TARGET,
        "params.file_type",
        "CSV",
        "$.params.file_type",
        "unknown key",
    ),
    (
        "frequency-vs-full-export",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.frequency",
        "EVERY_3_HOURS",
        "$[0].value.value",
        "not allowed with exportMode DAILY_FULL_EXPORT",
    ),
    (
        "incremental-vs-once",
        "dataflow-patch",
        "04b_add_audiences__update_audience_in_dataflow",
        f"{SELECTOR}.schedule.frequency",
        "ONCE",
        "$[0].value.value",
        "not allowed with exportMode FIRST_FULL_THEN_INCREMENTAL",
    ),
    (
        "incremental-needs-start-time",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.exportMode",
        "FIRST_FULL_THEN_INCREMENTAL",
        "$[0].value.value",
        "startTime (HH:00, UTC) is required",
    ),
    (
        "port-integer",
        "base-connection",
        "02_base_connection__sftp_password",
        "auth.params.port",
        "22",
        "$.auth.params.port",
        "valid integer",
    ),
    (
        "frequency-enum",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.frequency",
        "HOURLY",
        "$[0].value.value.schedule.frequency",
        "Input should be",
    ),
    (
        "trigger-required-for-full",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.triggerType",
        "DELETE",
        "$[0].value.value",
        "triggerType is required",
    ),
    (
        "trigger-enum",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.triggerType",
        "NIGHTLY",
        "$[0].value.value.schedule.triggerType",
        "Input should be",
    ),
    (
        "start-time-minutes",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule",
        {
            "frequency": "DAILY",
            "triggerType": "SCHEDULED",
            "startDate": "2022-01-05",
            "startTime": "20:30",
        },
        "$[0].value.value.schedule.startTime",
        "HH:00",
    ),
    (
        "scheduled-needs-start-time",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.triggerType",
        "SCHEDULED",
        "$[0].value.value",
        "startTime (HH:00, UTC) is required",
    ),
    (
        "date-format",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.startDate",
        "05/01/2022",
        "$[0].value.value.schedule.startDate",
        "YYYY-MM-DD",
    ),
    (
        "date-calendar",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.endDate",
        "2022-02-30",
        "$[0].value.value.schedule.endDate",
        "not a calendar date",
    ),
    (
        "end-before-start",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.schedule.endDate",
        "2021-12-31",
        "$[0].value.value.schedule",
        "before startDate",
    ),
    (
        "datetime-timestamp-exclusive",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.filenameTemplate",
        "%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%_%TIMESTAMP%",
        "$[0].value.value.filenameTemplate",
        "mutually exclusive",
    ),
    (
        "filename-255",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.filenameTemplate",
        "%SEGMENT_ID%" + "x" * 250,
        "$[0].value.value.filenameTemplate",
        "limited to 255",
    ),
    (
        "filename-template-spelling",
        "dataflow-patch",
        ADD_AUDIENCE,
        f"{SELECTOR}.fileNameTemplate",
        "%SEGMENT_ID%",
        "$[0].value.value.fileNameTemplate",
        "unknown key",
    ),
    (
        "selector-type",
        "dataflow-patch",
        ADD_AUDIENCE,
        "0.value.type",
        "EXTERNAL_SEGMENT",
        "$[0].value.type",
        "Input should be 'PLATFORM_SEGMENT'",
    ),
    (
        "patch-op-move",
        "dataflow-patch",
        ADD_AUDIENCE,
        "0.op",
        "move",
        "$[0]",
        "unsupported JSON Patch operation",
    ),
    (
        "patch-unknown-path",
        "dataflow-patch",
        ADD_AUDIENCE,
        "0.path",
        "/transformations/0/params/somethingElse",
        "$[0]",
        "unsupported JSON Patch operation",
    ),
    (
        "dedup-mixed",
        "dataflow-patch",
        "08_other_dataflow_updates__add_deduplication_key_identity",
        "0.value",
        [
            {"fieldType": "IDENTITY", "identityNamespace": "GAID"},
            {"fieldType": "ATTRIBUTE", "attributePath": "person.name"},
        ],
        "$[0].value",
        "mix identity namespaces and attributes",
    ),
    (
        "marketing-action-ref",
        "dataflow-patch",
        "08_other_dataflow_updates__add_marketing_action",
        "1.value",
        "email-targeting",
        "$[1].value",
        "not a marketing action reference",
    ),
    (
        "manifest-bool",
        "dataflow-patch",
        "08_other_dataflow_updates__add_file_manifest",
        "0.value",
        "yes",
        "$[0].value",
        "valid boolean",
    ),
    (
        "mapping-destination-dots",
        "mapping-set",
        "07_mapping_set__create_mapping_set",
        "mappings.3.destination",
        "personalEmail.address",
        "$.mappings[3].destination",
        "contains '.'",
    ),
    (
        "flow-spec-of-other-destination",
        "dataflow",
        "04_create_dataflow__amazon_s3",
        "flowSpec.id",
        "752d422f-b16f-4f0d-b1c6-26e448e3b388",
        "$.flowSpec.id",
        "Input should be",
    ),
    (
        "one-target-connection",
        "dataflow",
        "04_create_dataflow__amazon_s3",
        "targetConnectionIds",
        ["a", "b"],
        "$.targetConnectionIds",
        "at most 1 item",
    ),
    (
        "source-spec-id",
        "source-connection",
        "01_source_connection__create_source_connection",
        "connectionSpec.id",
        "x",
        "$.connectionSpec.id",
        "Input should be",
    ),
]


@pytest.mark.parametrize(
    ("kind", "fixture", "path", "value", "where", "text"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_rule_rejects_with_path_and_reason(
    kind: str, fixture: str, path: str, value: Any, where: str, text: str
) -> None:
    destination = "amazon_s3" if kind == "dataflow" else None
    problems = validate_payload(kind, destination, _set(documented(fixture), path, value))
    assert any(p.startswith(f"{where}: ") and text in p for p in problems), problems


def test_required_default_applied() -> None:
    enc = s3.encryption(public_key="aGVsbG8=")
    assert to_wire(enc)["params"]["encryptionAlgo"] == "PGPGPG"
    body = documented(SFTP_ENC)
    del body["encryptionSpecs"]["params"]["encryptionAlgo"]
    assert validate_payload("base-connection", None, body) == []


def test_csv_option_values_are_literals_with_exact_values() -> None:
    options = s3.models.CsvOptions(delimiter="\t", quote='"', null_value='""', empty_value="")
    assert to_wire(options) == {
        "quote": '"',
        "escape": "\\",
        "delimiter": "\t",
        "nullValue": '""',
        "emptyValue": "",
    }


CANARY = "CANARYsecretVALUE0123456789abcdefghijKL"


@pytest.mark.parametrize(
    "build",
    [
        lambda: s3.base_connection_access_key(
            name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key=CANARY[:40].ljust(40, "x")
        ),
        lambda: s3.base_connection_assumed_role(name="n", s3_role=CANARY),
        lambda: blob.base_connection(name="n", connection_string=CANARY),
        lambda: gcs.base_connection(name="n", access_key_id="id", secret_access_key=CANARY),
        lambda: sftp.base_connection_sftp_with_password(
            name="n", domain="d", username="u", password=CANARY
        ),
    ],
    ids=["s3-secret", "s3-role", "blob", "gcs", "sftp-password"],
)
def test_secret_masked_everywhere_but_the_wire(build: Any) -> None:
    model = build()
    canary = CANARY[:40]
    assert canary in str(to_wire(model))
    for text in (repr(model), str(model), str(to_masked(model)), model.model_dump_json()):
        assert canary not in text
        assert CANARY[:20] not in text


def test_secret_never_echoed_in_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        s3.base_connection_access_key(name="n", s3_access_key="bad", s3_secret_key=CANARY + "!")
    assert CANARY not in str(caught.value)
    assert CANARY not in str(caught.value.errors(include_input=False))


def test_builders_are_keyword_only() -> None:
    import importlib
    import inspect

    from destgen_destinations import DESTINATIONS

    checked = 0
    for slug in DESTINATIONS:
        package = importlib.import_module(f"destgen_destinations.{slug}")
        for name in (
            package.builders.__all__
            if hasattr(package.builders, "__all__")
            else dir(package.builders)
        ):
            builder = getattr(package.builders, name)
            if not inspect.isfunction(builder) or builder.__module__ != package.builders.__name__:
                continue
            kinds = {p.kind for p in inspect.signature(builder).parameters.values()}
            assert kinds <= {inspect.Parameter.KEYWORD_ONLY}, f"{slug}.{name}"
            checked += 1
    assert checked >= 4 * len(DESTINATIONS)


def test_audience_builder_rejects_negative_index() -> None:
    selector = audience(
        id="a",
        filename_template="%SEGMENT_ID%",
        export_mode="DAILY_FULL_EXPORT",
        frequency="ONCE",
        trigger_type="AFTER_SEGMENT_EVAL",
        start_date="2022-01-05",
    )
    with pytest.raises(ValueError, match="0 or more"):
        patch_ops.replace_audience(-1, selector)


def test_mapping_builder_rejects_dotted_destination() -> None:
    with pytest.raises(ValidationError, match=r"contains '\.'"):
        mapping("personalEmail.address", "personalEmail.address")
