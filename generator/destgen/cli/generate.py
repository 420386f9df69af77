"""``destgen generate``: regenerate the library from the specs and say what changed.

Argument handling and output only; destgen.pipeline does the work.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from destgen.cli.exit_codes import Exit
from destgen.cli.say import say
from destgen.cli.wording import plural

if TYPE_CHECKING:
    from destgen.pipeline import GenerateResult


def run_generate(args: argparse.Namespace) -> int:
    """Regenerate (or with ``--check`` compare) and print one line per file and a summary."""
    from destgen.pipeline import generate

    started = time.perf_counter()
    progress = (
        (lambda _line: None) if args.quiet else (lambda line: print(f"  {line}", file=sys.stderr))
    )
    # --check re-renders everything and compares bytes: a stale fingerprint cannot hide a change.
    force = args.force or args.check
    result = generate(args.specs, args.out, check=args.check, force=force, progress=progress)
    _print_files(result, args.out, check=args.check)
    _print_findings(result)
    _print_changelog(result, check=args.check)
    changed = result.report.changed
    skipped = len(result.destinations) - len(result.rendered)
    print(
        f"destgen generate: {plural(len(result.destinations), 'destination')} "
        f"({len(result.rendered)} rendered, "
        f"{skipped} unchanged), {result.models} models, {result.builders} builders; "
        f"{plural(len(changed), 'file')} {'would change' if args.check else 'changed'} in "
        f"{time.perf_counter() - started:.2f}s"
    )
    broken = [r for r in result.refused if not r.not_a_destination]
    if broken:
        # The rest was generated; the run still fails, so a destination spec refused for a
        # reason never passes for done (specs that are no destination are expected in a folder).
        say(
            f"{plural(len(broken), 'destination spec')} refused; "
            "each reason above names its file and JSON pointer"
        )
        return Exit.USAGE
    return Exit.CHANGES if args.check and changed else Exit.OK


def _print_files(result: GenerateResult, out: Path, *, check: bool) -> None:
    """One line per file created, updated or deleted (or that would be, with --check)."""
    for verb, rels in (
        ("create", result.report.created),
        ("update", result.report.updated),
        ("delete", result.report.deleted),
    ):
        done = f"would {verb}" if check else f"{verb}d"
        for rel in rels:
            print(f"  {done} {out / rel}")


def _print_findings(result: GenerateResult) -> None:
    """Ignored keys (one line, as promised: they cannot change what validates), the dialect's
    readings, and every refused spec with each of its reasons, on stderr.
    """
    if result.ignored:
        print(
            f"warning: ignored {len(result.ignored)} unknown spec key(s): "
            + ", ".join(result.ignored),
            file=sys.stderr,
        )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for refusal in result.refused:
        kind = "not a destination" if refusal.not_a_destination else "refused"
        print(f"{kind}: {refusal.name} ({refusal.file})", file=sys.stderr)
        for reason in refusal.reasons:
            print(f"  {reason}", file=sys.stderr)


def _print_changelog(result: GenerateResult, *, check: bool) -> None:
    """One line per CHANGES.md entry appended for a changed spec, with its change counts."""
    from destgen.spec_diff import summary

    for entry in result.spec_changes:
        counts = ", ".join(f"{n} {cls}" for cls, n in summary(list(entry.changes)).items())
        print(
            f"  {'would append' if check else 'appended'} CHANGES.md entry for "
            f"{entry.slug}: {counts}"
        )
