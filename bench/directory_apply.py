"""Destinations as code over a folder: 50 new activation files applied by ``destgen apply`` with
its worker pool, beside the same 50 applied one after another (``--concurrency 1``, what a shell
loop over ``destgen activate`` does), each against its own emulator that adds 100 ms to every
request (a remote API's round trip). Then ``destgen plan`` over the same 50, now unchanged.
Run: .venv/bin/python -m bench.directory_apply   (about two minutes)
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, absolute, lower_is_better, own_secrets, print_table, sized
from destgen.cli import main
from destgen.cli.demo import demo_secrets
from destgen_emulator import EmulatorServer
from destgen_emulator.http.faults import FaultRule

ROOT = Path(__file__).resolve().parent.parent
FILES = sized(50, 4)
LATENCY_MS = 100
WORKERS = 25


def write_files(folder: Path) -> None:
    """50 activation files with names of their own: every example (both workflows) in turn."""
    examples = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix == ".json")
    for n in range(FILES):
        doc: dict[str, Any] = copy.deepcopy(json.loads(examples[n % len(examples)].read_text()))
        doc["sourceConnectionName"] = f"bench source {n}"
        for key in ("baseConnection", "targetConnection", "dataflow"):
            doc[key]["name"] = f"{doc[key]['name']} #{n}"
        os.environ.update(own_secrets(doc, f"BENCH{n}", demo_secrets()))
        (folder / f"{n:02d}.json").write_text(json.dumps(doc))


def timed(server: EmulatorServer, *argv: str) -> tuple[float, int]:
    """One ``destgen`` command in this process against ``server``; (seconds, exit code)."""
    os.environ["AEP_BASE_URL"] = server.base_url
    quiet = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        code = main(list(argv))
    return time.perf_counter() - started, code


def measure() -> list[Row]:
    """Parallel apply vs one after another at 100 ms a request; planning 50 unchanged files."""
    env = {"AEP_ACCESS_TOKEN": "bench", "AEP_API_KEY": "bench", "AEP_ORG_ID": "BENCH@AdobeOrg"}
    os.environ.update(env | {"AEP_SANDBOX_NAME": "prod"} | demo_secrets())
    slow = [FaultRule(fault="latency", latency_ms=LATENCY_MS)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_files(folder)
        with EmulatorServer(faults=copy.deepcopy(slow)) as one_by_one:
            serial, code = timed(one_by_one, "apply", "--yes", "--concurrency", "1", tmp)
            assert code == 0, "sequential apply failed"
        with EmulatorServer(faults=copy.deepcopy(slow)) as pooled:
            parallel, code = timed(pooled, "apply", "--yes", "--concurrency", str(WORKERS), tmp)
            assert code == 0, "parallel apply failed"
            flows = len(pooled.state.store.all("flows"))
            assert flows == FILES, flows
            planned, code = timed(pooled, "plan", "--concurrency", str(WORKERS), tmp)
            assert code == 0, "the plan of just-applied files is not empty"
    return [
        lower_is_better(
            f"apply {FILES} new files, {WORKERS} workers vs one by one, {LATENCY_MS} ms latency",
            parallel,
            serial,
            "s",
            0.2,
        ),
        absolute(f"plan {FILES} unchanged files, {LATENCY_MS} ms latency", planned, 3.0, "s"),
    ]


if __name__ == "__main__":
    print_table(measure())
