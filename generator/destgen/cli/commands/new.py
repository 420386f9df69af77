"""``destgen new DESTINATION``: a commented activation file to start from."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "An activation file for DESTINATION (a slug of `destgen destinations`) in one workflow: "
    "every required param with a value that validates, each secret as the environment variable "
    "it is read from, names and ids to replace. Printed, or written to --out (never over a "
    "file). Exit 0 written, 2 unknown destination or workflow."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``DESTINATION``, ``--workflow``, ``--out``."""
    from destgen_runtime.activation import workflows

    parser.add_argument("destination", metavar="DESTINATION")
    parser.add_argument(
        "--workflow",
        choices=[kind.name for kind in workflows.registered()],
        help="the kind of dataflow (default: the first the destination supports: stream for a "
        "streaming destination, else audiences)",
    )
    parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    """Write the file."""
    from destgen.cli.new import run_new

    return run_new(args)
