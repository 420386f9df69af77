"""``destgen audiences``: the sandbox's audiences (id, name, sandbox), so an activation file can
name them without a call to the Segmentation API by hand (credentials and sandbox from the
AEP_* environment or --sandbox, as every networked command).
"""

from __future__ import annotations

import argparse
import sys

from destgen_runtime.api import operations as ops
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.redact import printable

from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen.cli.wording import plural


def run_audiences(args: argparse.Namespace) -> int:
    """List every audience (all pages), or those named ``--name``; exit 1 when none is found by
    that name or the call fails.
    """
    try:
        with client_from_args(args, sandbox=args.sandbox) as client:
            found = [e.data for e in client.iterate(ops.audiences(args.name))]
    except DestgenError as exc:
        say(f"failed: {exc}")
        return Exit.FAILED
    rows = [
        {
            "id": str(a.get("id", "")),
            "name": str(a.get("name", "")),
            "sandbox": str((a.get("sandbox") or {}).get("sandboxName", "")),
        }
        for a in found
    ]
    if args.json:
        print_report({"audiences": rows})
    else:
        for row in rows:
            # Names come from the server: escaped before they reach a terminal.
            print(f"{row['id']}  {printable(row['name'])}  ({printable(row['sandbox'])})")
        print(plural(len(rows), "audience"), file=sys.stderr)
    if args.name is not None and not rows:
        say(f"no audience named {args.name!r}")
        return Exit.FAILED
    return Exit.OK
