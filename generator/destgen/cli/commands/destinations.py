"""``destgen destinations``: the destinations of the library (or of a spec folder)."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_json

DESCRIPTION = (
    "Slugs, names, connection spec ids, what each supports (audience files, streamed audiences, "
    "dataset files), auth variants and spec hashes. With --specs DIR: what that folder of "
    "connection specs would generate, and why a spec is refused (exit 2 when a destination "
    "spec is)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--specs`` and ``--json``."""
    parser.add_argument(
        "--specs", type=Path, help="a folder of connection specs (raw or with a manifest)"
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """List."""
    from destgen.cli.destinations import run_destinations_command

    return run_destinations_command(args)
