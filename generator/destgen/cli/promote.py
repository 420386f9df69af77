"""``destgen promote``: a destination setup from one sandbox to another, as code.

The files (given, or exported from the source sandbox) name audiences and datasets by the source
sandbox's ids; ids differ between sandboxes and names do not, so each is resolved by name in the
target sandbox (audiences through the segmentation API, datasets through the eligible-datasets
listing). Anything missing there is an error that lists every one. Then the target's plan is
shown and applied: a production sandbox only with ``--yes``, or with its name typed at a terminal.
Credentials are never copied: the files name environment variables, read in this process.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from destgen_runtime.activation.file import ActivationError
from destgen_runtime.activation.payloads import (
    Payloads,
    parse_activation_file,
    prepare,
)
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.errors import DestgenError, NotFoundError

from destgen.cli.activate import read_document
from destgen.cli.clients import client_from_args
from destgen.cli.exit_codes import Exit
from destgen.cli.infra import activation_files, apply_loaded, one_file_per_dataflow
from destgen.cli.say import say
from destgen.cli.wording import plural
from destgen.writer import atomic_write_text

Doc = dict[str, Any]


def run_promote(args: argparse.Namespace) -> int:
    """Resolve the files for the target sandbox, show its plan, apply it behind the prod guard."""
    if not args.from_sandbox.strip() or not args.to_sandbox.strip():
        say("--from-sandbox and --to-sandbox each need a name")
        return Exit.USAGE
    if args.from_sandbox == args.to_sandbox:
        say("--from-sandbox and --to-sandbox are the same")
        return Exit.USAGE
    try:
        with (
            client_from_args(args, sandbox=args.from_sandbox) as source,
            client_from_args(args, sandbox=args.to_sandbox) as target,
        ):
            docs = _read_files(args.paths) if args.paths else _export_all(source)
            kind = sandbox_kind(target.run(ops.sandbox(args.to_sandbox)))
            resolved, missing = _resolve(docs, source, target, args.to_sandbox)
    except (DestgenError, ValueError, FileNotFoundError) as exc:
        say(str(exc))
        return Exit.FAILED
    if missing:
        for problem in missing:
            say(f"{problem}")
        say(
            f"{len(missing)} audience(s) or dataset(s) missing in "
            f"{args.to_sandbox}; nothing was changed"
        )
        return Exit.FAILED
    loaded = _payloads(resolved)
    if loaded is None or not one_file_per_dataflow(loaded):
        return Exit.FAILED
    if args.out and (taken := _taken(Path(args.out), resolved)):
        say(
            f"{args.out} already holds {', '.join(taken)}; --out never "
            "replaces a file: choose an empty folder"
        )
        return Exit.FAILED
    guard = _guard(args, kind)

    def confirm_then_keep(files: int) -> bool:
        # --out is written once the change is confirmed: a refused run leaves nothing behind
        # that would block running it again.
        return guard(files) and (not args.out or _kept(Path(args.out), resolved))

    # Exactly what was exported or given, labelled by dataflow: never what else lies in --out.
    code = apply_loaded(args, loaded, confirm=confirm_then_keep, sandbox=args.to_sandbox)
    if code == Exit.OK and args.out and not _taken(Path(args.out), resolved):
        _kept(Path(args.out), resolved)  # nothing to apply: the resolved files are still kept
    return code


def _payloads(resolved: list[tuple[str, Doc]]) -> list[tuple[Path, Payloads]] | None:
    """Each resolved document checked as apply checks a file; labelled by its dataflow's name."""
    loaded, failed = [], False
    for name, doc in resolved:
        label = Path(str((doc.get("dataflow") or {}).get("name") or name))
        try:
            # Secret variables are read only where the plan sends credentials (with_secrets):
            # a connection the target sandbox has already needs none.
            loaded.append((label, prepare(parse_activation_file(doc), placeholders=True)))
        except ActivationError as exc:
            for problem in exc.problems:
                say(f"dataflow {str(label)!r}: {problem}")
            failed = True
    return None if failed else loaded


def _taken(folder: Path, resolved: list[tuple[str, Doc]]) -> list[str]:
    """The names of ``resolved`` files ``folder`` already holds."""
    return [name for name, _doc in resolved if (folder / name).exists()]


def _kept(folder: Path, resolved: list[tuple[str, Doc]]) -> bool:
    """``--out``: the resolved files written there (none there yet: checked before confirming)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, doc in resolved:
        atomic_write_text(folder / name, json.dumps(doc, indent=2) + "\n")
    return True


def sandbox_kind(sandbox: Any) -> str:
    """The sandbox's kind for the guard: development only when its type says so (any case);
    anything else, a missing or odd type included, is production: a guard never fails open.
    """
    kind = sandbox.get("type") if isinstance(sandbox, dict) else None
    if isinstance(kind, str) and kind.strip().lower() == "development":
        return "development"
    return "production"


def _guard(args: argparse.Namespace, kind: str) -> Any:
    """Production needs --yes, or its name typed at a terminal; others the usual confirmation."""

    def confirm(files: int) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            what = "a production sandbox" if kind == "production" else "a sandbox"
            say(
                f"{plural(files, 'file')} would change {what} "
                f"({args.to_sandbox}); "
                "pass --yes to apply without a terminal"
            )
            return False
        if kind == "production":
            typed = input(f"{args.to_sandbox} is a production sandbox. Type its name to apply: ")
            if typed.strip() == str(args.to_sandbox):
                return True
            say(f"{typed.strip()!r} is not {args.to_sandbox!r}; nothing applied")
            return False
        return input(f"Apply the changes to {plural(files, 'file')}? Type yes: ").strip() == "yes"

    return confirm


def _read_files(paths: list[Path]) -> list[tuple[str, Doc]]:
    docs: list[tuple[str, Doc]] = []
    seen: dict[str, Path] = {}
    for path in activation_files(paths):
        doc = read_document(path)
        if not isinstance(doc, dict):
            raise ValueError(f"{path}: not an activation file (an object)")
        name = f"{path.stem}.json"
        if name in seen:
            # Both would be written to one file in --out: one of them would silently be lost.
            raise ValueError(
                f"{path} and {seen[name]} would both be promoted as {name}; rename one"
            )
        seen[name] = path
        docs.append((name, json.loads(json.dumps(doc, default=str))))
    return docs


def _export_all(source: FlowServiceClient) -> list[tuple[str, Doc]]:
    from destgen.cli.export import destination_flows, export_each, file_names

    docs, failed = export_each(source, destination_flows(source), {})
    if failed:
        # A setup promoted without one of its dataflows would look complete: nothing changes.
        raise DestgenError(
            "these dataflows of the source sandbox cannot be read back, so nothing was "
            "changed: " + "; ".join(failed)
        )
    exported = [doc for _flow, doc in docs]
    return list(zip(file_names(exported), exported, strict=True))


def _resolve(
    docs: list[tuple[str, Doc]],
    source: FlowServiceClient,
    target: FlowServiceClient,
    target_name: str,
) -> tuple[list[tuple[str, Doc]], list[str]]:
    """Each document with the target sandbox's audience and dataset ids, and what is missing."""
    missing: list[str] = []
    datasets: dict[str, list[str]] | None = None
    audience_ids: dict[str, list[str]] = {}  # name -> ids in the target: asked once per name
    resolved = []
    for name, doc in docs:
        doc = copy.deepcopy(doc)
        for audience in doc.get("audiences") or []:
            label = _audience_label(source, audience)
            if label is None:
                missing.append(
                    f"{name}: audience {audience.get('id')} is named {audience.get('name')!r} in "
                    "the file but otherwise in the source sandbox; fix the file's name"
                )
                continue
            if label not in audience_ids:
                listed = target.run(ops.audiences_named(label))
                audience_ids[label] = [a.id for a in listed if a.data.get("name") == label]
            found = audience_ids[label]
            if len(found) != 1:
                missing.append(
                    f"{name}: audience {label!r} ({audience.get('id')}) "
                    + ("is not in" if not found else "is ambiguous in")
                    + f" {target_name}"
                )
                continue
            audience["id"] = found[0]
        if doc.get("datasets"):
            if datasets is None:
                datasets = {}
                for e in target.iterate(ops.eligible_datasets(limit=100)):
                    datasets.setdefault(str(e.data.get("name")), []).append(e.id)
            for dataset in doc["datasets"]:
                ids = datasets.get(str(dataset.get("name")), [])
                if len(ids) != 1:
                    missing.append(
                        f"{name}: dataset {dataset.get('name')!r} ({dataset.get('id')}) "
                        + ("is not in" if not ids else "is ambiguous in")
                        + f" {target_name}"
                    )
                    continue
                dataset["id"] = ids[0]
        resolved.append((name, doc))
    return resolved, missing


def _audience_label(source: FlowServiceClient, audience: Doc) -> str | None:
    """The name to find an audience by in the target: the source sandbox's name for its id (the
    id is what the file means; a name in the file is only a note). None when the file's name and
    the source's disagree.
    """
    written = audience.get("name")
    try:
        named = str(source.run(ops.audience(str(audience.get("id")))).data.get("name"))
    except NotFoundError:
        if written:
            return str(written)  # not in the source sandbox: the file's name is all there is
        raise DestgenError(
            f"audience {audience.get('id')} has no name in the file and is not in the source "
            "sandbox"
        ) from None
    return named if not written or written == named else None
