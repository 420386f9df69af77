"""``destgen fetch``, ``destgen diff`` and ``destgen doctor``: the spec-change loop from the command
line.

Argument handling and output only; fetch.py, spec_diff.py and the runtime's drift.py do the work.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from destgen_runtime.activation.drift import check_spec_drift
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import check_sandbox_name, identity_from_env
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.retry import RetryPolicy

from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen.cli.wording import plural
from destgen.errors import GeneratorError
from destgen.fetch import fetch_destinations, fetch_specs
from destgen.resources import LOCAL_SPECS, is_shipped
from destgen.spec_diff import CLASSES, Change, as_json, diff, facts, summary, table
from destgen.specs import load_specs

FETCH_RETRY = RetryPolicy(max_attempts=3, base=0.5, cap=2.0)


def _client(base_url: str | None, sandbox: str | None = None) -> FlowServiceClient:
    """A client for the spec commands; ``sandbox`` (doctor's --sandbox) overrides the env's."""
    identity = identity_from_env()
    if sandbox:
        check_sandbox_name(sandbox, "--sandbox")
        identity = dataclasses.replace(identity, sandbox=sandbox)
    return FlowServiceClient(base_url=base_url, identity=identity, retry=FETCH_RETRY)


def run_fetch(args: argparse.Namespace) -> int:
    """``destgen fetch``: download the live specs and replace changed ones in the cache."""
    # The specs shipped inside the tool are read, never rewritten: they then go to ./specs_cache.
    out = args.out or (LOCAL_SPECS if is_shipped(args.specs) else args.specs)
    if args.spec_id or args.all_destinations:
        return _fetch_destinations(args, out)
    try:
        with _client(args.base_url) as client:
            report = fetch_specs(client, args.specs, out, set(args.destination or []) or None)
    except (GeneratorError, DestgenError) as exc:
        say(f"error: {exc}; the cache was left as it was")
        return Exit.FAILED
    for slug in report.changed:
        print(f"  changed   {slug}")
    for slug in report.unchanged:
        print(f"  unchanged {slug}")
    print(
        f"destgen fetch: {len(report.changed)} changed, {len(report.unchanged)} unchanged "
        f"(in {out})"
    )
    return Exit.OK


def _fetch_destinations(args: argparse.Namespace, out: Path) -> int:
    """``fetch --spec-id ID`` / ``--all-destinations``: any destination's spec, by id."""
    if args.destination or (args.spec_id and args.all_destinations):
        say("--spec-id, --all-destinations and --destination do not combine")
        return Exit.USAGE
    try:
        with _client(args.base_url) as client:
            report = fetch_destinations(
                client, out, None if args.all_destinations else args.spec_id
            )
    except (GeneratorError, DestgenError) as exc:
        say(f"error: {exc}; nothing was written")
        return Exit.FAILED
    for slug in report.fetched:
        print(f"  fetched   {slug}")
    for line in report.skipped:
        print(f"  skipped   {line}")
    print(
        f"destgen fetch: {plural(len(report.fetched), 'destination spec')} in {out}; "
        f"{len(report.skipped)} not a destination; destgen generate --specs {out} generates them"
    )
    return Exit.OK


def compare(old: Path, new: Path) -> list[Change]:
    """The classified changes between two spec folders."""
    before = {s.slug: facts(s.data) for s in load_specs(old)}
    after = {s.slug: facts(s.data) for s in load_specs(new)}
    changes: list[Change] = []
    for slug in sorted(before.keys() | after.keys()):
        if slug not in after:
            changes.append(Change(slug, "destination", "destination removed", "breaking"))
        elif slug not in before:
            changes.append(Change(slug, "destination", "destination added", "additive"))
        else:
            changes += diff(slug, before[slug], after[slug])
    return changes


def run_diff(args: argparse.Namespace) -> int:
    """``destgen diff``: the changes between two spec folders (or the live specs), text or JSON."""
    try:
        if args.live:
            with tempfile.TemporaryDirectory() as tmp, _client(args.base_url) as client:
                fetch_specs(client, args.old, Path(tmp))
                changes = compare(args.old, Path(tmp))
        elif args.new is None:
            say("give NEW or --live")
            return Exit.USAGE
        else:
            changes = compare(args.old, args.new)
    except (GeneratorError, DestgenError) as exc:
        say(f"error: {exc}")
        return Exit.USAGE if isinstance(exc, GeneratorError) else Exit.FAILED
    print(as_json(changes) if args.json else table(changes))
    counts = summary(changes)
    if not args.json:
        print(", ".join(f"{n} {cls}" for cls, n in counts.items()))
    failed = (args.fail_on == "any" and changes) or (
        args.fail_on == "breaking" and counts["breaking"]
    )
    return Exit.CHANGES if failed else Exit.OK


def run_doctor(args: argparse.Namespace) -> int:
    """Credentials, sandbox and per-destination drift; ``--json`` prints one document instead."""
    checks: list[dict[str, str]] = []
    healthy = _doctor_checks(args, checks)
    if getattr(args, "json", False):
        print_report({"healthy": healthy, "checks": checks})
    else:
        print("\n".join(doctor_lines(checks)))
    return Exit.OK if healthy else Exit.FAILED


def doctor_lines(checks: list[dict[str, str]]) -> list[str]:
    """The checks as aligned columns, as wide as the longest name and status (a long slug keeps
    its row aligned with the others).
    """
    name_width = max((len(c["name"]) for c in checks), default=0)
    status_width = max((len(c["status"]) for c in checks), default=0)
    return [
        f"{c['name']:{name_width}}  {c['status']:{status_width}}  {c['detail']}".rstrip()
        for c in checks
    ]


def _doctor_checks(args: argparse.Namespace, checks: list[dict[str, str]]) -> bool:
    def add(name: str, status: str, detail: str) -> None:
        checks.append({"name": name, "status": status, "detail": detail})

    try:
        client = _client(args.base_url, args.sandbox)
    except DestgenError as exc:
        add("credentials", "FAIL", str(exc))
        return False
    healthy = True
    with client:
        try:
            client.run(ops.list_("flows", limit=1))
        except DestgenError as exc:
            add("credentials", "FAIL", str(exc))
            return False
        sandbox = client.core.identity.sandbox or "prod (no AEP_SANDBOX_NAME)"
        add("credentials", "ok", f"token, API key and org accepted; sandbox {sandbox}")
        cached = {s.slug: facts(s.data) for s in load_specs(args.specs)}
        for drift in check_spec_drift(client):
            detail = drift.detail
            if drift.status == "changed" and drift.live is not None and drift.slug in cached:
                counts = summary(diff(drift.slug, cached[drift.slug], facts(drift.live)))
                detail += " (" + ", ".join(f"{counts[c]} {c}" for c in CLASSES) + ")"
            healthy &= drift.status == "same"
            add(drift.slug, drift.status, detail)
    return healthy
