"""generated/CHANGES.md: one entry per destination whose spec changed, dated by the fetch, not the
clock.

Append-only: regenerating never rewrites earlier entries, and a fresh tree starts without history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from destgen.markdown import cell, code
from destgen.spec_diff import Change, summary
from destgen.writer import atomic_write_text

CHANGES_FILE = "CHANGES.md"
HEADER = (
    "# Changes to the generated destinations\n\n"
    "One entry per spec change, written by `destgen generate`.\n"
)


@dataclass(frozen=True)
class Entry:
    """One CHANGES.md line: a destination's spec change, its class and key."""

    slug: str
    fetched_at: str
    old_sha: str
    new_sha: str
    changes: tuple[Change, ...]

    def text(self) -> str:
        """The Markdown table row for this entry."""
        counts = summary(list(self.changes))
        fetched = cell(self.fetched_at)
        lines = [
            f"\n## {fetched[:10] or 'unknown date'} · {self.slug}\n",
            f"Spec fetched {fetched or '(no fetch date in the manifest)'}; sha256 "
            f"{self.old_sha[:12]} -> {self.new_sha[:12]}. "
            + ", ".join(f"{n} {cls}" for cls, n in counts.items())
            + ".\n",
        ]
        if self.changes:
            lines.append("| class | where | change |\n|---|---|---|")
            lines += [f"| {c.cls} | {code(c.key)} | {cell(c.what)} |" for c in self.changes]
        else:
            lines.append("No parameter changes (formatting or metadata only).")
        return "\n".join(lines) + "\n"


def append(path: Path, entries: list[Entry]) -> None:
    """Add ``entries`` to CHANGES.md at ``path`` (created when missing), atomically."""
    current = path.read_text(encoding="utf-8") if path.exists() else HEADER
    atomic_write_text(path, current + "".join(e.text() for e in entries))
