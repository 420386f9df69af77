"""Activations under faults on their first run: N `destgen activate` processes, a few at a time,
against an emulator on 127.0.0.1 that fails about a quarter of all requests (429, 500, 502, 503,
504, dropped connections, and commit-then-500 / commit-then-drop on POST and PATCH).

Beside it, in the same run and against an emulator with the same seeded faults, the alternative
a user would otherwise have: the same command without retries (`--retries 1`), which is what a
hand-written script that stops at the first error does. After the first runs, every failed
activation is run again until it completes (at most 5 times), and the entities no dataflow uses
are counted as orphans.
Run: .venv/bin/python -m bench.fault_survival
"""

from __future__ import annotations

import copy
import json
import logging
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import Row, own_secrets, print_table, sized
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule

ROOT = Path(__file__).resolve().parent.parent
ACTIVATIONS, AT_ONCE, SHARE = 18, 6, 0.25
RERUNS = sized(5, 1)
DEADLINE_S = "300"  # each process is bounded; the whole benchmark takes about two minutes


def fault_mix(share: float = SHARE) -> list[FaultRule]:
    """About ``share`` of all requests fail; the commit-then kinds only where something commits."""
    plain = ["429", "500", "502", "503", "504", "drop"]
    committing = ["commit_then_500", "commit_then_drop"]
    each = share / (len(plain) + len(committing))
    rules = [FaultRule(fault=f, probability=each, retry_after=1) for f in plain]
    rules += [
        FaultRule(fault=f, method=m, probability=each * 2)  # half the requests are reads
        for f in committing
        for m in ("POST", "PATCH")
    ]
    return rules


def activation_files(folder: Path) -> list[Path]:
    """``ACTIVATIONS`` files from examples/, each with its own entity names."""
    examples = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix == ".json")
    files = []
    for n in range(ACTIVATIONS):
        doc: dict[str, Any] = copy.deepcopy(json.loads(examples[n % len(examples)].read_text()))
        tag = f"bench-{n}"
        doc["sourceConnectionName"] = f"source {tag}"
        doc["baseConnection"]["name"] = f"base {tag}"
        doc["targetConnection"]["name"] = f"target {tag}"
        doc["dataflow"]["name"] = f"flow {tag}"
        os.environ.update(own_secrets(doc, f"BENCH{n}", demo_secrets()))
        path = folder / f"{tag}.json"
        path.write_text(json.dumps(doc))
        files.append(path)
    return files


def _activate(path: Path, url: str, extra: list[str]) -> bool:
    env = dict(os.environ) | demo_secrets() | {"AEP_BASE_URL": url}
    env |= {"AEP_ACCESS_TOKEN": "bench", "AEP_API_KEY": "bench", "AEP_ORG_ID": "BENCH@AdobeOrg"}
    env |= {"AEP_SANDBOX_NAME": "prod"}  # a change needs a named sandbox
    command = [sys.executable, "-m", "destgen", "activate", str(path), "--json"]
    command += ["--deadline", DEADLINE_S, *extra]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=400)
    return done.returncode == 0


def orphans(store: Any) -> int:
    """Entities nothing uses: connections without a dataflow, mapping sets without a dataflow,
    schemas without a mapping set.
    """
    flows = store.all("flows")
    targets = {t["id"]: t for t in store.all("targetConnections")}
    used = {
        "sourceConnections": {i for f in flows for i in f.get("sourceConnectionIds", [])},
        "targetConnections": {i for f in flows for i in f.get("targetConnectionIds", [])},
        "mappingSets": {
            str(
                ((f["transformations"][0].get("params") or {}).get("profileMapping") or {}).get(
                    "mappingId"
                )
            )
            for f in flows
            if f.get("transformations")
        },
    }
    used["connections"] = {
        targets[t]["baseConnectionId"] for t in used["targetConnections"] if t in targets
    }
    used["schemas"] = {
        m[k]["id"] for m in store.all("mappingSets") for k in ("inputSchema", "outputSchema")
    }
    return sum(
        1 for collection, ids in used.items() for e in store.all(collection) if e["id"] not in ids
    )


def run(extra: list[str], files: list[Path]) -> tuple[int, int, int]:
    """First-run successes, re-runs it took to finish everything, and the orphans left."""
    with EmulatorServer(faults=fault_mix(), seed=12) as server:
        with ThreadPoolExecutor(AT_ONCE) as pool:
            first = list(pool.map(lambda p: _activate(p, server.base_url, extra), files))
        left, reruns = [p for p, ok in zip(files, first, strict=True) if not ok], 0
        for _round in range(RERUNS):
            if not left:
                break
            reruns += len(left)
            with ThreadPoolExecutor(AT_ONCE) as pool:
                again = list(pool.map(lambda p: _activate(p, server.base_url, extra), left))
            left = [p for p, ok in zip(left, again, strict=True) if not ok]
        return sum(first), reruns, orphans(server.state.store)


def measure() -> list[Row]:
    """Two rows: first-run success rate and orphans, destgen beside ``--retries 1``."""
    # An injected dropped connection is an exception in the server's log: expected here, noise.
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as folder:
        files = activation_files(Path(folder))
        ours = run([], files)
        theirs = run(["--retries", "1"], files)
    label = f"{ACTIVATIONS} CLI activations, {AT_ONCE} at a time, {SHARE:.0%} faults"
    rate = ours[0] / ACTIVATIONS
    return [
        Row(
            f"first-run success, {label}, vs no retries",
            f"{rate:.0%}",
            f"{theirs[0] / ACTIVATIONS:.0%}",
            rate,
            "100%",
            ours[0] == ACTIVATIONS,
        ),
        Row(
            f"orphans after re-running failures, vs no retries ({theirs[1]} re-runs)",
            str(ours[2]),
            str(theirs[2]),
            float(ours[2]),
            "0",
            ours[2] == 0,
        ),
    ]


if __name__ == "__main__":
    print_table(measure())
