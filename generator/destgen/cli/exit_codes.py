"""Every exit code of every ``destgen`` command, in one table with one meaning each.

Commands return these names, never bare numbers; ``destgen --help`` and docs/cli.md print the table.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """What a ``destgen`` exit code means, the same in every command."""

    OK = 0
    # The input was read but the work failed: an invalid payload or activation file, a refused or
    # failed request, a failed run (``status``), an unhealthy ``doctor``.
    FAILED = 1
    # The input cannot be used at all: the command line is wrong (argparse's own code, options
    # that cannot go together, ``--since 3x``, a port in use for ``emulator``), or a file or spec
    # cannot be read (missing, not JSON or YAML, a spec the generator refuses).
    USAGE = 2
    # A check found differences, as infrastructure tools' detailed exit codes do: ``plan`` has
    # changes to apply, ``generate --check`` a stale tree, ``diff --fail-on`` a matching change.
    CHANGES = 3
    # Ctrl-C (128 + SIGINT), as shells report it.
    INTERRUPTED = 130


MEANINGS = {
    Exit.OK: "done; for checks (plan, diff, generate --check): nothing differs",
    Exit.FAILED: "the work failed: an invalid file or payload, a failed request or run",
    Exit.USAGE: "unusable input: a wrong command line, or a file or spec that cannot be read",
    Exit.CHANGES: "a check found differences: plan has changes, generate --check a stale tree, "
    "diff --fail-on a change",
    Exit.INTERRUPTED: "interrupted (Ctrl-C)",
}


def table() -> str:
    """The exit codes as the lines ``destgen --help`` ends with."""
    lines = ["exit codes (every command):"]
    lines += [f"  {int(code):>3}  {MEANINGS[code]}" for code in Exit]
    return "\n".join(lines)
