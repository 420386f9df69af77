"""Unit checks of the pieces issue 12 added: connection patch models, Data Prep look-ups across
pages, and the sync deadline's socket caps, each without a server.
"""

from __future__ import annotations

import importlib
from typing import Any

import httpcore
import pytest
from destgen_runtime.api import operations as ops
from destgen_runtime.api.constants import DATA_PREP_PAGE
from destgen_runtime.api.operations import Entity, Page
from destgen_runtime.payloads.connection_patches import base_patch, target_patch
from destgen_runtime.transport.deadline_transport import _capped, request_deadline
from pydantic import ValidationError


def _models(slug: str) -> Any:
    return importlib.import_module(f"destgen_destinations.{slug}").models


def test_a_destination_without_credentials_has_no_base_connection_patch() -> None:
    with pytest.raises(ValueError, match="no credentials to patch"):
        base_patch(_models("data_landing_zone"))


def test_validated_patches_serialise_back_to_what_was_sent() -> None:
    target = target_patch(_models("amazon_s3")).model_validate(
        [
            {"op": "REPLACE", "path": "/params", "value": {"bucketName": "bucket-b"}},
            {"op": "add", "path": "/params/includeFileManifest", "value": True},
            {"op": "replace", "path": "/name", "value": "n"},
        ]
    )
    dumped = target.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped[0] == {"op": "replace", "path": "/params", "value": {"bucketName": "bucket-b"}}
    assert [d["path"] for d in dumped] == ["/params", "/params/includeFileManifest", "/name"]
    base = base_patch(_models("sftp")).model_validate(
        [{"op": "remove", "path": "/auth/params"}, {"op": "replace", "path": "/name", "value": "x"}]
    )
    assert [d["op"] for d in base.model_dump(by_alias=True)] == ["remove", "replace"]
    with pytest.raises(ValueError, match="unsupported JSON Patch operation for a base"):
        base_patch(_models("sftp")).model_validate(["not an op"])


def _entity(n: int, name: str = "other") -> Entity:
    return Entity(str(n), None, {"id": str(n), "name": name, "jsonSchema": {"type": "object"}})


def test_a_data_prep_lookup_follows_pages_until_it_finds_the_entity() -> None:
    lookup = ops.find_schema("wanted", {"type": "object"})
    search = ops.search(lookup)
    first = next(search)
    assert dict(first.params) == {"start": "0", "limit": str(DATA_PREP_PAGE)}
    full = first.parse({"data": [_entity(n).data for n in range(DATA_PREP_PAGE)]})
    assert full.next is not None
    second = search.send(full)
    assert dict(second.params)["start"] == str(DATA_PREP_PAGE)
    with pytest.raises(StopIteration) as found:
        search.send(Page([_entity(7, "wanted")], None))
    assert found.value.value.id == "7"


def test_a_data_prep_lookup_ends_empty_handed_on_the_last_page() -> None:
    search = ops.search(ops.find_schema("wanted", {"type": "object"}))
    next(search)
    with pytest.raises(StopIteration) as done:
        search.send(Page([_entity(1)], None))
    assert done.value.value is None


def test_socket_reads_are_capped_by_the_request_deadline() -> None:
    assert _capped(30.0, httpcore.ReadTimeout) == 30.0  # outside a request: untouched
    now = [100.0]
    with request_deadline(105.0, lambda: now[0]):
        assert _capped(30.0, httpcore.ReadTimeout) == 5.0
        assert _capped(None, httpcore.WriteTimeout) == 5.0
        now[0] = 106.0
        with pytest.raises(httpcore.WriteTimeout, match="request deadline passed"):
            _capped(1.0, httpcore.WriteTimeout)
    assert _capped(None, httpcore.ReadTimeout) is None


@pytest.mark.parametrize("slug", ["amazon_s3", "google_cloud_storage"])
def test_a_target_params_patch_refuses_null_and_keeps_each_fields_rules(slug: str) -> None:
    """A field left out is absent, never null: an explicit null is refused as in every payload
    (it once reached the pattern check as None and crashed `destgen validate`), and the field's
    own pattern still holds for a value.
    """
    patch = target_patch(_models(slug))

    def errors(value: Any) -> list[Any]:
        with pytest.raises(ValidationError) as caught:
            patch.model_validate([{"op": "replace", "path": "/params", "value": value}])
        return caught.value.errors()

    null = errors({"bucketName": None})
    assert [(e["loc"][-1], e["type"]) for e in null] == [("bucketName", "null_not_allowed")]
    bad = errors({"bucketName": "Not_A_Bucket"})
    assert [e["type"] for e in bad] == ["string_pattern_mismatch"]
    good = patch.model_validate(
        [{"op": "replace", "path": "/params", "value": {"bucketName": "bucket-b"}}]
    )
    assert good.model_dump(by_alias=True, exclude_none=True)[0]["value"] == {
        "bucketName": "bucket-b"
    }
