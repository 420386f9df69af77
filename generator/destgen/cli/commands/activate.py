"""``destgen activate FILE``: the whole activation a file describes, in one run."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_client_options, add_json, add_sandbox, seconds

DESCRIPTION = (
    "Create or adopt (by name) the source, base and target connections and the dataflow, add "
    "audiences, mapping set, keys, marketing actions and file manifest. Secrets come only from "
    'environment variables ({"env": "NAME"}). Credentials: AEP_ACCESS_TOKEN or AEP_CLIENT_ID + '
    "AEP_CLIENT_SECRET, AEP_API_KEY, AEP_ORG_ID, AEP_SANDBOX_NAME. Exit 0 done, 1 invalid file or "
    "failed request, 2 unreadable file."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``FILE``, ``--dry-run``, ``--json``, the target and ``--deadline``."""
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="send nothing and need no secrets: print each request as curl, secrets as ***",
    )
    add_json(parser, "print the steps as one JSON document on stdout")
    add_client_options(parser)
    add_sandbox(parser)
    parser.add_argument(
        "--deadline",
        type=seconds,
        metavar="SECONDS",
        help="stop the whole activation (every request, retry and wait) after this long; an "
        "interrupted run is safe to run again (default: no limit)",
    )


def run(args: argparse.Namespace) -> int:
    """Activate."""
    from destgen.cli.activate import run_activate

    return run_activate(args)
