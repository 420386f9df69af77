"""The ``destgen`` command line: argument parsing, summaries and exit codes, nothing else.

Exit codes come from exit_codes.py, one table for every command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from destgen import __version__
from destgen.cli import exit_codes
from destgen.cli.exit_codes import Exit
from destgen.errors import GeneratorError
from destgen.project import Project, find_project, project_at
from destgen.resources import default_library_dir, default_specs_dir, set_active_project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="destgen",
        description="Typed models, builders and destinations as code for Experience Platform "
        "destinations (file-based and streaming), generated from their connection specs.",
        epilog=exit_codes.table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"destgen {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print every request and response line to stderr (method, path, status, sizes, "
        "request id; never a header or a body); DESTGEN_LOG=debug does the same",
    )
    parser.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help="use the destgen project configured in DIR (default: the nearest destgen.toml or "
        "pyproject.toml with [tool.destgen] in this folder or a parent)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from destgen.cli.arguments import add_init

    add_init(commands)
    gen = commands.add_parser(
        "generate",
        help="regenerate the library from the connection specs",
        description="Regenerate the library from the specs: in a project, its library from its "
        "specs folder; elsewhere generated/ from specs_cache/. Destinations whose spec, the "
        "templates and the generator are unchanged are skipped.",
    )
    gen.add_argument(
        "--specs",
        type=Path,
        default=default_specs_dir(),
        help=f"spec folder (default: {default_specs_dir()})",
    )
    gen.add_argument(
        "--out",
        type=Path,
        default=default_library_dir(),
        help=f"output library folder (default: {default_library_dir()})",
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
        help="run a local Flow Service on loopback (bundled; --s3/--sftp need the storage extra)",
        description="Start the local Flow Service emulator in the foreground; print its base URL.",
    )
    from destgen_emulator.http.cli import add_arguments

    add_arguments(emu)
    # The tool's own specs (its package data, or ./specs_cache): the emulator it bundles has none.
    emu.set_defaults(specs=default_specs_dir())

    from destgen.cli.arguments import (
        add_activate,
        add_audiences,
        add_completion,
        add_datasets,
        add_destroy_status,
        add_export,
        add_json,
        add_new,
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
    add_audiences(commands)
    add_new(commands)
    from destgen.cli import fmt

    fmt.add_arguments(
        commands.add_parser(
            "fmt",
            help="rewrite activation files in one canonical layout (--check for CI)",
            description="Re-indent activation files as terraform fmt does: JSON two-space "
            "indented, YAML with its comments, key order and quoting kept. Only the layout "
            "changes. Prints each file changed. Exit 0 done, 3 with --check when a file is not "
            "formatted (nothing written), 1 a file that does not parse, 2 no such path.",
        )
    )
    add_completion(commands)
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
    add_json(val)
    val.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="payload file, a folder (its *.json files) or - for stdin (default in a project: "
        "its activation files)",
    )
    preview = commands.add_parser(
        "preview",
        help="show the files the next run of an activation file would write (no server)",
        description="File names from the templates, the first rows as written (CSV options, "
        "JSON, Parquet), sizes with and without compression, and whether the PGP key can "
        "encrypt; the emulator's --deliver-to writes with the same renderer. Exit 0 shown, "
        "1 invalid file or unusable key, 2 unreadable file or no files to show (a stream).",
    )
    preview.add_argument("file", type=Path, metavar="FILE", help="an activation file")
    preview.add_argument(
        "--rows", type=int, default=100, help="profiles per audience file (default 100)"
    )
    preview.add_argument(
        "--seed", type=int, default=0, help="the rows' seed (the emulator's --seed gives the same)"
    )
    preview.add_argument("--out", type=Path, metavar="DIR", help="also write the sample files")
    add_json(preview)
    dest = commands.add_parser(
        "destinations",
        help="list the destinations the library was generated for (or a spec folder would give)",
        description="Slugs, names, connection spec ids, what each supports (audience files, "
        "streamed audiences, dataset files), auth variants and spec hashes. With --specs DIR: "
        "what that folder of connection specs would generate, and why a spec is refused "
        "(exit 2 when a destination spec is).",
    )
    dest.add_argument(
        "--specs", type=Path, help="a folder of connection specs (raw or with a manifest)"
    )
    add_json(dest)
    return parser


# What Ctrl-C leaves: every write is idempotent by name (a create is found before it is made
# again), so the same command picks up where it stopped.
INTERRUPTED = (
    "destgen: interrupted; re-running the same command is safe: what it made is found by name "
    "and nothing is made twice"
)
# Commands that read destinations: inside a project they use its library (project_library.py).
USES_LIBRARY = frozenset(
    {
        "validate",
        "activate",
        "activation-schema",
        "plan",
        "apply",
        "export",
        "promote",
        "destroy",
        "status",
        "destinations",
        "preview",
        "doctor",
        "new",
    }
)
# Commands whose files default to the project's activation files, and the argument holding them.
FILE_ARGUMENTS = {"plan": "paths", "apply": "paths", "status": "paths", "validate": "files"}


def main(argv: Sequence[str] | None = None) -> int:
    """The ``destgen`` command: parse ``argv``, run one subcommand, return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        project = _choose_project(argv)
    except GeneratorError as exc:
        print(f"destgen: error: {exc}", file=sys.stderr)
        return Exit.USAGE
    parser = _parser()
    args = parser.parse_args(argv)
    files = FILE_ARGUMENTS.get(args.command)
    if files is not None and not getattr(args, files):
        if project is None:
            parser.error(
                f"{args.command}: give FILE or DIR, or run it inside a destgen project "
                "(destgen init makes one) to use the project's activation files"
            )
        setattr(args, files, list(project.activations))
    verbose = args.verbose or os.environ.get("DESTGEN_LOG", "").lower() == "debug"
    undo_log = request_log() if verbose else None
    try:
        code = _dispatch(args)
        # Flushed here, not at interpreter exit, where a closed pipe is a printed warning.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # `destgen activation-schema | head`: the reader left; say nothing more, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.FAILED
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return Exit.INTERRUPTED
    finally:
        if undo_log is not None:
            undo_log()


def request_log() -> Callable[[], None]:
    """Every request and response line of the client on stderr, escaped (server text is never
    run by the terminal); what core.py logs holds no header and no body, so no secret. Returns
    what undoes it (``main`` may run again in the same process).
    """
    import logging

    from destgen_runtime.transport.redact import printable

    class ToStderr(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # The current stderr at each line, never one captured when the handler was made.
            print(f"destgen: {printable(record.getMessage())}", file=sys.stderr)

    logger = logging.getLogger("destgen.client")
    handler, level = ToStderr(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return undo


def _choose_project(argv: list[str]) -> Project | None:
    """The project of this run (``--project DIR``, else found from the current folder), made
    active before the parser is built (its defaults name the project's folders) and, for a
    command that reads destinations, its library made the one imported.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--project", type=Path)
    known, rest = early.parse_known_args(argv)
    command = next((a for a in rest if not a.startswith("-")), None)
    if command is None:
        return None  # --help, --version: no project needed
    project = project_at(known.project) if known.project else find_project(Path.cwd())
    set_active_project(project)
    if project is not None and command in USES_LIBRARY:
        from destgen.project_library import use_project_library

        in_use = use_project_library(project)
        if in_use.stale:
            print(
                f"destgen: warning: the specs of {', '.join(in_use.stale)} changed since "
                f"{project.library} was generated: run `destgen generate`",
                file=sys.stderr,
            )
    return project


def _dispatch(args: argparse.Namespace) -> int:
    from destgen.cli.commands import run_command

    try:
        return run_command(args)
    except GeneratorError as exc:
        print(f"destgen: error: {exc}", file=sys.stderr)
        return Exit.USAGE
