"""One row format and one table printer for every benchmark (bench/all.py joins them).

A row says what was measured, both figures, the ratio and whether the target is met.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from typing import Any

# `make bench-smoke` (CI): every benchmark at a tiny size, seconds in all, so that a benchmark that
# no longer runs is seen at once; its figures mean nothing and its targets are not judged.
SMOKE = os.environ.get("DESTGEN_BENCH_SMOKE") == "1"


def own_secrets(doc: Any, tag: str, values: dict[str, str]) -> dict[str, str]:
    """Give a copied activation file secret variables of its own (``NAME_<tag>``): one variable
    is never the secret of two base connections (destgen refuses that). The variables to set,
    with the values of the ones they copy.
    """
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"env"} and isinstance(node["env"], str):
                own = f"{node['env']}_{tag}"
                found[own] = values[node["env"]]
                node["env"] = own
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return found


@cache
def timed_env() -> dict[str, str]:
    """The environment of every timed subprocess: compiled bytecode kept, as an install keeps it.

    An installer compiles each module it installs, so a user's destgen and datamodel-codegen both
    start from bytecode. A machine that sets PYTHONDONTWRITEBYTECODE (this one does) would leave
    destgen's editable checkout to be compiled from source on every run, while the installed
    alternative starts from its bytecode. Here both sides share one bytecode folder, outside the
    sources and removed at exit, filled by the first of the best-of runs.
    """
    folder = tempfile.mkdtemp(prefix="destgen-bench-bytecode-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": folder}


def sized(full: int, smoke: int) -> int:
    """``full`` for a real run, ``smoke`` in smoke mode."""
    return smoke if SMOKE else full


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table: what was measured, both figures, their ratio, the target."""

    measure: str
    destgen: str
    alternative: str
    ratio: float
    target: str
    met: bool
    # False for a row that only explains another (a floor): shown, never judged.
    judged: bool = True


def lower_is_better(measure: str, ours: float, theirs: float, unit: str, limit: float) -> Row:
    """Times: ratio = destgen / alternative, met when at most ``limit``."""
    ratio = ours / theirs
    return Row(
        measure, f"{ours:.3f} {unit}", f"{theirs:.3f} {unit}", ratio, f"<= {limit}x", ratio <= limit
    )


def higher_is_better(measure: str, ours: float, theirs: float, unit: str, limit: float) -> Row:
    """Rates (or 'times faster'): ratio = destgen / alternative, met when at least ``limit``."""
    ratio = ours / theirs
    return Row(
        measure,
        f"{ours:,.0f} {unit}",
        f"{theirs:,.0f} {unit}",
        ratio,
        f">= {limit}x",
        ratio >= limit,
    )


def absolute(measure: str, ours: float, limit: float, unit: str) -> Row:
    """A figure with an absolute ceiling and no alternative (ratio = figure / ceiling)."""
    return Row(measure, f"{ours:.3f} {unit}", "-", ours / limit, f"< {limit} {unit}", ours < limit)


def speedup(measure: str, ours: float, theirs: float, unit: str, limit: float) -> Row:
    """Durations where destgen should be ``limit`` times faster: ratio = alternative / destgen."""
    ratio = theirs / ours
    return Row(
        measure,
        f"{ours:.2f} {unit}",
        f"{theirs:.2f} {unit}",
        ratio,
        f">= {limit}x faster",
        ratio >= limit,
    )


def info(measure: str, ours: float, unit: str) -> Row:
    """A row that reports a figure of ours with no alternative beside it."""
    return Row(measure, f"{ours:,.0f} {unit}", "-", 1.0, "-", True)


def reference(measure: str, ours: float, theirs: float, unit: str) -> Row:
    """Figures that explain another row (a floor, say): the ratio is shown, nothing is judged."""
    shown = "{:,.0f} {}" if ours >= 1000 else "{:.3f} {}"
    return Row(
        measure,
        shown.format(ours, unit),
        shown.format(theirs, unit),
        ours / theirs,
        "-",
        met=True,
        judged=False,
    )


# Column widths of the streamed table: rows print as they are measured, so the widths are fixed.
WIDTHS = (58, 22, 22, 8, 18, 3)
HEADER = ("measure", "destgen", "alternative", "ratio", "target", "met")


def _line(cells: tuple[str, ...]) -> str:
    return " | ".join(v.ljust(w) for v, w in zip(cells, WIDTHS, strict=True)).rstrip()


def print_header() -> None:
    """The table's header and rule."""
    print(_line(HEADER))
    print("-+-".join("-" * w for w in WIDTHS), flush=True)


def print_row(row: Row) -> None:
    """One measured row, at once."""
    cells = (row.measure, row.destgen, row.alternative, f"{row.ratio:.2f}x", row.target)
    verdict = ("yes" if row.met else "NO") if row.judged else "-"
    print(_line((*cells, verdict)), flush=True)


def print_table(rows: list[Row]) -> None:
    """Print the rows as one table (a module run on its own)."""
    print_header()
    for row in rows:
        print_row(row)
