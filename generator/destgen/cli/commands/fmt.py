"""``destgen fmt``: activation files in one canonical layout."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = (
    "Re-indent activation files as terraform fmt does: JSON two-space indented, YAML with its "
    "comments, key order and quoting kept. Only the layout changes. In a folder, only files that "
    "name a destination are touched (hidden and vendored folders are not entered). Prints each "
    "file changed. "
    "Exit 0 done, 3 with --check when a file is not formatted (nothing written), 1 a file that "
    "does not parse, 2 no such path."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``PATH ...`` (or ``-``), ``--check``, ``--diff``."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="activation files or folders of them (default in a project: its activation "
        "files); in a folder only activation files are touched; - reads standard input and "
        "writes the formatted file to standard output",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; list the files that are not formatted and exit 3 if any",
    )
    parser.add_argument("--diff", action="store_true", help="print each change as a unified diff")


def run(args: argparse.Namespace) -> int:
    """Format."""
    from destgen.cli.fmt import run_fmt

    return run_fmt(args)
