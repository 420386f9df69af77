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
from destgen.cli.commands import COMMANDS, add_command, run_command
from destgen.cli.exit_codes import Exit
from destgen.errors import GeneratorError
from destgen.project import Project, find_project, project_at
from destgen.resources import set_active_project


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser: every command listed with its summary, and ``command`` with its options (its
    module imported); None: every command whole (completion, the reference docs).
    """
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
    for name in COMMANDS:
        add_command(commands, name, whole=command is None or name == command)
    return parser


# What Ctrl-C leaves: every write is idempotent by name (a create is found before it is made
# again), so the same command picks up where it stopped.
INTERRUPTED = (
    "destgen: interrupted; re-running the same command is safe: what it made is found by name "
    "and nothing is made twice"
)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``destgen`` command: parse ``argv``, run one subcommand, return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        project, command = _choose_project(argv)
    except GeneratorError as exc:
        print(f"destgen: error: {exc}", file=sys.stderr)
        return Exit.USAGE
    # Only the command asked for is built whole: `destgen --help` imports no command module.
    parser = _parser(command or "")
    args = parser.parse_args(argv)
    files = COMMANDS[args.command].files
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


def _choose_project(argv: list[str]) -> tuple[Project | None, str | None]:
    """The project of this run (``--project DIR``, else found from the current folder), made
    active before the parser is built (its defaults name the project's folders) and, for a
    command that reads destinations, its library made the one imported.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--project", type=Path)
    known, rest = early.parse_known_args(argv)
    command = next((a for a in rest if not a.startswith("-")), None)
    if command not in COMMANDS:
        return None, None  # --help, --version, a typo argparse reports: no project needed
    project = project_at(known.project) if known.project else find_project(Path.cwd())
    set_active_project(project)
    if project is not None and COMMANDS[command].uses_library:
        from destgen.project_library import use_project_library

        in_use = use_project_library(project)
        if in_use.stale:
            print(
                f"destgen: warning: the specs of {', '.join(in_use.stale)} changed since "
                f"{project.library} was generated: run `destgen generate`",
                file=sys.stderr,
            )
    return project, command


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return run_command(args)
    except GeneratorError as exc:
        print(f"destgen: error: {exc}", file=sys.stderr)
        return Exit.USAGE
