"""A run's rows as file bytes: CSV with the documented ``csvOptions`` (delimiter, quote, escape,
nullValue, emptyValue; a header row of the mapped columns), JSON lines, Parquet; GZIP.

``FORMATS`` is the one table of file formats: each format's name, extensions, writer, reader
(what a preview shows) and compression rule, used by the renderer, the plan and ``destgen
preview`` alike, as httpx maps each content encoding to its decoder. A new format is a row.

CSV follows Adobe's formatting page, not Python's csv dialects: with a quote character every
value is quoted and a quote inside is escaped with the escape character; without one, values go
out as they are. ``nullValue``/``emptyValue`` name what an absent or an empty value becomes.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


class ParquetUnavailable(RuntimeError):
    """PARQUET was asked for and pyarrow (an extra: 170 MB) is not installed."""


PARQUET_EXTRA = (
    "PARQUET files need pyarrow, which this install leaves out (170 MB): "
    "pip install 'destgen[parquet]' (the emulator alone: 'destgen-emulator[parquet]')"
)


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet; ParquetUnavailable saying how to get them."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ParquetUnavailable(PARQUET_EXTRA) from None
    return pa, pq


def parquet_bytes(columns: tuple[str, ...], rows: Iterable[Row], *, gzip: bool) -> bytes:
    """A Parquet file of string columns (pyarrow), gzip-compressed inside when asked."""
    pa, pq = _pyarrow()
    listed = list(rows)
    table = pa.table({c: [r[i] for r in listed] for i, c in enumerate(columns)})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="gzip" if gzip else "none")
    return sink.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    """A gzip member with no name and time in its header: the same rows, the same bytes."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class FileFormat:
    """One file format a destination can be sent: how it is named, written and read back."""

    name: str  # as fileType / datasetFileType say it: CSV, JSON, PARQUET
    extension: str  # uncompressed: ".csv"
    gzip_extension: str  # compressed, as the docs name it: ".csv.gz", ".gz.parquet"
    # (columns, rows, csvOptions, gzip) -> (file bytes, size before compression)
    write: Callable[[tuple[str, ...], list[Row], dict[str, Any], bool], tuple[bytes, int]]
    # (file bytes, gzip, count) -> the first lines a reader sees
    read: Callable[[bytes, bool, int], list[str]]
    # A dataset export in this format is always gzipped (the dataset export page: JSON).
    datasets_always_gzip: bool = False

    def file_extension(self, compressed: bool) -> str:
        """The extension of a file in this format, compressed or not."""
        return self.gzip_extension if compressed else self.extension


def _compressed(plain: bytes, compress: bool) -> tuple[bytes, int]:
    return (gzip_bytes(plain) if compress else plain), len(plain)


def _text_lines(data: bytes, compressed: bool, count: int) -> list[str]:
    plain = gzip.decompress(data) if compressed else data
    return plain.decode("utf-8").splitlines()[: count + 1]


def _parquet_rows(data: bytes, _compressed: bool, count: int) -> list[str]:
    _pa, pq = _pyarrow()

    table = pq.read_table(io.BytesIO(data))
    return [json.dumps(r, ensure_ascii=False) for r in table.slice(0, count).to_pylist()]


def _parquet_file(
    columns: tuple[str, ...], rows: list[Row], _options: dict[str, Any], compress: bool
) -> tuple[bytes, int]:
    data = parquet_bytes(columns, rows, gzip=compress)  # compressed inside the file
    return data, len(data)


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat(
            "CSV",
            ".csv",
            ".csv.gz",
            lambda columns, rows, options, compress: _compressed(
                csv_bytes(columns, rows, options), compress
            ),
            _text_lines,
        ),
        FileFormat(
            "JSON",
            ".json",
            ".json.gz",
            lambda columns, rows, _options, compress: _compressed(
                json_bytes(columns, rows), compress
            ),
            _text_lines,
            datasets_always_gzip=True,
        ),
        FileFormat("PARQUET", ".parquet", ".gz.parquet", _parquet_file, _parquet_rows),
    )
}


def format_of_file(name: str) -> tuple[FileFormat, bool] | None:
    """The format of a delivered file by its name, and whether it is compressed; None when no
    format's extension ends it (an encrypted file, a manifest).
    """
    for file_format in FORMATS.values():
        for compressed in (True, False):
            if name.endswith(file_format.file_extension(compressed)):
                return file_format, compressed
    return None
