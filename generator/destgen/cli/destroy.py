"""``destgen destroy FILE``: remove a file's dataflow, then each connection it used that nothing
else uses, after showing what goes and what stays.

Order matters: the service refuses to delete a connection a dataflow still uses, so the dataflow
goes first, then its target connection, its base connection and its source connection. Mapping
sets and Data Prep schemas stay: Data Prep documents no DELETE.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from destgen_runtime.activation.datasets import replaced_sources
from destgen_runtime.api import operations as ops
from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID
from destgen_runtime.api.operations import Entity
from destgen_runtime.transport.adoption import adoptable
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.errors import DestgenError

from destgen.cli.activate import load_or_report
from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.infra import confirmed
from destgen.cli.json_output import print_report
from destgen.cli.say import say


@dataclass(frozen=True)
class Removal:
    """One entity the file describes: deleted, or kept because ``users`` still need it."""

    collection: str
    entity: Entity
    users: int = 0


def run_destroy(args: argparse.Namespace) -> int:
    """Each file (a folder: its activation files, in order) in turn: show what goes and what
    stays, confirm, delete; exit 0 all done, else the worst exit of any file.
    """
    from destgen.cli.infra import activation_files

    files = activation_files(args.paths)
    if not files:
        say(f"no activation files in {args.paths}")
        return Exit.USAGE
    # --json: the report is the one document on stdout; what goes and stays is told on stderr.
    out = sys.stderr if getattr(args, "json", False) else sys.stdout
    codes, reports = [], []
    for path in files:
        if len(files) > 1:
            print(f"== {path}", file=out)
        report: dict[str, Any] = {"file": str(path), "deleted": [], "kept": []}
        code = _destroy_one(args, path, report, out)
        codes.append(code)
        reports.append(report | {"status": report.get("status", "error" if code else "done")})
    if getattr(args, "json", False):
        print_report({"files": reports})
    return max(codes)


def _destroy_one(args: argparse.Namespace, path: Path, report: dict[str, Any], out: TextIO) -> int:
    """One file: what goes and what stays, the confirmation, the deletes in order; ``report``
    gets each entity deleted or kept and the file's status.
    """
    payloads = load_or_report(path, "destroy", placeholders=True)
    if isinstance(payloads, Exit):
        return payloads
    file = payloads.file
    try:
        with client_from_args(args) as client:
            listed = client.run(ops.find_by_name("flows", file.dataflow.name)).items
            flow = adoptable(listed, payloads.flow_identity(), "dataflows")
            plan = _removals(client, flow, file)
            if not any(not r.users for r in plan):
                print(
                    f"destgen destroy: nothing of {file.dataflow.name!r} to remove; nothing to do",
                    file=out,
                )
                report["status"] = "nothing to do"
                return Exit.OK
            if flow is None:
                # An earlier destroy stopped part way (a 5xx, a lost connection): the dataflow is
                # gone, its connections are not. They are found by the file's names.
                print(
                    f"destgen destroy: no dataflow named {file.dataflow.name!r}; left over:",
                    file=out,
                )
            _show(plan, report, out)
            if not args.yes and not confirmed(
                1, "destroy", "the dataflow of", "the dataflow of {files} would be deleted"
            ):
                report["status"] = "not confirmed"
                return Exit.FAILED
            for removal in plan:
                if not removal.users:
                    client.run(ops.delete(removal.collection, removal.entity.id))
    except DestgenError as exc:
        say(f"failed: {exc}")
        report["error"] = str(exc)
        return Exit.FAILED
    print(f"destgen destroy: removed {sum(1 for r in plan if not r.users)} entities", file=out)
    report["status"] = "destroyed"
    return Exit.OK


def _show(plan: list[Removal], report: dict[str, Any], out: TextIO) -> None:
    """Each entity with what happens to it, as a line and in ``report``."""
    for removal in plan:
        name = removal.entity.data.get("name")
        what = {"collection": removal.collection, "name": name, "id": removal.entity.id}
        if removal.users:
            print(
                f"  = keep {removal.collection} {name!r} (used by {removal.users} more)", file=out
            )
            report["kept"].append(what | {"usedBy": removal.users})
        else:
            print(f"  - delete {removal.collection} {name!r} ({removal.entity.id})", file=out)
            report["deleted"].append(what)


def _removals(client: FlowServiceClient, flow: Entity | None, file: Any) -> list[Removal]:
    """The dataflow, then each connection it uses with how many other entities use it. Without
    the dataflow (a destroy that stopped part way), the connections the file names, by name.
    """
    flows = [f for f in client.iterate(ops.list_("flows")) if flow is None or f.id != flow.id]
    if flow is not None:
        target: Entity | None = client.run(
            ops.get("targetConnections", flow.data["targetConnectionIds"][0])
        )
        source: Entity | None = client.run(
            ops.get("sourceConnections", flow.data["sourceConnectionIds"][0])
        )
    else:
        target = _named(client, "targetConnections", file.target_connection.name)
        source = _named(client, "sourceConnections", file.source_name)
    base_id = str(target.data.get("baseConnectionId")) if target is not None else None
    base = (
        client.run(ops.get("connections", base_id))
        if base_id is not None
        else _named(client, "connections", file.base_connection.name)
    )
    found: list[Removal] = [Removal("flows", flow)] if flow is not None else []
    target_users = 0
    if target is not None:
        target_users = sum(target.id in (f.data.get("targetConnectionIds") or []) for f in flows)
        found.append(Removal("targetConnections", target, target_users))
    if base is not None:
        others = [
            t
            for t in client.iterate(ops.list_("targetConnections", f"baseConnectionId=={base.id}"))
            if target is None or t.id != target.id
        ]
        # A base connection goes only with its last target connection.
        found.append(Removal("connections", base, len(others) + (1 if target_users else 0)))
    if source is not None:
        found.append(
            Removal("sourceConnections", source, sum(source.id in _sources(f) for f in flows))
        )
        found += [
            Removal("sourceConnections", old, sum(old.id in _sources(f) for f in flows))
            for old in _replaced_sources(client, source)
        ]
    return found


def _named(client: FlowServiceClient, collection: str, name: str) -> Entity | None:
    """The one entity of ``collection`` with exactly this name; None for none or several."""
    exact = [
        e
        for e in client.run(ops.find_by_name(collection, name)).items
        if e.data.get("name") == name
    ]
    return exact[0] if len(exact) == 1 else None


def _sources(flow: Entity) -> list[str]:
    return list(flow.data.get("sourceConnectionIds") or [])


def _replaced_sources(client: FlowServiceClient, source: Entity) -> list[Entity]:
    """A dataset flow's earlier Data Lake source connections (same name, replaced when its dataset
    list changed and kept for a switch back): they go with the flow unless another uses them.
    """
    spec_id = (source.data.get("connectionSpec") or {}).get("id")
    if spec_id != DATA_LAKE_SPEC_ID:
        return []
    name = str(source.data.get("name"))
    listed = client.run(ops.find_by_name("sourceConnections", name)).items
    return replaced_sources(listed, name, source.id)
