"""``destgen apply``: the sandbox made to match the files (or a saved plan)."""

from __future__ import annotations

import argparse

from destgen.cli.commands.plan import add_files_options
from destgen.cli.options import add_yes

DESCRIPTION = (
    "Show the plan, then carry out exactly that plan with the documented calls: every PATCH "
    "sends If-Match, and an entity that changed since the plan stops the run. Given a saved plan "
    "(destgen plan --out PLAN), apply that plan, unchanged files only. Without --prune nothing "
    "is removed. A secret variable is read only where credentials are sent (a base connection "
    "created or re-credentialed). A change needs --yes when there is no terminal to confirm on. "
    "Exit 0 done (or nothing to do), 1 error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Plan's options, ``--yes``, ``--change-shared`` and ``--rotate-secrets``."""
    add_files_options(parser)
    add_yes(parser)
    parser.add_argument(
        "--change-shared",
        action="store_true",
        help="also change connections that other dataflows use, or rename connections found "
        "through a dataflow of the file's name (the plan names them; without this flag apply "
        "refuses)",
    )
    parser.add_argument(
        "--rotate-secrets",
        action="store_true",
        help="send the files' credentials to existing base connections (they cannot be read "
        "back, so they are never compared)",
    )


def run(args: argparse.Namespace) -> int:
    """Apply."""
    from destgen.cli.infra import run_apply

    return run_apply(args)
