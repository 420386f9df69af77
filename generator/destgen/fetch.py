"""``destgen fetch``: read the live connection specs and update specs_cache/ all at once or not at
all.

Network and parsing go through the runtime client; nothing is written until all six are good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destgen.errors import GeneratorError
from destgen.specs import MANIFEST, check_envelope, normalise_encryption_key, read_manifest
from destgen.writer import write_all_or_nothing
from destgen_destinations.runtime.activation.drift import spec_bytes
from destgen_destinations.runtime.api import operations as ops
from destgen_destinations.runtime.transport.client import FlowServiceClient
from destgen_destinations.runtime.transport.errors import DestgenError


@dataclass
class FetchReport:
    """What a fetch did: which destinations changed and which did not."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fetch_specs(
    client: FlowServiceClient,
    cache: Path,
    out: Path,
    only: set[str] | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> FetchReport:
    """Download each cached destination's live spec; replace only what changed, all at once."""
    manifest_path = cache / MANIFEST
    manifest = read_manifest(cache)
    entries = manifest["destinations"]
    for index, entry in enumerate(entries):
        if not isinstance(entry.get("connection_spec_id"), str) or not entry["connection_spec_id"]:
            pointer = f"/destinations/{index}/connection_spec_id"
            raise GeneratorError(str(manifest_path), pointer, "expected a connection spec id")
    unknown = (only or set()) - {e["slug"] for e in entries}
    if unknown:
        raise GeneratorError(
            str(manifest_path), "/destinations", f"unknown destination(s): {sorted(unknown)}"
        )
    report, files = FetchReport(), {}
    fetched_at = clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    for entry in entries:
        if only and entry["slug"] not in only:
            continue
        text, etag = _fetch_one(client, entry)
        old = out / f"{entry['slug']}.json"
        if old.exists() and old.read_text(encoding="utf-8") == text:
            report.unchanged.append(entry["slug"])
            continue
        report.changed.append(entry["slug"])
        files[old] = text
        entry.update(
            sha256=sha256(text),
            source=client.core.base_url + ops.connection_spec(entry["connection_spec_id"]).path,
            fetched_at=fetched_at,
            etag=etag,
        )
    if files or out != cache:
        files[out / MANIFEST] = json.dumps(manifest, indent=2) + "\n"
        out.mkdir(parents=True, exist_ok=True)
        write_all_or_nothing(files)
    return report


def _fetch_one(client: FlowServiceClient, entry: dict[str, Any]) -> tuple[str, str | None]:
    where = f"{client.core.base_url}{ops.connection_spec(entry['connection_spec_id']).path}"
    try:
        spec = client.run(ops.connection_spec(entry["connection_spec_id"]))
    except DestgenError as exc:
        raise GeneratorError(where, "", f"fetch failed: {exc}") from None
    data = normalise_encryption_key(where, dict(spec.data))
    check_envelope(where, data)  # not a connection spec (e.g. no targetSpec): nothing is written
    if data.get("id") != entry["connection_spec_id"]:
        raise GeneratorError(
            where,
            "/id",
            f"expected connection spec {entry['connection_spec_id']}, got {data.get('id')!r}",
        )
    # The API's own name for the array (encryptionSpecs) is what the cache keeps.
    # One byte form for the cache and for the runtime drift check (SPEC_SHA256 hashes exactly this).
    return spec_bytes(data).decode("utf-8"), spec.etag
