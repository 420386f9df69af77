"""``python -m destgen_emulator``: the emulator on its own, without the destgen tool installed.

The same options as ``destgen emulator``; argument parsing only, cli.py does the rest.
"""

from __future__ import annotations

import argparse
import sys

from destgen_emulator.http.cli import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    """Parse the emulator's options and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="destgen-emulator",
        description="Start the local Flow Service emulator in the foreground; print its base URL.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
