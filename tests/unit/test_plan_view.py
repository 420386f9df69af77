"""The plan view on its own: one summary line for plan and apply alike, a shared create counted
once for the first file, colour only where a person looks.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from destgen_runtime.activation.planner import Change, FieldChange

from destgen.cli import plan_view
from destgen.cli.plan_view import Tally, summary


@dataclass
class Outcome:
    path: Path
    changes: list[Change] = field(default_factory=list)
    error: str | None = None


def _create(collection: str, name: str) -> Change:
    label = f"create {collection} {name!r}"
    return Change(label, [FieldChange("create", label)], "create", collection, name)


def test_plan_and_apply_end_with_the_same_counts() -> None:
    tally = Tally()
    for kind in ("create", "create", "update", "action", "delete"):
        tally.count(kind)
    assert summary(tally, applied=False) == "Plan: 2 to create, 2 to change, 1 to remove."
    assert summary(tally, applied=True) == "Apply complete: 2 created, 2 changed, 1 removed."
    assert summary(tally, applied=True, failed=True).startswith("Apply stopped by an error after")
    assert summary(Tally(), applied=False) == "No changes."


def test_a_shared_create_is_shown_once_and_counted_for_the_first_file() -> None:
    shared = _create("sourceConnections", "Connect to Profile store")
    first = Outcome(Path("a.json"), [shared, _create("flows", "A")])
    second = Outcome(Path("b.json"), [shared, _create("flows", "B")])
    tallies = plan_view.file_tallies([first, second])
    assert [t.create for t in tallies] == [2, 1]
    out = io.StringIO()
    plan_view.print_plan([first, second], out)
    text = out.getvalue()
    assert text.count("Connect to Profile store") == 1
    assert "shared by 2 files (a.json, b.json):" in text


def test_colour_only_at_a_terminal_and_never_under_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert plan_view.colour_wanted(Terminal())
    assert not plan_view.colour_wanted(io.StringIO())  # a pipe or a file
    monkeypatch.setenv("NO_COLOR", "1")
    assert not plan_view.colour_wanted(Terminal())
    assert plan_view.painted("  + create x", True) == "\x1b[32m  + create x\x1b[0m"
    assert plan_view.painted("  update flows", True) == "  update flows"  # no sign, no colour
