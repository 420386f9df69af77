"""``destgen activate``, ``destgen activation-schema`` and ``destgen demo``: files in, a table out.

Reads and checks the activation file before any request; the runtime does the sending.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from destgen_runtime.activation.engine import (
    ActivationResult,
    Payloads,
    activate,
    prepare,
)
from destgen_runtime.activation.file import (
    ActivationError,
    ActivationFile,
    activation_file_schema,
)
from destgen_runtime.activation.payloads import parse_activation_file
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import (
    Identity,
    StaticToken,
    check_sandbox_name,
    identity_from_env,
)
from destgen_runtime.transport.deadlines import Deadlines
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.retry import RetryPolicy

from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen.cli.wording import plural


def load_file(
    path: Path, *, placeholders: bool = False, digests: dict[Path, str] | None = None
) -> Payloads:
    """Parse, validate against the published schema, resolve secrets and check every payload.

    ``placeholders`` (dry runs): unset secret variables print as ``***`` instead of failing.
    ``digests``: gets the sha256 of the very bytes parsed (what a saved plan is bound to).
    """
    data = read_document(path, digests)
    payloads = prepare(parse_activation_file(data), placeholders=placeholders)
    if problems := encryption_key_problems(payloads.file):
        raise ActivationError(problems)
    return payloads


def encryption_key_problems(file: ActivationFile) -> list[str]:
    """Why the base connection's PGP key cannot stand (a private key, a key that cannot
    encrypt, not an OpenPGP key), as ``path: reason`` lines; the key is never quoted.
    """
    encryption = file.base_connection.encryption
    if encryption is None:
        return []
    from destgen_emulator.delivery.encrypt import KeyUnusable, load_key

    try:
        load_key(encryption.public_key)
    except KeyUnusable as exc:
        return [f"$.baseConnection.encryption.publicKey: {exc}"]
    return []


def _no_alias_loader() -> Any:
    """yaml's SafeLoader without aliases: ``&a [*a, *a, ...]`` nested ten deep is a billion
    nodes from a few hundred bytes (an alias bomb); no activation file needs an alias.
    """
    import yaml

    class NoAliases(yaml.SafeLoader):  # type: ignore[misc]  # yaml ships no type hints
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in activation files", mark
                )
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # yaml keeps the second of two equal keys silently; a reviewer may read the first.
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, Hashable) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"the key {key!r} appears twice in one mapping "
                        "(the second would silently win)",
                        key_node.start_mark,
                    )
                if isinstance(key, Hashable):
                    seen.add(key)
            return super().construct_mapping(node, deep)

    return NoAliases


def read_document(path: Path, digests: dict[Path, str] | None = None) -> Any:
    """An activation file's parsed YAML or JSON; FileNotFoundError naming the file otherwise.
    ``digests`` (when given) gets the sha256 of the bytes read, read once.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileNotFoundError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if digests is not None:
        digests[path] = hashlib.sha256(raw).hexdigest()
    from destgen.cli.fmt import NotParseable, parsed

    try:
        return parsed(raw, yaml=path.suffix in (".yaml", ".yml"), name=str(path))
    except NotParseable as exc:
        raise FileNotFoundError(str(exc)) from None


def read_yaml(text: str) -> Any:
    """YAML text as data, with no aliases (an alias bomb is refused) and no tags beyond YAML's."""
    import yaml

    return yaml.load(text, Loader=_no_alias_loader())


def load_or_report(
    path: Path, command: str, *, placeholders: bool, digests: dict[Path, str] | None = None
) -> Payloads | Exit:
    """The file's payloads, or its problems printed (one line each) and the exit code to return:
    ``USAGE`` when it cannot be read, ``FAILED`` when it is invalid.
    """
    try:
        payloads = load_file(path, placeholders=placeholders, digests=digests)
    except FileNotFoundError as exc:
        print(f"destgen{' ' + command if command else ''}: {exc}", file=sys.stderr)
        return Exit.USAGE
    except ActivationError as exc:
        for problem in exc.problems:
            print(f"{path}: {problem}", file=sys.stderr)
        return Exit.FAILED
    for warning in file_warnings(payloads.file):
        print(f"{path}: warning: {warning}", file=sys.stderr)
    return payloads


def file_warnings(file: ActivationFile) -> list[str]:
    """What a valid activation file does that its author may not expect: a word between percent
    signs that is no file name macro, a dataset export with no end (stopped after six months).
    Said by validate, plan, apply, activate and preview alike.
    """
    from destgen_runtime.payloads.audiences import template_warnings

    found = [
        f"$.audiences[{index}].filenameTemplate: {warning}"
        for index, entry in enumerate(file.audiences)
        if isinstance(entry.get("filenameTemplate"), str)
        for warning in template_warnings(entry["filenameTemplate"])
    ]
    schedule = file.dataflow.schedule
    if schedule is not None and schedule.end is None:
        found.append(
            "$.dataflow.schedule.end: none given: Adobe stops a dataset export six months after "
            "its creation"
        )
    return found


def run_activate(args: argparse.Namespace) -> int:
    """``destgen activate``: load, validate and run (or dry-run) each activation file."""
    payloads = load_or_report(args.file, "activate", placeholders=args.dry_run)
    if isinstance(payloads, Exit):
        return payloads
    try:
        identity = _identity(args)
        deadlines = Deadlines(request_s=args.request_timeout, run_s=args.deadline)
        retry = RetryPolicy(max_attempts=args.retries)
        with FlowServiceClient(
            base_url=args.base_url,
            identity=identity,
            retry=retry,
            dry_run=args.dry_run,
            deadlines=deadlines,
        ) as client:
            result = activate(client, payloads, progress=_progress(args.dry_run, args.json))
    except DestgenError as exc:
        say(f"failed: {exc}")
        return Exit.FAILED
    if args.json:
        print_report(result_json(result, str(args.file)))
    elif not args.dry_run:
        print_table(result, title=str(args.file))
    return Exit.OK


def result_json(result: ActivationResult, file: str) -> dict[str, Any]:
    """``activate --json``: every step with its entity's id and etag, and the summary counts."""
    rows = [
        {"entity": r.entity, "name": r.name, "id": r.id, "etag": r.etag, "action": r.action}
        for r in result.rows
    ]
    return {"file": file, "steps": rows, "summary": dict(sorted(_counts(result).items()))}


def summary_line(result: ActivationResult) -> str:
    """``9 steps: 4 created, 5 updated``: the one line a person reads after the table."""
    counts = _counts(result)
    parts = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    return f"{plural(len(result.rows), 'step')}: {parts}" if parts else "0 steps"


def _counts(result: ActivationResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.action] = counts.get(row.action, 0) + 1
    return counts


def _identity(args: argparse.Namespace) -> Identity:
    if args.dry_run:
        # A dry run sends nothing, so it needs no credentials; headers print as ***.
        return Identity(
            StaticToken("***"),
            "***",
            os.environ.get("AEP_ORG_ID", "{ORG_ID}"),
            args.sandbox or os.environ.get("AEP_SANDBOX_NAME"),
        )
    identity = identity_from_env(token_url=args.token_url)
    if args.sandbox:
        check_sandbox_name(args.sandbox, "--sandbox")
        identity = dataclasses.replace(identity, sandbox=args.sandbox)
    return identity


def _progress(dry_run: bool, as_json: bool = False) -> Any:
    # --json keeps stdout for the one JSON document; progress then goes to stderr.
    def show(label: str) -> None:
        print(
            f"{'#' if dry_run else '->'} {label}",
            file=sys.stdout if dry_run and not as_json else sys.stderr,
            flush=True,
        )

    return show


def print_table(
    result: ActivationResult, title: str, runs: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    """The steps as a table that fits the terminal, then the summary line."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), expand=False)
    table.add_column("entity")
    table.add_column("name", overflow="fold")
    # Ids are what users copy: folded onto a second line rather than cut.
    table.add_column("id", overflow="fold", min_width=12)
    table.add_column("action")
    if runs is not None:
        table.add_column("runs", overflow="fold")
    for row in result.rows:
        # Text(): names come from files and ids from servers; neither may carry rich markup.
        cells = [Text(row.entity), Text(row.name), Text(row.id), Text(row.action)]
        if runs is not None:
            found = runs.get(row.id, []) if row.entity == "dataflow" else []
            statuses = [r["metrics"]["statusSummary"]["status"] for r in found]
            cells.append(Text(", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses)))))
        table.add_row(*cells)
    console = Console()
    console.print(table)
    console.print(Text(summary_line(result)))


def run_schema(_args: argparse.Namespace | None = None) -> int:
    """``destgen activation-schema``: print the activation file's JSON Schema."""
    print(json.dumps(activation_file_schema(), indent=2))
    return Exit.OK
