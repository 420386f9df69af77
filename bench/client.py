"""Client speed against the emulator, side by side in one run.

1. Per-request overhead: FlowServiceClient beside raw httpx sending the same GETs (target <= 1.2x).
2. 200 audience additions over 20 dataflows: the async client at concurrency 16 beside the sync
   client one by one (target >= 4x), without and with 20 ms injected latency per request (a remote
   API has tens of milliseconds of round trip; concurrency only pays when there is latency to hide).
Run: .venv/bin/python -m bench.client
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from destgen_runtime.api import operations as ops
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.audiences import audience
from destgen_runtime.schema.refs import source_connection
from destgen_runtime.transport.client import (
    AsyncFlowServiceClient,
    FlowServiceClient,
)
from destgen_runtime.transport.credentials import Identity, StaticToken

from bench.common import Row, lower_is_better, print_table, sized, speedup

ROOT = Path(__file__).resolve().parent.parent

IDENTITY = Identity(StaticToken("bench"), "bench", "BENCH@AdobeOrg", "prod")
HEADERS = {
    "Authorization": "Bearer bench",
    "x-api-key": "bench",
    "x-gw-ims-org-id": "BENCH@AdobeOrg",
    "x-sandbox-name": "prod",
    "Accept": "application/json",
}
GETS = sized(1000, 100)
FLOWS, PER_FLOW = 20, 10


def start_emulator(latency_ms: int) -> tuple[subprocess.Popen[str], str, Path]:
    """An emulator process with ``latency_ms`` of latency: the process, its URL, its state dir."""
    folder = Path(tempfile.mkdtemp())
    faults = folder / "faults.json"
    rules = [{"fault": "latency", "path": "/flows", "latency_ms": latency_ms}] if latency_ms else []
    faults.write_text(json.dumps(rules))
    process = subprocess.Popen(
        [sys.executable, "-m", "destgen", "emulator", "--port", "0", "--faults", str(faults)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().split()[-1], folder


def overhead(url: str) -> tuple[float, float]:
    """Total time of GETS requests each way, in alternating blocks of 100 (drift hits both)."""
    ours = theirs = 0.0
    with (
        FlowServiceClient(base_url=url, identity=IDENTITY) as client,
        httpx.Client(base_url=url, headers=HEADERS) as raw,
    ):
        made = client.run(ops.create("sourceConnections", source_connection(name="bench"), "bench"))
        op = ops.get("sourceConnections", made.id)
        path = f"/data/foundation/flowservice/sourceConnections/{made.id}"
        for _ in range(GETS // 100):
            started = time.perf_counter()
            for _ in range(100):
                client.run(op)
            ours += time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(100):
                response = raw.get(path)
                response.raise_for_status()
                response.json()
            theirs += time.perf_counter() - started
    return ours, theirs


def make_flows(url: str) -> list[str]:
    """Flows to add audiences to; made through the raw API to keep setup out of the timing."""
    from destgen_runtime.schema.wire import to_wire

    import destgen_destinations.amazon_s3 as s3

    with httpx.Client(base_url=url + "/data/foundation/flowservice", headers=HEADERS) as raw:
        src = raw.post("/sourceConnections", json=to_wire(s3.source_connection())).json()["id"]
        base = raw.post("/connections", json={"name": "bench base"}).json()["id"]
        tgt = raw.post(
            "/targetConnections",
            json=to_wire(
                s3.target_connection(
                    name="t",
                    base_connection_id=base,
                    bucket_name="bench",
                    path="p",
                    file_type="JSON",
                    compression="NONE",
                )
            ),
        )
        # DLZ-style base connections have no spec; the emulator accepts them for any target.
        target_id = tgt.json()["id"]
        return [
            raw.post(
                "/flows",
                json=to_wire(
                    s3.dataflow(
                        name=f"f{i}", source_connection_id=src, target_connection_id=target_id
                    )
                ),
            ).json()["id"]
            for i in range(FLOWS)
        ]


def derive_for(audience_id: str) -> Any:
    """A derive step that adds one daily audience with ``audience_id`` to a dataflow."""
    selector = audience(
        id=audience_id,
        filename_template="%SEGMENT_ID%",
        export_mode="DAILY_FULL_EXPORT",
        frequency="DAILY",
        trigger_type="AFTER_SEGMENT_EVAL",
        start_date="2026-12-01",
    )
    return lambda _entity: patch_ops.patch(patch_ops.add_audience(selector))


def make_audiences(url: str, names: list[str]) -> dict[str, str]:
    """Audiences the sandbox holds (a dataflow may only select those), by name: made through the
    Segmentation API, outside the timing.
    """
    with httpx.Client(base_url=url, headers=HEADERS) as raw:
        made = {}
        for name in names:
            answer = raw.post("/data/core/ups/segment/definitions", json={"name": name})
            answer.raise_for_status()
            made[name] = str(answer.json()["id"])
        return made


def additions(url: str, tag: str) -> tuple[float, float]:
    """Seconds taken to add the audiences to every flow: destgen's client, then plain httpx."""
    flows = make_flows(url)
    names = [f"{tag}-{flow}-{n}-{way}" for flow in flows for n in range(PER_FLOW) for way in "sa"]
    ids = make_audiences(url, names)
    work = [(flow, ids[f"{tag}-{flow}-{n}-s"]) for flow in flows for n in range(PER_FLOW)]
    with FlowServiceClient(base_url=url, identity=IDENTITY) as client:
        started = time.perf_counter()
        for flow, audience_id in work:
            client.update("flows", flow, derive_for(audience_id))
        sync_time = time.perf_counter() - started

    async def concurrent() -> float:
        # 16 at a time across flows; within one flow additions go one after another, as a user
        # would group them (concurrent writers on one flow only trade 412s).
        gate = asyncio.Semaphore(16)
        limits = httpx.Limits(max_connections=16)
        async with AsyncFlowServiceClient(
            base_url=url, identity=IDENTITY, http=httpx.AsyncClient(limits=limits)
        ) as client:

            async def one_flow(flow: str) -> None:
                async with gate:
                    for n in range(PER_FLOW):
                        await client.update("flows", flow, derive_for(ids[f"{tag}-{flow}-{n}-a"]))

            started = time.perf_counter()
            await asyncio.gather(*(one_flow(f) for f in flows))
            return time.perf_counter() - started

    return sync_time, asyncio.run(concurrent())


def measure() -> list[Row]:
    """Audience additions per second: destgen's client (etag retries) beside plain httpx."""
    rows = []
    process, url, _ = start_emulator(0)
    try:
        ours, theirs = overhead(url)
        rows.append(
            lower_is_better(f"{GETS} GETs, FlowServiceClient vs raw httpx", ours, theirs, "s", 1.2)
        )
        sync_time, async_time = additions(url, "a")
        # With no latency to hide, concurrency cannot pay off against one emulator process: shown,
        # not targeted. The target applies to the next row, with a remote API's round trip.
        rows.append(
            Row(
                "200 audience additions, async x16 vs sync, 0 ms latency",
                f"{async_time:.2f} s",
                f"{sync_time:.2f} s",
                sync_time / async_time,
                "n/a (no latency)",
                True,
            )
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    process, url, _ = start_emulator(20)
    try:
        sync_time, async_time = additions(url, "b")
        rows.append(
            speedup(
                "200 audience additions, async x16 vs sync, 20 ms latency",
                async_time,
                sync_time,
                "s",
                4,
            )
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    return rows


if __name__ == "__main__":
    print_table(measure())
