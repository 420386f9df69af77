"""``destgen plan``: what apply would change, per file."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import (
    add_activation_paths,
    add_client_options,
    add_json,
    add_parallel,
    add_sandbox,
)

DESCRIPTION = (
    "Read the live entities and print, per file, what apply would create, change (old -> new) "
    "or, with --prune, remove. Secrets are never shown or compared. Exit 0 nothing to do, 3 "
    "changes pending, 1 error (invalid file or failed request)."
)


def add_files_options(parser: argparse.ArgumentParser) -> None:
    """What plan and apply share: the files, ``--prune``, output, target and parallelism."""
    add_activation_paths(parser)
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also remove audiences and flow settings (mandatory fields, deduplication keys, "
        "marketing actions) the file leaves out",
    )
    add_json(parser)
    add_sandbox(parser)
    add_parallel(parser)
    add_client_options(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The shared options and ``--out``."""
    add_files_options(parser)
    # A plan never sends credentials, so it compares as apply does without --rotate-secrets.
    parser.set_defaults(rotate_secrets=False)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="PLAN",
        help="save the plan (changes and the etags it read, no secrets) for `destgen apply PLAN`, "
        "which applies it only while nothing it read has changed",
    )


def run(args: argparse.Namespace) -> int:
    """Plan."""
    from destgen.cli.infra import run_plan

    return run_plan(args)
