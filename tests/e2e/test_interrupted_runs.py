"""A run stopped at any step, then run again, completes and leaves no orphan behind.

The first run is driven step by step and abandoned after step k (as a kill or Ctrl-C would leave
it, with everything before k done); the second run is a whole activation. Every k of the
activation is tried, on one emulator on 127.0.0.1, each k with its own names.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from destgen_runtime.activation.engine import Update, activate, plan, prepare
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.retry import RetryPolicy

from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT

IDENTITY = Identity(StaticToken("t"), "k", "TEST@AdobeOrg", "prod")
ONCE = RetryPolicy(max_attempts=1)
EXAMPLE = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())


@pytest.fixture(autouse=True)
def secrets_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_secrets().items():
        monkeypatch.setenv(name, value)


def _doc(tag: str) -> dict[str, Any]:
    doc: dict[str, Any] = copy.deepcopy(EXAMPLE)
    doc["sourceConnectionName"] = f"source {tag}"
    doc["baseConnection"]["name"] = f"base {tag}"
    doc["targetConnection"]["name"] = f"target {tag}"
    doc["dataflow"]["name"] = f"flow {tag}"
    return doc


def _run_steps(client: FlowServiceClient, doc: dict[str, Any], stop_after: int | None) -> int:
    """Drive a plan; stop after ``stop_after`` steps (None: to the end). The steps taken."""
    steps, reply, taken = plan(prepare(ActivationFile.model_validate(doc))), None, 0
    try:
        while stop_after is None or taken < stop_after:
            step = steps.send(reply)
            reply = (
                client.update(step.collection, step.entity_id, step.derive, known=step.known)
                if isinstance(step, Update)
                else client.run(step)
            )
            taken += 1
    except StopIteration:
        pass
    steps.close()
    return taken


def _owned(store: Any, collection: str, names: set[str]) -> list[dict[str, Any]]:
    # The entity's own name, or a Data Prep name built on it ("flow X input").
    def ours(name: str) -> bool:
        return any(name == n or name.startswith(n + " ") for n in names)

    return [e for e in store.all(collection) if ours(str(e.get("name")))]


def test_a_run_stopped_at_any_step_and_run_again_leaves_no_orphan() -> None:
    with (
        EmulatorServer() as server,
        FlowServiceClient(base_url=server.base_url, identity=IDENTITY, retry=ONCE) as client,
    ):
        total = _run_steps(client, _doc("whole"), None)
        assert total > 10  # lookups, creates, Data Prep and the dataflow update
        for k in range(1, total):
            tag = f"stop-{k}"
            _run_steps(client, _doc(tag), k)
            result = activate(client, prepare(ActivationFile.model_validate(_doc(tag))))
            store = server.state.store
            names = {f"source {tag}", f"base {tag}", f"target {tag}", f"flow {tag}"}
            for collection in ("sourceConnections", "connections", "targetConnections", "flows"):
                assert len(_owned(store, collection, names)) == 1, (k, collection)
            (mapping,) = _owned(store, "mappingSets", {f"flow {tag}"})
            flow = store.get("flows", result.id_of("dataflow"))
            assert flow["transformations"][0]["params"]["profileMapping"]["mappingId"] == (
                mapping["id"]
            ), k
            schemas = {s["id"] for s in _owned(store, "schemas", {f"flow {tag}"})}
            assert schemas == {mapping["inputSchema"]["id"], mapping["outputSchema"]["id"]}, k
