"""``destgen fetch``, ``destgen diff`` and ``destgen doctor``: the spec-change loop from the command line.

Argument handling and output only; fetch.py, spec_diff.py and runtime/drift.py do the work.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from generated.runtime import operations as ops
from generated.runtime.client import FlowServiceClient
from generated.runtime.drift import check_spec_drift
from generated.runtime.errors import DestgenError
from generated.runtime.retry import RetryPolicy
from generator.errors import GeneratorError
from generator.fetch import fetch_specs
from generator.spec_diff import CLASSES, Change, as_json, diff, facts, summary, table
from generator.specs import load_specs

ROOT = Path(__file__).resolve().parent.parent
FETCH_RETRY = RetryPolicy(max_attempts=3, base=0.5, cap=2.0)


def _client(base_url: str | None) -> FlowServiceClient:
    return FlowServiceClient(base_url=base_url, retry=FETCH_RETRY)


def run_fetch(args: argparse.Namespace) -> int:
    try:
        with _client(args.base_url) as client:
            report = fetch_specs(
                client, args.specs, args.out or args.specs, set(args.destination or []) or None
            )
    except (GeneratorError, DestgenError) as exc:
        print(f"destgen fetch: error: {exc}; the cache was left as it was", file=sys.stderr)
        return 1
    for slug in report.changed:
        print(f"  changed   {slug}")
    for slug in report.unchanged:
        print(f"  unchanged {slug}")
    print(f"destgen fetch: {len(report.changed)} changed, {len(report.unchanged)} unchanged")
    return 0


def compare(old: Path, new: Path) -> list[Change]:
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
    try:
        if args.live:
            with tempfile.TemporaryDirectory() as tmp, _client(args.base_url) as client:
                fetch_specs(client, args.old, Path(tmp))
                changes = compare(args.old, Path(tmp))
        elif args.new is None:
            print("destgen diff: give NEW or --live", file=sys.stderr)
            return 2
        else:
            changes = compare(args.old, args.new)
    except (GeneratorError, DestgenError) as exc:
        print(f"destgen diff: error: {exc}", file=sys.stderr)
        return 2
    print(as_json(changes) if args.json else table(changes))
    counts = summary(changes)
    if not args.json:
        print(", ".join(f"{n} {cls}" for cls, n in counts.items()))
    failed = (args.fail_on == "any" and changes) or (
        args.fail_on == "breaking" and counts["breaking"]
    )
    return 1 if failed else 0


def run_doctor(args: argparse.Namespace) -> int:
    healthy = True
    try:
        client = _client(args.base_url)
    except DestgenError as exc:
        print(f"credentials  FAIL  {exc}")
        return 1
    with client:
        try:
            client.run(ops.list_("flows", limit=1))
            sandbox = client.core.identity.sandbox or "prod (no AEP_SANDBOX_NAME)"
            print(f"credentials  ok    token, API key and org accepted; sandbox {sandbox}")
        except DestgenError as exc:
            print(f"credentials  FAIL  {exc}")
            return 1
        cached = {s.slug: facts(s.data) for s in load_specs(args.specs)}
        for drift in check_spec_drift(client):
            line = f"{drift.slug:22} {drift.status:11} {drift.detail}"
            if drift.status == "changed" and drift.live is not None and drift.slug in cached:
                counts = summary(diff(drift.slug, cached[drift.slug], facts(drift.live)))
                line += " (" + ", ".join(f"{counts[c]} {c}" for c in CLASSES) + ")"
            healthy &= drift.status == "same"
            print(line)
    return 0 if healthy else 1
