"""``destgen export``: activation files from the dataflows that exist, one or all of them.

Files are written whole or not at all (temp file, then rename); an existing file is replaced only
with ``--force``, and every name is checked before the first is written. Secrets are never read
(the service masks them): the files name environment variables, listed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from destgen_runtime.activation.export import (
    NotADestinationFlow,
    destination_of,
    export_flow,
)
from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Entity
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.errors import ApiError, DestgenError, TransportError
from destgen_runtime.transport.redact import one_line, printable

from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.odd_data import ODD_DATA
from destgen.cli.say import say
from destgen.writer import atomic_write_text

UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")
# A file name's stem at most this long (file systems stop at 255 bytes): a longer dataflow name
# keeps its first words and a digest of the whole name, so two long names never meet.
MAX_STEM = 96


def run_export(args: argparse.Namespace) -> int:
    """Export one dataflow (``--flow``) to stdout or ``--out``, or all (``--all DIR``)."""
    try:
        with client_from_args(args) as client:
            variables: dict[str, str] = {}
            if args.flow:
                flow = _one_flow(client, args.flow)
                docs = [(flow, client.follow(export_flow(flow, variables)))]
                failed: list[str] = []
            else:
                docs, failed = export_each(client, destination_flows(client), variables)
    except DestgenError as exc:
        say(str(exc))
        return Exit.FAILED
    for problem in failed:
        say(f"skipped {problem}")
    if args.flow and args.out is None:
        print(json.dumps(docs[0][1], indent=2))
    else:
        targets = _targets(args, docs)
        clash = [str(p) for p in targets if p.exists() and not args.force]
        if clash:
            say(f"would replace {', '.join(clash)}; pass --force")
            return Exit.FAILED
        for n, (path, (_flow, doc)) in enumerate(zip(targets, docs, strict=True), 1):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, document_text(path, doc))
            named = one_line(str(doc["dataflow"]["name"]))
            print(f"[{n}/{len(docs)}] {named} -> {path}", file=sys.stderr)
    names = sorted(set(variables.values()))
    if names:
        say(f"set {', '.join(names)} before apply (plan needs none)")
    return Exit.FAILED if failed else Exit.OK


def export_each(
    client: FlowServiceClient, flows: list[Entity], variables: dict[str, str]
) -> tuple[list[tuple[Entity, dict[str, Any]]], list[str]]:
    """Every dataflow that reads back as a file, and one line for each that does not: one odd
    dataflow never stops a sandbox's export (or promote).
    """
    docs, failed = [], []
    for flow in flows:
        try:
            docs.append((flow, client.follow(export_flow(flow, variables))))
        except TransportError:
            raise  # the service is out of reach: no other dataflow would fare better
        except ODD_DATA as exc:
            named = printable(str(flow.data.get("name")))
            failed.append(f"{named!r} ({flow.id}): {printable(str(exc) or type(exc).__name__)}")
    return docs, failed


def _one_flow(client: FlowServiceClient, wanted: str) -> Entity:
    if UUID.match(wanted):
        try:
            return client.run(ops.get("flows", wanted))
        except ApiError as exc:
            if exc.status != 404:
                raise
    found = [
        e
        for e in client.run(ops.find_by_name("flows", wanted)).items
        if e.data.get("name") == wanted
    ]
    if len(found) != 1:
        what = "no dataflow" if not found else f"{len(found)} dataflows"
        raise DestgenError(f"{what} named {wanted!r}; pass the dataflow id")
    return found[0]


def destination_flows(client: FlowServiceClient) -> list[Entity]:
    """Every dataflow of the sandbox whose flow spec is one of the generated destinations'."""
    flows = []
    for flow in client.iterate(ops.list_("flows")):
        try:
            destination_of(flow.data)
        except NotADestinationFlow:
            continue  # other flows of the sandbox (sources, other destinations) are not ours
        flows.append(flow)
    return flows


def _targets(args: argparse.Namespace, docs: list[tuple[Entity, dict[str, Any]]]) -> list[Path]:
    if args.flow:
        return [Path(args.out)]
    folder = Path(args.all)
    return [folder / name for name in file_names([doc for _flow, doc in docs])]


def document_text(path: Path, doc: dict[str, Any]) -> str:
    """The activation file as ``path`` names it: YAML for ``.yaml``/``.yml``, else JSON."""
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return json.dumps(doc, indent=2) + "\n"


def file_names(docs: list[dict[str, Any]]) -> list[str]:
    """One ``<stem>.json`` per exported file, from its dataflow's name; alike names numbered."""
    used: set[str] = set()
    names = []
    for doc in docs:
        stem = file_stem(str((doc.get("dataflow") or {}).get("name") or "flow"))
        name, n = stem, 2
        while name in used:
            name, n = f"{stem}_{n}", n + 1
        used.add(name)
        names.append(f"{name}.json")
    return names


def file_stem(name: str) -> str:
    """A dataflow's name as a file name's stem: lower-case ASCII words joined by ``_``, at most
    ``MAX_STEM`` characters (a longer one ends in a digest of the whole name).
    """
    stem = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "flow"
    if len(stem) <= MAX_STEM:
        return stem
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{stem[: MAX_STEM - 11].rstrip('_')}_{digest}"
