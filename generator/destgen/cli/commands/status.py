"""``destgen status``: recent runs of each file's dataflow."""

from __future__ import annotations

import argparse

from destgen.cli.options import add_activation_paths, add_client_options, add_json, add_sandbox

DESCRIPTION = (
    "Each dataflow's runs since --since: status, records, files, errors with their codes, and "
    "records per audience or dataset. Exit 0 no failed run, 1 a run failed (or an error), 2 a "
    "bad --since."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The files, ``--since``, ``--json`` and the target."""
    add_activation_paths(parser, help="activation files or folders")
    parser.add_argument(
        "--since", default="24h", help="24h, 7d, or an ISO 8601 time with a zone (default 24h)"
    )
    add_json(parser)
    add_client_options(parser)
    add_sandbox(parser)


def run(args: argparse.Namespace) -> int:
    """Report the runs."""
    from destgen.cli.status import run_status

    return run_status(args)
