"""``destgen fetch``: read the live connection specs and update specs_cache/ all at once or not at
all; or bring home any destination's spec by id (``--spec-id``, ``--all-destinations``), with
its manifest entry and the flow specs the service lists for it.

Network and parsing go through the runtime client; nothing is written until every spec is good.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Entity
from destgen_runtime.schema.dialect import not_a_destination, standardise
from destgen_runtime.schema.naming import slug_of
from destgen_runtime.schema.spec_form import spec_bytes
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.errors import DestgenError
from destgen_runtime.transport.redact import one_line

from destgen.errors import GeneratorError
from destgen.specs import MANIFEST, check_envelope, normalise_encryption_key, read_manifest
from destgen.writer import write_all_or_nothing


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
    where = _where(client, entry["connection_spec_id"])
    spec = _spec_by_id(client, entry["connection_spec_id"])
    data = normalise_encryption_key(where, dict(spec.data))
    # Checked as generate reads it (Adobe's dialect included); kept as the service served it.
    check_envelope(where, standardise(data)[0])  # no targetSpec, say: nothing is written
    if data.get("id") != entry["connection_spec_id"]:
        raise GeneratorError(
            where,
            "/id",
            f"expected connection spec {entry['connection_spec_id']}, got {data.get('id')!r}",
        )
    # The API's own name for the array (encryptionSpecs) is what the cache keeps.
    # One byte form for the cache and for the runtime drift check (SPEC_SHA256 hashes exactly this).
    return spec_bytes(data).decode("utf-8"), spec.etag


@dataclass
class DestinationsFetch:
    """What ``fetch --spec-id``/``--all-destinations`` brought home, and what it left."""

    fetched: list[str] = field(default_factory=list)
    # "NAME (id): reason" of specs the service lists that are no destination (tag extensions).
    skipped: list[str] = field(default_factory=list)


def fetch_destinations(
    client: FlowServiceClient,
    out: Path,
    spec_ids: list[str] | None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> DestinationsFetch:
    """Bring home the connection specs ``spec_ids`` (every destination's when None) as files of
    ``out`` with manifest entries: slug from the name, flow specs looked up by target connection
    spec (``GET /flowSpecs``) or left unknown. All written at once, or nothing.
    """
    manifest_path = out / MANIFEST
    manifest: dict[str, Any] = (
        read_manifest(out) if manifest_path.is_file() else {"destinations": []}
    )
    entries: list[dict[str, Any]] = manifest["destinations"]
    if spec_ids is None:
        listed = client.follow(ops.collect(ops.list_("connectionSpecs")))
        specs = [dict(s.data) for s in listed]
    else:
        specs = [_asked_for(client, spec_id) for spec_id in spec_ids]
    report, files = DestinationsFetch(), {}
    fetched_at = clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    for spec in specs:
        where = _where(client, str(spec.get("id")))
        if not isinstance(spec.get("id"), str) or not isinstance(spec.get("name"), str):
            raise GeneratorError(where, "", "not a connection spec (no id or name)")
        reason = not_a_destination(spec)
        if reason is not None:
            if spec_ids is not None:
                raise GeneratorError(where, reason[0], reason[1])
            report.skipped.append(f"{spec['name']} ({spec['id']}): {reason[1]}")
            continue
        entry = _entry_for(entries, spec, manifest_path)
        audience, dataset = _flow_specs_of(client, spec["id"])
        entry.update(
            connection_spec_version=spec.get("version"),
            name=spec["name"],
            audience_flow_spec_id=audience,
            source=where,
            fetched_at=fetched_at,
        )
        if dataset:
            entry["dataset_flow_spec_id"] = dataset
        text = spec_bytes(normalise_encryption_key(where, spec)).decode("utf-8")
        entry["sha256"] = sha256(text)
        files[out / f"{entry['slug']}.json"] = text
        report.fetched.append(str(entry["slug"]))
    files[manifest_path] = json.dumps(manifest, indent=2) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    write_all_or_nothing(files)
    return report


def _asked_for(client: FlowServiceClient, spec_id: str) -> dict[str, Any]:
    """The spec ``spec_id``, only if the answer is that spec: a server that answers with another
    id would otherwise replace another destination's file and manifest entry.
    """
    spec = dict(_spec_by_id(client, spec_id).data)
    if spec.get("id") != spec_id:
        got = one_line(repr(spec.get("id")))
        raise GeneratorError(
            _where(client, spec_id), "/id", f"asked for connection spec {spec_id}, got {got}"
        )
    return spec


def _where(client: FlowServiceClient, spec_id: str) -> str:
    """The URL a spec is read from: what every fetch error names."""
    return f"{client.core.base_url}{ops.connection_spec(spec_id).path}"


def _spec_by_id(client: FlowServiceClient, spec_id: str) -> Entity:
    """``GET /connectionSpecs/{id}``; GeneratorError naming the URL when it fails."""
    try:
        return client.run(ops.connection_spec(spec_id))
    except DestgenError as exc:
        raise GeneratorError(_where(client, spec_id), "", f"fetch failed: {exc}") from None


def _entry_for(
    entries: list[dict[str, Any]], spec: dict[str, Any], manifest_path: Path
) -> dict[str, Any]:
    """The manifest entry of ``spec``: its own if it has one (its slug kept), else a new one
    with the slug destgen's curated specs give that spec id (``azure_blob`` stays ``azure_blob``
    whatever the service calls it), else named by the spec; a slug another spec holds is
    refused, never shared.
    """
    for known in entries:
        if known.get("connection_spec_id") == spec["id"]:
            return known
    slug = curated_slugs().get(spec["id"]) or slug_of(spec["name"])
    holder = next((e for e in entries if e.get("slug") == slug), None)
    if holder is not None:
        raise GeneratorError(
            str(manifest_path),
            "/destinations",
            f"{spec['name']!r} ({spec['id']}) would take the slug {slug!r} of connection spec "
            f"{holder.get('connection_spec_id')}; give one of them another slug in the manifest",
        )
    entry: dict[str, Any] = {"slug": slug, "connection_spec_id": spec["id"]}
    entries.append(entry)
    return entry


@functools.cache
def curated_slugs() -> dict[str, str]:
    """The slug of each curated spec destgen ships, by connection spec id (read once a run)."""
    from destgen.resources import data_dir

    shipped = data_dir("specs_cache")
    return {
        str(e["connection_spec_id"]): str(e["slug"])
        for e in read_manifest(shipped)["destinations"]
        if isinstance(e, dict) and "connection_spec_id" in e and "slug" in e
    }


def _flow_specs_of(client: FlowServiceClient, spec_id: str) -> tuple[str | None, str | None]:
    """The audience and dataset flow specs the service lists for a target connection spec."""
    audience, dataset = ops.by_workflow(client.follow(ops.collect(ops.flow_specs_for(spec_id))))
    return next(iter(audience), None), next(iter(dataset), None)
