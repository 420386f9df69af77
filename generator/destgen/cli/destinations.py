"""``destgen destinations``: what the installed library knows, from its generated ``spec`` modules,
or with ``--specs DIR`` what a folder of connection specs would give: what each destination
supports (the workflow kinds of the runtime's registry: audience files, streamed audiences,
dataset files) and why a spec is refused.

Reads only; prints a table or, with ``--json``, one JSON document.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from destgen_runtime.activation import workflows
from destgen_runtime.activation.workflows import Workflow

from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say


def destination_facts() -> list[dict[str, Any]]:
    """One record per generated destination: slug, name, spec ids, auth variants, spec hash."""
    from destgen_destinations import registry

    facts = []
    for slug in registry.SLUGS:
        spec = registry.destination(slug).spec
        facts.append(
            _record(
                slug=slug,
                name=spec.NAME,
                spec_id=spec.CONNECTION_SPEC_ID,
                version=spec.CONNECTION_SPEC_VERSION,
                flow_spec_id=spec.AUDIENCE_FLOW_SPEC_ID,
                kinds=workflows.supported(spec),
                auth=list(spec.AUTH_SPEC_NAMES),
                encryption=spec.ENCRYPTION_SPEC_NAME is not None,
                sha256=spec.SPEC_SHA256,
            )
        )
    return facts


def _record(
    *,
    slug: str,
    name: str,
    spec_id: str,
    version: str,
    flow_spec_id: str | None,
    kinds: list[Workflow],
    auth: list[str],
    encryption: bool,
    sha256: str,
) -> dict[str, Any]:
    """One destination as the table and ``--json`` show it, from a package or from a spec."""
    return {
        "slug": slug,
        "name": name,
        "connectionSpecId": spec_id,
        "connectionSpecVersion": version,
        "audienceFlowSpecId": flow_spec_id,
        "supports": [kind.title for kind in kinds],
        "workflows": [kind.name for kind in kinds],
        "authSpecs": auth,
        "encryption": encryption,
        "specSha256": sha256,
    }


def folder_facts(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What ``generate --specs folder`` would build, and what it would refuse with every reason
    (the checks of generation, without writing anything).
    """
    from destgen.build_ir import build_ir
    from destgen.errors import GeneratorError
    from destgen.spec_folder import Refusal, read_spec_folder

    read = read_spec_folder(folder)
    refusals = list(read.refused)
    facts = []
    for spec in read.specs:
        try:
            ir = build_ir(spec)
        except GeneratorError as exc:
            # The envelope checks passed, so the spec has a name.
            refusals.append(Refusal(spec.file, str(spec.data["name"]), (str(exc),)))
            continue
        facts.append(
            _record(
                slug=ir.slug,
                name=ir.name,
                spec_id=ir.connection_spec_id,
                version=ir.connection_spec_version,
                flow_spec_id=ir.flow_spec_id,
                # What the generated spec module would say, asked of the same registry.
                kinds=workflows.supported(
                    SimpleNamespace(
                        STREAMING=ir.streaming, DATASET_FLOW_SPEC_ID=ir.dataset_flow_spec_id
                    )
                ),
                auth=[a.spec_name for a in ir.auth],
                encryption=ir.encryption is not None,
                sha256=ir.sha256,
            )
        )
    refused = [
        {
            "file": r.file,
            "name": r.name,
            "notADestination": r.not_a_destination,
            "reasons": list(r.reasons),
        }
        for r in refusals
    ]
    return facts, refused


def run_destinations_command(args: argparse.Namespace) -> int:
    """``destgen destinations``: the table, or ``--json``."""
    if args.specs is not None:
        return run_destinations(args.json, args.specs)
    return run_destinations(args.json)


def run_destinations(as_json: bool, folder: Path | None = None) -> int:
    """``destgen destinations``: the destinations this install (or ``folder``) can build, as a
    table or JSON; with a folder, exit 2 when a destination spec is refused.
    """
    if folder is not None and not folder.is_dir():
        say(f"{folder}: not a folder of connection specs")
        return Exit.USAGE
    facts, refused = folder_facts(folder) if folder is not None else (destination_facts(), [])
    broken = Exit.USAGE if any(not r["notADestination"] for r in refused) else Exit.OK
    if folder is None:
        from destgen.project_library import library_in_use

        # Which library answered, on stderr: the table and --json stay what they were.
        say(f"{library_in_use().describe()}")
    if as_json:
        if folder is None:
            print(json.dumps(facts, indent=2))  # a list, as it always was
        else:
            print_report({"destinations": facts, "refused": refused})
        return broken
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for column in ("slug", "name", "connection spec", "supports", "auth specs", "spec sha256"):
        table.add_column(column, overflow="fold")
    for fact in facts:
        auth = ", ".join(fact["authSpecs"]) or "(none)"
        cells = (
            fact["slug"],
            fact["name"],
            fact["connectionSpecId"],
            ", ".join(fact["supports"]),
            auth,
            fact["specSha256"][:12],
        )
        table.add_row(*(Text(cell) for cell in cells))
    Console().print(table)
    for refusal in refused:
        kind = "not a destination" if refusal["notADestination"] else "refused"
        print(f"{kind}: {refusal['name']} ({refusal['file']})")
        for reason in refusal["reasons"]:
            print(f"  {reason}")
    return broken
