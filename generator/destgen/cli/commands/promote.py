"""``destgen promote``: destination setups from one sandbox to another."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_client_options, add_json, add_parallel, add_yes

DESCRIPTION = (
    "Take the files (or export every destination dataflow of --from-sandbox), resolve each "
    "audience and dataset by name in --to-sandbox (every missing one is listed, and nothing "
    "changes), show the plan there and apply it. A production sandbox is changed only with "
    "--yes, or when its name is typed at a terminal. Credentials come from this environment, "
    "never from the source sandbox, and only where the plan sends them. Exit 0 done, 1 error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Files, the two sandboxes, ``--out``, and apply's options."""
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="FILE|DIR", help="files to promote (default: export)"
    )
    parser.add_argument(
        "--from-sandbox", required=True, metavar="NAME", help="where the setup is (only read)"
    )
    parser.add_argument("--to-sandbox", required=True, metavar="NAME", help="the sandbox to change")
    parser.add_argument("--out", metavar="DIR", help="keep the resolved files here")
    add_yes(parser)
    parser.add_argument("--prune", action="store_true", help="as for apply")
    add_json(parser)
    add_parallel(parser, as_for="as for apply")
    add_client_options(parser)
    parser.set_defaults(rotate_secrets=False)  # existing credentials in the target stay


def run(args: argparse.Namespace) -> int:
    """Promote."""
    from destgen.cli.promote import run_promote

    return run_promote(args)
