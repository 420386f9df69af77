"""Import cost in fresh interpreters: ``destgen_destinations.amazon_s3`` (and all six) with its
builders and models loaded, beside ``import pydantic, httpx``, the floor any pydantic + httpx
client pays. A destination package loads its names on first use, so the statement touches what a
program building payloads touches. Best of N, same run.
Run: .venv/bin/python -m bench.imports
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.common import Row, lower_is_better, print_table, sized, timed_env
from bench.generate import SIX

ROOT = Path(__file__).resolve().parent.parent

RUNS = sized(15, 2)
# Importing a destination package alone loads nothing yet; what a program uses is its builders
# and models (the builders import the models and the runtime they stand on).
ONE = "from destgen_destinations.amazon_s3 import builders, models"
ALL_SIX = "; ".join(f"from destgen_destinations.{slug} import builders, models" for slug in SIX)


def best(statement: str) -> float:
    """The best import time of ``statement`` in a fresh interpreter, in seconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT, env=timed_env())
        times.append(time.perf_counter() - started)
    return min(times)


def measure() -> list[Row]:
    """Import cost of one destination package beside ``import pydantic, httpx``."""
    base = best("import pydantic, httpx")
    # What any pydantic model program imports (pydantic itself is lazy: this is its real floor).
    models = best("from pydantic import BaseModel, Field")
    one = best(ONE)
    six = best(ALL_SIX)
    return [
        lower_is_better(
            "amazon_s3 builders+models vs from pydantic import BaseModel, Field",
            one,
            models,
            "s",
            2.0,
        ),
        lower_is_better(
            "amazon_s3 builders+models vs pydantic+httpx (fresh interpreter)",
            one,
            base,
            "s",
            1.5,
        ),
        lower_is_better(
            "all six destinations' builders+models vs pydantic+httpx", six, base, "s", 2.0
        ),
    ]


if __name__ == "__main__":
    print_table(measure())
