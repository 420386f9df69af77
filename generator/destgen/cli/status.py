"""``destgen status FILE|DIR``: each file's dataflow and its recent runs (status, records, files,
errors with their codes, per audience or dataset), for cron and CI: exit 1 when a run failed since
``--since``, 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from destgen_runtime.api import operations as ops
from destgen_runtime.transport.adoption import adoptable
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.redact import printable

from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.infra import load_all
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen.cli.wording import plural

DURATION = re.compile(r"^(\d+)([hd])$")


def since_time(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """``24h``, ``7d`` or an ISO 8601 time with a zone; ValueError otherwise."""
    now = now or dt.datetime.now(dt.UTC)
    readable = f"--since {text!r}: use a duration (24h, 7d) or an ISO 8601 time with a zone"
    if match := DURATION.match(text):
        amount, unit = int(match.group(1)), match.group(2)
        try:
            return now - dt.timedelta(hours=amount if unit == "h" else amount * 24)
        except OverflowError:
            raise ValueError(f"--since {text!r} reaches before year 1; use a shorter one") from None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        # Python's own message ("Invalid isoformat string") names no option and no fix.
        raise ValueError(f"{readable} (2026-12-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        raise ValueError(f"--since {text!r} needs a time zone (or use 24h, 7d)")
    return moment


def run_status(args: argparse.Namespace) -> int:
    """Print each dataflow's runs since ``--since``; exit 1 when one of them failed."""
    try:
        since = since_time(args.since)
    except ValueError as exc:
        say(str(exc))
        return Exit.USAGE
    loaded = load_all(args.paths, placeholders=True)
    if isinstance(loaded, Exit):
        return loaded
    report, failed = [], False
    try:
        with client_from_args(args) as client:
            for path, payloads in loaded:
                name = payloads.file.dataflow.name
                listed = client.run(ops.find_by_name("flows", name)).items
                found = adoptable(listed, payloads.flow_identity(), "dataflows")
                flows = [found] if found is not None else []
                runs = [_run(r.data) for f in flows for r in client.iterate(ops.runs(f.id))]
                recent = [r for r in runs if r["started"] >= since.timestamp() * 1000]
                failed |= any(r["status"] == "failed" for r in recent)
                report.append(
                    {"file": str(path), "dataflow": name, "found": bool(flows), "runs": recent}
                )
    except DestgenError as exc:
        say(f"failed: {exc}")
        return Exit.FAILED
    if args.json:
        print_report({"since": since.isoformat(), "files": report, "failed": failed})
    else:
        _print(report)
    missing = [str(e["file"]) for e in report if not e["found"]]
    if missing:
        # A file whose dataflow does not exist has no run to be fine: never a silent success.
        say(
            f"{plural(len(missing), 'file')} with no dataflow in this sandbox "
            f"({', '.join(missing)}): apply first, or check AEP_SANDBOX_NAME"
        )
    return Exit.FAILED if failed or missing else Exit.OK


def _run(run: Any) -> dict[str, Any]:
    """One run as status reports it; a server's odd values (text for a count, a list for an
    object, a date past year 9999) become 0 or "unknown" instead of a traceback, and its text is
    escaped before it reaches a terminal.
    """
    metrics = _object(_object(run).get("metrics"))
    records = _object(metrics.get("recordSummary"))
    status = _object(metrics.get("statusSummary"))
    per_entity = [
        {"id": printable(str(e.get("id"))), "records": _count(e.get("outputRecordCount"))}
        for t in _objects(records.get("targetSummaries"))
        for e in _objects(_object(t).get("entitySummaries"))
    ]
    started = _count(_object(metrics.get("durationSummary")).get("startedAtUTC"), MAX_MS)
    return {
        "id": printable(str(_object(run).get("id"))),
        "started": started,  # epoch milliseconds, as the service reports it
        "startedAt": dt.datetime.fromtimestamp(started / 1000, dt.UTC)
        .isoformat()
        .replace("+00:00", "Z"),
        "status": printable(str(status.get("status", "unknown"))),
        "records": _count(records.get("outputRecordCount")),
        "files": _count(_object(metrics.get("fileSummary")).get("outputFileCount")),
        "errors": [
            printable(f"{e.get('code')}: {e.get('message')}")
            for e in _objects(status.get("errors"))
        ],
        "entities": per_entity,
        # The files an emulator that delivers wrote (metrics.files), by their path.
        "written": [
            printable(str(f.get("path"))) for f in _objects(metrics.get("files")) if f.get("path")
        ],
    }


# The last millisecond Python's datetime can show (9999-12-31): a later start is no date.
MAX_MS = 253402300799999


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# What a count a server sent as no number (or out of range) is shown as.
UNKNOWN_COUNT = 0


def _count(value: Any, most: int = 2**63) -> int:
    """A whole number from 0 to ``most``, or UNKNOWN_COUNT for anything else a server sends."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return UNKNOWN_COUNT
    try:
        number = int(value)
    except (ValueError, OverflowError):
        return UNKNOWN_COUNT
    return number if 0 <= number <= most else UNKNOWN_COUNT


def _print(report: list[dict[str, Any]]) -> None:
    for entry in report:
        if not entry["found"]:
            print(f"{entry['file']}: no dataflow named {entry['dataflow']!r}")
            continue
        print(f"{entry['file']}: {entry['dataflow']}: {len(entry['runs'])} run(s)")
        for run in entry["runs"]:
            started = dt.datetime.fromtimestamp(run["started"] / 1000, dt.UTC).isoformat()
            counts = f"{plural(run['records'], 'record')}, {plural(run['files'], 'file')}"
            line = f"  {started} {run['status']:<8} {counts}"
            print(line + "".join(f"; {e}" for e in run["errors"]))
            for entity in run["entities"]:
                print(f"    {entity['id']}: {entity['records']} records")
            for path in run["written"]:
                print(f"    wrote {path}")
