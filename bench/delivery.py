"""Rendering a delivered file, side by side in one run: destgen's renderer writing 1,000,000
synthetic profiles as gzipped CSV (the documented csvOptions, quoted) beside what a user would
write by hand, Python's csv module into a gzip stream, and beside pyarrow's CSV writer into its
gzip stream (the table built from the same rows, included), on the very same rows.

Prints a table (measure, destgen, alternative, ratio, target). Run: .venv/bin/python -m
bench.delivery
"""

from __future__ import annotations

import csv
import gc
import gzip
import io
import time

from bench.common import Row, lower_is_better, print_table, sized
from destgen_emulator.delivery.formats import GZIP_LEVEL, csv_bytes, gzip_bytes
from destgen_emulator.delivery.rows import profiles

ROWS = sized(1_000_000, 2_000)
COLUMNS = ("firstName", "lastName", "personalEmail_address", "Email", "phone")
OPTIONS = {"delimiter": ",", "quote": '"', "escape": "\\", "nullValue": "null", "emptyValue": ""}
LIMIT = 2.0


def ours(rows: list[tuple[str | None, ...]]) -> int:
    """destgen: the renderer's CSV, then its gzip."""
    return len(gzip_bytes(csv_bytes(COLUMNS, rows, OPTIONS)))


def theirs(rows: list[tuple[str | None, ...]]) -> int:
    """The alternative: csv.writer into a gzip stream, the same level."""
    sink = io.BytesIO()
    with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text, quoting=csv.QUOTE_ALL, escapechar="\\", doublequote=False)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        text.flush()
        text.detach()
    return len(sink.getvalue())


def with_pyarrow(rows: list[tuple[str | None, ...]]) -> int:
    """pyarrow: a table from the rows, its CSV writer (every value quoted) into its gzip stream."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(COLUMNS)})
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "gzip") as out:
        pcsv.write_csv(table, out, pcsv.WriteOptions(quoting_style="all_valid"))
    return int(sink.getvalue().size)


def best(run: object, rows: list[tuple[str | None, ...]], repeats: int = 3) -> float:
    """The best of ``repeats`` timings, the garbage collector off."""
    times = []
    for _ in range(repeats):
        gc.disable()
        started = time.perf_counter()
        run(rows)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
        gc.enable()
    return min(times)


def measure() -> list[Row]:
    """1M rows to gzipped CSV: the renderer beside csv + gzip, interleaved."""
    rows = list(profiles(COLUMNS, ROWS, "bench"))
    destgen_s, csv_s, arrow_s = best(ours, rows), best(theirs, rows), best(with_pyarrow, rows)
    return [
        lower_is_better(
            f"render {ROWS:,} rows to gzipped CSV vs csv module + gzip",
            destgen_s,
            csv_s,
            "s",
            LIMIT,
        ),
        lower_is_better(
            f"render {ROWS:,} rows to gzipped CSV vs pyarrow CSV writer + gzip",
            destgen_s,
            arrow_s,
            "s",
            1.0,
        ),
    ]


if __name__ == "__main__":
    print_table(measure())
