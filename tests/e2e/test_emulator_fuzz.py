"""Property-based API fuzzing of the emulator, driven by Adobe's OpenAPI file (Schemathesis):
every documented operation, with data that fits the file and data that does not, over real
sockets. The emulator answers no 5xx, only the content types the file documents, what a create
makes can be read back, and what a delete removes stays gone.

Bounded: a fixed number of derandomized examples per operation and mode, so ``make test`` stays
within its time and a failure replays alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error
from schemathesis.core.result import Err

from destgen_emulator import EmulatorServer
from tests.conftest import documented
from tests.fuzz_depth import FUZZ_DEPTH, fuzz_examples

# Adobe's published file, copied into the repo with its source (openapi/SOURCE.md).
OPENAPI = Path(__file__).resolve().parent / "openapi" / "destinations.yaml"


def _satisfiable(document: dict[str, Any]) -> dict[str, Any]:
    """The file, with its base connection PATCH body read as its authors meant it.

    Its ``value`` is ``oneOf`` three auth objects that require nothing and allow anything, so
    every object matches all three and none matches exactly one: read as anyOf. And the body is
    one patch command, where the flow PATCH body, the file's own examples and the service take
    an array of them (RFC 6902): read as an array, so the commands reach the patching itself.
    """
    item = document["components"]["schemas"]["PatchConnectionItem"]
    item["properties"]["value"]["anyOf"] = item["properties"]["value"].pop("oneOf")
    body = document["paths"]["/connections/{id}"]["patch"]["requestBody"]["content"]
    body["application/json"]["schema"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/PatchConnectionItem"},
    }
    return document


SCHEMA = schemathesis.openapi.from_dict(_satisfiable(yaml.safe_load(OPENAPI.read_text())))


def _operations() -> list[Any]:
    """Every operation of the file; one it cannot describe fails here, never silently skipped."""
    found = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


OPERATIONS = _operations()
FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer t",
    "x-api-key": "k",
    "x-gw-ims-org-id": "FUZZ@AdobeOrg",
    "x-sandbox-name": "prod",
}
# Per operation and mode: 20 operations x 2 modes x this many requests in all.
EXAMPLES = 12


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def _entities(http: httpx.Client) -> dict[str, str]:
    """One of each entity the file documents, made as a client would: their ids by collection."""

    def post(collection: str, body: dict[str, Any]) -> str:
        answer = http.post(f"{FLOW}/{collection}", json=body, headers=HEADERS)
        assert answer.status_code in (200, 201), answer.text
        return str(answer.json()["id"])

    source = post("sourceConnections", documented("01_source_connection__create_source_connection"))
    base = post("connections", documented("02_base_connection__amazon_s3_access_key"))
    target = post(
        "targetConnections",
        documented("03_target_connection__amazon_s3") | {"baseConnectionId": base},
    )
    flow = post(
        "flows",
        documented("04_create_dataflow__amazon_s3")
        | {"sourceConnectionIds": [source], "targetConnectionIds": [target]},
    )
    return {
        "sourceConnections": source,
        "connections": base,
        "targetConnections": target,
        "flows": flow,
    }


def _collection(path: str) -> str:
    return path.strip("/").split("/")[0]


def _etag(http: httpx.Client, collection: str, entity_id: str) -> str | None:
    answer = http.get(f"{FLOW}/{collection}/{entity_id}", headers=HEADERS)
    items = answer.json().get("items") if answer.status_code == 200 else None
    return str(items[0]["etag"]) if items else None


def _check_lifecycle(http: httpx.Client, case: Any, response: Any) -> None:
    """What a create made can be read; what a delete removed stays gone."""
    collection = _collection(case.operation.path)
    if case.method == "POST" and response.status_code in (200, 201):
        created = response.json().get("id")
        read = http.get(f"{FLOW}/{collection}/{created}", headers=HEADERS)
        assert read.status_code == 200, f"created {collection}/{created} cannot be read"
    if case.method == "DELETE" and response.status_code in (200, 202, 204):
        gone = case.path_parameters["id"]
        for _ in range(2):  # and again: a second read never brings it back
            read = http.get(f"{FLOW}/{collection}/{gone}", headers=HEADERS)
            assert read.status_code == 404, f"deleted {collection}/{gone} still answers"


@pytest.mark.fuzz
@pytest.mark.timeout(120 * FUZZ_DEPTH)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: f"{o.method.upper()} {o.path}")
def test_the_emulator_answers_any_documented_request_without_a_server_error(
    emulator: EmulatorServer, operation: Any, mode: GenerationMode
) -> None:
    base_url = emulator.base_url + FLOW
    with httpx.Client(base_url=emulator.base_url, timeout=10) as http:
        known = _entities(http)
        collection = _collection(operation.path)

        @settings(
            max_examples=fuzz_examples(EXAMPLES),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
        def answers(case: Any, real: bool) -> None:
            headers = dict(HEADERS)
            if real and "id" in (case.path_parameters or {}) and collection in known:
                # Half the time an entity that exists: PATCH and DELETE then reach the service.
                case.path_parameters["id"] = known[collection]
                if (etag := _etag(http, collection, known[collection])) is not None:
                    headers["If-Match"] = etag
            response = case.call(base_url=base_url, headers=headers, timeout=10)
            case.validate_response(response, checks=[not_a_server_error, content_type_conformance])
            _check_lifecycle(http, case, response)

        answers()
