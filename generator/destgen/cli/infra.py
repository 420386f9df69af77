"""``destgen plan`` and ``destgen apply``: destinations as code over files and folders.

Every file is read and checked before any request. Files are then worked on concurrently (a
bounded pool, one request budget shared by all), with a progress line per finished file and one
summary table at the end. Plan exit codes follow infrastructure tools' detailed exit codes: 0
nothing to do, 3 changes pending, 1 error (exit_codes.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destgen.cli.activate import load_file, summary_line
from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.wording import plural
from destgen_destinations.runtime.activation.engine import ActivationResult, activate
from destgen_destinations.runtime.activation.file import ActivationError
from destgen_destinations.runtime.activation.payloads import Payloads
from destgen_destinations.runtime.activation.planner import Change, Planner
from destgen_destinations.runtime.activation.steps import ApplyOptions
from destgen_destinations.runtime.transport.client import FlowServiceClient
from destgen_destinations.runtime.transport.errors import DestgenError
from destgen_destinations.runtime.transport.rate_limit import RequestBudget, budget_client

SUFFIXES = (".json", ".yaml", ".yml")
NO_CHANGES, CHANGES, ERROR = Exit.OK, Exit.CHANGES, Exit.FAILED


@dataclass
class FileOutcome:
    """What happened to one file: its planned changes, the steps applied, or its error."""

    path: Path
    changes: list[Change] = field(default_factory=list)
    result: ActivationResult | None = None
    error: str | None = None

    def counts(self) -> dict[str, int]:
        """Planned lines by kind: ``create``, ``change``, ``remove``, ``action``."""
        kinds = {"+": "create", "~": "change", "-": "remove", "!": "action"}
        found = dict.fromkeys(kinds.values(), 0)
        for change in self.changes:
            for line in change.lines:
                found[kinds[line[0]]] += 1
        return found


def activation_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder becomes its activation files (recursively, sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def run_plan(args: argparse.Namespace) -> int:
    """``destgen plan``: what apply would do, per file; exit 0, 3 (changes) or 1 (error)."""
    loaded = load_all(args.paths, placeholders=True)
    if isinstance(loaded, Exit):
        return loaded
    try:
        outcomes = _plan_all(loaded, args)
    except DestgenError as exc:
        print(f"destgen plan: {exc}", file=sys.stderr)
        return ERROR
    _report(outcomes, args.json, applied=False)
    if any(o.error for o in outcomes):
        return ERROR
    return CHANGES if any(o.changes for o in outcomes) else NO_CHANGES


def run_apply(args: argparse.Namespace, confirm: Callable[[int], bool] | None = None) -> int:
    """``destgen apply``: plan, confirm, then carry out every file's changes; exit 0 or 1.

    ``confirm``: asked with the number of files that would change (default: ``--yes``, else a
    terminal's answer).
    """
    loaded = load_all(args.paths, placeholders=False)
    if isinstance(loaded, Exit):
        return loaded
    try:
        planned = _plan_all(loaded, args)
    except DestgenError as exc:
        print(f"destgen apply: {exc}", file=sys.stderr)
        return ERROR
    if any(o.error for o in planned):
        _report(planned, args.json, applied=False)
        return ERROR
    pending = [o for o in planned if o.changes]
    if not args.json:
        _print_plan(planned)
    if not pending:
        if args.json:
            _report(planned, True, applied=False)
        print("destgen apply: nothing to do", file=sys.stderr)
        return NO_CHANGES
    approve = confirm or (lambda files: bool(args.yes) or confirmed(files))
    if not approve(len(pending)):
        return ERROR
    todo = [(path, payloads) for path, payloads in loaded if any(o.path == path for o in pending)]
    outcomes = _each(todo, args, _applier(args))
    _report(outcomes, args.json, applied=True)
    return ERROR if any(o.error for o in outcomes) else NO_CHANGES


def load_all(paths: list[Path], *, placeholders: bool) -> list[tuple[Path, Payloads]] | Exit:
    """Every file read and checked before any request; every problem printed at once.

    On a problem, the exit code: ``USAGE`` when a file cannot be read, else ``FAILED``.
    """
    loaded: list[tuple[Path, Payloads]] = []
    failed, unreadable = False, False
    files = activation_files(paths)
    if not files:
        print(f"destgen: no activation files in {', '.join(map(str, paths))}", file=sys.stderr)
        return Exit.USAGE
    for path in files:
        try:
            loaded.append((path, load_file(path, placeholders=placeholders)))
        except FileNotFoundError as exc:
            print(f"destgen: {exc}", file=sys.stderr)
            unreadable = True
        except ActivationError as exc:
            for problem in exc.problems:
                print(f"{path}: {problem}", file=sys.stderr)
            failed = True
    owners: dict[str, Path] = {}
    for path, payloads in loaded:
        # Two files for one dataflow would undo each other's changes on every apply.
        name = payloads.file.dataflow.name
        if name in owners:
            print(
                f"{path}: $.dataflow.name: {name!r} is also the dataflow of {owners[name]}; "
                "one file per dataflow",
                file=sys.stderr,
            )
            failed = True
        owners.setdefault(name, path)
    if unreadable:
        return Exit.USAGE
    return Exit.FAILED if failed else loaded


Worker = Callable[[FlowServiceClient, Path, Payloads], FileOutcome]


def _plan_all(loaded: list[tuple[Path, Payloads]], args: argparse.Namespace) -> list[FileOutcome]:
    def plan_one(client: FlowServiceClient, path: Path, payloads: Payloads) -> FileOutcome:
        planner = Planner(client)
        options = ApplyOptions(prune=args.prune, rotate_secrets=args.rotate_secrets)
        result = activate(planner, payloads, options=options)
        return FileOutcome(path, planner.changes, result)

    return _each(loaded, args, plan_one)


def _applier(args: argparse.Namespace) -> Worker:
    options = ApplyOptions(prune=args.prune, rotate_secrets=args.rotate_secrets)

    def apply_one(client: FlowServiceClient, path: Path, payloads: Payloads) -> FileOutcome:
        return FileOutcome(path, result=activate(client, payloads, options=options))

    return apply_one


def sharing_groups(loaded: list[tuple[Path, Payloads]]) -> list[list[int]]:
    """Indexes of files that name a common entity (a shared base connection, say), grouped:
    a group runs in order, so two files never both create the entity they share.
    """
    parent = list(range(len(loaded)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for index, (_path, payloads) in enumerate(loaded):
        file = payloads.file
        for key in (
            ("connections", file.base_connection.name),
            ("targetConnections", file.target_connection.name),
            ("sourceConnections", file.source_name),
            ("flows", file.dataflow.name),
        ):
            if key in owner:
                parent[root(index)] = root(owner[key])
            else:
                owner[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(loaded)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def _each(
    loaded: list[tuple[Path, Payloads]], args: argparse.Namespace, work: Worker
) -> list[FileOutcome]:
    """``work`` on every file, ``args.concurrency`` groups at a time (files that share an entity
    in order, in one group), within one request budget; outcomes in the files' order.
    """
    # Credentials and --base-url are the same for every file: checked once, before any worker, so
    # a missing AEP_ACCESS_TOKEN or a plain-http remote URL is one line (DestgenError), not a
    # traceback from each thread.
    with client_from_args(args):
        pass
    budget = RequestBudget(rate=args.rate)
    http = budget_client(budget)
    done, lock = [0], threading.Lock()

    def one(item: tuple[Path, Payloads]) -> FileOutcome:
        path, payloads = item
        client = client_from_args(args, http=http)
        try:
            outcome = work(client, path, payloads)
        except DestgenError as exc:
            outcome = FileOutcome(path, error=str(exc))
        with lock:
            done[0] += 1
            state = "failed" if outcome.error else plural(sum(outcome.counts().values()), "change")
            if outcome.result is not None and not outcome.changes:
                state = summary_line(outcome.result)
            print(f"[{done[0]}/{len(loaded)}] {path}: {state}", file=sys.stderr, flush=True)
        return outcome

    def group(indexes: list[int]) -> list[tuple[int, FileOutcome]]:
        return [(i, one(loaded[i])) for i in indexes]

    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            done_groups = list(pool.map(group, sharing_groups(loaded)))
    finally:
        http.close()
    return [outcome for _i, outcome in sorted(pair for g in done_groups for pair in g)]


def confirmed(files: int, command: str = "apply", what: str = "the changes to") -> bool:
    """A person's yes at a terminal; without a terminal, a refusal that says to pass --yes.

    ``command`` names the command in the refusal; ``what`` says what the yes is for.
    """
    counted = plural(files, "file")
    if not sys.stdin.isatty():
        print(
            f"destgen {command}: {counted} would change; pass --yes to {command} without a "
            "terminal to confirm on",
            file=sys.stderr,
        )
        return False
    answer = input(f"{command.capitalize()} {what} {counted}? Type yes: ")
    return answer.strip() == "yes"


def _print_plan(outcomes: list[FileOutcome]) -> None:
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.path}: error: {outcome.error}")
            continue
        if not outcome.changes:
            print(f"{outcome.path}: no changes")
            continue
        print(f"{outcome.path}:")
        for change in outcome.changes:
            for line in change.lines:
                print(f"  {line}")


def _report(outcomes: list[FileOutcome], as_json: bool, *, applied: bool) -> None:
    if as_json:
        print(json.dumps({"files": [_as_json(o, applied) for o in outcomes]}, indent=2))
        return
    if not applied:
        _print_plan(outcomes)
    _table(outcomes, applied)


def _as_json(outcome: FileOutcome, applied: bool) -> dict[str, Any]:
    found: dict[str, Any] = {"file": str(outcome.path)}
    if outcome.error:
        return found | {"status": "error", "error": outcome.error}
    if applied and outcome.result is not None:
        rows = [
            {"entity": r.entity, "name": r.name, "id": r.id, "action": r.action}
            for r in outcome.result.rows
        ]
        return found | {"status": "applied", "steps": rows}
    changes = [{"step": c.label, "lines": c.lines} for c in outcome.changes]
    status = "changes" if outcome.changes else "unchanged"
    return found | {"status": status, "counts": outcome.counts(), "changes": changes}


def _table(outcomes: list[FileOutcome], applied: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="applied" if applied else "plan", expand=False)
    columns = ["file", "status"] if applied else ["file", "create", "change", "remove", "status"]
    for column in columns:
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        status = "error" if outcome.error else ("changes" if outcome.changes else "unchanged")
        if applied:
            detail = outcome.error or (summary_line(outcome.result) if outcome.result else "")
            table.add_row(Text(str(outcome.path)), Text(detail))
            continue
        counts = outcome.counts()
        # An action (enable, disable) changes the dataflow: counted with the changes.
        changed = counts["change"] + counts["action"]
        cells = [str(counts["create"]), str(changed), str(counts["remove"]), status]
        table.add_row(Text(str(outcome.path)), *map(Text, cells))
    Console(stderr=False).print(table)
