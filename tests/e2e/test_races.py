"""Racing writers on one dataflow: concurrent additions and removals under If-Match leave exactly
the expected audiences, each once. Bounded in count; the emulator listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest
from destgen_runtime.activation.engine import activate
from destgen_runtime.api import operations as ops
from destgen_runtime.payloads import patch_ops
from destgen_runtime.transport.client import AsyncFlowServiceClient, FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.retry import RetryPolicy

from destgen.cli.activate import load_file
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT, daily_selector
from tests.e2e.conftest import new_audiences
from tests.e2e.soak_support import CANARIES, RETRY, TOKEN, WRITERS, WRITES


def test_races_additions_and_removals_on_one_dataflow(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    identity = Identity(StaticToken(TOKEN), "k", "RACE@AdobeOrg", "prod")
    names = [f"w{n}-{k}" for n in range(WRITERS) for k in range(WRITES)]
    audience = dict(
        zip(names, new_audiences(emulator.base_url, names, org="RACE@AdobeOrg"), strict=True)
    )
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
                await client.update("flows", flow_id, add(audience[f"w{n}-{k}"]))

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
    assert set(final) == set(audience.values())
