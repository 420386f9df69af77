"""``destgen destinations``: what the installed library knows, from its generated ``spec`` modules.

Reads the library only; prints a table or, with ``--json``, one JSON document.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from destgen.cli.exit_codes import Exit


def destination_facts() -> list[dict[str, Any]]:
    """One record per generated destination: slug, name, spec ids, auth variants, spec hash."""
    from destgen_destinations import registry

    facts = []
    for slug in registry.SLUGS:
        spec = registry.destination(slug).spec
        facts.append(
            {
                "slug": slug,
                "name": spec.NAME,
                "connectionSpecId": spec.CONNECTION_SPEC_ID,
                "connectionSpecVersion": spec.CONNECTION_SPEC_VERSION,
                "audienceFlowSpecId": spec.AUDIENCE_FLOW_SPEC_ID,
                "authSpecs": list(spec.AUTH_SPEC_NAMES),
                "encryption": spec.ENCRYPTION_SPEC_NAME is not None,
                "specSha256": spec.SPEC_SHA256,
            }
        )
    return facts


def run_destinations_command(args: argparse.Namespace) -> int:
    """``destgen destinations``: the table, or ``--json``."""
    return run_destinations(args.json)


def run_destinations(as_json: bool) -> int:
    """``destgen destinations``: the destinations this install can build, as a table or JSON."""
    facts = destination_facts()
    if as_json:
        print(json.dumps(facts, indent=2))
        return Exit.OK
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for column in ("slug", "name", "connection spec", "auth specs", "spec sha256"):
        table.add_column(column, overflow="fold")
    for fact in facts:
        auth = ", ".join(fact["authSpecs"]) or "(none)"
        cells = (
            fact["slug"],
            fact["name"],
            fact["connectionSpecId"],
            auth,
            fact["specSha256"][:12],
        )
        table.add_row(*(Text(cell) for cell in cells))
    Console().print(table)
    return Exit.OK
