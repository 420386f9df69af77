"""Time passing: enabled dataflows with audiences produce runs with the documented metrics shape.

Runs are stored like other entities; only ``advance`` creates them.
"""

from __future__ import annotations

import random
from typing import Any

from destgen_emulator.state import EmulatorState

HOURS_BY_FREQUENCY = {
    "ONCE": 24,
    "DAILY": 24,
    "EVERY_3_HOURS": 3,
    "EVERY_6_HOURS": 6,
    "EVERY_8_HOURS": 8,
    "EVERY_12_HOURS": 12,
}


def advance(
    state: EmulatorState, hours: float, *, seed: int = 0, fail: bool = False
) -> list[dict[str, Any]]:
    """Move the clock ``hours`` on; each enabled flow with audiences gets a run per window."""
    store = state.store
    started = store.now_ms()
    store.offset_seconds += hours * 3600
    created = []
    for flow in sorted(store.all("flows"), key=lambda f: f["id"]):
        selectors = _selectors(flow)
        if flow.get("state") != "enabled" or not selectors:
            continue
        shortest = min(HOURS_BY_FREQUENCY.get(_frequency(s), 24) for s in selectors)
        for window in range(max(1, int(hours // shortest))):
            chance = random.Random(f"{seed}:{flow['id']}:{started}:{window}")
            created.append(
                store.create("runs", _run(flow, selectors, started, chance, fail), _meta(flow))
            )
    return created


def _selectors(flow: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for transformation in flow.get("transformations") or []:
        params = transformation.get("params", {})
        found += (params.get("segmentSelectors") or {}).get("selectors", [])
    return found


def _frequency(selector: dict[str, Any]) -> str:
    return str(selector.get("value", {}).get("schedule", {}).get("frequency", "DAILY"))


def _meta(flow: dict[str, Any]) -> dict[str, Any]:
    return {key: flow.get(key) for key in ("sandboxName", "imsOrgId")} | {
        "createdClient": "aep_activation_batch",
        "createdBy": "acp_foundation_dataflow@AdobeID",
    }


def _run(
    flow: dict[str, Any],
    selectors: list[dict[str, Any]],
    started: int,
    chance: random.Random,
    fail: bool,
) -> dict[str, Any]:
    counts = {f"segment:{s['value']['id']}": chance.randint(1000, 100000) for s in selectors}
    total = sum(counts.values())
    written = 0 if fail else total
    status: dict[str, Any] = {"status": "failed" if fail else "success"}
    if fail:
        status["errors"] = [{"code": "ACTIVATION_BATCH-0000-FAILED", "message": "Job aborted."}]
    source = {
        "id": (flow.get("sourceConnectionIds") or [""])[0],
        "inputRecordCount": total,
        "skippedRecordCount": 0,
        "entitySummaries": [
            {"id": a, "inputRecordCount": n, "skippedRecordCount": 0} for a, n in counts.items()
        ],
    }
    target = {
        "id": (flow.get("targetConnectionIds") or [""])[0],
        "createdRecordCount": written,
        "outputRecordCount": written,
        "entitySummaries": [
            {"id": a, "createdRecordCount": 0 if fail else n, "outputRecordCount": 0 if fail else n}
            for a, n in counts.items()
        ],
    }
    return {
        "flowId": flow["id"],
        "flowSpec": flow.get("flowSpec"),
        "providerRefId": flow["id"],
        "metrics": {
            # docs/api-contract.md §12.9: examples say completedAtUTC and lower-case status; we
            # follow them.
            "durationSummary": {"startedAtUTC": started, "completedAtUTC": started + 400000},
            "sizeSummary": {"inputBytes": total * 110, "outputBytes": written * 100},
            "recordSummary": {
                "inputRecordCount": total,
                "createdRecordCount": written,
                "outputRecordCount": written,
                "skippedRecordCount": 0,
                "sourceSummaries": [source],
                "targetSummaries": [target],
            },
            "fileSummary": {
                "inputFileCount": len(counts),
                "outputFileCount": 0 if fail else len(counts),
            },
            "statusSummary": status,
        },
    }
