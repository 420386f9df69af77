"""``destgen destroy``: each file's dataflow removed, and what only it used."""

from __future__ import annotations

import argparse

from destgen.cli.options import (
    add_activation_paths,
    add_client_options,
    add_json,
    add_sandbox,
    add_yes,
)

DESCRIPTION = (
    "Show what is deleted (the dataflow, then its target, base and source connections unless "
    "another entity uses them) and what is kept, confirm, delete. Mapping sets stay (Data Prep "
    "has no DELETE). Exit 0 done or nothing to do, 1 error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The files, ``--yes``, ``--json`` and the target."""
    add_activation_paths(
        parser,
        required=True,
        help="activation files or folders (each file's dataflow, in turn)",
    )
    add_yes(parser, "delete")
    add_json(parser)
    add_client_options(parser)
    add_sandbox(parser)


def run(args: argparse.Namespace) -> int:
    """Destroy."""
    from destgen.cli.destroy import run_destroy

    return run_destroy(args)
