"""One writer for what a command tells the person running it: ``destgen COMMAND: message`` on
stderr, the command named once here instead of in every message, and every line printable.

The dispatcher names the running command (``running``); a message from code shared by several
commands (apply's, which promote runs) carries the name of the command the person typed.
"""

from __future__ import annotations

import sys

# The command being run (one a process; main() may run several in turn, as tests do).
_running: list[str] = []


def running(command: str | None) -> None:
    """Name the command whose messages ``say`` writes from now on (None: no command)."""
    _running[:] = [command] if command else []


def say(message: str, command: str | None = None) -> None:
    """``destgen COMMAND: message`` on stderr, flushed (progress lines interleave with it);
    ``command`` names it where code runs outside the dispatcher too (the demo's runner).
    """
    name = command or (_running[0] if _running else None)
    prefix = f"destgen {name}" if name else "destgen"
    print(f"{prefix}: {message}", file=sys.stderr, flush=True)
