"""``destgen export``: activation files from the dataflows that exist."""

from __future__ import annotations

import argparse

from destgen.cli.options import add_client_options, add_sandbox

DESCRIPTION = (
    "Read one dataflow (--flow) or every dataflow of the generated destinations (--all DIR) "
    "with its connections, audiences or datasets, mapping and keys, and write activation files "
    "that plan reports as unchanged. Secrets cannot be read back: they become "
    '{"env": NAME} references (DESTINATION_PARAM_CONNECTION, e.g. '
    "AZURE_BLOB_CONNECTION_STRING_ACME_BLOB). Exit 0 written, 1 failed or a file would be "
    "replaced without --force."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--flow`` or ``--all``, ``--out``, ``--force`` and the target."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--flow", metavar="ID|NAME", help="one dataflow, by id or exact name")
    which.add_argument("--all", metavar="DIR", help="every destination dataflow, one file each")
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="with --flow: write here, not to stdout (YAML for .yaml or .yml, else JSON)",
    )
    parser.add_argument("--force", action="store_true", help="replace files that exist")
    add_client_options(parser)
    add_sandbox(parser)


def run(args: argparse.Namespace) -> int:
    """Export."""
    from destgen.cli.export import run_export

    return run_export(args)
