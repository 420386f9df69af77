"""``destgen doctor``: credentials, sandbox, spec ids and drift, checked."""

from __future__ import annotations

import argparse
from pathlib import Path

from destgen.cli.options import CREDENTIALS, add_base_url, add_json, add_sandbox
from destgen.resources import default_specs_dir

DESCRIPTION = "Exit 0 when everything matches, 1 otherwise. " + CREDENTIALS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The target and ``--specs``."""
    add_base_url(parser)
    add_sandbox(parser)
    parser.add_argument("--specs", type=Path, default=default_specs_dir())
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    """Check."""
    from destgen.cli.spec_commands import run_doctor

    return run_doctor(args)
