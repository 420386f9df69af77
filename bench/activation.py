"""A full activation of one destination (examples/amazon_s3.json) against the emulator: destgen
beside
the same documented sequence written with plain httpx and hand-made dicts. Same run, alternating.
Run: .venv/bin/python -m bench.activation
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from destgen_runtime.activation.engine import activate, prepare
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from bench.common import Row, lower_is_better, print_table, sized

ROOT = Path(__file__).resolve().parent.parent

RUNS = sized(25, 2)
FLOW = "/data/foundation/flowservice"
PREP = "/data/foundation/conversion"
HEADERS = {
    "Authorization": "Bearer bench",
    "x-api-key": "bench",
    "x-gw-ims-org-id": "BENCH@AdobeOrg",
    "x-sandbox-name": "prod",
    "Content-Type": "application/json",
}
EXAMPLE = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
SECRET = "".join(secrets.choice("abcdefXYZ0123+/") for _ in range(40))
PUBLIC_KEY = "aGVsbG8gd29ybGQ="


def named(doc: dict[str, Any], tag: str) -> dict[str, Any]:
    """A copy of an activation document whose entity names carry ``tag``, so runs never collide."""
    doc = copy.deepcopy(doc)
    doc["sourceConnectionName"] = f"src {tag}"
    for key in ("baseConnection", "targetConnection", "dataflow"):
        doc[key]["name"] = f"{doc[key]['name']} {tag}"
    return doc


def with_destgen(url: str, tag: str) -> None:
    """One activation through destgen's sync client and runtime."""
    payloads = prepare(ActivationFile.model_validate(named(EXAMPLE, tag)))
    with FlowServiceClient(
        base_url=url, identity=Identity(StaticToken("bench"), "bench", "BENCH@AdobeOrg", "prod")
    ) as client:
        activate(client, payloads)


def with_plain_httpx(url: str, tag: str) -> None:
    """What a user writes without destgen: the tutorial's calls, dicts by hand, etags chained."""
    doc = named(EXAMPLE, tag)
    spec_id = "4fce964d-3f37-408f-9778-e597338a21ee"
    with httpx.Client(base_url=url, headers=HEADERS) as http:

        def post(path: str, body: Any) -> dict[str, Any]:
            response = http.post(path, json=body)
            response.raise_for_status()
            return dict(response.json())

        def patch(path: str, etag: str, ops: list[dict[str, Any]]) -> str:
            response = http.patch(path, json=ops, headers={"If-Match": etag})
            response.raise_for_status()
            return str(response.json()["etag"])

        source = post(
            f"{FLOW}/sourceConnections",
            {
                "name": doc["sourceConnectionName"],
                "connectionSpec": {"id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1", "version": "1.0"},
            },
        )
        base = post(
            f"{FLOW}/connections",
            {
                "name": doc["baseConnection"]["name"],
                "auth": {
                    "specName": "Access Key",
                    "params": {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": SECRET},
                },
                "encryptionSpecs": {
                    "specName": "File PGP/GPG Encryption",
                    "params": {"publicKey": PUBLIC_KEY, "encryptionAlgo": "PGPGPG"},
                },
                "connectionSpec": {"id": spec_id, "version": "1.0"},
            },
        )
        target = post(
            f"{FLOW}/targetConnections",
            {
                "name": doc["targetConnection"]["name"],
                "baseConnectionId": base["id"],
                "params": {
                    "mode": "Server-to-server",
                    **doc["targetConnection"]["params"],
                    "includeFileManifest": True,
                },
                "connectionSpec": {"id": spec_id, "version": "1.0"},
            },
        )
        flow = post(
            f"{FLOW}/flows",
            {
                "name": doc["dataflow"]["name"],
                "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
                "sourceConnectionIds": [source["id"]],
                "targetConnectionIds": [target["id"]],
                "transformations": [
                    {
                        "name": "GeneralTransform",
                        "params": {
                            "mandatoryFields": [],
                            "primaryFields": [],
                            "profileMapping": {},
                            "segmentSelectors": {"selectors": []},
                        },
                    }
                ],
            },
        )
        etag = patch(
            f"{FLOW}/flows/{flow['id']}",
            flow["etag"],
            [
                {
                    "op": "add",
                    "path": "/transformations/0/params/segmentSelectors/selectors/-",
                    "value": {"type": "PLATFORM_SEGMENT", "value": a},
                }
                for a in doc["audiences"]
            ],
        )
        union = http.get(
            "/data/core/ups/config/entityTypes/_xdm.context.profile",
            params=[
                ("property", "fullSchema==true"),
                ("property", "includeRelationshipDescriptors==true"),
            ],
        ).json()
        partner = http.get(f"{FLOW}/connectionSpecs/{spec_id}").json()["items"][0]["targetSpec"][
            "attributes"
        ]["partnerSchema"]["jsonSchema"]
        partner = partner | {
            "properties": partner["properties"]
            | {m["destination"]: {"type": "string"} for m in doc["mappings"]}
        }
        in_schema = post(f"{PREP}/schemas", {"name": "in", "jsonSchema": union})
        out_schema = post(f"{PREP}/schemas", {"name": "out", "jsonSchema": partner})
        mapping = post(
            f"{PREP}/mappingSets",
            {
                "inputSchema": {"id": in_schema["id"]},
                "outputSchema": {"id": out_schema["id"]},
                "mappings": [m | {"sourceType": "ATTRIBUTE"} for m in doc["mappings"]],
                "xdmVersion": "1.0",
            },
        )
        etag = patch(
            f"{FLOW}/flows/{flow['id']}",
            etag,
            [
                {
                    "op": "add",
                    "path": "/transformations/0/params/profileMapping",
                    "value": {"mappingId": mapping["id"], "mappingVersion": 0},
                }
            ],
        )
        etag = patch(
            f"{FLOW}/flows/{flow['id']}",
            etag,
            [
                {
                    "op": "add",
                    "path": "/transformations/0/params/mandatoryFields",
                    "value": doc["mandatoryFields"],
                }
            ],
        )
        etag = patch(
            f"{FLOW}/flows/{flow['id']}",
            etag,
            [
                {
                    "op": "add",
                    "path": "/transformations/0/params/primaryFields",
                    "value": [
                        {
                            "fieldType": "IDENTITY",
                            "identityNamespace": doc["deduplicationKeys"]["identityNamespace"],
                        }
                    ],
                }
            ],
        )
        patch(
            f"{FLOW}/flows/{flow['id']}",
            etag,
            [
                {"op": "add", "path": "/policy", "value": {"enforcementRefs": []}},
                *(
                    {"op": "add", "path": "/policy/enforcementRefs/-", "value": ref}
                    for ref in doc["marketingActions"]
                ),
            ],
        )


def measure() -> list[Row]:
    """Activations per second: destgen beside the same requests hand-written with httpx."""
    os.environ.setdefault("S3_SECRET_KEY", SECRET)
    process = subprocess.Popen(
        [sys.executable, "-m", "destgen", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    process.stdout.close()
    try:
        ours = theirs = 0.0
        for n in range(RUNS):  # alternate, so drift on a shared machine hits both alike
            started = time.perf_counter()
            with_destgen(url, f"d{n}")
            ours += time.perf_counter() - started
            started = time.perf_counter()
            with_plain_httpx(url, f"h{n}")
            theirs += time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    return [
        lower_is_better(
            "full activation of amazon_s3 vs plain httpx + dicts (per run)",
            ours / RUNS * 1000,
            theirs / RUNS * 1000,
            "ms",
            1.2,
        )
    ]


if __name__ == "__main__":
    print_table(measure())
