"""Time passing: enabled dataflows with audiences, and enabled dataset dataflows within their
schedule, produce runs with the documented metrics shape.

Runs are stored like other entities; only ``advance`` creates them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from typing import Any

from destgen_emulator.service.errors import ApiError
from destgen_emulator.service.run_files import delivery_of, run_files, streams
from destgen_emulator.service.state import EmulatorState

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
    """Move the clock ``hours`` on; each enabled flow gets a run per window of its schedule:
    the shortest audience frequency, or a dataset flow's interval within its start and end.
    """
    store = state.store
    started = store.now_ms()
    store.offset_seconds += hours * 3600
    created = []
    for flow in sorted(store.all("flows"), key=lambda f: f["id"]):
        if flow.get("state") != "enabled":
            continue
        try:
            runs = _flow_runs(state, flow, started, hours, seed=seed, fail=fail)
        except ODD_SHAPE as exc:
            # A flow another client wrote in a shape no run can read fails alone, as a failed
            # run its owner sees; every other tenant's flow still runs (never a 500 for all).
            runs = [(_unreadable(flow, started, exc), None)]
        created += [store.create("runs", run, _meta(flow), entity_id=rid) for run, rid in runs]
    return created


# What reading a flow of an unexpected shape raises: a key or item missing, another type.
ODD_SHAPE = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _flow_runs(
    state: EmulatorState, flow: dict[str, Any], started: int, hours: float, *, seed: int, fail: bool
) -> list[tuple[dict[str, Any], str | None]]:
    """The runs of one flow for the hours that passed, each with its id (None: the store picks)."""
    selectors: list[dict[str, Any]] = []
    if (schedule := flow.get("scheduleParams")) is not None:
        entities = [f"dataset:{d}" for d in _datasets(state, flow)]
        windows = _dataset_windows(state, flow, schedule, started / 1000, hours)
    else:
        selectors = _selectors(flow)
        entities = [f"segment:{s['value']['id']}" for s in selectors]
        windows = _audience_windows(selectors, hours)
    # Read once for all the flow's windows: the store holds still while time advances.
    delivery = delivery_of(state, flow) if windows and not fail else None
    runs: list[tuple[dict[str, Any], str | None]] = []
    # A window is at least one period of the most frequent audience: an advance shorter than
    # that still gives its one run, and that audience is due in every window.
    length = max(hours * 3600 / windows, _shortest(selectors) * 3600) if windows else 0.0
    streamed = bool(windows) and streams(state, flow)
    for window in range(windows):
        begin = started / 1000 + window * length
        due = _due(selectors, begin, length) if selectors else None
        chance = random.Random(f"{seed}:{flow['id']}:{started}:{window}")
        exported = entities if due is None else [f"segment:{a}" for a in sorted(due)]
        # Each window's run starts at its own time; a stream writes records, never files.
        # With --deliver-to, each audience's file holds deliver_rows profiles: the run's record
        # counts say the same (status and the files agree); otherwise seeded counts.
        rows = state.deliver_rows if delivery is not None else None
        run = _run(flow, exported, int(begin * 1000), chance, fail, files=not streamed, rows=rows)
        # The run's own id, chosen here so its delivered files (manifest) can name it.
        run_id = str(uuid.UUID(int=chance.getrandbits(128), version=4))
        if delivery is not None:  # (never on a failed run: None then)
            # Each window's files carry its own time: templates with a date never collide.
            when = dt.datetime.fromtimestamp(begin, dt.UTC)
            try:
                files, problem = run_files(state, flow, run_id, when, delivery, only=due)
            except OSError as exc:  # a path the file system refuses (too long, a file in the way)
                files, problem = [], f"the files could not be written: {exc.strerror or exc}"
            _record_files(run, files, problem)
        runs.append((run, run_id))
    return runs


def _due(selectors: list[dict[str, Any]], begin: float, length: float) -> frozenset[str]:
    """The audiences a run of the window ``[begin, begin + length)`` (epoch seconds) exports:
    those one of whose schedule periods starts within it. A DAILY audience sharing a dataflow
    with an EVERY_6_HOURS one is exported once a day, not on each of the flow's four runs.
    """
    due = set()
    for selector in selectors:
        period = HOURS_BY_FREQUENCY.get(_frequency(selector), 24) * 3600
        if math.ceil(begin / period) * period < begin + length:
            due.add(str(selector["value"]["id"]))
    return frozenset(due)


def _unreadable(flow: dict[str, Any], started: int, exc: Exception) -> dict[str, Any]:
    """A failed run for a flow no run can read, saying what was odd."""
    run = _run(flow, [], started, random.Random(0), fail=True)
    run["metrics"]["statusSummary"]["errors"] = [
        {
            "code": "DESTGEN-DATAFLOW-UNREADABLE",
            "message": f"the dataflow cannot be run as stored ({type(exc).__name__}: {exc})",
        }
    ]
    return run


def _record_files(run: dict[str, Any], files: list[dict[str, Any]], problem: str | None) -> None:
    """What a delivering run wrote (``metrics.files``), or why it failed to."""
    metrics = run["metrics"]
    if problem is not None:
        metrics["statusSummary"] = {
            "status": "failed",
            "errors": [{"code": "DESTGEN-DELIVERY-FAILED", "message": problem}],
        }
        metrics["fileSummary"]["outputFileCount"] = 0
    elif files:
        metrics["files"] = files
        metrics["fileSummary"]["outputFileCount"] = len(files)


def _audience_windows(selectors: list[dict[str, Any]], hours: float) -> int:
    """One run per window of the most frequent audience; none without audiences."""
    if not selectors:
        return 0
    return max(1, int(hours // _shortest(selectors)))


def _shortest(selectors: list[dict[str, Any]]) -> int:
    """Hours of the most frequent audience's schedule (0 for none: dataset flows)."""
    return min((HOURS_BY_FREQUENCY.get(_frequency(s), 24) for s in selectors), default=0)


def _datasets(state: EmulatorState, flow: dict[str, Any]) -> list[str]:
    source_id = (flow.get("sourceConnectionIds") or [""])[0]
    try:
        source = state.store.get("sourceConnections", str(source_id))
    except ApiError:
        return []  # deleted since: the run exports nothing
    datasets = (source.get("params") or {}).get("datasets") or []
    return [str(d.get("dataSetId")) for d in datasets if isinstance(d, dict)]


def _dataset_windows(
    state: EmulatorState,
    flow: dict[str, Any],
    schedule: dict[str, Any],
    started: float,
    hours: float,
) -> int:
    """Runs due in the time that passed, within startTime..endTime (epoch seconds); a one-time
    export (interval 0) runs once in its life.
    """
    begin = max(started, float(schedule.get("startTime") or 0))
    finish = min(started + hours * 3600, float(schedule.get("endTime") or "inf"))
    if finish <= begin:
        return 0
    interval = int(schedule.get("interval") or 0)
    if interval == 0:
        already = any(r.get("flowId") == flow["id"] for r in state.store.all("runs"))
        return 0 if already else 1
    period = interval * (24 if schedule.get("timeUnit") == "day" else 1) * 3600
    return max(1, int((finish - begin) // period))


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
    entities: list[str],
    started: int,
    chance: random.Random,
    fail: bool,
    *,
    files: bool = True,
    rows: int | None = None,
) -> dict[str, Any]:
    counts = {entity: rows or chance.randint(1000, 100000) for entity in entities}
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
                "outputFileCount": 0 if fail or not files else len(counts),
            },
            "statusSummary": status,
        },
    }
