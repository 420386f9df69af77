"""One row format and one table printer for every benchmark (bench/all.py joins them).

A row says what was measured, both figures, the ratio and whether the target is met.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table: what was measured, both figures, their ratio, the target."""

    measure: str
    destgen: str
    alternative: str
    ratio: float
    target: str
    met: bool


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


def print_table(rows: list[Row]) -> None:
    """Print the rows as one aligned table."""
    header = ("measure", "destgen", "alternative", "ratio", "target", "met")
    cells = [header] + [
        (r.measure, r.destgen, r.alternative, f"{r.ratio:.2f}x", r.target, "yes" if r.met else "NO")
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        print(" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
