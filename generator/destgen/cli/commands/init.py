"""``destgen init [DIR]``: make a destgen project there."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = (
    "Write destgen.toml (or, with --pyproject, a [tool.destgen] table in the folder's "
    "pyproject.toml) naming the specs folder, the library and the activation files; copy the "
    "curated specs into the specs folder and generate the library from them. Commands run in the "
    "folder or below then fetch, generate, validate, plan and apply with the project's own "
    "library. Exit 0 done, 2 a project is already there."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``DIR`` and ``--pyproject``."""
    parser.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), metavar="DIR", help="default: here"
    )
    parser.add_argument(
        "--pyproject",
        action="store_true",
        help="configure in the folder's pyproject.toml ([tool.destgen]) instead of destgen.toml",
    )


def run(args: argparse.Namespace) -> int:
    """Make the project."""
    from destgen.cli.init import run_init

    return run_init(args)
