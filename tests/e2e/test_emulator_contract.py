"""Contract: the emulator's responses validate against Adobe's published OpenAPI response schemas.

Walks every operation of destinations.yaml the emulator implements, calls it over HTTP and checks
the
body against the schema published for the status it got.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.conftest import documented
from tests.e2e.test_emulator_rules import _chain

# Adobe's published file, copied into the repo with its source (openapi/SOURCE.md).
OPENAPI = Path(__file__).resolve().parent / "openapi" / "destinations.yaml"
# Where the emulator follows another documented source on purpose (README, docs/api-contract.md
# §12.5): the
# response is checked against the schema the published file gives for its own status.
PUBLISHED_STATUS = {("DELETE", "/connections/{id}"): 202}
# Defects of the published file itself, each checked by hand against the docs; errors at or below
# these JSON paths are not held against the emulator.
PUBLISHED_DEFECTS = {
    # ConnectionItem.auth is a oneOf of S3 and SFTP params only (no Blob, ADLS, GCS), and its
    # patterns reject the masked secrets a GET returns (docs/api-contract.md §13.11).
    ("auth",): "auth oneOf covers two destinations and cannot describe masked secrets",
    # TargetConnectionItem.params is a oneOf whose legacy member describes a whole request
    # ({connectionSpec, params}) with nothing required, so it matches any object and the oneOf
    # fails for every valid V2 params object.
    ("params",): "params oneOf is ambiguous (legacy member matches everything)",
    # The published type is a string; every documented GET shows {"id", "connectionSpec"} (§2.5).
    ("inheritedAttributes", "baseConnection"): "string in the file, object in the documented GETs",
}
# GET /flows/{id} is a oneOf of Batch_Flow and Streaming_Flow, and a batch flow satisfies both, so
# the oneOf can never pass; audience flows are batch flows.
SCHEMA_OVERRIDES = {("GET", "/flows"): "Batch_Flow", ("GET", "/flows/{id}"): "Batch_Flow"}
IMPLEMENTED = {"connections", "sourceConnections", "targetConnections", "flows", "runs"}


@functools.cache
def _document() -> dict[str, Any]:
    # Parsed once per process (the file is 350 KB; libyaml's safe loader when present): tests only
    # read from it.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(OPENAPI.read_text(), Loader=loader)
    return loaded


def _operations() -> list[tuple[str, str]]:
    if not OPENAPI.exists():
        return []
    found = []
    for path, operations in _document()["paths"].items():
        if path.strip("/").split("/")[0] in IMPLEMENTED and "configs" not in path:
            found += [
                (method.upper(), path)
                for method in operations
                if method in ("get", "post", "patch", "delete")
            ]
    return sorted(found)


def _schema_for(
    document: dict[str, Any], method: str, path: str, status: int
) -> dict[str, Any] | None:
    response = document["paths"][path][method.lower()]["responses"].get(str(status))
    assert response is not None, f"{method} {path}: the published spec has no {status} response"
    content = (response.get("content") or {}).get("application/json")
    if content is None:
        return None
    schema = content["schema"]
    if (method, path) in SCHEMA_OVERRIDES:
        schema = {"$ref": f"#/components/schemas/{SCHEMA_OVERRIDES[method, path]}"}
    return {**schema, "components": document["components"]}


def _request(api: httpx.Client, ids: dict[str, str], method: str, path: str) -> httpx.Response:
    collection = path.strip("/").split("/")[0]
    entity = {
        "connections": ids["spare_base"],
        "sourceConnections": ids["source"],
        "targetConnections": ids["target"],
        "flows": ids["flow"],
    }.get(collection, "")
    concrete = re.sub(r"\{[^}]+\}", entity, path)
    if method == "GET":
        return api.get(concrete)
    if method == "DELETE":
        target = {
            "connections": ids["spare_base"],
            "sourceConnections": ids["spare_source"],
            "targetConnections": ids["spare_target"],
            "flows": ids["spare_flow"],
        }[collection]
        return api.delete(re.sub(r"\{[^}]+\}", target, path))
    etag = api.get(concrete).json()["items"][0]["etag"]
    ops = [{"op": "replace", "path": "/name", "value": "renamed"}]
    if method == "PATCH":
        return api.patch(concrete, json=ops, headers={"If-Match": etag})
    assert method == "POST", f"unexpected {method} {path}"
    flow = documented("04_create_dataflow__azure_blob") | {
        "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
        "sourceConnectionIds": [ids["source"]],
        "targetConnectionIds": [ids["target"]],
    }
    bodies = {
        "connections": documented("02_base_connection__amazon_s3_access_key"),
        "sourceConnections": documented("01_source_connection__create_source_connection"),
        "targetConnections": documented("03_target_connection__amazon_s3")
        | {"baseConnectionId": ids["base"]},
        "flows": flow,
    }
    return api.post(path, json=bodies[collection])


def _published_defect(where: tuple[Any, ...]) -> bool:
    return any(where[: len(prefix)] == prefix for prefix in PUBLISHED_DEFECTS)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_emulator_response_matches_published_schema(
    emulator: Any, api: httpx.Client, method: str, path: str
) -> None:
    document = _document()
    ids = _chain(api)
    add = documented("04b_add_audiences__add_audience_to_dataflow")
    api.patch(
        f"/flows/{ids['flow']}", json=add, headers={"If-Match": ids["etag"]}
    ).raise_for_status()
    emulator.advance(24)
    spare = _chain(api)
    ids |= {
        "spare_base": spare["base"],
        "spare_source": spare["source"],
        "spare_target": spare["target"],
        "spare_flow": spare["flow"],
    }
    if method == "DELETE" and path.startswith("/connections"):
        api.delete(f"/flows/{spare['flow']}").raise_for_status()
    response = _request(api, ids, method, path)
    assert response.status_code < 300, response.text
    status = PUBLISHED_STATUS.get((method, path), response.status_code)
    schema = _schema_for(document, method, path, status)
    if schema is None:
        assert response.content == b""
        return
    body = response.json()
    # Published-schema error: GET responses are documented as one entity (ConnectionItem,
    # Batch_Flow...), while the service, the docs and the spec's own examples wrap entities in
    # {"items": [...]}. Each item is checked against the published entity schema.
    instances = (
        body["items"] if method == "GET" and "items" not in schema.get("properties", {}) else [body]
    )
    assert instances, "nothing to check"
    validator = jsonschema.Draft4Validator(schema)
    for instance in instances:
        found = validator.iter_errors(instance)
        errors = sorted(
            (e for e in found if not _published_defect(tuple(e.absolute_path))), key=str
        )
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
