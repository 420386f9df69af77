"""The connection specs and the audience and dataset flow specs the emulator serves, read from a
spec folder.

It reads raw JSON only (never generated/); validation.py decides what a body may contain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from destgen_destinations.runtime.api.constants import DATA_LAKE_SPEC_ID


def default_specs_dir() -> Path:
    """``./specs_cache`` when the current folder has one, else the six specs shipped with the
    emulator (its wheel's package data, or the checkout's ``specs_cache/``).

    The emulator stands without the tool, so it finds its default specs on its own.
    """
    local = Path("specs_cache")
    if (local / "manifest.json").is_file():
        return local
    packaged = Path(__file__).resolve().parent / "_data" / "specs_cache"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "specs_cache"


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

    @property
    def encryption_specs(self) -> list[dict[str, Any]]:
        """The spec's encryption specs (``encryptionSpecs``, else the newer ``encryption`` key)."""
        found = self.spec.get("encryptionSpecs", self.spec.get("encryption", []))
        return list(found or [])


class Catalog:
    """Destinations by connection spec id, by audience flow spec id and by dataset flow spec id."""

    def __init__(self, folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        self.destinations: dict[str, Destination] = {}
        self.by_flow_spec: dict[str, Destination] = {}
        self.by_dataset_flow_spec: dict[str, Destination] = {}
        for entry in manifest["destinations"]:
            spec = json.loads((folder / f"{entry['slug']}.json").read_text())
            spec = spec["items"][0] if "items" in spec and "authSpec" not in spec else spec
            dataset = entry.get("dataset_flow_spec_id")
            audience = entry["audience_flow_spec_id"]
            destination = Destination(entry["slug"], spec, (audience,), dataset)
            self.destinations[destination.spec_id] = destination
            self.by_flow_spec[audience] = destination
            if dataset:
                self.by_dataset_flow_spec[dataset] = destination

    def connection_specs(self) -> list[dict[str, Any]]:
        """Every served connection spec, in catalogue order."""
        return [PROFILE_STORE_SPEC, *(d.spec for d in self.destinations.values())]

    def connection_spec(self, spec_id: str) -> dict[str, Any] | None:
        """The connection spec with ``spec_id``, or None."""
        if spec_id == PROFILE_STORE_SPEC["id"]:
            return PROFILE_STORE_SPEC
        destination = self.destinations.get(spec_id)
        return destination.spec if destination else None

    def flow_specs(self) -> list[dict[str, Any]]:
        """Every served flow spec, audience and dataset alike, sorted by id."""
        ids = sorted({*self.by_flow_spec, *self.by_dataset_flow_spec})
        return [spec for i in ids if (spec := self.flow_spec(i)) is not None]

    def flow_spec(self, flow_spec_id: str) -> dict[str, Any] | None:
        """The flow spec with ``flow_spec_id``, or None."""
        if (destination := self.by_flow_spec.get(flow_spec_id)) is not None:
            return self._flow_spec(flow_spec_id, destination, AUDIENCES)
        if (destination := self.by_dataset_flow_spec.get(flow_spec_id)) is not None:
            return self._flow_spec(flow_spec_id, destination, DATASETS)
        return None

    @staticmethod
    def _flow_spec(flow_spec_id: str, destination: Destination, workflow: str) -> dict[str, Any]:
        # docs/api-contract.md §13.10: no destination flow spec body is documented; this follows
        # FY's FlowSpecItemDTO. The workflow is what a targetSpec's conditionals read.
        audience = workflow == AUDIENCES
        return {
            "id": flow_spec_id,
            "name": f"{destination.spec['name']} {'audience' if audience else 'dataset'} export",
            "providerId": PROVIDER_ID,
            "version": "1.0",
            "sourceConnectionSpecIds": [
                PROFILE_STORE_SPEC["id"] if audience else DATA_LAKE_SPEC_ID
            ],
            "targetConnectionSpecIds": [destination.spec_id],
            "attributes": {"_workflow": workflow, "isDestinationFlow": True},
            "transformationSpecs": [{"name": "GeneralTransform"}] if audience else [],
        }
