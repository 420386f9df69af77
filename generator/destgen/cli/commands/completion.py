"""``destgen completion SHELL``: a completion script built from the parser."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "Built from the argument parser: every command and its options. bash: destgen completion "
    "bash > ~/.local/share/bash-completion/completions/destgen; zsh uses the bash script "
    "through bashcompinit; fish: destgen completion fish > ~/.config/fish/completions/destgen.fish."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``SHELL``."""
    parser.add_argument("shell", choices=("bash", "zsh", "fish"))


def run(args: argparse.Namespace) -> int:
    """Print the script."""
    from destgen.cli.completion import run_completion

    return run_completion(args)
