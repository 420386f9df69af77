"""The files of one run, in memory: per audience its rows in the chosen format, compressed and
encrypted as the target says, under the folder its location and path macros name; and the
manifest file when the target asks for one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from destgen_emulator.delivery import formats
from destgen_emulator.delivery.encrypt import KeyUnusable, encrypt, load_key
from destgen_emulator.delivery.names import (
    expand,
    expand_folder,
    export_time,
    safe_folder,
    safe_part,
)
from destgen_emulator.delivery.plan import Audience, ExportPlan
from destgen_emulator.delivery.rows import profiles


@dataclass(frozen=True)
class RenderedFile:
    """One file a run writes: where (folder parts), its name, bytes and what it holds."""

    folder: tuple[str, ...]
    name: str
    data: bytes
    uncompressed_size: int
    rows: int
    audience_id: str | None = None


@dataclass
class Rendered:
    """A run's files, or why it could not write them (an unusable PGP key, say)."""

    files: list[RenderedFile] = field(default_factory=list)
    problem: str | None = None
    # The fingerprint of the key the files are encrypted to, as ``gpg --list-keys`` shows it.
    key_fingerprint: str | None = None


def render(
    plan: ExportPlan, *, rows: int, seed: str, when: dt.datetime, run_id: str = "preview"
) -> Rendered:
    """Every file one run of ``plan`` writes, ``rows`` profiles per audience."""
    key = None
    if plan.public_key is not None:
        try:
            key = load_key(plan.public_key)  # read once for every file of the run
        except KeyUnusable as exc:
            return Rendered(problem=f"the PGP public key cannot encrypt: {exc}")
    result = Rendered(key_fingerprint=None if key is None else str(key.fingerprint))
    for audience in plan.audiences:
        try:
            data, plain = _file_bytes(plan, rows, f"{seed}:{audience.id}")
        except formats.ParquetUnavailable as exc:  # an install without the parquet extra
            return Rendered(problem=str(exc))
        name = _file_name(plan, audience, when, run_id)
        if key is not None:
            data, name = encrypt(data, key), safe_part(name + ".gpg")
        result.files.append(
            RenderedFile(_folder(plan, audience, when), name, data, plain, rows, audience.id)
        )
    if plan.manifest and result.files:
        result.files.append(_manifest(result.files, plan.instance[1], run_id, when))
    return result


def _file_name(plan: ExportPlan, audience: Audience, when: dt.datetime, run_id: str) -> str:
    """An audience file's name from its template; a dataset file's from the run."""
    if plan.datasets:
        return safe_part(f"part-00000-{run_id}{extension(plan)}")
    expanded = expand(
        audience.filename_template,
        destination=plan.destination,
        audience_id=audience.id,
        audience_name=audience.name,
        when=when,
    )
    return safe_part(expanded + extension(plan))


def _folder(plan: ExportPlan, audience: Audience, when: dt.datetime) -> tuple[str, ...]:
    """The location's parts with the path macros expanded (and a dataset's own folders)."""
    folder = tuple(
        part
        for raw in plan.location
        for part in safe_folder(
            expand(
                raw,
                destination=plan.destination,
                audience_id=audience.id,
                audience_name=audience.name,
                when=when,
            )
        )
    )
    return folder + (_dataset_folder(plan, audience.id, when) if plan.datasets else ())


def _dataset_folder(plan: ExportPlan, dataset_id: str, when: dt.datetime) -> tuple[str, ...]:
    """<folder template>/<dataset id>/exportTime=YYYYMMDDHHMM, as the dataset export page says."""
    template = expand_folder(
        plan.folder_template,
        dataset_id=dataset_id,
        destination=plan.destination,
        instance_name=plan.instance[0],
        instance_id=plan.instance[1],
        sandbox=plan.tenant[1],
        organization=plan.tenant[0],
        when=when,
    )
    return (*safe_folder(template), safe_part(dataset_id), safe_part(export_time(when)))


def extension(plan: ExportPlan) -> str:
    """``.csv``, ``.json`` or ``.parquet``, with the compression's mark (``.csv.gz``,
    ``.gz.parquet`` as the docs name compressed Parquet).
    """
    return formats.FORMATS[plan.file_type].file_extension(plan.compression == "GZIP")


def _file_bytes(plan: ExportPlan, rows: int, seed: str) -> tuple[bytes, int]:
    generated = list(profiles(plan.columns, rows, seed))
    write = formats.FORMATS[plan.file_type].write
    return write(plan.columns, generated, plan.csv_options, plan.compression == "GZIP")


def _manifest(
    files: list[RenderedFile], destination_id: str, run_id: str, when: dt.datetime
) -> RenderedFile:
    """``manifest-<destinationId>-<dataflowRunId>.json`` (the destination being the dataflow):
    the run, its time and each file's path and size.
    """
    document = {
        "flowRunId": run_id,
        "scheduledTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exportResults": [
            {"sinkPath": "/" + "/".join(f.folder), "name": f.name, "size": len(f.data)}
            for f in files
        ],
    }
    data = (json.dumps(document, indent=2) + "\n").encode()
    return RenderedFile(
        files[0].folder, safe_part(f"manifest-{destination_id}-{run_id}.json"), data, len(data), 0
    )
