"""Generator speed, side by side in one run: destgen's full and unchanged regeneration of all six
destinations beside the datamodel-codegen CLI run once per schema (how a user would script it).

Prints a table (measure, destgen, alternative, ratio, target). Run: .venv/bin/python
bench/generate.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Row, absolute, lower_is_better, print_table, sized, timed_env

ROOT = Path(__file__).resolve().parent.parent

BIN = Path(sys.executable).parent
REPEATS = sized(2, 1)
# The full regeneration and the CLI run in turns, best of this many each: on a shared machine
# the load moves within seconds, and turns give both sides the same weather.
TURNS = sized(5, 1)


def best_of(run: Callable[[], None], repeats: int = REPEATS) -> float:
    """The best wall time of ``repeats`` runs of ``run``, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def best_in_turns(first: Callable[[], None], second: Callable[[], None]) -> tuple[float, float]:
    """The best wall time of each of two runs, taken in turns (first, second, first, ...)."""
    best = [float("inf"), float("inf")]
    for _ in range(TURNS):
        for side, run in enumerate((first, second)):
            best[side] = min(best[side], best_of(run, repeats=1))
    return best[0], best[1]


# The six documented file-based destinations: the measure both sides can run (the CLI fails on the
# long tail's dialect, which is the point of destgen; that is not a speed comparison).
SIX = ("adls_gen2", "amazon_s3", "azure_blob", "data_landing_zone", "google_cloud_storage", "sftp")


def six_specs(folder: Path) -> Path:
    """A specs folder with the six alone (their files and manifest entries)."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((ROOT / "specs_cache" / "manifest.json").read_text())
    manifest["destinations"] = [d for d in manifest["destinations"] if d["slug"] in SIX]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for slug in SIX:
        (folder / f"{slug}.json").write_bytes((ROOT / "specs_cache" / f"{slug}.json").read_bytes())
    return folder


def raw_schemas() -> list[dict[str, object]]:
    """Every JSON Schema a user would feed the CLI: each auth, encryption and target spec."""
    schemas: list[dict[str, object]] = []
    for slug in SIX:
        spec = json.loads((ROOT / "specs_cache" / f"{slug}.json").read_text())
        schemas += [entry["spec"] for entry in spec["authSpec"]]
        schemas += [entry["spec"] for entry in spec.get("encryptionSpecs", [])]
        schemas.append(spec["targetSpec"]["spec"])
    return schemas


def destgen(*args: str) -> None:
    """Run ``destgen ARGS`` in a fresh interpreter and fail loudly on a non-zero exit."""
    subprocess.run(
        [str(BIN / "destgen"), "generate", "--quiet", *args],
        check=True,
        capture_output=True,
        env=timed_env(),
    )


def cli_once(folder: Path) -> None:
    """The alternative a user would pick: the datamodel-codegen CLI run once over a folder holding
    every raw schema of the six (auth, encryption and target specs), one package out.
    """
    schemas = folder / "schemas"
    schemas.mkdir(exist_ok=True)
    for index, schema in enumerate(raw_schemas()):
        (schemas / f"schema{index}.json").write_text(json.dumps(schema))
    subprocess.run(
        [
            str(BIN / "datamodel-codegen"),
            "--input",
            str(schemas),
            "--input-file-type",
            "jsonschema",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--output",
            str(folder / "models"),
        ],
        check=True,
        capture_output=True,
        env=timed_env(),
    )


CORPUS = ROOT / "tests" / "data" / "corpus_2020"
# Per spec, a folder of the long tail may cost at most this much more than the six (issue 21).
CORPUS_LIMIT = 3.0


def measure() -> list[Row]:
    """Full and unchanged regeneration beside datamodel-codegen run once over the same
    schemas; the 44-spec corpus per spec beside the six per spec.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out, six = Path(tmp) / "generated", six_specs(Path(tmp) / "six")
        full, once = best_in_turns(
            lambda: destgen("--force", "--specs", str(six), "--out", str(out)),
            lambda: cli_once(Path(tmp)),
        )
        unchanged = best_of(lambda: destgen("--specs", str(six), "--out", str(out)), repeats=3)
        corpus_out = Path(tmp) / "corpus"
        corpus = best_of(
            lambda: destgen("--force", "--specs", str(CORPUS), "--out", str(corpus_out))
        )
    count = len(raw_schemas())
    specs = len(list(CORPUS.glob("*.json")))
    return [
        lower_is_better(
            f"full regeneration, 6 destinations ({count} schemas) vs datamodel-codegen once",
            full,
            once,
            "s",
            1.0,
        ),
        absolute("unchanged regeneration (whole command)", unchanged, 0.5, "s"),
        lower_is_better(
            f"full regeneration per spec, {specs} corpus specs vs the six",
            corpus / specs,
            full / 6,
            "s",
            CORPUS_LIMIT,
        ),
    ]


if __name__ == "__main__":
    print_table(measure())
