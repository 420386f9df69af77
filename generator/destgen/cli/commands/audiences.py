"""``destgen audiences``: the sandbox's audiences, for activation files."""

from __future__ import annotations

import argparse

from destgen.cli.options import add_client_options, add_json, add_sandbox

DESCRIPTION = (
    "Every audience (segment definition) of the sandbox, page by page, or those named --name. "
    "Credentials: AEP_ACCESS_TOKEN or AEP_CLIENT_ID + AEP_CLIENT_SECRET, AEP_API_KEY, "
    "AEP_ORG_ID, and AEP_SANDBOX_NAME or --sandbox. Exit 0 listed, 1 failed or no audience by "
    "that name."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--name``, ``--json`` and the target."""
    add_client_options(parser)
    parser.add_argument("--name", help="only the audiences with exactly this name")
    add_sandbox(parser)
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """List."""
    from destgen.cli.audiences import run_audiences

    return run_audiences(args)
