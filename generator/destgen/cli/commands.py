"""Every ``destgen`` command and the function that runs it: one table, read by the dispatcher.

Each entry is ``module:function``, imported on first use so ``destgen --help`` stays fast; each
function takes the parsed arguments and returns an exit code (exit_codes.py).
"""

from __future__ import annotations

import argparse
import importlib

COMMANDS: dict[str, str] = {
    "init": "destgen.cli.init:run_init",
    "generate": "destgen.cli.generate:run_generate",
    "fetch": "destgen.cli.spec_commands:run_fetch",
    "diff": "destgen.cli.spec_commands:run_diff",
    "doctor": "destgen.cli.spec_commands:run_doctor",
    "validate": "destgen.cli.validate:run_validate_command",
    "activate": "destgen.cli.activate:run_activate",
    "activation-schema": "destgen.cli.activate:run_schema",
    "plan": "destgen.cli.infra:run_plan",
    "apply": "destgen.cli.infra:run_apply",
    "export": "destgen.cli.export:run_export",
    "promote": "destgen.cli.promote:run_promote",
    "destroy": "destgen.cli.destroy:run_destroy",
    "status": "destgen.cli.status:run_status",
    "datasets": "destgen.cli.datasets:run_datasets",
    "audiences": "destgen.cli.audiences:run_audiences",
    "new": "destgen.cli.new:run_new",
    "fmt": "destgen.cli.fmt:run_fmt",
    "completion": "destgen.cli.completion:run_completion",
    "destinations": "destgen.cli.destinations:run_destinations_command",
    "preview": "destgen.cli.preview:run_preview",
    "emulator": "destgen_emulator.http.cli:run",
    "demo": "destgen.cli.demo:run_demo_command",
}


def run_command(args: argparse.Namespace) -> int:
    """Run ``args.command`` through the table; a networked command first says where it acts."""
    from destgen.cli.target import announce

    if (refused := announce(args)) is not None:
        return int(refused)
    module, function = COMMANDS[args.command].split(":")
    return int(getattr(importlib.import_module(module), function)(args))
