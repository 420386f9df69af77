"""Dataset-export target connections: from the same six targetSpecs, their DATASETS workflow.

``datasetFileType`` (JSON or PARQUET) instead of ``fileType`` and ``csvOptions``, and JSON only with
GZIP, a rule of Adobe's dataset export page that no spec states. Builders, models and
``destgen validate --kind dataset-target-connection`` agree.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.schema.wire import to_wire
from pydantic import ValidationError

from tests.conftest import DATASET_SLUGS, run_cli

# Adobe's dataset export tutorial, "Create a target connection" (S3 tab), as published.
DOCUMENTED_S3_TARGET: dict[str, Any] = {
    "name": "Amazon S3 Target Connection",
    "baseConnectionId": "9c8e2b4e-0000-4000-8000-000000000001",
    "params": {
        "mode": "Server-to-server",
        "bucketName": "your-bucket-name",
        "path": "folder/subfolder",
        "compression": "GZIP",
        "datasetFileType": "JSON",
    },
    "connectionSpec": {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"},
}
# Where each destination writes (the audience workflow's keys, the same in this one).
LOCATIONS: dict[str, dict[str, str]] = {
    "amazon_s3": {"bucketName": "my-bucket", "path": "exports"},
    "google_cloud_storage": {"bucketName": "my-bucket", "path": "exports"},
    "azure_blob": {"container": "exports", "path": "datasets"},
    "adls_gen2": {"path": "abfs://exports@account.dfs.core.windows.net/datasets"},
    "data_landing_zone": {"path": "datasets"},
    "sftp": {"remotePath": "/exports"},
}


def _models(slug: str) -> Any:
    return importlib.import_module(f"destgen_destinations.{slug}").models


@pytest.mark.parametrize("slug", DATASET_SLUGS)
def test_dataset_params_are_the_datasets_workflow_of_the_same_spec(slug: str) -> None:
    fields = {f.alias or n for n, f in _models(slug).DatasetTargetParams.model_fields.items()}
    assert "datasetFileType" in fields
    assert not {"fileType", "csvOptions"} & fields
    audience = {f.alias or n for n, f in _models(slug).TargetParams.model_fields.items()}
    assert "datasetFileType" not in audience
    assert {"fileType"} <= audience


@pytest.mark.parametrize("slug", DATASET_SLUGS)
def test_dataset_builder_sends_parquet_or_compressed_json(slug: str) -> None:
    builders = importlib.import_module(f"destgen_destinations.{slug}").builders
    params = _models(slug).DatasetTargetParams
    names = {f.alias or n: n for n, f in params.model_fields.items()}
    location = {names[k]: v for k, v in LOCATIONS[slug].items()}
    made = builders.dataset_target_connection(
        name="datasets",
        base_connection_id="base-1",
        dataset_file_type="PARQUET",
        compression="NONE",
        **location,
    )
    wire = to_wire(made)
    assert wire["params"]["datasetFileType"] == "PARQUET"
    assert "fileType" not in wire["params"]
    builders.dataset_target_connection(
        name="datasets",
        base_connection_id="b",
        dataset_file_type="JSON",
        compression="GZIP",
        **location,
    )
    with pytest.raises(ValidationError, match="JSON needs compression GZIP"):
        builders.dataset_target_connection(
            name="d",
            base_connection_id="b",
            dataset_file_type="JSON",
            compression="NONE",
            **location,
        )


def _validate(body: Any, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "target.json"
    path.write_text(json.dumps(body))
    done = run_cli("validate", "--kind", "dataset-target-connection", str(path))
    return done.returncode, done.stdout + done.stderr


def test_validate_takes_the_documented_dataset_target_and_names_each_mistake(
    tmp_path: Path,
) -> None:
    assert _validate(DOCUMENTED_S3_TARGET, tmp_path)[0] == 0
    # The same page's other examples send JSON uncompressed, against its own warning.
    uncompressed = DOCUMENTED_S3_TARGET | {
        "params": DOCUMENTED_S3_TARGET["params"] | {"compression": "NONE"}
    }
    code, text = _validate(uncompressed, tmp_path)
    assert code == 1
    assert "$.params: datasetFileType JSON needs compression GZIP" in text
    # An audience target's keys are not a dataset target's.
    audience_keys = DOCUMENTED_S3_TARGET | {
        "params": DOCUMENTED_S3_TARGET["params"] | {"fileType": "CSV"}
    }
    code, text = _validate(audience_keys, tmp_path)
    assert code == 1
    assert "$.params.fileType: unknown key" in text
