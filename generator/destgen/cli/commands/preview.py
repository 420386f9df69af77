"""``destgen preview FILE``: the files the next run would write, without a server."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_json

DESCRIPTION = (
    "File names from the templates, the first rows as written (CSV options, JSON, Parquet), "
    "sizes with and without compression, and whether the PGP key can encrypt; the emulator's "
    "--deliver-to writes with the same renderer. Exit 0 shown, 1 invalid file or unusable key, "
    "2 unreadable file or no files to show (a stream)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``FILE``, ``--rows``, ``--seed``, ``--out``, ``--json``."""
    parser.add_argument("file", type=Path, metavar="FILE", help="an activation file")
    parser.add_argument(
        "--rows", type=int, default=100, help="profiles per audience file (default 100)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="the rows' seed (the emulator's --seed gives the same)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="also write the sample files")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Preview."""
    from destgen.cli.preview import run_preview

    return run_preview(args)
