"""``destgen activate``, ``destgen activation-schema`` and ``destgen demo``: files in, a table out.

Reads and checks the activation file before any request; the runtime does the sending.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generated.runtime.activation import ActivationResult, Payloads, activate, prepare
from generated.runtime.activation_spec import ActivationError, ActivationFile
from generated.runtime.client import FlowServiceClient
from generated.runtime.credentials import Identity, StaticToken, identity_from_env
from generated.runtime.errors import DestgenError


def load_file(path: Path) -> Payloads:
    """Parse, validate against the published schema, resolve secrets and check every payload."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileNotFoundError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:  # yaml and json raise different types; both mean "not parseable"
        raise FileNotFoundError(
            f"{path}: not valid {'YAML' if path.suffix in ('.yaml', '.yml') else 'JSON'}: {exc}"
        ) from None
    try:
        file = ActivationFile.model_validate(data)
    except ValidationError as exc:
        raise ActivationError(
            [
                f"$.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_input=False)
            ]
        ) from None
    return prepare(file)


def run_activate(args: argparse.Namespace) -> int:
    try:
        payloads = load_file(args.file)
    except FileNotFoundError as exc:
        print(f"destgen activate: {exc}", file=sys.stderr)
        return 2
    except ActivationError as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        return 1
    try:
        identity = _identity(args)
        with FlowServiceClient(
            base_url=args.base_url, identity=identity, dry_run=args.dry_run
        ) as client:
            result = activate(client, payloads, progress=_progress(args.dry_run))
    except DestgenError as exc:
        print(f"destgen activate: failed: {exc}", file=sys.stderr)
        return 1
    if not args.dry_run:
        print_table(result, title=str(args.file))
    return 0


def _identity(args: argparse.Namespace) -> Identity:
    if args.dry_run:
        # A dry run sends nothing, so it needs no credentials; headers print as ***.
        return Identity(
            StaticToken("***"),
            "***",
            os.environ.get("AEP_ORG_ID", "{ORG_ID}"),
            os.environ.get("AEP_SANDBOX_NAME"),
        )
    return identity_from_env(token_url=args.token_url)


def _progress(dry_run: bool) -> Any:
    def show(label: str) -> None:
        print(
            f"{'#' if dry_run else '->'} {label}",
            file=sys.stdout if dry_run else sys.stderr,
            flush=True,
        )

    return show


def print_table(
    result: ActivationResult, title: str, runs: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in ("entity", "name", "id", "etag", "action") + (
        ("runs",) if runs is not None else ()
    ):
        table.add_column(column, no_wrap=column in ("id", "etag"))
    for row in result.rows:
        extra: tuple[str, ...] = ()
        if runs is not None:
            found = runs.get(row.id, []) if row.entity == "dataflow" else []
            statuses = [r["metrics"]["statusSummary"]["status"] for r in found]
            extra = (", ".join(f"{statuses.count(s)} {s}" for s in sorted(set(statuses))),)
        table.add_row(row.entity, row.name, row.id, row.etag or "", row.action, *extra)
    Console(width=220).print(table)


def run_schema() -> int:
    print(json.dumps(ActivationFile.model_json_schema(by_alias=True), indent=2))
    return 0
