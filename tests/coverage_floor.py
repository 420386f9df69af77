"""The coverage floor, per component: lines and branches of the generator, the library (runtime and
generated destinations) and the emulator, read from the data pytest-cov just combined.

``make test`` runs it after pytest; it prints one line per component and exits 1 below a floor.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import coverage

LINES_FLOOR = 97.0
BRANCHES_FLOOR = 90.0
COMPONENTS: dict[str, tuple[str, ...]] = {
    "generator": ("generator/destgen/",),
    "library": ("generated/destgen_destinations/", "runtime/destgen_runtime/"),
    "emulator": ("emulator/destgen_emulator/",),
}


def component_figures(files: dict[str, dict[str, int]]) -> dict[str, tuple[float, float]]:
    """``{component: (line %, branch %)}`` from coverage.py's per-file JSON summaries."""
    figures = {}
    for name, prefixes in COMPONENTS.items():
        mine = [summary for path, summary in files.items() if path.startswith(prefixes)]
        statements = sum(s["num_statements"] for s in mine)
        branches = sum(s["num_branches"] for s in mine)
        lines_covered = statements - sum(s["missing_lines"] for s in mine)
        branches_covered = branches - sum(s["missing_branches"] for s in mine)
        figures[name] = (
            100.0 * lines_covered / statements if statements else 0.0,
            100.0 * branches_covered / branches if branches else 100.0,
        )
    return figures


def main() -> int:
    """Print each component's figures; exit 1 when one is below a floor (or was not measured)."""
    measured = coverage.Coverage()
    measured.load()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        measured.json_report(outfile=str(report))
        files = {
            path: data["summary"] for path, data in json.loads(report.read_text())["files"].items()
        }
    failed = False
    for name, (lines, branches) in component_figures(files).items():
        low = lines < LINES_FLOOR or branches < BRANCHES_FLOOR
        failed |= low
        verdict = "BELOW FLOOR" if low else "ok"
        print(f"coverage {name:<9} lines {lines:5.1f}%  branches {branches:5.1f}%  {verdict}")
    print(f"floors: lines {LINES_FLOOR}%, branches {BRANCHES_FLOOR}% in every component")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
