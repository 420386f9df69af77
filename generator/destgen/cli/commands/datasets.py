"""``destgen datasets``: the datasets the sandbox can export."""

from __future__ import annotations

import argparse

from destgen.cli.options import add_base_url, add_json, add_sandbox, whole_number

DESCRIPTION = (
    "Every dataset the sandbox can export, page by page (id and name). Credentials: "
    "AEP_ACCESS_TOKEN or AEP_CLIENT_ID + AEP_CLIENT_SECRET, AEP_API_KEY, AEP_ORG_ID, "
    "AEP_SANDBOX_NAME. Exit 0 listed, 1 failed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--page-size``, ``--json`` and the target."""
    add_base_url(parser)
    parser.add_argument(
        "--page-size",
        type=whole_number(1, 100),
        default=20,
        metavar="N",
        help="datasets a request",
    )
    add_sandbox(parser)
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """List."""
    from destgen.cli.datasets import run_datasets

    return run_datasets(args)
