"""Every documented request of the audience workflow validates, and the builders reproduce it.

The documented copy errors are rejected with a message naming the key.
"""

from __future__ import annotations

from typing import Any

import pytest
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.audiences import audience
from destgen_runtime.payloads.mapping import mapping, mapping_set
from destgen_runtime.schema.refs import source_connection
from destgen_runtime.schema.wire import to_wire

import destgen_destinations.adls_gen2 as adls
import destgen_destinations.amazon_s3 as s3
import destgen_destinations.azure_blob as blob
import destgen_destinations.data_landing_zone as dlz
import destgen_destinations.google_cloud_storage as gcs
import destgen_destinations.sftp as sftp
from destgen.cli.validate import validate_payload
from tests.conftest import DOCUMENTED, documented

VALID = {
    "01_source_connection__create_source_connection": ("source-connection", None),
    "02_base_connection__adls_gen2": ("base-connection", None),
    "02_base_connection__amazon_s3_access_key": ("base-connection", None),
    "02_base_connection__amazon_s3_assumed_role": ("base-connection", None),
    "02_base_connection__azure_blob": ("base-connection", None),
    "02_base_connection__data_landing_zone": ("base-connection", "data_landing_zone"),
    "02_base_connection__google_cloud_storage": ("base-connection", None),
    "02_base_connection__sftp_password": ("base-connection", None),
    "02_base_connection__sftp_ssh_key": ("base-connection", None),
    "02_base_connection__sftp_ssh_key_with_encryption.at_833e3855": ("base-connection", None),
    # decisions.md: the newest tutorial's "encryption" / "File Encryption" / "PGP/GPG", the shape
    # Adobe's migration guide shows the service storing.
    "02_base_connection__sftp_ssh_key_with_encryption": ("base-connection", None),
    "03_target_connection__adls_gen2": ("target-connection", None),
    "03_target_connection__amazon_s3": ("target-connection", None),
    "03_target_connection__amazon_s3_with_csv_options": ("target-connection", None),
    "03_target_connection__azure_blob": ("target-connection", None),
    "03_target_connection__data_landing_zone": ("target-connection", None),
    "03_target_connection__google_cloud_storage": ("target-connection", None),
    "03_target_connection__google_cloud_storage_with_csv_options": ("target-connection", None),
    "03_target_connection__sftp": ("target-connection", None),
    **{
        f"04_create_dataflow__{slug}": ("dataflow", None)
        for slug in ("amazon_s3", "azure_blob", "sftp")
    },
    "04b_add_audiences__add_audience_to_dataflow": ("dataflow-patch", None),
    "04b_add_audiences__remove_audiences_from_dataflow": ("dataflow-patch", None),
    "04b_add_audiences__update_audience_in_dataflow": ("dataflow-patch", None),
    "07_mapping_set__patch_dataflow_with_mapping_set": ("dataflow-patch", None),
    "07_mapping_set__create_mapping_set": ("mapping-set", None),
    "07_mapping_set__create_mapping_set.at_833e3855": ("mapping-set", None),
    "08_other_dataflow_updates__add_deduplication_key_identity": ("dataflow-patch", None),
    "08_other_dataflow_updates__add_deduplication_key_xdm_attribute": ("dataflow-patch", None),
    "08_other_dataflow_updates__add_file_manifest": ("dataflow-patch", None),
    "08_other_dataflow_updates__add_mandatory_key_identity": ("dataflow-patch", None),
    "08_other_dataflow_updates__add_mandatory_key_xdm_attribute": ("dataflow-patch", None),
    "08_other_dataflow_updates__add_marketing_action": ("dataflow-patch", None),
}

# decisions.md: the audience tutorial's flow spec ids for ADLS Gen2, DLZ and GCS are those
# destinations' dataset-export flow specs (Adobe's OpenAPI labels them "- Dataset").
DATASET_FLOW_SPECS = {
    "adls_gen2": ("17be2013-2549-41ce-96e7-a70363bec293", "db060570-a155-418a-a6d3-b4d97698e5dc"),
    "data_landing_zone": (
        "cd2fc47e-e838-4f38-a581-8fff2f99b63a",
        "7e635b9f-e59b-4546-8ba8-fce6496693c8",
    ),
    "google_cloud_storage": (
        "585c15c4-6cbf-4126-8f87-e26bff78b657",
        "976d663b-80b4-4193-be6b-2d0487516623",
    ),
}

# Documented bodies that contradict the spec, and the problem each must be reported with.
REJECTED = {
    **{
        f"04_create_dataflow__{slug}": f"$.flowSpec.id: {dataset} is the dataset export flow spec"
        for slug, (dataset, _audience) in DATASET_FLOW_SPECS.items()
    },
    # docs/api-contract.md §12.11: the "with CSV options" tabs copy S3's bucketName into other
    # destinations.
    "03_target_connection__adls_gen2_with_csv_options": "$.params.bucketName: unknown key",
    "03_target_connection__azure_blob_with_csv_options": (
        "$.params.container: required key is missing"
    ),
    "03_target_connection__data_landing_zone_with_csv_options": "$.params.bucketName: unknown key",
    "03_target_connection__sftp_with_csv_options": "$.params.remotePath: required key is missing",
}


def test_documented_examples_all_classified() -> None:
    names = {p.stem for p in DOCUMENTED.glob("*.json")}
    assert names == set(VALID) | set(REJECTED)


@pytest.mark.parametrize("name", sorted(VALID), ids=sorted(VALID))
def test_documented_request_validates(name: str) -> None:
    kind, destination = VALID[name]
    assert validate_payload(kind, destination, documented(name)) == []


@pytest.mark.parametrize("name", sorted(REJECTED), ids=sorted(REJECTED))
def test_documented_copy_error_rejected_with_path(name: str) -> None:
    kinds = {"02": "base-connection", "03": "target-connection", "04": "dataflow"}
    problems = validate_payload(kinds[name[:2]], None, documented(name))
    assert any(p.startswith(REJECTED[name]) for p in problems), problems


def test_copy_error_hint_lists_the_destinations_keys() -> None:
    problems = validate_payload(
        "target-connection", None, documented("03_target_connection__azure_blob_with_csv_options")
    )
    assert any("azure_blob target params are: compression, container" in p for p in problems)


def _same(built: Any, name: str, **overrides: Any) -> None:
    expected = documented(name) | overrides
    assert to_wire(built) == expected


def _base(body: dict[str, Any]) -> dict[str, Any]:
    return {"name": body["name"], **body["auth"]["params"]}


BASE = "02_base_connection__"
TARGET = "03_target_connection__"


def test_builders_reproduce_base_connections() -> None:
    p = documented(BASE + "amazon_s3_access_key")["auth"]["params"]
    _same(
        s3.base_connection_access_key(
            name="Amazon S3 Base Connection",
            s3_access_key=p["s3AccessKey"],
            s3_secret_key=p["s3SecretKey"],
        ),
        BASE + "amazon_s3_access_key",
    )
    p = documented(BASE + "amazon_s3_assumed_role")["auth"]["params"]
    _same(
        s3.base_connection_assumed_role(name="Amazon S3 Base Connection", s3_role=p["s3Role"]),
        BASE + "amazon_s3_assumed_role",
    )
    p = documented(BASE + "azure_blob")["auth"]["params"]
    _same(
        blob.base_connection(
            name="Azure Blob Storage Base Connection", connection_string=p["connectionString"]
        ),
        BASE + "azure_blob",
    )
    p = documented(BASE + "adls_gen2")["auth"]["params"]
    _same(
        adls.base_connection(
            name="Azure Data Lake Gen 2(ADLS Gen2) Base Connection",
            url=p["url"],
            service_principal_id=p["servicePrincipalId"],
            service_principal_key=p["servicePrincipalKey"],
            tenant=p["tenant"],
        ),
        BASE + "adls_gen2",
    )
    p = documented(BASE + "google_cloud_storage")["auth"]["params"]
    _same(
        gcs.base_connection(
            name="Google Cloud Storage Base Connection",
            access_key_id=p["accessKeyId"],
            secret_access_key=p["secretAccessKey"],
        ),
        BASE + "google_cloud_storage",
    )
    p = documented(BASE + "sftp_password")["auth"]["params"]
    _same(
        sftp.base_connection_sftp_with_password(
            name="SFTP with password Base Connection",
            domain=p["domain"],
            username=p["username"],
            password=p["password"],
            port=22,
        ),
        BASE + "sftp_password",
    )
    p = documented(BASE + "sftp_ssh_key")["auth"]["params"]
    _same(
        sftp.base_connection_sftp_with_ssh_key(
            name="SFTP with SSH key Base Connection",
            domain=p["domain"],
            username=p["username"],
            ssh_key=p["sshKey"],
            port=22,
        ),
        BASE + "sftp_ssh_key",
    )
    _same(
        dlz.base_connection(name="Data Landing Zone(DLZ) Base Connection"),
        BASE + "data_landing_zone",
    )


def test_builders_reproduce_encrypted_base_connection() -> None:
    body = documented(BASE + "sftp_ssh_key_with_encryption.at_833e3855")
    p, e = body["auth"]["params"], body["encryptionSpecs"]["params"]
    built = sftp.base_connection_sftp_with_ssh_key(
        name=body["name"],
        domain=p["domain"],
        username=p["username"],
        ssh_key=p["sshKey"],
        encryption=sftp.encryption(public_key=e["publicKey"], spec_name="Encryption spec"),
    )
    _same(built, BASE + "sftp_ssh_key_with_encryption.at_833e3855")


TARGETS = {
    "amazon_s3": (s3, {"bucket_name": "your-bucket-name", "path": "folder/subfolder"}),
    "azure_blob": (blob, {"container": "your-container-name", "path": "folder/subfolder"}),
    "adls_gen2": (adls, {"path": "folder/subfolder"}),
    "data_landing_zone": (dlz, {"path": "folder/subfolder"}),
    "google_cloud_storage": (gcs, {"bucket_name": "your-bucket-name", "path": "folder/subfolder"}),
    "sftp": (sftp, {"remote_path": "folder/subfolder"}),
}


@pytest.mark.parametrize("slug", sorted(TARGETS), ids=sorted(TARGETS))
def test_builders_reproduce_target_connection(slug: str) -> None:
    module, location = TARGETS[slug]
    body = documented(TARGET + slug)
    built = module.target_connection(
        name=body["name"],
        base_connection_id=body["baseConnectionId"],
        compression="NONE",
        file_type="JSON",
        include_file_manifest=True,
        **location,
    )
    _same(built, TARGET + slug)


@pytest.mark.parametrize("slug", ["amazon_s3", "google_cloud_storage"])
def test_builders_reproduce_target_connection_with_csv_options(slug: str) -> None:
    module, location = TARGETS[slug]
    body = documented(f"{TARGET}{slug}_with_csv_options")
    csv = module.models.CsvOptions(
        null_value="null", empty_value="", escape="\\", quote="", delimiter=","
    )
    built = module.target_connection(
        name=body["name"],
        base_connection_id=body["baseConnectionId"],
        compression="GZIP",
        file_type="CSV",
        include_file_manifest=True,
        csv_options=csv,
        **location,
    )
    _same(built, f"{TARGET}{slug}_with_csv_options")


@pytest.mark.parametrize("slug", sorted(TARGETS), ids=sorted(TARGETS))
def test_builders_reproduce_dataflow(slug: str) -> None:
    module = TARGETS[slug][0]
    body = documented(f"04_create_dataflow__{slug}")
    built = module.dataflow(
        name=body["name"],
        description=body["description"],
        source_connection_id=body["sourceConnectionIds"][0],
        target_connection_id=body["targetConnectionIds"][0],
    )
    # docs/api-contract.md §12.2: builders always send the GeneralTransform skeleton (the Azure Blob
    # tab's form).
    skeleton = documented("04_create_dataflow__azure_blob")["transformations"]
    overrides: dict[str, Any] = {"transformations": skeleton}
    if slug in DATASET_FLOW_SPECS:  # the tutorial's dataset flow spec, corrected
        overrides["flowSpec"] = {"id": DATASET_FLOW_SPECS[slug][1], "version": "1.0"}
    _same(built, f"04_create_dataflow__{slug}", **overrides)


def test_builders_reproduce_source_connection() -> None:
    _same(
        source_connection(name="Connect to Profile store", description="Optional"),
        "01_source_connection__create_source_connection",
    )


def test_builders_reproduce_audience_patches() -> None:
    added = audience(
        id="2d79d0d8-724f-49fc-a09d-d1dec338c93c",
        name="Winter 2021/2022 campaign",
        filename_template="%DESTINATION_NAME%_%SEGMENT_ID%_%SEGMENT_NAME%_%DATETIME(YYYYMMdd_HHmmss)%_custom-text",
        export_mode="DAILY_FULL_EXPORT",
        frequency="DAILY",
        trigger_type="AFTER_SEGMENT_EVAL",
        start_date="2022-01-05",
        end_date="2022-03-10",
    )
    assert to_wire(patch_ops.patch(patch_ops.add_audience(added))) == documented(
        "04b_add_audiences__add_audience_to_dataflow"
    )
    replaced = audience(
        id="4c41c318-9e8c-4a4f-b880-877cdd629fc7",
        name="Batch export for autumn campaign",
        filename_template="%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%_custom-text",
        export_mode="FIRST_FULL_THEN_INCREMENTAL",
        frequency="EVERY_12_HOURS",
        start_date="2022-01-05",
        end_date="2022-01-30",
        start_time="20:00",
        create_time="1640289901",
        update_time="1640289901",
    )
    assert to_wire(patch_ops.patch(patch_ops.replace_audience(8, replaced))) == documented(
        "04b_add_audiences__update_audience_in_dataflow"
    )
    assert to_wire(
        patch_ops.patch(patch_ops.remove_audience(0), patch_ops.remove_audience(1))
    ) == documented("04b_add_audiences__remove_audiences_from_dataflow")


def test_builders_reproduce_dataflow_updates() -> None:
    mapping_patch: Any = to_wire(
        patch_ops.patch(patch_ops.set_profile_mapping("304ca6a2fff244949c956cad1cd9eae6", 0))
    )
    # The tutorial writes this one op as "ADD"; destgen emits lower case (docs/api-contract.md
    # §12.6).
    assert mapping_patch == [
        op | {"op": "add"} for op in documented("07_mapping_set__patch_dataflow_with_mapping_set")
    ]
    dedup_identity = "08_other_dataflow_updates__add_deduplication_key_identity"
    cases = {
        dedup_identity: patch_ops.set_deduplication_keys(identity_namespace="GAID"),
        "08_other_dataflow_updates__add_mandatory_key_identity": patch_ops.set_mandatory_fields(
            ["GAID"]
        ),
        "08_other_dataflow_updates__add_file_manifest": patch_ops.set_file_manifest(True),
        "08_other_dataflow_updates__add_marketing_action": patch_ops.set_marketing_actions(
            ["/dulepolicy/marketingActions/custom/6b935bc8-bb9e-451b-a327-0ffddfb91e66/constraints"]
        ),
    }
    for name, op in cases.items():
        assert to_wire(patch_ops.patch(op)) == documented(name), name


def test_builders_reproduce_mapping_set() -> None:
    body = documented("07_mapping_set__create_mapping_set")
    built = mapping_set(
        input_schema_id=body["inputSchema"]["id"],
        output_schema_id=body["outputSchema"]["id"],
        mappings=[mapping(m["source"], m["destination"]) for m in body["mappings"]],
    )
    assert to_wire(built) == body


def test_auto_kind_tells_each_documented_request_apart() -> None:
    from destgen.cli.validate import infer_kind

    for name, (kind, _destination) in VALID.items():
        body = documented(name)
        # The Data Landing Zone base connection is a bare name: nothing in it tells its kind.
        expected = "auto" if name == "02_base_connection__data_landing_zone" else kind
        assert infer_kind(body) == expected, name
