"""How ``plan`` and ``apply`` show their work: the diff (coloured at a terminal, never in a pipe,
never under ``NO_COLOR``), an entity several files share shown once with those files, the table,
and the one summary line both commands print.

Plan and apply count the same thing, writes to the service (a create, a change, a removal), so
``Plan: 7 to create, 1 to change, 0 to remove.`` is followed by ``Apply complete: 7 created,
1 changed, 0 removed.``. An entity two files would create is counted once, for the first file of
its group: the one whose apply creates it (the others adopt it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from destgen_runtime.activation.planner import Change
from destgen_runtime.transport.redact import one_line as printable

from destgen.cli.wording import plural

# A write's kind (an Operation's, or "update") -> the column it is counted in. An action (enable,
# disable) changes the dataflow.
COUNTED_AS = {"create": "create", "update": "change", "action": "change", "delete": "remove"}
PLANNED_WORDS = {"create": "to create", "change": "to change", "remove": "to remove"}
DONE_WORDS = {"create": "created", "change": "changed", "remove": "removed"}
# The ANSI colour of each diff sign, as infrastructure tools colour them.
SIGN_COLOURS = {"+": "32", "~": "33", "-": "31", "!": "36"}


@dataclass
class Tally:
    """Writes by column: what a plan would send, or what an apply sent."""

    create: int = 0
    change: int = 0
    remove: int = 0

    def count(self, kind: str) -> None:
        """Count one write of ``kind`` (create, update, action or delete)."""
        column = COUNTED_AS[kind]
        setattr(self, column, getattr(self, column) + 1)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.create + other.create, self.change + other.change, self.remove + other.remove
        )

    @property
    def total(self) -> int:
        """Every write counted."""
        return self.create + self.change + self.remove

    def as_json(self) -> dict[str, int]:
        """``{"create": n, "change": n, "remove": n}``."""
        return {"create": self.create, "change": self.change, "remove": self.remove}

    def words(self, applied: bool) -> str:
        """``7 to create, 1 to change, 0 to remove`` (or ``7 created, ...`` once applied)."""
        named = DONE_WORDS if applied else PLANNED_WORDS
        return ", ".join(f"{n} {named[column]}" for column, n in self.as_json().items())


def summary(total: Tally, *, applied: bool, failed: bool = False) -> str:
    """The one line plan and apply end with."""
    if applied:
        head = "Apply stopped by an error after" if failed else "Apply complete:"
        return f"{head} {total.words(applied=True)}."
    return f"Plan: {total.words(applied=False)}." if total.total else "No changes."


class Planned(Protocol):
    """One file's plan, as the view reads it."""

    path: Path
    changes: list[Change]
    error: str | None


def change_key(change: Change) -> tuple[str, ...] | None:
    """What makes two files' changes one write: a create by collection and name, an update of an
    existing entity by id and lines; None for what belongs to its file alone.
    """
    if change.action == "create" and change.name is not None:
        return ("create", change.collection, change.name)
    if change.action == "update" and change.entity_id is not None:
        return ("update", change.collection, change.entity_id, *change.lines)
    return None


def shared_changes(outcomes: Sequence[Planned]) -> dict[tuple[str, ...], list[Path]]:
    """Each change more than one file plans, with those files (in order)."""
    users: dict[tuple[str, ...], list[Path]] = {}
    for outcome in outcomes:
        for change in outcome.changes:
            key = change_key(change)
            if key is not None and outcome.path not in users.setdefault(key, []):
                users[key].append(outcome.path)
    return {key: paths for key, paths in users.items() if len(paths) > 1}


def file_tallies(outcomes: Sequence[Planned]) -> list[Tally]:
    """Each file's writes; a shared one counted for the first file only (the one that makes it)."""
    counted: set[tuple[str, ...]] = set()
    tallies = []
    for outcome in outcomes:
        tally = Tally()
        for change in outcome.changes:
            key = change_key(change)
            if key is not None and key in counted:
                continue
            if key is not None:
                counted.add(key)
            tally.count(change.action)
        tallies.append(tally)
    return tallies


def colour_wanted(stream: IO[str]) -> bool:
    """Colour only at a terminal, and never when ``NO_COLOR`` is set (no-color.org) or the
    terminal says it is dumb.
    """
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def painted(line: str, colour: bool) -> str:
    """``line`` (a diff line: its first visible character is its sign) in its sign's colour."""
    code = SIGN_COLOURS.get(line.lstrip()[:1])
    return f"\x1b[{code}m{line}\x1b[0m" if colour and code else line


def print_plan(outcomes: Sequence[Planned], out: IO[str] | None = None) -> None:
    """Every file's changes; what several files share, once, above them with its files."""
    out = out or sys.stdout
    colour = colour_wanted(out)
    shared = shared_changes(outcomes)

    def show(lines: Iterable[str]) -> None:
        # Names, ids and values come from the service: printed only as printable text.
        for line in lines:
            print(painted(printable(line), colour), file=out)

    shown: set[tuple[str, ...]] = set()
    for outcome in outcomes:
        for change in outcome.changes:
            key = change_key(change)
            if key in shared and key not in shown:
                shown.add(key)
                files = ", ".join(map(str, shared[key]))
                print(
                    f"shared by {plural(len(shared[key]), 'file')} ({printable(files)}):", file=out
                )
                show(_change_lines(change))
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.path}: error: {printable(outcome.error)}", file=out)
            continue
        own = [c for c in outcome.changes if change_key(c) not in shared]
        if not outcome.changes:
            print(f"{outcome.path}: no changes", file=out)
            continue
        print(f"{outcome.path}:", file=out)
        if not own:
            print("  (only the shared changes above)", file=out)
        for change in own:
            show(_change_lines(change))


def _change_lines(change: Change) -> list[str]:
    if change.action == "update":
        # The entity by name and id (and who else uses it), then its fields.
        return [f"  ~ {change.label}:", *(f"    {line}" for line in change.lines)]
    return [f"  {line}" for line in change.lines]


def review(outcomes: Sequence[Planned]) -> None:
    """What apply shows before it asks: the changes and the plan's summary line."""
    print_plan(outcomes)
    print(summary(sum(file_tallies(outcomes), Tally()), applied=False))
