"""A run's rows as file bytes: CSV with the documented ``csvOptions`` (delimiter, quote, escape,
nullValue, emptyValue; a header row of the mapped columns), JSON lines, Parquet; GZIP.

CSV follows Adobe's formatting page, not Python's csv dialects: with a quote character every
value is quoted and a quote inside is escaped with the escape character; without one, values go
out as they are. ``nullValue``/``emptyValue`` name what an absent or an empty value becomes.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterable
from typing import Any

from destgen_emulator.delivery.rows import Row

# The documented defaults (the specs' own csvOptions defaults).
CSV_DEFAULTS = {
    "delimiter": ",",
    "quote": "",
    "escape": "\\",
    "nullValue": "null",
    "emptyValue": "",
}
# What nullValue/emptyValue choices write: the word null, two quotes, or nothing.
VALUE_TEXT = {"null": "null", '""': '""', "": ""}
GZIP_LEVEL = 6


def csv_bytes(columns: tuple[str, ...], rows: Iterable[Row], options: dict[str, Any]) -> bytes:
    """The CSV file: a header, then one line per row, as the options say."""
    o = CSV_DEFAULTS | {k: v for k, v in options.items() if isinstance(v, str)}
    delimiter, quote, escape = o["delimiter"], o["quote"], o["escape"]
    null_text = VALUE_TEXT.get(o["nullValue"], "null")
    empty_text = VALUE_TEXT.get(o["emptyValue"], "")
    escaped = escape + quote

    def cell(value: str | None) -> str:
        if value is None:
            return null_text
        if value == "":
            return empty_text
        return quote + value.replace(quote, escaped) + quote if quote else value

    lines = [delimiter.join(cell(c) for c in columns)]
    lines += [delimiter.join([cell(v) for v in row]) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def json_bytes(columns: tuple[str, ...], rows: Iterable[Row]) -> bytes:
    """JSON lines: one object per profile, keyed by the mapped columns (null stays null)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return "".join(dumps(dict(zip(columns, row, strict=True))) + "\n" for row in rows).encode()


def parquet_bytes(columns: tuple[str, ...], rows: Iterable[Row], *, gzip: bool) -> bytes:
    """A Parquet file of string columns (pyarrow), gzip-compressed inside when asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    listed = list(rows)
    table = pa.table({c: [r[i] for r in listed] for i, c in enumerate(columns)})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="gzip" if gzip else "none")
    return sink.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    """A gzip member with no name and time in its header: the same rows, the same bytes."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()
