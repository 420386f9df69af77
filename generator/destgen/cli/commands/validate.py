"""``destgen validate FILE ...``: payload and activation files checked offline."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import add_json

DESCRIPTION = (
    "Validate JSON payload files and activation files (JSON or YAML, checked as activate "
    "--dry-run checks them). Exit 0 when all are valid, 1 when any is invalid (one line per "
    "problem: file, JSON path, rule), 2 when a file cannot be read."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--kind``, ``--destination``, ``--json`` and the files."""
    from destgen.cli.validate import ACTIVATION, AUTO, KINDS

    parser.add_argument(
        "--kind",
        default=AUTO,
        choices=[AUTO, ACTIVATION, *sorted(KINDS)],
        help="what each file holds (default auto: told from each payload's keys and spec ids; "
        "the workflow from its flow spec or datasetFileType)",
    )
    parser.add_argument(
        "--destination",
        help="destination slug; optional when the payload's connectionSpec or flowSpec id tells",
    )
    add_json(parser)
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="payload file, a folder (its *.json files) or - for stdin (default in a project: "
        "its activation files)",
    )


def run(args: argparse.Namespace) -> int:
    """Validate."""
    from destgen.cli.validate import run_validate_command

    return run_validate_command(args)
