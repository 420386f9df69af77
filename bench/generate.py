"""Generator speed, side by side in one run: destgen's full and unchanged regeneration of all six
destinations beside the datamodel-codegen CLI run once per schema (how a user would script it).

Prints a table (measure, destgen, alternative, ratio, target). Run: .venv/bin/python bench/generate.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REPEATS = 2


def best_of(run: Callable[[], None], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def raw_schemas() -> list[dict[str, object]]:
    """Every JSON Schema a user would feed the CLI: each authSpec, encryption spec and targetSpec."""
    schemas: list[dict[str, object]] = []
    for path in sorted((ROOT / "specs_cache").glob("*.json")):
        if path.name == "manifest.json":
            continue
        spec = json.loads(path.read_text())
        schemas += [entry["spec"] for entry in spec["authSpec"]]
        schemas += [entry["spec"] for entry in spec.get("encryptionSpecs", [])]
        schemas.append(spec["targetSpec"]["spec"])
    return schemas


def destgen(*args: str) -> None:
    subprocess.run(
        [str(BIN / "destgen"), "generate", "--quiet", *args], check=True, capture_output=True
    )


def cli_loop(folder: Path) -> None:
    for index, schema in enumerate(raw_schemas()):
        source = folder / f"schema{index}.json"
        source.write_text(json.dumps(schema))
        subprocess.run(
            [str(BIN / "datamodel-codegen"), "--input", str(source), "--input-file-type",
             "jsonschema", "--output-model-type", "pydantic_v2.BaseModel", "--output",
             str(folder / f"model{index}.py")],
            check=True, capture_output=True,
        )  # fmt: skip


def measure() -> list[tuple[str, float, float | None, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "generated"
        full = best_of(lambda: destgen("--force", "--out", str(out)))
        unchanged = best_of(lambda: destgen("--out", str(out)), repeats=3)
        loop = best_of(lambda: cli_loop(Path(tmp)))
    count = len(raw_schemas())
    return [
        (f"full regeneration, 6 destinations ({count} schemas)", full, loop, "<= 0.15x"),
        ("unchanged regeneration (whole command)", unchanged, loop, "< 0.5 s"),
    ]


def main() -> None:
    rows = measure()
    print(f"{'measure':52} {'destgen':>9} {'CLI loop':>9} {'ratio':>7}  target")
    for name, ours, theirs, target in rows:
        ratio = f"{ours / theirs:.3f}x" if theirs else "-"
        print(f"{name:52} {ours:8.2f}s {theirs or 0:8.2f}s {ratio:>7}  {target}")


if __name__ == "__main__":
    main()
