"""The export generator on its own: live entities in, an activation document out, driven here by
hand (no server) so every shape a sandbox may hold is covered: attribute keys, expressions,
encryption as a list, a second base connection of one destination, schedules without an end.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from destgen_runtime.activation.export import (
    NotADestinationFlow,
    destination_of,
    export_flow,
)
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.api.operations import Entity, Operation

import destgen_destinations.amazon_s3 as s3


def _drive(steps: Generator[Operation[Any], Any, dict[str, Any]], store: dict[str, Any]) -> Any:
    reply = None
    try:
        while True:
            op = steps.send(reply)
            reply = Entity(op.path.rsplit("/", 1)[-1], None, store[op.path.rsplit("/", 1)[-1]])
    except StopIteration as done:
        return done.value


BASE = {
    "name": "S3 two",
    "auth": {"specName": "Access Key", "params": {"s3AccessKey": "AKIA", "s3SecretKey": "***"}},
    "encryption": [{"params": {"publicKey": "cHVibGlj", "encryptionAlgo": "PGP/GPG"}}],
}


def _store(flow_extra: dict[str, Any], base: dict[str, Any] = BASE) -> dict[str, Any]:
    return {
        "src": {"name": "Connect to Profile store"},
        "tgt": {
            "name": "target",
            "baseConnectionId": "base",
            "params": {
                "bucketName": "my-bucket",
                "path": "p",
                "fileType": "CSV",
                "compression": "GZIP",
            },
        },
        "base": base,
        "map": {
            "mappings": [
                {"sourceType": "EXPRESSION", "source": "lower(a)", "destination": "a"},
                {"source": "b", "destination": "b"},
            ]
        },
    } | flow_extra


def _flow(**data: Any) -> Entity:
    body = {
        "id": "flow",
        "name": "a flow",
        "state": "disabled",
        "flowSpec": {"id": s3.spec.AUDIENCE_FLOW_SPEC_ID},
        "sourceConnectionIds": ["src"],
        "targetConnectionIds": ["tgt"],
    } | data
    return Entity("flow", None, body)


def test_an_audience_flow_with_every_setting_becomes_a_valid_file() -> None:
    params = {
        "segmentSelectors": {"selectors": []},
        "profileMapping": {"mappingId": "map", "mappingVersion": 0},
        "primaryFields": [
            {"fieldType": "ATTRIBUTE", "attributePath": "a"},
            {"fieldType": "ATTRIBUTE", "attributePath": "b"},
        ],
    }
    flow = _flow(transformations=[{"params": params}])
    # Another base connection whose name reads the same once upper-cased already has the name.
    variables = {"other:s3SecretKey": "AMAZON_S3_SECRET_KEY_S3_TWO"}
    doc = _drive(export_flow(flow, variables), _store({}))
    assert doc["dataflow"]["enabled"] is False
    assert doc["deduplicationKeys"] == {"attributePaths": ["a", "b"]}
    assert doc["mappings"][0] == {
        "source": "lower(a)",
        "destination": "a",
        "sourceType": "EXPRESSION",
    }
    named = doc["baseConnection"]["auth"]["params"]["s3SecretKey"]["env"]
    assert named.startswith("AMAZON_S3_SECRET_KEY_S3_TWO_")
    assert named != "AMAZON_S3_SECRET_KEY_S3_TWO"
    assert doc["baseConnection"]["encryption"] == {
        "publicKey": "cHVibGlj",
        "encryptionAlgo": "PGP/GPG",
    }
    assert "mandatoryFields" not in doc
    assert "marketingActions" not in doc
    ActivationFile.model_validate(doc)


def test_a_dataset_flow_without_an_end_or_template() -> None:
    flow = _flow(
        flowSpec={"id": s3.spec.DATASET_FLOW_SPEC_ID},
        scheduleParams={"interval": 1, "timeUnit": "day", "startTime": 1796083200},
    )
    store = _store(
        {"src": {"name": "lake", "params": {"datasets": [{"dataSetId": "d", "name": "D"}]}}}
    )
    store["tgt"]["params"] = {"bucketName": "my-bucket", "path": "p", "datasetFileType": "PARQUET"}
    doc = _drive(export_flow(flow), store)
    assert doc["dataflow"]["schedule"] == {
        "timeUnit": "day",
        "interval": 1,
        "start": "2026-12-01T00:00:00Z",
    }
    assert doc["datasets"] == [{"id": "d", "name": "D"}]


def test_flows_of_other_destinations_are_refused_by_name() -> None:
    with pytest.raises(NotADestinationFlow, match="not one of the generated destinations"):
        destination_of({"id": "x", "name": "a source flow", "flowSpec": {"id": "other"}})
    base_without_key = BASE | {"encryption": []}
    doc = _drive(export_flow(_flow(transformations=[])), _store({}, base_without_key))
    assert "encryption" not in doc["baseConnection"]


def test_secret_names_follow_the_connection_not_the_listing_order() -> None:
    """A re-export that meets two connections in the other order names each as before, so
    ``apply --rotate-secrets`` never sends one connection's secret to the other.
    """
    first = dict(BASE, name="Account A")
    second = dict(BASE, name="Account B")

    def names(order: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
        variables: dict[str, str] = {}
        found = {}
        for base_id, base in order:
            store = _store({}, base) | {base_id: base}
            store["tgt"] = dict(store["tgt"], baseConnectionId=base_id)
            doc = _drive(export_flow(_flow(), variables), store)
            found[base["name"]] = doc["baseConnection"]["auth"]["params"]["s3SecretKey"]["env"]
        return found

    forward = names([("a", first), ("b", second)])
    backward = names([("b", second), ("a", first)])
    assert (
        forward
        == backward
        == {
            "Account A": "AMAZON_S3_SECRET_KEY_ACCOUNT_A",
            "Account B": "AMAZON_S3_SECRET_KEY_ACCOUNT_B",
        }
    )
