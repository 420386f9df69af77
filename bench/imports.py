"""Import cost in fresh interpreters: ``import generated.amazon_s3`` (and all six) beside
``import pydantic, httpx``, the floor any pydantic + httpx client pays. Best of N, same run.
Run: .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15
ALL_SIX = ", ".join(
    f"generated.{s}"
    for s in (
        "adls_gen2",
        "amazon_s3",
        "azure_blob",
        "data_landing_zone",
        "google_cloud_storage",
        "sftp",
    )
)


def best(statement: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return min(times)


def measure() -> list[tuple[str, float, float, str]]:
    base = best("import pydantic, httpx")
    one = best("import generated.amazon_s3")
    six = best(f"import {ALL_SIX}")
    return [("import generated.amazon_s3 (s, fresh interpreter)", one, base, "<= 1.5x"),
            ("import all six destinations (s, fresh interpreter)", six, base, "<= 2x")]  # fmt: skip


if __name__ == "__main__":
    for name, ours, theirs, target in measure():
        print(
            f"{name:52} destgen {ours:6.3f}  pydantic+httpx {theirs:6.3f}  {ours / theirs:5.2f}x  target {target}"
        )
