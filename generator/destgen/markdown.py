"""Spec text made safe inside the Markdown destgen writes (CHANGES.md): a property name, enum value
or date from a spec can neither end a table cell, start a new line or block, nor carry HTML.
"""

from __future__ import annotations

import html

from destgen_runtime.transport.redact import printable


def cell(text: str) -> str:
    """``text`` as one inline table cell: one line, pipes and backslashes escaped, HTML inert."""
    one_line = " ".join(printable(text).split())
    escaped = one_line.replace("\\", "\\\\").replace("|", "\\|")
    return html.escape(escaped, quote=False)


def code(text: str) -> str:
    """``text`` as an inline code span inside a table cell, whatever backticks it holds."""
    one_line = " ".join(printable(text).split()).replace("|", "\\|")
    fence = "`" * (_longest_backtick_run(one_line) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest
