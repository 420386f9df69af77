"""Proof under pressure: activations through the async client with 20% injected faults, the
secrets canary across all of it, and an emulator restarted mid-soak (racing writers: test_races.py).

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
from destgen_runtime.activation.engine import aactivate, activate, prepare
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.transport.client import AsyncFlowServiceClient, FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.retry import RetryPolicy

from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import KINDS, FaultRule
from tests.conftest import ROOT
from tests.e2e.conftest import PROD_AUDIENCES
from tests.e2e.soak_support import (
    CANARIES,
    EXAMPLES,
    RETRY,
    SECRET_CANARIES,
    TOKEN,
)


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
                template | {"id": PROD_AUDIENCES[k]} for k in range(chance.randint(1, 5))
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
                raise AssertionError(f"activation did not complete in 8 runs: {errors[-8:]}")

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
    used_mappings = set()
    for doc in docs:
        params = flows[doc["dataflow"]["name"]]["transformations"][0]["params"]
        ids = [s["value"]["id"] for s in params["segmentSelectors"]["selectors"]]
        assert sorted(ids) == sorted(a["id"] for a in doc["audiences"]), doc["dataflow"]["name"]
        if "profileSelectors" in params:  # a stream: its attributes, no mapping set
            assert len(params["profileSelectors"]["selectors"]) == len(doc["mappings"])
            continue
        assert params["profileMapping"]["mappingId"] in mapping_ids
        used_mappings.add(params["profileMapping"]["mappingId"])
    # Data Prep leaves nothing behind either: every mapping set is some flow's, every schema
    # some mapping set's, however many faults and re-runs it took.
    assert mapping_ids == used_mappings, f"orphan mapping sets: {mapping_ids - used_mappings}"
    used_schemas = {
        m[key]["id"] for m in store.all("mappingSets") for key in ("inputSchema", "outputSchema")
    }
    schema_ids = {s["id"] for s in store.all("schemas")}
    schema_names = {s["id"]: s.get("name") for s in store.all("schemas")}
    orphans = [schema_names[i] for i in schema_ids - used_schemas]
    assert not orphans, f"orphan schemas: {orphans}"
    counts["schemas"] = len(schema_ids)
    return counts


def test_soak_36_activations_with_20_percent_faults(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    # 3 activations per destination (33 for eleven), 16 at a time: enough concurrency and faults
    # to meet every path, bounded.
    docs = _activation_docs(per_destination=3, seed=11)
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
    # Every activation finished on its first run: retries and look-ups absorbed every fault.
    assert reruns == 0, errors
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

    docs = _activation_docs(per_destination=3, seed=3)
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
