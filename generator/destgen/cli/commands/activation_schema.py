"""``destgen activation-schema``: the JSON Schema of activation files."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "Print the JSON Schema activation files are checked against (for editors and CI), from the "
    "library in use."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    """Print the schema."""
    from destgen.cli.activate import run_schema

    return run_schema(args)
