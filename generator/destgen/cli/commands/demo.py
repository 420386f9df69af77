"""``destgen demo``: the main job, every example against a local emulator."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "Start the emulator on 127.0.0.1, run every examples/ activation against it (demo secrets "
    "are set for the run), let a day pass and print the entities and their runs."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    from destgen.cli.demo import run_demo_command

    return run_demo_command(args)
