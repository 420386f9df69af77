"""The runtime against the emulator on 127.0.0.1: every example activation, sync and async, re-runs,
faults, racing writers, OAuth, pagination and the secrets canary.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from destgen_runtime.activation.engine import aactivate, activate
from destgen_runtime.api import operations as ops
from destgen_runtime.payloads import patch_ops
from destgen_runtime.transport.client import AsyncFlowServiceClient, FlowServiceClient
from destgen_runtime.transport.credentials import (
    ClientCredentials,
    Identity,
    StaticToken,
)
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.retry import RetryPolicy

from destgen.cli.activate import load_file
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule
from destgen_emulator.service.auth import AuthPolicy
from tests.conftest import AUDIENCE_EXAMPLES, DATASET_EXAMPLES, ROOT, daily_selector
from tests.e2e.conftest import new_audiences

EXAMPLES = AUDIENCE_EXAMPLES  # dataset activations: tests/e2e/test_dataset_activation.py
COLLECTIONS = ("sourceConnections", "connections", "targetConnections", "flows")
FAST = RetryPolicy(max_attempts=6, base=0.01, cap=0.05, retry_after_cap=0.05, jitter=lambda d: d)


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = demo_secrets()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def _identity(token: str = "test-token") -> Identity:
    return Identity(StaticToken(token), "test-key", "TEST@AdobeOrg", "prod")


def _counts(server: EmulatorServer) -> dict[str, int]:
    return {c: len(server.state.store.all(c)) for c in COLLECTIONS}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_runtime_activation_sync_then_idempotent(emulator: EmulatorServer, path: Path) -> None:
    payloads = load_file(path)
    with FlowServiceClient(base_url=emulator.base_url, identity=_identity(), retry=FAST) as client:
        first = activate(client, payloads)
        again = activate(client, payloads)
    entities = ("source connection", "base connection", "target connection", "dataflow")
    assert [r.action for r in first.rows if r.entity in entities] == ["created"] * 4
    assert [r.action for r in again.rows if r.entity in entities] == ["adopted"] * 4
    assert all(r.action == "unchanged" for r in again.rows if r.entity not in entities)
    assert _counts(emulator) == dict.fromkeys(COLLECTIONS, 1)
    flow = emulator.state.store.get("flows", first.id_of("dataflow"))
    params = flow["transformations"][0]["params"]
    assert len(params["segmentSelectors"]["selectors"]) == len(payloads.audiences)
    if payloads.workflow.maps_as == "profile selectors":  # a stream's attributes, no mapping set
        assert len(params["profileSelectors"]["selectors"]) == len(payloads.file.mappings)
    else:
        assert params["profileMapping"]["mappingId"]


@pytest.mark.parametrize(
    "path", EXAMPLES + DATASET_EXAMPLES, ids=[p.stem for p in EXAMPLES + DATASET_EXAMPLES]
)
def test_runtime_activation_async(emulator: EmulatorServer, path: Path) -> None:
    async def main() -> Any:
        async with AsyncFlowServiceClient(
            base_url=emulator.base_url, identity=_identity(), retry=FAST
        ) as client:
            return await aactivate(client, load_file(path))

    result = asyncio.run(main())
    assert [r.action for r in result.rows[:4]] == ["created"] * 4
    assert _counts(emulator) == dict.fromkeys(COLLECTIONS, 1)


FAULTS = [
    FaultRule(fault="429", method="POST", path="/flows$", times=1, retry_after=0),
    FaultRule(fault="503", method="GET", path="/connections$", times=1),
    FaultRule(fault="502", method="PATCH", path="/flows/", times=1),
    FaultRule(fault="504", method="GET", path="/sourceConnections$", times=1),
    FaultRule(fault="drop", method="GET", path="/targetConnections$", times=1),
    FaultRule(fault="commit_then_500", method="POST", path="/connections$", times=1),
    FaultRule(fault="commit_then_drop", method="POST", path="/targetConnections$", times=1),
    FaultRule(fault="commit_then_drop", method="POST", path="/flows$", times=1),
]


@pytest.mark.parametrize(
    "path", [EXAMPLES[1], EXAMPLES[-1]], ids=[EXAMPLES[1].stem, EXAMPLES[-1].stem]
)
def test_runtime_activation_survives_faults_without_duplicates(path: Path) -> None:
    with EmulatorServer(faults=FAULTS, seed=3) as server:
        with FlowServiceClient(
            base_url=server.base_url, identity=_identity(), retry=FAST
        ) as client:
            activate(client, load_file(path))
        assert _counts(server) == dict.fromkeys(COLLECTIONS, 1)
        assert all(rule.fired == 1 for rule in server.faults.rules)


def test_runtime_racing_clients_both_land_once(emulator: EmulatorServer) -> None:
    with FlowServiceClient(base_url=emulator.base_url, identity=_identity(), retry=FAST) as client:
        flow_id = activate(client, load_file(ROOT / "examples" / "amazon_s3.json")).id_of(
            "dataflow"
        )

    def adder(audience_id: str) -> Any:
        selector = daily_selector(audience_id)

        def derive(entity: ops.Entity) -> Any:
            present = [
                s["value"]["id"]
                for s in entity.data["transformations"][0]["params"]["segmentSelectors"][
                    "selectors"
                ]
            ]
            return (
                None
                if audience_id in present
                else patch_ops.patch(patch_ops.add_audience(selector))
            )

        return derive

    racers = new_audiences(emulator.base_url, ["race-0", "race-1"])

    async def race() -> None:
        clients = [
            AsyncFlowServiceClient(base_url=emulator.base_url, identity=_identity(), retry=FAST)
            for _ in range(2)
        ]
        try:
            await asyncio.gather(
                *(c.update("flows", flow_id, adder(racers[i])) for i, c in enumerate(clients))
            )
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))

    asyncio.run(race())
    selectors = emulator.state.store.get("flows", flow_id)["transformations"][0]["params"][
        "segmentSelectors"
    ]["selectors"]
    ids = [s["value"]["id"] for s in selectors]
    assert [ids.count(racer) for racer in racers] == [1, 1]


def test_runtime_oauth_token_fetched_once_under_concurrency() -> None:
    policy = AuthPolicy(client_id="cid", client_secret="csecret")
    with EmulatorServer(auth=policy) as server:
        credentials = ClientCredentials(
            "cid", "csecret", token_url=server.base_url + "/ims/token/v3"
        )
        identity = Identity(credentials, "test-key", "TEST@AdobeOrg")

        async def many() -> None:
            async with AsyncFlowServiceClient(
                base_url=server.base_url, identity=identity, retry=FAST
            ) as client:
                await asyncio.gather(*(client.run(ops.list_("flows")) for _ in range(20)))

        asyncio.run(many())
        assert credentials.fetches == 1
        now = [0.0]
        clocked = ClientCredentials(
            "cid", "csecret", token_url=server.base_url + "/ims/token/v3", clock=lambda: now[0]
        )
        with FlowServiceClient(
            base_url=server.base_url, identity=Identity(clocked, "k", "o"), retry=FAST
        ) as client:
            client.run(ops.list_("flows"))
            now[0] = 86399 - 299  # inside the refresh margin: a new token is fetched
            client.run(ops.list_("flows"))
        assert clocked.fetches == 2


def test_runtime_iterates_pages(emulator: EmulatorServer) -> None:
    with FlowServiceClient(base_url=emulator.base_url, identity=_identity(), retry=FAST) as client:
        from destgen_runtime.schema.refs import source_connection

        for n in range(130):
            client.run(ops.create("sourceConnections", source_connection(name=f"s{n}"), f"s{n}"))
        page = client.run(ops.list_("sourceConnections", limit=50))
        assert page.next is not None
        names = {e.data["name"] for e in client.iterate(ops.list_("sourceConnections", limit=50))}
    assert names == {f"s{n}" for n in range(130)}


@pytest.mark.parametrize(
    "href",
    [
        "/flows?continuationToken=ab%3D%3D",  # the documented form, a token holding "="
        "/data/foundation/flowservice/flows?limit=1&continuationToken=ab==",  # a full path
    ],
)
def test_runtime_follows_next_links_in_either_form(href: str) -> None:
    seen: list[httpx.URL] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        if "continuationToken" in request.url.params:
            return httpx.Response(200, json={"items": [{"id": "2"}], "_links": {}})
        return httpx.Response(
            200, json={"items": [{"id": "1"}], "_links": {"next": {"href": href}}}
        )

    http = httpx.Client(transport=httpx.MockTransport(serve))
    with FlowServiceClient(
        base_url="https://platform.adobe.io", identity=_identity(), retry=FAST, http=http
    ) as client:
        ids = [e.id for e in client.iterate(ops.list_("flows", limit=1))]
    assert ids == ["1", "2"]
    assert seen[1].path == "/data/foundation/flowservice/flows"
    assert seen[1].params["continuationToken"] == "ab=="


def test_runtime_secrets_canary_only_on_the_wire(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    canary = "CANARY" + "q" * 34
    token = "TOKENCANARY" + "t" * 20
    for name in ("S3_SECRET_KEY",):
        monkeypatch.setenv(name, canary)
    caplog.set_level(logging.DEBUG)
    sent: list[bytes] = []
    state = tmp_path / "state.json"
    with EmulatorServer(state_file=state) as server:
        http = httpx.Client(event_hooks={"request": [lambda r: sent.append(r.read())]})
        payloads = load_file(ROOT / "examples" / "amazon_s3.json")
        with FlowServiceClient(
            base_url=server.base_url, identity=_identity(token), retry=FAST, http=http
        ) as client:
            result = activate(client, payloads)
        with FlowServiceClient(
            base_url=server.base_url, identity=_identity(token), dry_run=True, echo=print
        ) as dry:
            activate(dry, payloads)
    assert any(canary.encode() in body for body in sent)
    written = state.read_text() + capsys.readouterr().out + caplog.text
    for text in (written, repr(payloads), str(payloads.base), repr(result)):
        assert canary not in text
        assert token not in text


def test_runtime_wait_for_run_is_bounded(emulator: EmulatorServer) -> None:
    now, naps = [0.0], []

    def nap(seconds: float) -> None:  # injected sleep: time passes only on the fake clock
        naps.append(seconds)
        now[0] += seconds

    with FlowServiceClient(
        base_url=emulator.base_url, identity=_identity(), retry=FAST, sleep=nap
    ) as client:
        flow_id = activate(client, load_file(ROOT / "examples" / "azure_blob.json")).id_of(
            "dataflow"
        )
        naps.clear()
        with pytest.raises(DestgenError, match="no finished run"):
            client.wait_for_run(flow_id, timeout=30, poll=10, clock=lambda: now[0])
        assert naps == [10, 10, 10]
        emulator.advance(24)
        run = client.wait_for_run(flow_id, timeout=30, poll=10, clock=lambda: now[0])
    assert run.data["flowId"] == flow_id
    assert run.data["metrics"]["statusSummary"]["status"] == "success"
