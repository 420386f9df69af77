"""The connection specs and audience flow specs the emulator serves, read from a spec folder.

It reads raw JSON only (never generated/); validation.py decides what a body may contain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from destgen.resources import default_specs_dir

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
# docs/api-contract.md §12.1: the tutorial's and the OpenAPI file's ids are both accepted as
# audience flow specs.
ALTERNATE_FLOW_SPECS = {
    "17be2013-2549-41ce-96e7-a70363bec293": "db060570-a155-418a-a6d3-b4d97698e5dc",
    "cd2fc47e-e838-4f38-a581-8fff2f99b63a": "7e635b9f-e59b-4546-8ba8-fce6496693c8",
    "585c15c4-6cbf-4126-8f87-e26bff78b657": "976d663b-80b4-4193-be6b-2d0487516623",
}


@dataclass(frozen=True)
class Destination:
    """One destination the emulator serves: its slug, raw connection spec and flow specs."""

    slug: str
    spec: dict[str, Any]
    flow_spec_ids: tuple[str, ...]

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
    """Destinations by connection spec id and by audience flow spec id."""

    def __init__(self, folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        self.destinations: dict[str, Destination] = {}
        self.by_flow_spec: dict[str, Destination] = {}
        for entry in manifest["destinations"]:
            spec = json.loads((folder / f"{entry['slug']}.json").read_text())
            spec = spec["items"][0] if "items" in spec and "authSpec" not in spec else spec
            main = entry["audience_flow_spec_id"]
            ids = (main, *([ALTERNATE_FLOW_SPECS[main]] if main in ALTERNATE_FLOW_SPECS else []))
            destination = Destination(entry["slug"], spec, ids)
            self.destinations[destination.spec_id] = destination
            for flow_spec_id in ids:
                self.by_flow_spec[flow_spec_id] = destination

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
        """Every served flow spec, sorted by id."""
        return [self._flow_spec(i, d) for i, d in sorted(self.by_flow_spec.items())]

    def flow_spec(self, flow_spec_id: str) -> dict[str, Any] | None:
        """The flow spec with ``flow_spec_id``, or None."""
        destination = self.by_flow_spec.get(flow_spec_id)
        return self._flow_spec(flow_spec_id, destination) if destination else None

    @staticmethod
    def _flow_spec(flow_spec_id: str, destination: Destination) -> dict[str, Any]:
        # docs/api-contract.md §13.10: no destination flow spec body is documented; this follows
        # FY's FlowSpecItemDTO.
        return {
            "id": flow_spec_id,
            "name": f"{destination.spec['name']} audience export",
            "providerId": PROVIDER_ID,
            "version": "1.0",
            "sourceConnectionSpecIds": [PROFILE_STORE_SPEC["id"]],
            "targetConnectionSpecIds": [destination.spec_id],
            "attributes": {"_workflow": "AUDIENCES", "isDestinationFlow": True},
            "transformationSpecs": [{"name": "GeneralTransform"}],
        }
