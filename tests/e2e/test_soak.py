"""Proof under pressure: 300 activations through the async client with 20% injected faults, racing
writers, the secrets canary across all of it, and an emulator restarted mid-soak.

Bounded in count and time; the emulator listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from destgen.cli.activate import load_file
from destgen_destinations.runtime import operations as ops
from destgen_destinations.runtime import patch_ops
from destgen_destinations.runtime.activation import aactivate, activate, prepare
from destgen_destinations.runtime.activation_spec import ActivationFile
from destgen_destinations.runtime.client import AsyncFlowServiceClient, FlowServiceClient
from destgen_destinations.runtime.credentials import Identity, StaticToken
from destgen_destinations.runtime.errors import DestgenError
from destgen_destinations.runtime.retry import RetryPolicy
from destgen_emulator import EmulatorServer
from destgen_emulator.faults import KINDS, FaultRule
from tests.conftest import ROOT, daily_selector

EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".json", ".yaml"))
_JITTER = random.Random(7)  # seeded: the same backoff sequence on every run
RETRY = RetryPolicy(
    max_attempts=10,
    base=0.01,
    cap=0.1,
    retry_after_cap=0.05,
    jitter=lambda d: _JITTER.uniform(0, d),
)
TOKEN = "TOKENCANARY" + "k" * 24
WRITERS, WRITES = 6, 15  # concurrent writers on one dataflow, sequential updates each
# One canary per secret field; each must reach the wire and nowhere else.
CANARIES = {
    "S3_SECRET_KEY": "S3CANARY" + "a" * 32,
    "S3_ROLE_ARN": "ROLECANARY-arn",
    "AZURE_BLOB_CONNECTION_STRING": "BLOBCANARY-conn",
    "ADLS_SERVICE_PRINCIPAL_KEY": "ADLSCANARY-key",
    "GCS_SECRET_ACCESS_KEY": "GCSCANARY-secret",
    "SFTP_PASSWORD": "SFTPCANARY-pw",
    "SFTP_SSH_KEY": "U1NIQ0FOQVJZa2V5",
}
SECRET_CANARIES = list(CANARIES.values())


def _faults(probability: float) -> list[FaultRule]:
    # Every fault the emulator has but "garbage": a garbled body is not a transient fault.
    kinds = [kind for kind in KINDS if kind != "garbage"]
    share = probability / len(kinds)
    return [FaultRule(fault=k, probability=share, retry_after=1, latency_ms=30) for k in kinds]


def _activation_docs(per_destination: int, seed: int) -> list[dict[str, Any]]:
    """Unique names per activation; 1 to 5 audiences each; auth variants alternate."""
    chance = random.Random(seed)
    by_destination: dict[str, list[dict[str, Any]]] = {}
    for path in EXAMPLES:
        doc = (
            json.loads(path.read_text())
            if path.suffix == ".json"
            else __import__("yaml").safe_load(path.read_text())
        )
        by_destination.setdefault(doc["destination"], []).append(doc)
    docs = []
    for destination, variants in sorted(by_destination.items()):
        for n in range(per_destination):
            doc = copy.deepcopy(variants[n % len(variants)])
            tag = f"{destination}-{n}"
            doc["sourceConnectionName"] = f"soak source {tag}"
            doc["baseConnection"]["name"] = f"soak base {tag}"
            doc["targetConnection"]["name"] = f"soak target {tag}"
            doc["dataflow"]["name"] = f"soak flow {tag}"
            template = doc["audiences"][0]
            doc["audiences"] = [
                template | {"id": f"aud-{tag}-{k}"} for k in range(chance.randint(1, 5))
            ]
            docs.append(doc)
    return docs


async def _soak(
    base_url: str,
    docs: list[dict[str, Any]],
    wire: list[bytes],
    errors: list[str],
    halfway: asyncio.Event | None = None,
) -> int:
    """Run every activation (16 at a time); an activation that fails is simply run again
    (idempotent).
    """
    payloads = [prepare(ActivationFile.model_validate(d)) for d in docs]
    gate, reruns = asyncio.Semaphore(16), [0]

    async def log_request(request: httpx.Request) -> None:
        wire.append(request.headers.get("authorization", "").encode() + (await request.aread()))
        # Synchronisation by progress, not by the clock: "mid-soak" is a count of requests sent.
        if halfway is not None and len(wire) >= 5 * len(docs):
            halfway.set()

    http = httpx.AsyncClient(event_hooks={"request": [log_request]}, timeout=20)
    identity = Identity(StaticToken(TOKEN), "soak-key", "SOAK@AdobeOrg", "prod")
    async with AsyncFlowServiceClient(
        base_url=base_url, identity=identity, retry=RETRY, http=http
    ) as client:

        async def one(payload: Any) -> None:
            async with gate:
                for _attempt in range(8):
                    try:
                        await aactivate(client, payload)
                        return
                    except DestgenError as exc:
                        errors.append(str(exc))
                        reruns[0] += 1
                raise AssertionError("activation did not complete in 8 runs")

        await asyncio.gather(*(one(p) for p in payloads))
    return reruns[0]


def _check_store(store: Any, docs: list[dict[str, Any]]) -> dict[str, int]:
    counts = {
        c: len(store.all(c))
        for c in ("sourceConnections", "connections", "targetConnections", "flows", "mappingSets")
    }
    for collection in ("sourceConnections", "connections", "targetConnections", "flows"):
        names = Counter(e["name"] for e in store.all(collection))
        assert not [n for n, k in names.items() if k > 1], f"duplicate {collection}"
        assert counts[collection] == len(docs)
    flows = {f["name"]: f for f in store.all("flows")}
    targets = {t["id"]: t for t in store.all("targetConnections")}
    used_bases = {targets[f["targetConnectionIds"][0]]["baseConnectionId"] for f in flows.values()}
    assert used_bases == {c["id"] for c in store.all("connections")}, "orphan base connection"
    assert {f["targetConnectionIds"][0] for f in flows.values()} == set(
        targets
    ), "orphan target connection"
    assert {f["sourceConnectionIds"][0] for f in flows.values()} == {
        s["id"] for s in store.all("sourceConnections")
    }, "orphan source"
    mapping_ids = {m["id"] for m in store.all("mappingSets")}
    for doc in docs:
        params = flows[doc["dataflow"]["name"]]["transformations"][0]["params"]
        ids = [s["value"]["id"] for s in params["segmentSelectors"]["selectors"]]
        assert sorted(ids) == sorted(a["id"] for a in doc["audiences"]), doc["dataflow"]["name"]
        assert params["profileMapping"]["mappingId"] in mapping_ids
    return counts


def test_soak_72_activations_with_20_percent_faults(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    # 72 activations, 16 at a time: enough concurrency and faults to meet every path, bounded.
    docs = _activation_docs(per_destination=12, seed=11)
    wire: list[bytes] = []
    errors: list[str] = []
    state = tmp_path / "state.json"
    started = time.monotonic()
    with EmulatorServer(faults=_faults(0.20), seed=5, state_file=state) as server:
        reruns = asyncio.run(_soak(server.base_url, docs, wire, errors))
        fired = sum(rule.fired for rule in server.faults.rules)
        seen = max(rule.seen for rule in server.faults.rules)
        counts = _check_store(server.state.store, docs)
    with FlowServiceClient(
        base_url="https://platform.adobe.io",
        identity=Identity(StaticToken(TOKEN), "k", "o"),
        dry_run=True,
    ) as dry:
        activate(dry, prepare(ActivationFile.model_validate(docs[0])))
    assert fired > 0.15 * seen
    assert counts["flows"] == len(docs)
    exposed = "\n".join([caplog.text, capsys.readouterr().out, state.read_text(), *errors])
    with capsys.disabled():
        print(
            f"soak: {len(docs)} activations, {seen} requests, {fired} faults injected, "
            f"{reruns} activation re-runs, "
            f"{time.monotonic() - started:.1f} s, entities {counts}"
        )
    wire_text = b"\n".join(wire).decode("utf-8", "replace")
    for canary in [*SECRET_CANARIES, TOKEN]:
        assert canary in wire_text, f"{canary[:10]} never reached the wire"
        assert canary not in exposed, f"{canary[:10]} leaked"


def test_races_additions_and_removals_on_one_dataflow(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    identity = Identity(StaticToken(TOKEN), "k", "RACE@AdobeOrg", "prod")
    with FlowServiceClient(base_url=emulator.base_url, identity=identity, retry=RETRY) as client:
        flow_id = activate(client, load_file(ROOT / "examples" / "amazon_s3.json")).id_of(
            "dataflow"
        )
        initial = {
            s["value"]["id"]
            for s in emulator.state.store.get("flows", flow_id)["transformations"][0]["params"][
                "segmentSelectors"
            ]["selectors"]
        }

    selector = daily_selector

    def ids(entity: ops.Entity) -> list[str]:
        return [
            s["value"]["id"]
            for s in entity.data["transformations"][0]["params"]["segmentSelectors"]["selectors"]
        ]

    def add(audience_id: str) -> Any:
        return lambda e: (
            None
            if audience_id in ids(e)
            else patch_ops.patch(patch_ops.add_audience(selector(audience_id)))
        )

    def remove(audience_id: str) -> Any:
        # The index is found again in the fresh entity on every attempt (docs/api-contract.md §4).
        return lambda e: (
            None
            if audience_id not in ids(e)
            else patch_ops.patch(patch_ops.remove_audience(ids(e).index(audience_id)))
        )

    def contended(seed: int) -> RetryPolicy:
        # Writers on one etag back off exponentially up to half a second, each from its own
        # seeded jitter: no writer can be starved for all of its 412 budget, and runs repeat.
        chance = random.Random(seed)
        return RetryPolicy(
            max_attempts=10,
            base=0.01,
            cap=0.5,
            retry_after_cap=0.05,
            jitter=lambda d: chance.uniform(0, d),
        )

    async def writer(n: int) -> None:
        async with AsyncFlowServiceClient(
            base_url=emulator.base_url, identity=identity, retry=contended(n)
        ) as client:
            for k in range(WRITES):
                await client.update("flows", flow_id, add(f"w{n}-{k}"))

    async def remover(audience_id: str) -> None:
        async with AsyncFlowServiceClient(
            base_url=emulator.base_url, identity=identity, retry=contended(100)
        ) as client:
            await client.update("flows", flow_id, remove(audience_id))

    async def race() -> None:
        await asyncio.gather(
            *(writer(n) for n in range(WRITERS)), *(remover(a) for a in sorted(initial))
        )

    asyncio.run(race())
    final = Counter(
        s["value"]["id"]
        for s in emulator.state.store.get("flows", flow_id)["transformations"][0]["params"][
            "segmentSelectors"
        ]["selectors"]
    )
    assert all(k == 1 for k in final.values())
    assert set(final) == {f"w{n}-{k}" for n in range(WRITERS) for k in range(WRITES)}


def _read_line(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """One line of the emulator's stdout, or a failure instead of a hang."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the emulator printed nothing"
    return process.stdout.readline()


def test_emulator_restart_mid_soak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    state = tmp_path / "state.json"
    ports = ["0"]  # the first start picks a free port; the restart takes the same one

    def start() -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "destgen", "emulator", "--port", ports[0]]
        process = subprocess.Popen(
            [*command, "--state", str(state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        line = _read_line(process)
        assert "listening" in line, line
        ports[0] = line.strip().rsplit(":", 1)[-1]
        assert process.stdout is not None
        process.stdout.close()
        return process

    docs = _activation_docs(per_destination=5, seed=3)
    process = start()
    try:

        async def soak_with_restart() -> int:
            halfway = asyncio.Event()
            url = f"http://127.0.0.1:{ports[0]}"
            task = asyncio.create_task(_soak(url, docs, [], [], halfway))
            await asyncio.wait_for(halfway.wait(), timeout=60)
            assert not task.done(), "the soak finished before the restart"
            process.send_signal(signal.SIGTERM)
            await asyncio.get_running_loop().run_in_executor(None, process.wait, 10)
            nonlocal_restart[0] = start()
            return await task

        nonlocal_restart: list[Any] = [None]
        slow = RetryPolicy(
            max_attempts=12, base=0.1, cap=1.0, retry_after_cap=0.05, jitter=lambda d: d
        )
        monkeypatch.setattr(sys.modules[__name__], "RETRY", slow)
        asyncio.run(soak_with_restart())
        process = nonlocal_restart[0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    saved = json.loads(state.read_text())["data"]
    for collection in ("sourceConnections", "connections", "targetConnections", "flows"):
        names = Counter(e["name"] for e in saved[collection].values())
        assert len(names) == len(docs), collection
        assert max(names.values()) == 1, collection
