"""Every ``destgen`` command: one module each under this package, and one table naming them.

A command module holds the command's ``DESCRIPTION`` (its ``--help`` text), ``add_arguments``
(its options, the shared groups from options.py included) and ``run`` (arguments in, exit code
out; exit_codes.py). The table below gives each command its one-line summary for ``destgen
--help`` and what the dispatcher must know before it runs, so ``destgen --help`` imports no
command module at all, and a command imports only its own (as pip's ``commands_dict`` does).
Adding a command is one module here plus its row.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class CommandInfo:
    """A command's row: its summary, and how it meets a destgen project."""

    summary: str
    # Reads destinations: inside a project it imports the project's library (project_library.py).
    uses_library: bool = False
    # The argument holding its activation files, which default to the project's when none given.
    files: str | None = None


COMMANDS: dict[str, CommandInfo] = {
    "init": CommandInfo("make a destgen project: config, specs folder, library, activation folder"),
    "generate": CommandInfo("regenerate the library from the connection specs"),
    "fetch": CommandInfo(
        "download connection specs into the specs folder (the project's, else specs_cache/)"
    ),
    "diff": CommandInfo(
        "what changed between two spec folders, classed breaking/additive/cosmetic"
    ),
    "doctor": CommandInfo(
        "check credentials, sandbox, spec ids and drift of the generated code", uses_library=True
    ),
    "validate": CommandInfo(
        "validate payload files offline against the generated models",
        uses_library=True,
        files="files",
    ),
    "activate": CommandInfo(
        "run the whole activation described by a YAML or JSON file", uses_library=True
    ),
    "activation-schema": CommandInfo(
        "print the JSON Schema of activation files", uses_library=True
    ),
    "plan": CommandInfo(
        "show what apply would change, per file (exit 3 when anything would)",
        uses_library=True,
        files="paths",
    ),
    "apply": CommandInfo(
        "make the sandbox match the files: create, change and (--prune) remove",
        uses_library=True,
        files="paths",
    ),
    "export": CommandInfo(
        "write activation files from the dataflows that exist", uses_library=True
    ),
    "promote": CommandInfo(
        "copy destination setups from one sandbox to another, resolving ids by name",
        uses_library=True,
    ),
    "destroy": CommandInfo(
        "remove each file's dataflow (files or folders) and connections nothing else uses",
        uses_library=True,
    ),
    "status": CommandInfo(
        "recent runs of each file's dataflow; exit 1 when one failed (for cron and CI)",
        uses_library=True,
        files="paths",
    ),
    "datasets": CommandInfo("list the datasets the sandbox can export (for dataset export)"),
    "audiences": CommandInfo(
        "list the sandbox's audiences: id, name, sandbox (for activation files)"
    ),
    "new": CommandInfo(
        "write a commented activation file to start from, for any destination", uses_library=True
    ),
    "fmt": CommandInfo(
        "rewrite activation files in one canonical layout (--check for CI)", files="paths"
    ),
    "completion": CommandInfo(
        "print a shell completion script (bash, zsh, fish) for every command and option"
    ),
    "destinations": CommandInfo(
        "list the destinations the library was generated for (or a spec folder would give)",
        uses_library=True,
    ),
    "preview": CommandInfo(
        "show the files the next run of an activation file would write (no server)",
        uses_library=True,
    ),
    "emulator": CommandInfo(
        "run a local Flow Service on loopback (bundled; --s3/--sftp need the storage extra)"
    ),
    "demo": CommandInfo("the main job: every examples/ activation against a local emulator"),
}


def command_module(name: str) -> ModuleType:
    """The module of command ``name`` (``activation-schema`` -> ``commands.activation_schema``)."""
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")


def add_command(commands: argparse._SubParsersAction, name: str, *, whole: bool) -> None:  # type: ignore[type-arg]
    """Add ``name`` to ``commands``: ``whole``, with its description and options (its module
    imported); else only its summary, as ``destgen --help`` lists it.
    """
    summary = COMMANDS[name].summary
    if not whole:
        commands.add_parser(name, help=summary)
        return
    module = command_module(name)
    parser = commands.add_parser(name, help=summary, description=module.DESCRIPTION)
    module.add_arguments(parser)


def run_command(args: argparse.Namespace) -> int:
    """Run ``args.command``; a networked command first says where it acts."""
    from destgen.cli.say import running
    from destgen.cli.target import announce

    running(args.command)
    try:
        if (refused := announce(args)) is not None:
            return int(refused)
        return int(command_module(args.command).run(args))
    finally:
        running(None)
