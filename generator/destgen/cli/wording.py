"""Counts in the words a person reads: ``1 run``, ``2 runs``, ``0 files``.

Output helpers only; every command that prints a count of things says it through here.
"""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, the noun in its plural form (``many``, else ``noun + "s"``) unless
    the count is one.
    """
    return f"{count} {noun if count == 1 else (many or noun + 's')}"
