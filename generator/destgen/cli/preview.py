"""``destgen preview FILE``: what the next run of an activation file would write, without any
server: file names, the first rows as they would appear (after quoting and escaping), sizes with
and without compression, and whether the PGP key can encrypt. ``--out DIR`` writes the sample
files. The emulator's delivery renders with the very same code (destgen_emulator.delivery).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from destgen_runtime.activation.payloads import Payloads

from destgen.cli.activate import load_or_report
from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.cli.say import say
from destgen_emulator.delivery.deliver import deliver
from destgen_emulator.delivery.formats import format_of_file
from destgen_emulator.delivery.plan import ExportPlan, dataset_plan_from, plan_from
from destgen_emulator.delivery.render import RenderedFile, render

SHOWN_ROWS = 5


def preview_plan(payloads: Payloads) -> ExportPlan:
    """The ExportPlan of an activation file's validated payloads (what a run would write), by
    the file's kind of workflow (one function per kind that writes files).
    """
    return PREVIEWS[payloads.workflow.name](payloads)


def _public_key(payloads: Payloads) -> str | None:
    encryption = payloads.file.base_connection.encryption
    return encryption.public_key if encryption else None


def _dataset_files(payloads: Payloads) -> ExportPlan:
    """A dataset export's files: each dataset under the schedule's folder template."""
    file, schedule = payloads.file, payloads.file.dataflow.schedule
    assert schedule is not None  # the kind's problems() refused a dataset file without one
    return dataset_plan_from(
        destination=payloads.package.spec.NAME,
        target_params=dict(payloads.target_params),
        datasets=[(d.id, d.name) for d in file.datasets],
        folder_template=schedule.folder_name_template or "",
        instance=(file.dataflow.name, "preview"),
        tenant=(os.environ.get("AEP_ORG_ID", ""), os.environ.get("AEP_SANDBOX_NAME", "")),
        public_key=_public_key(payloads),
    )


def _audience_files(payloads: Payloads) -> ExportPlan:
    """An audience export's files: one per audience from its file name template."""
    file = payloads.file
    return plan_from(
        destination=payloads.package.spec.NAME,
        target_params=dict(payloads.target_params)
        | ({"includeFileManifest": True} if file.include_file_manifest else {}),
        selectors=[a.model_dump(by_alias=True, exclude_none=True) for a in payloads.audiences],
        columns=tuple(m.destination for m in file.mappings),
        public_key=_public_key(payloads),
    )


# Each kind of workflow that writes files, and how its files are previewed.
PREVIEWS: dict[str, Callable[[Payloads], ExportPlan]] = {
    "audiences": _audience_files,
    "datasets": _dataset_files,
}


def run_preview(args: argparse.Namespace) -> int:
    """``destgen preview``: print (or ``--json``) the files of one run; ``--out`` writes them."""
    payloads = load_or_report(args.file, "preview", placeholders=True)
    if isinstance(payloads, Exit):
        return payloads
    if payloads.workflow.name not in PREVIEWS:
        say(
            f"{args.file}: {payloads.package.spec.NAME} streams profiles; "
            "there are no files to preview"
        )
        return Exit.USAGE
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    plan = preview_plan(payloads)
    rendered = render(plan, rows=args.rows, seed=str(args.seed), when=when)
    if rendered.problem is not None:
        say(f"{args.file}: {rendered.problem}")
        return Exit.FAILED
    # The rows an encrypted file holds: the same render without the key (same seed, same rows),
    # shown beside the encrypted file's own name and size.
    plain = (
        render(replace(plan, public_key=None), rows=args.rows, seed=str(args.seed), when=when)
        if plan.public_key
        else rendered
    )
    described = [
        _describe(f, payloads, shown) for f, shown in zip(rendered.files, plain.files, strict=True)
    ]
    fingerprint = rendered.key_fingerprint
    pgp = None if fingerprint is None else f"encrypts to key {fingerprint}"
    if args.json:
        document = {"file": str(args.file), "files": described} | ({"pgp": pgp} if pgp else {})
        print_report(document)
    else:
        if pgp:
            print(f"PGP: {pgp}")
        for item in described:
            print(
                f"{item['path']}  ({item['size']} bytes; {item['uncompressedSize']} uncompressed)"
                + ("; encrypted, these are the rows it holds" if item["encrypted"] else "")
            )
            for line in item["firstRows"]:
                print(f"  {line}")
    if args.out is not None:
        written = deliver(args.out, ("preview",), payloads.package.spec.SLUG, rendered.files)
        say(f"wrote {len(written)} file(s) under {args.out}")
    return Exit.OK


def _describe(file: RenderedFile, payloads: Payloads, plain: RenderedFile) -> dict[str, Any]:
    """One file: its path and sizes, and its first rows (``plain``: the same file unencrypted)."""
    path = "/".join((payloads.package.spec.SLUG, *file.folder, file.name))
    return {
        "path": path,
        "size": len(file.data),
        "uncompressedSize": file.uncompressed_size,
        "rows": file.rows,
        "encrypted": file.name.endswith(".gpg"),
        "firstRows": first_rows(plain),
    }


def first_rows(file: RenderedFile, count: int = SHOWN_ROWS) -> list[str]:
    """The first lines of a file as a reader sees them (decompressed; Parquet as JSON rows; an
    encrypted file, given alone, as the fact that it is).
    """
    if file.name.endswith(".gpg"):
        return ["(OpenPGP message: decrypt with the key's private half)"]
    found = format_of_file(file.name)
    if found is None:  # the manifest: JSON text
        return file.data.decode("utf-8").splitlines()[: count + 1]
    file_format, compressed = found
    return file_format.read(file.data, compressed, count)
