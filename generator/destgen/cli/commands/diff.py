"""``destgen diff OLD [NEW]``: what changed between two spec folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_base_url, add_json

DESCRIPTION = (
    "Compare two spec folders (or OLD with the live specs, --live). Exit 0, or 3 when --fail-on "
    "is met, 2 when a folder cannot be read."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``OLD``, ``NEW`` or ``--live``, ``--json``, ``--fail-on``."""
    parser.add_argument("old", type=Path, metavar="OLD")
    parser.add_argument("new", type=Path, nargs="?", metavar="NEW")
    parser.add_argument(
        "--live", action="store_true", help="compare OLD with the live specs (needs credentials)"
    )
    add_json(parser, "print JSON instead of a table")
    parser.add_argument(
        "--fail-on",
        choices=("any", "breaking"),
        help="exit 3 when any change, or a breaking one, is found",
    )
    add_base_url(parser)


def run(args: argparse.Namespace) -> int:
    """Compare."""
    from destgen.cli.spec_commands import run_diff

    return run_diff(args)
