"""Eligible datasets: the Data Lake source spec's ``configs`` listing, paged by offsets, through
the emulator on 127.0.0.1, the runtime and ``destgen datasets``.
"""

from __future__ import annotations

import json

import httpx
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken

from destgen_emulator import EmulatorServer
from destgen_emulator.service.datasets import CATALOG
from tests.conftest import run_cli
from tests.e2e.conftest import FLOW, HEADERS

CONFIGS = f"{FLOW}/connectionSpecs/23598e46-f560-407b-88d5-ea6207e49db0/configs"


def test_the_listing_pages_by_offset_with_has_next(emulator: EmulatorServer) -> None:
    query = {"outputType": "activationDatasets", "outputField": "datasets", "limit": "20"}
    first = httpx.get(emulator.base_url + CONFIGS, params=query | {"start": "0"}, headers=HEADERS)
    body = first.json()
    assert len(body["items"]) == 20
    assert body["pageInfo"] == {"start": 0, "end": 20, "total": len(CATALOG), "hasNext": True}
    last = httpx.get(emulator.base_url + CONFIGS, params=query | {"start": "40"}, headers=HEADERS)
    assert last.json()["pageInfo"]["hasNext"] is False
    for bad in ({"limit": "0"}, {"limit": "101"}, {"start": "-1"}, {"outputType": "other"}):
        answer = httpx.get(emulator.base_url + CONFIGS, params=query | bad, headers=HEADERS)
        assert answer.status_code == 400, bad
    other = httpx.get(
        emulator.base_url + f"{FLOW}/connectionSpecs/nope/configs", params=query, headers=HEADERS
    )
    assert other.status_code == 404


def test_the_runtime_and_the_command_list_every_dataset(emulator: EmulatorServer) -> None:
    identity = Identity(StaticToken("t"), "k", "ORG@AdobeOrg", "prod")
    with FlowServiceClient(base_url=emulator.base_url, identity=identity) as client:
        ids = [e.id for e in client.iterate(ops.eligible_datasets(limit=7))]
    assert ids == [d["id"] for d in CATALOG]
    env = {
        "AEP_ACCESS_TOKEN": "t",
        "AEP_API_KEY": "k",
        "AEP_ORG_ID": "ORG@AdobeOrg",
        "AEP_BASE_URL": emulator.base_url,
        "PATH": "/usr/bin:/bin",
    }
    done = run_cli("datasets", "--json", "--page-size", "10", env=env)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["datasets"]
    assert [d["id"] for d in listed] == ids
    plain = run_cli("datasets", env=env)
    assert plain.stdout.splitlines()[0] == f"{CATALOG[0]['id']}  {CATALOG[0]['name']}"
    assert f"{len(CATALOG)} datasets can be exported" in plain.stderr
    refused = run_cli("datasets", env=env | {"AEP_BASE_URL": "http://not-loopback.invalid"})
    assert refused.returncode == 1
    assert "refused" in refused.stderr
    assert run_cli("datasets", "--page-size", "0", env=env).returncode == 2
