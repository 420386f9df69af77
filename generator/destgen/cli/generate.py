"""``destgen generate``: regenerate the library from the specs and say what changed.

Argument handling and output only; destgen.pipeline does the work.
"""

from __future__ import annotations

import argparse
import sys
import time

from destgen.cli.exit_codes import Exit
from destgen.cli.wording import plural


def run_generate(args: argparse.Namespace) -> int:
    """Regenerate (or with ``--check`` compare) and print one line per file and a summary."""
    from destgen.pipeline import generate
    from destgen.spec_diff import summary

    started = time.perf_counter()
    progress = (
        (lambda _line: None) if args.quiet else (lambda line: print(f"  {line}", file=sys.stderr))
    )
    # --check re-renders everything and compares bytes: a stale fingerprint cannot hide a change.
    force = args.force or args.check
    result = generate(args.specs, args.out, check=args.check, force=force, progress=progress)
    changed = result.report.changed
    verb = "would change" if args.check else "changed"
    for rel in result.report.created:
        print(f"  {'would create' if args.check else 'created'} {args.out / rel}")
    for rel in result.report.updated:
        print(f"  {'would update' if args.check else 'updated'} {args.out / rel}")
    for rel in result.report.deleted:
        print(f"  {'would delete' if args.check else 'deleted'} {args.out / rel}")
    if result.ignored:
        # One line, as promised: these keys cannot change what validates (UI hints, new metadata).
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
    for entry in result.spec_changes:
        counts = ", ".join(f"{n} {cls}" for cls, n in summary(list(entry.changes)).items())
        print(
            f"  {'would append' if args.check else 'appended'} CHANGES.md entry for "
            f"{entry.slug}: {counts}"
        )
    skipped = len(result.destinations) - len(result.rendered)
    print(
        f"destgen generate: {plural(len(result.destinations), 'destination')} "
        f"({len(result.rendered)} rendered, "
        f"{skipped} unchanged), {result.models} models, {result.builders} builders; "
        f"{plural(len(changed), 'file')} {verb} in {time.perf_counter() - started:.2f}s"
    )
    broken = [r for r in result.refused if not r.not_a_destination]
    if broken:
        # The rest was generated; the run still fails, so a destination spec refused for a
        # reason never passes for done (specs that are no destination are expected in a folder).
        print(
            f"destgen generate: {plural(len(broken), 'destination spec')} refused; "
            "each reason above names its file and JSON pointer",
            file=sys.stderr,
        )
        return Exit.USAGE
    return Exit.CHANGES if args.check and changed else Exit.OK
