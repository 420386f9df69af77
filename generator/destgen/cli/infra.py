"""``destgen plan`` and ``destgen apply``: destinations as code over files and folders.

Every file is read and checked before any request. Files are then worked on concurrently (a
bounded pool, one request budget shared by all), with a progress line per finished file and one
summary table at the end. Plan exit codes follow infrastructure tools' detailed exit codes: 0
nothing to do, 3 changes pending, 1 error (exit_codes.py).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destgen_runtime.activation.engine import ActivationResult, activate
from destgen_runtime.activation.file import ActivationError, EnvRef
from destgen_runtime.activation.payloads import Payloads, prepare
from destgen_runtime.activation.planner import Change, Planner
from destgen_runtime.activation.references import (
    KnownReferences,
    missing_references,
)
from destgen_runtime.activation.replay import ReadKey, Recorded, Replayed
from destgen_runtime.activation.reviewed import Reviewed
from destgen_runtime.activation.steps import ApplyOptions
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import identity_from_env
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.rate_limit import RequestBudget, budget_client
from destgen_runtime.transport.redact import one_line as printable

from destgen.cli import plan_view
from destgen.cli.activate import load_or_report
from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.odd_data import ODD_SHAPE, odd_shape_line
from destgen.cli.plan_view import Tally
from destgen.cli.progress import Narrated, Narrator
from destgen.cli.saved_plan import (
    PlanFileError,
    SavedFile,
    SavedPlan,
    is_saved_plan,
    plan_document,
    read_plan,
    write_plan,
)
from destgen.cli.say import say
from destgen.cli.target import target_of
from destgen.cli.wording import plural

SUFFIXES = (".json", ".yaml", ".yml")
NO_CHANGES, CHANGES, ERROR = Exit.OK, Exit.CHANGES, Exit.FAILED


@dataclass
class FileOutcome:
    """What happened to one file: its planned changes, the steps applied, or its error."""

    path: Path
    changes: list[Change] = field(default_factory=list)
    result: ActivationResult | None = None
    error: str | None = None
    # collection/id -> the etag the plan read: what apply of this plan requires unchanged.
    etags: dict[str, str | None] = field(default_factory=dict)
    # The changes to entities other dataflows use too (their labels).
    shared: list[str] = field(default_factory=list)
    # (collection, name) of what the plan would create.
    creates: set[tuple[str, str]] = field(default_factory=set)

    # The kind of each write apply sent (Reviewed.writes); set once the file was applied.
    writes: list[str] | None = None
    # The answer of every read the plan sent (replay.py): apply --yes does not ask again.
    reads: dict[ReadKey, Any] = field(default_factory=dict, repr=False)

    def tally(self) -> Tally:
        """The writes of the file: the ones it plans, or (applied) the ones it sent."""
        tally = Tally()
        for kind in self.writes or []:
            tally.count(kind)
        for change in self.changes:
            tally.count(change.action)
        return tally


def activation_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder becomes its activation files (recursively, sorted). A saved plan
    (``plan --out`` into the folder, say) is never read as an activation file: it is skipped in
    a folder, and said so.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    plans = [p for p in found if is_saved_plan(p)]
    for plan in plans:
        print(
            f"destgen: {plan} is a saved plan, not an activation file: skipped "
            f"(destgen apply {plan} applies it)",
            file=sys.stderr,
        )
    return [p for p in found if p not in plans]


def run_plan(args: argparse.Namespace) -> int:
    """``destgen plan``: what apply would do, per file; exit 0, 3 (changes) or 1 (error)."""
    digests: dict[Path, str] = {}
    loaded = load_all(args.paths, placeholders=True, digests=digests)
    if isinstance(loaded, Exit):
        return loaded
    try:
        outcomes = _plan_all(loaded, args)
    except DestgenError as exc:
        say(str(exc))
        return ERROR
    _report(outcomes, args.json, applied=False)
    if any(o.error for o in outcomes):
        return ERROR
    if args.out is not None:
        saved = [(o.path, o.changes, o.etags, o.shared, o.creates) for o in outcomes]
        document = plan_document(saved, digests, target=target_of(args), prune=args.prune)
        write_plan(args.out, document)
        say(f"saved to {args.out}; destgen apply {args.out} applies it")
    return CHANGES if any(o.changes for o in outcomes) else NO_CHANGES


def run_apply(args: argparse.Namespace, confirm: Callable[[int], bool] | None = None) -> int:
    """``destgen apply``: plan, confirm, then carry out every file's changes; exit 0 or 1.

    ``confirm``: asked with the number of files that would change (default: ``--yes``, else a
    terminal's answer).
    """
    if any(is_saved_plan(p) for p in args.paths):
        return _apply_saved(args)
    # Secret variables are read only where the plan sends credentials (with_secrets).
    loaded = load_all(args.paths, placeholders=True)
    if isinstance(loaded, Exit):
        return loaded
    return apply_loaded(args, loaded, confirm)


def apply_loaded(
    args: argparse.Namespace,
    loaded: list[tuple[Path, Payloads]],
    confirm: Callable[[int], bool] | None = None,
    *,
    sandbox: str | None = None,
) -> int:
    """Plan ``loaded`` (each labelled by its path, or what stands for one), confirm, then apply
    exactly that plan; ``sandbox`` overrides the environment's (promote's target).
    """
    planned = _reviewed_plan(args, loaded, sandbox)
    if isinstance(planned, int):
        return planned
    sendable = with_secrets(planned, loaded)
    if sendable is None:
        return ERROR
    loaded = sendable
    pending = [o for o in planned if o.changes]
    approve = confirm or (lambda files: bool(args.yes) or confirmed(files))
    if not approve(len(pending)):
        return ERROR
    # --yes with no prompt of the caller's: the plan's reads are seconds old, so apply reuses
    # them instead of asking again (replay.py). A person's prompt can wait for hours: not then.
    replay = confirm is None and bool(args.yes)
    return _apply_pending(args, loaded, pending, sandbox, replay=replay)


def _reviewed_plan(
    args: argparse.Namespace, loaded: list[tuple[Path, Payloads]], sandbox: str | None
) -> list[FileOutcome] | int:
    """The plan, shown for review; or the exit code when there is nothing to confirm (an error,
    a shared entity refused, nothing to do).
    """
    try:
        planned = _plan_all(loaded, args, sandbox)
    except DestgenError as exc:
        say(str(exc))
        return ERROR
    if any(o.error for o in planned):
        _report(planned, args.json, applied=False)
        return ERROR
    pending = [o for o in planned if o.changes]
    if not args.json:
        plan_view.review(planned)
    if _shared_refused(args, [(o.path, label) for o in pending for label in o.shared]):
        return ERROR
    if not pending:
        if args.json:
            _report(planned, True, applied=False)
        say("nothing to do")
        return NO_CHANGES
    return planned


def _apply_pending(
    args: argparse.Namespace,
    loaded: list[tuple[Path, Payloads]],
    pending: list[FileOutcome],
    sandbox: str | None,
    *,
    replay: bool = False,
) -> int:
    """Apply exactly the confirmed plan: an entity that moved while the prompt waited stops it.
    With ``replay``, each file alone in its group answers its plan's reads from the plan.
    """
    todo = [(path, payloads) for path, payloads in loaded if any(o.path == path for o in pending)]
    creates = {key for o in pending for key in o.creates}
    narrator = Narrator(len(todo))
    # A file that shares a created entity with another runs after it, and its plan could not
    # see what that file creates: its reads are asked again.
    alone = {todo[g[0]][0] for g in sharing_groups(todo, creates) if len(g) == 1}
    reads = {o.path: o.reads for o in pending if replay and o.path in alone}
    applier = _applier(args, {o.path: o.etags for o in pending}, narrator, reads)
    outcomes = _each(todo, args, applier, sandbox, creates=creates, narrator=narrator)
    _report(outcomes, args.json, applied=True)
    return ERROR if any(o.error for o in outcomes) else NO_CHANGES


def sends_credentials(outcome: FileOutcome) -> str | None:
    """Why the file's plan sends its base connection's credentials (it creates the connection,
    or replaces its credentials); None when it sends none.
    """
    for change in outcome.changes:
        if change.collection != "connections":
            continue
        if change.action == "create":
            return f"apply creates base connection {change.name!r}"
        if change.action == "update" and any(f.path == "credentials" for f in change.fields):
            return f"apply replaces the credentials of base connection {change.name!r}"
    return None


def with_secrets(
    planned: list[FileOutcome], loaded: list[tuple[Path, Payloads]]
) -> list[tuple[Path, Payloads]] | None:
    """Each file as apply sends it: where its plan sends credentials, read again with every
    secret variable; elsewhere as planned, without them (an existing connection needs none).
    None, each unset variable named with why it is needed, when one is missing.
    """
    why = {o.path: sends_credentials(o) for o in planned}
    sendable, missing = [], False
    for path, payloads in loaded:
        reason = why.get(path)
        if reason is None or not payloads.unset:
            sendable.append((path, payloads))
            continue
        try:
            sendable.append((path, prepare(payloads.file)))
        except ActivationError as exc:
            missing = True
            for problem in exc.problems:
                print(f"{path}: {problem} ({reason})", file=sys.stderr)
    return None if missing else sendable


def load_all(
    paths: list[Path], *, placeholders: bool, digests: dict[Path, str] | None = None
) -> list[tuple[Path, Payloads]] | Exit:
    """Every file read and checked before any request; every problem printed at once.

    On a problem, the exit code: ``USAGE`` when a file cannot be read, else ``FAILED``.
    ``digests`` gets each file's sha256, of the bytes read (what a saved plan is bound to).
    """
    loaded: list[tuple[Path, Payloads]] = []
    failed, unreadable = False, False
    files = activation_files(paths)
    if not files:
        print(f"destgen: no activation files in {', '.join(map(str, paths))}", file=sys.stderr)
        return Exit.USAGE
    for path in files:
        found = load_or_report(path, "", placeholders=placeholders, digests=digests)
        if isinstance(found, Exit):
            unreadable |= found == Exit.USAGE
            failed = True
        else:
            loaded.append((path, found))
    failed = not one_file_per_dataflow(loaded) or failed
    failed = not one_connection_per_secret(loaded) or failed
    failed = not one_definition_per_connection(loaded) or failed
    if unreadable:
        return Exit.USAGE
    return Exit.FAILED if failed else loaded


def one_file_per_dataflow(loaded: list[tuple[Path, Payloads]]) -> bool:
    """True unless two files describe one dataflow (each would undo the other on every apply);
    each clash printed with both files.
    """
    claims = [(path, p.file.dataflow.name, str(path)) for path, p in loaded]
    return _unclaimed(
        claims,
        lambda name, _owner, first: f"$.dataflow.name: {name!r} is also the dataflow of "
        f"{first}; one file per dataflow",
    )


def one_connection_per_secret(loaded: list[tuple[Path, Payloads]]) -> bool:
    """True unless one environment variable holds the secret of two base connections: sent to
    both (by apply --rotate-secrets, say), one account's secret would reach the other's.
    """
    claims = [
        (path, ref.env, p.file.base_connection.name)
        for path, p in loaded
        if p.file.base_connection.auth is not None
        for ref in p.file.base_connection.auth.params.values()
        if isinstance(ref, EnvRef)
    ]
    return _unclaimed(
        claims,
        lambda env, owner, first: f"$.baseConnection.auth.params: {env} is also the secret of "
        f"base connection {owner!r} ({first}); one variable per connection",
    )


def one_definition_per_connection(loaded: list[tuple[Path, Payloads]]) -> bool:
    """True unless two files define one base connection (by name) differently: applied in
    turn, the second would silently re-credential (or re-key) what the first set up.
    """
    claims = [
        (
            path,
            p.file.base_connection.name,
            json.dumps([p.file.destination, p.file.base_connection.model_dump(mode="json")]),
        )
        for path, p in loaded
    ]
    return _unclaimed(
        claims,
        lambda name, _definition, first: f"$.baseConnection: {name!r} is defined differently "
        f"in {first}; a shared base connection is defined the same in every file that names it",
    )


def _unclaimed(claims: list[tuple[Path, str, str]], clash: Callable[[str, str, Path], str]) -> bool:
    """True unless a key is claimed by two owners; each clash printed as ``path: clash(key,
    first owner, first owner's file)``. ``claims``: (file, key, owner).
    """
    first: dict[str, tuple[str, Path]] = {}
    alone = True
    for path, key, owner in claims:
        earlier = first.setdefault(key, (owner, path))
        if earlier[0] != owner:
            print(f"{path}: {clash(key, *earlier)}", file=sys.stderr)
            alone = False
    return alone


Worker = Callable[[FlowServiceClient, Path, Payloads], FileOutcome]


def _plan_all(
    loaded: list[tuple[Path, Payloads]], args: argparse.Namespace, sandbox: str | None = None
) -> list[FileOutcome]:
    known = KnownReferences()  # one sandbox per run: each audience and dataset asked once

    def plan_one(client: FlowServiceClient, path: Path, payloads: Payloads) -> FileOutcome:
        # Audiences and datasets are referred to, never created: checked before anything is.
        if missing := missing_references(client, payloads, known):
            return FileOutcome(path, error="; ".join(missing))
        recorded = Recorded(client)
        planner = Planner(recorded, own_flow=payloads.file.dataflow.name)
        options = ApplyOptions(prune=args.prune, rotate_secrets=args.rotate_secrets)
        result = activate(planner, payloads, options=options)
        shared = list(planner.shared.values())
        return FileOutcome(
            path,
            planner.changes,
            result,
            etags=planner.etags,
            shared=shared,
            creates=planner.creates,
            reads=recorded.answers,
        )

    # A plan only reads: every file may run beside every other.
    return _each(loaded, args, plan_one, sandbox, creates=set())


def _applier(
    args: argparse.Namespace,
    pins: dict[Path, dict[str, str | None]],
    narrator: Narrator,
    reads: dict[Path, dict[ReadKey, Any]] | None = None,
) -> Worker:
    """Apply each file held to its plan's etags (reviewed.py): what was shown is what happens;
    each write told as it happens (progress.py).
    """
    options = ApplyOptions(prune=args.prune, rotate_secrets=args.rotate_secrets)
    # One run's creates, shared by its files: a base connection one file creates is adopted by
    # the next file of its group, and both plans showed it as a create.
    created: set[str] = set()

    def apply_one(client: FlowServiceClient, path: Path, payloads: Payloads) -> FileOutcome:
        kept = (reads or {}).get(path)
        sender = Replayed(client, dict(kept)) if kept else client
        told = Narrated(sender, narrator, str(path))
        held = Reviewed(told, pins.get(path, {}), created, unset=payloads.unset)
        result = activate(held, payloads, options=options)
        return FileOutcome(path, result=result, writes=held.writes)

    return apply_one


def _shared_refused(args: argparse.Namespace, shared: list[tuple[Path, str]]) -> bool:
    """True (each change printed) when changes reach entities other dataflows use, or rename a
    connection found through the file's dataflow, and ``--change-shared`` was not given: another
    team's connection is never changed, nor their chain taken over by a dataflow name that
    happens to match, by accident.
    """
    if not shared or getattr(args, "change_shared", False):
        return False
    for path, label in shared:
        print(f"{path}: {label}", file=sys.stderr)
    say(
        "these changes reach dataflows the files do not describe, or rename "
        "connections found through a dataflow of the same name; pass --change-shared to make them"
    )
    return True


def _apply_saved(args: argparse.Namespace) -> int:
    """``destgen apply PLAN``: the saved plan, where it was made, on its files unchanged since,
    doing exactly what it shows: the changes are derived again and any difference refused.
    """
    saved = _saved_plan_here(args)
    if isinstance(saved, int):
        return saved
    args.prune = saved.prune
    pending = [f for f in saved.files if f.changes]
    if not pending:
        say("the saved plan has nothing to do")
        return NO_CHANGES
    loaded = _unchanged_files(pending)
    if isinstance(loaded, int):
        return loaded
    # What the service and the files give now, derived as a plan derives it: the saved file's
    # own lines (and its prune and shared fields) are never trusted to say what will happen.
    try:
        derived = _plan_all(loaded, args)
    except DestgenError as exc:
        say(str(exc))
        return ERROR
    if _differs_from_saved(saved, pending, derived):
        return ERROR
    sendable = with_secrets(derived, loaded)
    if sendable is None:
        return ERROR
    if not args.json:
        plan_view.review(derived)
    if _shared_refused(args, [(o.path, label) for o in derived for label in o.shared]):
        return ERROR
    pins = {Path(f.path): dict(f.etags) for f in pending}
    creates = {key for o in derived for key in o.creates}
    narrator = Narrator(len(loaded))
    applier = _applier(args, pins, narrator)
    outcomes = _each(sendable, args, applier, creates=creates, narrator=narrator)
    _report(outcomes, args.json, applied=True)
    return ERROR if any(o.error for o in outcomes) else NO_CHANGES


def _saved_plan_here(args: argparse.Namespace) -> SavedPlan | int:
    """The saved plan, alone on the command line and made for this org, sandbox and base URL;
    else the exit code, the reason printed.
    """
    if len(args.paths) != 1 or args.prune or args.rotate_secrets:
        say(
            "a saved plan is applied alone and with its own options "
            "(no other files, --prune or --rotate-secrets)"
        )
        return Exit.USAGE
    try:
        saved = read_plan(args.paths[0])
    except PlanFileError as exc:
        say(str(exc))
        return Exit.USAGE
    here = target_of(args)
    if here.line() != saved.target.line():
        say(
            f"the plan was made for {saved.target.line()}; this run would act on "
            f"{here.line()}. A saved plan applies only where it was made: plan again there"
        )
        return ERROR
    return saved


def _unchanged_files(pending: list[SavedFile]) -> list[tuple[Path, Payloads]] | int:
    """The plan's files, loaded once, each the very bytes the plan was made from; else the exit
    code (every file that changed named).
    """
    digests: dict[Path, str] = {}
    loaded = load_all([Path(f.path) for f in pending], placeholders=True, digests=digests)
    if isinstance(loaded, Exit):
        return loaded
    # The bytes just loaded, the ones that will be applied: never a second read of the file.
    moved = [f.path for f in pending if digests[Path(f.path)] != f.sha256]
    for name in moved:
        say(f"{name} changed since the plan was saved; plan again")
    return ERROR if moved else loaded


def _differs_from_saved(
    saved: SavedPlan, pending: list[SavedFile], derived: list[FileOutcome]
) -> bool:
    """True (each difference printed) unless every file's changes, derived now, are the saved
    ones: a plan applied elsewhere, after the service moved, or edited by hand does nothing.
    """
    differs = False
    for saved_file, outcome in zip(pending, derived, strict=True):
        if outcome.error:
            say(f"{outcome.path}: {outcome.error}")
            differs = True
            continue
        shown = [(c.label, c.lines) for c in saved.changes_of(saved_file)]
        now = [(c.label, c.lines) for c in outcome.changes]
        if shown == now:
            continue
        differs = True
        say(
            f"{outcome.path}: the changes differ from the saved plan's; "
            "apply stopped before any of them: plan again"
        )
        for line in difflib.unified_diff(
            _as_lines(shown), _as_lines(now), "saved plan", "now", lineterm="", n=1
        ):
            print(f"  {printable(line)}", file=sys.stderr)
    return differs


def _as_lines(changes: list[tuple[str, list[str]]]) -> list[str]:
    return [text for label, lines in changes for text in (label, *(f"  {x}" for x in lines))]


def sharing_groups(
    loaded: list[tuple[Path, Payloads]], creates: set[tuple[str, str]] | None = None
) -> list[list[int]]:
    """Indexes of files that name a common entity (a shared base connection, say), grouped:
    a group runs in order, so two files never both create the entity they share.

    ``creates``: the (collection, name) pairs the plan would create. Only those group files: an
    entity that exists already (the Profile-store source connection every audience file names)
    is adopted by each, side by side. None: every name groups.
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
            if creates is not None and key not in creates:
                continue
            if key in owner:
                parent[root(index)] = root(owner[key])
            else:
                owner[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(loaded)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def _each(
    loaded: list[tuple[Path, Payloads]],
    args: argparse.Namespace,
    work: Worker,
    sandbox: str | None = None,
    *,
    creates: set[tuple[str, str]] | None = None,
    narrator: Narrator | None = None,
) -> list[FileOutcome]:
    """``work`` on every file, ``args.concurrency`` groups at a time (files that share an entity
    in order, in one group), within one request budget; outcomes in the files' order, each
    file's line said by ``narrator`` as it finishes.
    """
    narrator = narrator or Narrator(len(loaded))
    # Credentials and --base-url are the same for every file: checked once, before any worker, so
    # a missing AEP_ACCESS_TOKEN or a plain-http remote URL is one line (DestgenError), not a
    # traceback from each thread.
    # One identity for every file: with client credentials, one OAuth token for the whole run
    # (fetched once, refreshed once) instead of one per file.
    identity = identity_from_env(token_url=args.token_url)
    with client_from_args(args, sandbox=sandbox, identity=identity):
        pass
    budget = RequestBudget(rate=args.rate)
    http = budget_client(budget)
    done, lock = [0], threading.Lock()

    def one(item: tuple[Path, Payloads]) -> FileOutcome:
        path, payloads = item
        client = client_from_args(args, sandbox=sandbox, http=http, identity=identity)
        try:
            outcome = work(client, path, payloads)
        except DestgenError as exc:
            outcome = FileOutcome(path, error=str(exc))
        except ODD_SHAPE as exc:  # server data is untrusted: an odd object fails its file alone
            outcome = FileOutcome(path, error=odd_shape_line(exc))
        with lock:
            done[0] += 1
            tally = outcome.tally()
            state = tally.words(outcome.writes is not None) if tally.total else "no changes"
            state = "failed" if outcome.error else state
            narrator.file_done(f"[{done[0]}/{len(loaded)}] {path}: {printable(state)}")
        return outcome

    def group(indexes: list[int]) -> list[tuple[int, FileOutcome]]:
        return [(i, one(loaded[i])) for i in indexes]

    try:
        with narrator.running(), ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            done_groups = list(pool.map(group, sharing_groups(loaded, creates)))
    finally:
        http.close()
    return [outcome for _i, outcome in sorted(pair for g in done_groups for pair in g)]


def confirmed(
    files: int,
    command: str = "apply",
    what: str = "the changes to",
    happens: str = "{files} would change",
) -> bool:
    """A person's yes at a terminal; without a terminal, a refusal that says to pass --yes.

    ``command`` names the command in the refusal; ``what`` says what the yes is for; ``happens``
    says what would happen (``{files}``: the counted files).
    """
    counted = plural(files, "file")
    if not sys.stdin.isatty():
        print(
            f"destgen {command}: {happens.format(files=counted)}; pass --yes to {command} "
            "without a terminal to confirm on",
            file=sys.stderr,
        )
        return False
    answer = input(f"{command.capitalize()} {what} {counted}? Type yes: ")
    return answer.strip() == "yes"


def _report(outcomes: list[FileOutcome], as_json: bool, *, applied: bool) -> None:
    """The plan (or what apply did) as a table and the summary line; or as JSON."""
    tallies = [o.tally() for o in outcomes] if applied else plan_view.file_tallies(outcomes)
    total = sum(tallies, Tally())
    failed = any(o.error for o in outcomes)
    if as_json:
        files = [_as_json(o, applied, t) for o, t in zip(outcomes, tallies, strict=True)]
        print_report({"files": files, "summary": total.as_json()})
        return
    if not applied:
        plan_view.print_plan(outcomes)
    for outcome in outcomes if applied else []:
        if outcome.error:  # whole, on one line: a table cell would fold it
            print(f"{outcome.path}: error: {printable(outcome.error)}", file=sys.stderr)
    _table(outcomes, tallies, applied)
    print(plan_view.summary(total, applied=applied, failed=failed))


def _as_json(outcome: FileOutcome, applied: bool, tally: Tally) -> dict[str, Any]:
    found: dict[str, Any] = {"file": str(outcome.path)}
    if outcome.error:
        return found | {"status": "error", "error": outcome.error}
    if applied and outcome.result is not None:
        rows = [
            {"entity": r.entity, "name": r.name, "id": r.id, "action": r.action}
            for r in outcome.result.rows
        ]
        return found | {"status": "applied", "counts": tally.as_json(), "steps": rows}
    changes = [c.as_json() for c in outcome.changes]
    status = "changes" if outcome.changes else "unchanged"
    return found | {"status": status, "counts": tally.as_json(), "changes": changes}


def _table(outcomes: list[FileOutcome], tallies: list[Tally], applied: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="applied" if applied else "plan", expand=False)
    columns = plan_view.DONE_WORDS.values() if applied else plan_view.DONE_WORDS.keys()
    for column in ["file", *columns, "status"]:
        table.add_column(column, overflow="fold")
    for outcome, tally in zip(outcomes, tallies, strict=True):
        if outcome.error:
            status = "error"
        elif applied:
            status = "applied"
        else:
            status = "changes" if outcome.changes else "unchanged"
        counts = [str(tally.create), str(tally.change), str(tally.remove)]
        table.add_row(Text(str(outcome.path)), *map(Text, counts), Text(printable(status)))
    Console(stderr=False).print(table)
