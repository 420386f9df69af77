"""``destgen fetch``: connection specs from the service into the specs folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import CREDENTIALS, add_base_url
from destgen.resources import default_specs_dir

DESCRIPTION = (
    "GET each connection spec and update the cache and manifest.json atomically: all of them or "
    "nothing. Unchanged specs are not rewritten. " + CREDENTIALS
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which specs (``--destination``, ``--spec-id``, ``--all-destinations``) and where."""
    add_base_url(parser)
    parser.add_argument(
        "--destination", action="append", metavar="SLUG", help="only this destination (repeatable)"
    )
    parser.add_argument(
        "--specs",
        type=Path,
        default=default_specs_dir(),
        help="the cache whose manifest lists the specs",
    )
    parser.add_argument("--out", type=Path, help="write here instead of --specs")
    parser.add_argument(
        "--spec-id",
        action="append",
        metavar="ID",
        help="bring home this connection spec (any destination; repeatable): its file, a "
        "manifest entry with a slug from its name, and the flow specs the service lists for it",
    )
    parser.add_argument(
        "--all-destinations",
        action="store_true",
        help="bring home every destination spec the service lists (tag extensions skipped)",
    )


def run(args: argparse.Namespace) -> int:
    """Fetch."""
    from destgen.cli.spec_commands import run_fetch

    return run_fetch(args)
