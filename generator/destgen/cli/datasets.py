"""``destgen datasets``: the datasets the sandbox can export, so a dataset export can name them
without the UI (credentials and sandbox from the AEP_* environment, as for activate).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import check_sandbox_name, identity_from_env
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.redact import printable

from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen.cli.wording import plural


def run_datasets(args: argparse.Namespace) -> int:
    """List every eligible dataset (all pages); exit 1 with the reason when the call fails."""
    try:
        identity = identity_from_env()
        if args.sandbox:
            check_sandbox_name(args.sandbox, "--sandbox")
            identity = dataclasses.replace(identity, sandbox=args.sandbox)
        with FlowServiceClient(base_url=args.base_url, identity=identity) as client:
            found = [e.data for e in client.iterate(ops.eligible_datasets(limit=args.page_size))]
    except DestgenError as exc:
        say(f"failed: {exc}")
        return Exit.FAILED
    rows = [
        {"id": str(d.get("id", "")), "name": str(d.get("name", "")), "state": d.get("state")}
        for d in found
    ]
    if args.json:
        print_report({"datasets": rows})
        return Exit.OK
    for row in rows:
        # Names come from the server: escaped before they reach a terminal.
        print(f"{row['id']}  {printable(str(row['name']))}")
    print(f"{plural(len(rows), 'dataset')} can be exported", file=sys.stderr)
    return Exit.OK
