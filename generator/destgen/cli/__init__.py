"""The ``destgen`` command line: argument parsing, summaries and exit codes, nothing else.

Exit codes come from exit_codes.py, one table for every command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from destgen import __version__
from destgen.cli import exit_codes
from destgen.cli.exit_codes import Exit
from destgen.cli.wording import plural
from destgen.errors import GeneratorError
from destgen.resources import default_specs_dir, examples_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="destgen",
        description="Typed models and builders for Experience Platform file-based destinations.",
        epilog=exit_codes.table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"destgen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gen = commands.add_parser(
        "generate",
        help="regenerate generated/ from the cached connection specs",
        description="Regenerate generated/ from specs_cache/. Destinations whose spec, the "
        "templates and the generator are unchanged are skipped.",
    )
    gen.add_argument(
        "--specs",
        type=Path,
        default=default_specs_dir(),
        help="spec cache folder (default: specs_cache/)",
    )
    gen.add_argument(
        "--out",
        type=Path,
        default=Path("generated"),
        help="output package folder (default: generated/)",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; re-render all, list what would change, exit 3 if anything would",
    )
    gen.add_argument(
        "--force", action="store_true", help="re-render every destination even if unchanged"
    )
    gen.add_argument("--quiet", action="store_true", help="print only errors and the changed files")

    emu = commands.add_parser(
        "emulator",
        help="run a local Flow Service on loopback (needs the emulator extra)",
        description="Start the local Flow Service emulator in the foreground; print its base URL.",
    )
    from destgen_emulator.cli import add_arguments

    add_arguments(emu)
    # The tool's own specs (its package data, or ./specs_cache): the emulator it bundles has none.
    emu.set_defaults(specs=default_specs_dir())

    from destgen.cli.arguments import (
        add_activate,
        add_datasets,
        add_destroy_status,
        add_export,
        add_plan_apply,
        add_promote,
        add_spec_commands,
    )

    add_spec_commands(commands)

    add_activate(commands)
    add_plan_apply(commands)
    add_export(commands)
    add_promote(commands)
    add_destroy_status(commands)
    add_datasets(commands)
    commands.add_parser(
        "demo",
        help="the main job: every examples/ activation against a local emulator",
        description="Start the emulator on 127.0.0.1, run every examples/ activation against it "
        "(demo secrets are set for the run), let a day pass and print the entities and their runs.",
    )

    val = commands.add_parser(
        "validate",
        help="validate payload files offline against the generated models",
        description="Validate JSON payload files and activation files (JSON or YAML, checked "
        "as activate --dry-run checks them). Exit 0 when all are valid, 1 when any is "
        "invalid (one line per problem: file, JSON path, rule), 2 when a file cannot be read.",
    )
    from destgen.cli.validate import ACTIVATION, AUTO, KINDS

    val.add_argument(
        "--kind",
        default=AUTO,
        choices=[AUTO, ACTIVATION, *sorted(KINDS)],
        help="what each file holds (default auto: told from each payload's keys and spec ids; "
        "the workflow from its flow spec or datasetFileType)",
    )
    val.add_argument(
        "--destination",
        help="destination slug; optional when the payload's connectionSpec or flowSpec id tells",
    )
    val.add_argument("--json", action="store_true", help="print one JSON document")
    val.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="payload file, a folder (its *.json files) or - for stdin",
    )
    dest = commands.add_parser(
        "destinations",
        help="list the destinations the library was generated for",
        description="Slugs, names, connection spec ids, auth variants and spec hashes.",
    )
    dest.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``destgen`` command: parse ``argv``, run one subcommand, return its exit code."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # `destgen activation-schema | head`: the reader left; say nothing more, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.FAILED
    except KeyboardInterrupt:
        print("destgen: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED


def _dispatch(args: argparse.Namespace) -> int:
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command in ("fetch", "diff", "doctor"):
            from destgen.cli import spec_commands

            return int(getattr(spec_commands, f"run_{args.command}")(args))
        if args.command == "activate":
            from destgen.cli.activate import run_activate

            return run_activate(args)
        if args.command in ("destroy", "status"):
            from destgen.cli import destroy, status

            return (
                destroy.run_destroy(args) if args.command == "destroy" else status.run_status(args)
            )
        if args.command == "promote":
            from destgen.cli.promote import run_promote

            return run_promote(args)
        if args.command == "export":
            from destgen.cli.export import run_export

            return run_export(args)
        if args.command in ("plan", "apply"):
            from destgen.cli.infra import run_apply, run_plan

            return run_plan(args) if args.command == "plan" else run_apply(args)
        if args.command == "activation-schema":
            from destgen.cli.activate import run_schema

            return run_schema()
        if args.command == "demo":
            from destgen.cli.demo import run_demo

            return run_demo(examples_dir())
        if args.command == "emulator":
            from destgen_emulator.cli import run

            return run(args)
        if args.command == "datasets":
            from destgen.cli.datasets import run_datasets

            return run_datasets(args)
        if args.command == "destinations":
            from destgen.cli.destinations import run_destinations

            return run_destinations(args.json)
        from destgen.cli.validate import run_validate

        return run_validate(
            args.kind, args.destination, args.files, out=sys.stdout, as_json=args.json
        )
    except GeneratorError as exc:
        print(f"destgen: error: {exc}", file=sys.stderr)
        return Exit.USAGE


def _generate(args: argparse.Namespace) -> int:
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
    for entry in result.spec_changes:
        counts = ", ".join(f"{n} {cls}" for cls, n in summary(list(entry.changes)).items())
        print(
            f"  {'would append' if args.check else 'appended'} CHANGES.md entry for "
            f"{entry.slug}: {counts}"
        )
    skipped = len(result.destinations) - len(result.rendered)
    print(
        f"destgen generate: {len(result.destinations)} destinations "
        f"({len(result.rendered)} rendered, "
        f"{skipped} unchanged), {result.models} models, {result.builders} builders; "
        f"{plural(len(changed), 'file')} {verb} in {time.perf_counter() - started:.2f}s"
    )
    return Exit.CHANGES if args.check and changed else Exit.OK
