"""``destgen emulator``: the bundled local Flow Service, with the tool's specs."""

from __future__ import annotations

import argparse

from destgen.resources import default_specs_dir

DESCRIPTION = "Start the local Flow Service emulator in the foreground; print its base URL."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The emulator's own options (destgen_emulator.http.cli)."""
    from destgen_emulator.http.cli import add_arguments as add_emulator_arguments

    add_emulator_arguments(parser)
    # The tool's own specs (its package data, or ./specs_cache): the emulator it bundles has none.
    parser.set_defaults(specs=default_specs_dir())


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from destgen_emulator.http.cli import run as serve

    return serve(args)
