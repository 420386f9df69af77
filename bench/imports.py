"""Import cost in fresh interpreters: ``import destgen_destinations.amazon_s3`` (and all six) beside
``import pydantic, httpx``, the floor any pydantic + httpx client pays. Best of N, same run.
Run: .venv/bin/python -m bench.imports
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, lower_is_better, print_table, sized
from destgen_destinations import DESTINATIONS

ROOT = Path(__file__).resolve().parent.parent

RUNS = sized(15, 2)
ALL_SIX = ", ".join(f"destgen_destinations.{slug}" for slug in DESTINATIONS)


def best(statement: str) -> float:
    """The best import time of ``statement`` in a fresh interpreter, in seconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return min(times)


def measure() -> list[Row]:
    """Import cost of one destination package beside ``import pydantic, httpx``."""
    base = best("import pydantic, httpx")
    # What any pydantic model program imports (pydantic itself is lazy: this is its real floor).
    models = best("from pydantic import BaseModel, Field")
    one = best("import destgen_destinations.amazon_s3")
    six = best(f"import {ALL_SIX}")
    return [
        lower_is_better(
            "import destgen_destinations.amazon_s3 vs from pydantic import BaseModel, Field",
            one,
            models,
            "s",
            2.0,
        ),
        lower_is_better(
            "import destgen_destinations.amazon_s3 vs pydantic+httpx (fresh interpreter)",
            one,
            base,
            "s",
            1.5,
        ),
        lower_is_better("import all six destinations vs pydantic+httpx", six, base, "s", 2.0),
    ]


if __name__ == "__main__":
    print_table(measure())
