"""The connection specs and the audience and dataset flow specs the emulator serves, read from a
spec folder.

It reads raw JSON only (never generated/); validation.py decides what a body may contain.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID
from destgen_runtime.schema.dialect import (
    delivers_files,
    not_a_destination,
    standardise,
)
from destgen_runtime.schema.naming import slug_of


def default_specs_dir() -> Path:
    """``./specs_cache`` when the current folder has one, else the six specs shipped with the
    emulator (its wheel's package data, or the checkout's ``specs_cache/``).

    The emulator stands without the tool, so it finds its default specs on its own.
    """
    local = Path("specs_cache")
    if (local / "manifest.json").is_file():
        return local
    package = Path(__file__).resolve().parents[1]  # destgen_emulator/, above this room
    packaged = package / "_data" / "specs_cache"
    return packaged if packaged.is_dir() else package.parents[1] / "specs_cache"


DEFAULT_SPECS = default_specs_dir()
PROFILE_STORE_SPEC = {
    "id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1",
    "name": "Profile Store",
    "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
    "version": "1.0",
    "authSpec": [],
    "attributes": {"category": "profile"},
}
PROVIDER_ID = "14e34fac-d307-11e9-bb65-2a2ae2dbcce4"
AUDIENCES, DATASETS = "AUDIENCES", "DATASETS"


@dataclass(frozen=True)
class Destination:
    """One destination the emulator serves: its slug, raw connection spec and flow specs."""

    slug: str
    spec: dict[str, Any]
    flow_spec_ids: tuple[str, ...]
    dataset_flow_spec_id: str | None = None

    @property
    def spec_id(self) -> str:
        """The connection spec id."""
        return str(self.spec["id"])

    @cached_property
    def rules(self) -> dict[str, Any]:
        """The spec as validation reads it: Adobe's dialect in standard JSON Schema (isRequired,
        a misplaced required), no authSpec read as none. ``spec`` is what the API serves.
        """
        read, _notes = standardise(self.spec, translate_if=False)
        return read

    @property
    def streaming(self) -> bool:
        """Whether it streams profiles rather than writing files (what its spec declares)."""
        return not delivers_files(self.spec)

    @property
    def encryption_specs(self) -> list[dict[str, Any]]:
        """The spec's encryption specs (``encryptionSpecs``, else the newer ``encryption`` key)."""
        found = self.rules.get("encryptionSpecs", self.rules.get("encryption", []))
        return list(found or [])


def derived_flow_spec_id(connection_spec_id: str) -> str:
    """The audience flow spec the emulator serves for a spec that came without one: stable, so
    ``destgen fetch`` against the emulator looks the same id up every time.
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"destgen-emulator/flowSpec/{connection_spec_id}"))


class Catalog:
    """Destinations by connection spec id, by audience flow spec id and by dataset flow spec id.

    A folder holds curated specs (its manifest.json names their flow specs) and raw ones (any
    other ``*.json``, what ``GET /connectionSpecs/{id}`` returns), read with Adobe's dialect as
    the generator reads them. Several destinations may share one flow spec, as the documented
    batch flow spec serves every legacy cloud storage destination.
    """

    def __init__(self, folder: Path) -> None:
        manifest_file = folder / "manifest.json"
        entries = (
            json.loads(manifest_file.read_text())["destinations"] if manifest_file.is_file() else []
        )
        self.destinations: dict[str, Destination] = {}
        self.audience_flows: dict[str, list[Destination]] = {}
        self.dataset_flows: dict[str, list[Destination]] = {}
        self.others: dict[str, dict[str, Any]] = {}
        listed = set()
        for entry in entries:
            path = folder / f"{entry['slug']}.json"
            listed.add(path.name)
            spec = _read_spec(path)
            audience = entry.get("audience_flow_spec_id") or derived_flow_spec_id(spec["id"])
            self._add(
                Destination(entry["slug"], spec, (audience,), entry.get("dataset_flow_spec_id"))
            )
        for path in sorted(folder.glob("*.json")):
            if path.name in listed or path.name == manifest_file.name:
                continue
            spec = _read_spec(path)
            if not isinstance(spec.get("id"), str):
                continue
            if not_a_destination(spec) is None:
                # Named as the generator names it (its package, its delivery folder), never
                # after the file: a spec fetched as <id>__<name>.json is still its name's slug.
                slug = slug_of(str(spec.get("name") or path.stem))
                self._add(Destination(slug, spec, (derived_flow_spec_id(spec["id"]),)))
            else:
                # Listed and served as the service does (tag extensions too), never a target.
                self.others[spec["id"]] = spec

    def _add(self, destination: Destination) -> None:
        self.destinations[destination.spec_id] = destination
        for flow_spec_id in destination.flow_spec_ids:
            self.audience_flows.setdefault(flow_spec_id, []).append(destination)
        if destination.dataset_flow_spec_id:
            self.dataset_flows.setdefault(destination.dataset_flow_spec_id, []).append(destination)

    @property
    def by_flow_spec(self) -> dict[str, Destination]:
        """The first destination of each audience flow spec (its workflow's rules are shared)."""
        return {flow: found[0] for flow, found in self.audience_flows.items()}

    @property
    def by_dataset_flow_spec(self) -> dict[str, Destination]:
        """The first destination of each dataset flow spec."""
        return {flow: found[0] for flow, found in self.dataset_flows.items()}

    def connection_specs(self) -> list[dict[str, Any]]:
        """Every served connection spec, in catalogue order."""
        return [
            PROFILE_STORE_SPEC,
            *(d.spec for d in self.destinations.values()),
            *self.others.values(),
        ]

    def connection_spec(self, spec_id: str) -> dict[str, Any] | None:
        """The connection spec with ``spec_id``, or None."""
        if spec_id == PROFILE_STORE_SPEC["id"]:
            return PROFILE_STORE_SPEC
        destination = self.destinations.get(spec_id)
        return destination.spec if destination else self.others.get(spec_id)

    def flow_specs(self) -> list[dict[str, Any]]:
        """Every served flow spec, audience and dataset alike, sorted by id."""
        ids = sorted({*self.audience_flows, *self.dataset_flows})
        return [spec for i in ids if (spec := self.flow_spec(i)) is not None]

    def flow_spec(self, flow_spec_id: str) -> dict[str, Any] | None:
        """The flow spec with ``flow_spec_id``, or None."""
        if (destination := self.by_flow_spec.get(flow_spec_id)) is not None:
            return self._flow_spec(flow_spec_id, destination, AUDIENCES)
        if (destination := self.by_dataset_flow_spec.get(flow_spec_id)) is not None:
            return self._flow_spec(flow_spec_id, destination, DATASETS)
        return None

    def _flow_spec(
        self, flow_spec_id: str, destination: Destination, workflow: str
    ) -> dict[str, Any]:
        # docs/api-contract.md §13.10: no destination flow spec body is documented; this follows
        # FY's FlowSpecItemDTO. The workflow is what a targetSpec's conditionals read.
        audience = workflow == AUDIENCES
        served = (self.audience_flows if audience else self.dataset_flows)[flow_spec_id]
        names = ", ".join(d.spec["name"] for d in served)
        return {
            "id": flow_spec_id,
            "name": f"{names} {'audience' if audience else 'dataset'} export",
            "providerId": PROVIDER_ID,
            "version": "1.0",
            "sourceConnectionSpecIds": [
                PROFILE_STORE_SPEC["id"] if audience else DATA_LAKE_SPEC_ID
            ],
            "targetConnectionSpecIds": [d.spec_id for d in served],
            "attributes": {"_workflow": workflow, "isDestinationFlow": True},
            "transformationSpecs": [{"name": "GeneralTransform"}] if audience else [],
        }


def _read_spec(path: Path) -> dict[str, Any]:
    """One spec file, bare or a saved ``{"items": [spec]}`` answer, as the service serves it."""
    spec: dict[str, Any] = json.loads(path.read_text())
    if "items" in spec and "authSpec" not in spec:
        spec = spec["items"][0]
    return spec
