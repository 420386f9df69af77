"""The building blocks of an activation plan, shared by both workflows: the steps a plan yields,
the rows it reports, and the adopt-or-create step every entity goes through.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from destgen_destinations.runtime import activation_changes as changes
from destgen_destinations.runtime import operations as ops
from destgen_destinations.runtime.activation_payloads import Payloads
from destgen_destinations.runtime.adoption import adoptable, wanted_form
from destgen_destinations.runtime.client import Derive
from destgen_destinations.runtime.operations import Created, Entity, Operation
from destgen_destinations.runtime.spec_model import compact
from destgen_destinations.runtime.wire import to_wire


@dataclass(frozen=True)
class Update:
    """PATCH ``collection/entity_id`` with ops derived from the fresh entity (re-derived on 412)."""

    collection: str
    entity_id: str
    derive: Derive
    label: str
    known: Entity | None = None  # the entity as last seen: the first PATCH skips re-reading it


@dataclass(frozen=True)
class Row:
    """One line of an activation's report: which entity, its id and etag, and what was done."""

    entity: str
    name: str
    id: str
    etag: str | None
    action: str  # created | adopted | updated | unchanged


@dataclass
class ActivationResult:
    """The ids an activation created, adopted or updated, and each step taken."""

    rows: list[Row] = field(default_factory=list)

    def id_of(self, entity: str) -> str:
        """The id of the entity named ``entity`` (for example "dataflow")."""
        return next(r.id for r in self.rows if r.entity == entity)


Step = Operation[Any] | Update
Plan = Generator[Step, Any, ActivationResult]


def ensure(
    result: ActivationResult,
    created: dict[str, Entity],
    collection: str,
    entity: str,
    payload: BaseModel,
) -> Plan:
    """Adopt the entity named like ``payload`` when it exists, else create it; one row either way.

    ``created`` collects what this run made, so its first PATCH need not read it back.
    """
    name = str(wanted_form(payload)["name"])
    page = yield ops.find_by_name(collection, name)
    if (found := adoptable(page.items, wanted_form(payload), entity + "s")) is not None:
        result.rows.append(Row(entity, name, found.id, found.etag, "adopted"))
    else:
        made: Created = yield ops.create(collection, payload, name)
        result.rows.append(Row(entity, name, made.id, made.etag, "created"))
        created[entity] = Entity(made.id, made.etag, to_wire(payload))
    return result


def target_of(p: Payloads, result: ActivationResult) -> BaseModel:
    """The target connection's create body, on the base connection ``result`` holds."""
    file, spec = p.file, p.package.spec
    manifest = (
        {}
        if file.include_file_manifest is None
        else {"includeFileManifest": file.include_file_manifest}
    )
    models = p.package.models
    model = models.DatasetTargetConnection if p.datasets is not None else models.TargetConnection
    target: BaseModel = model.model_validate(
        compact(
            {
                "name": file.target_connection.name,
                "description": file.target_connection.description,
                "baseConnectionId": result.id_of("base connection"),
                "params": p.target_params | manifest,
                "connectionSpec": {
                    "id": spec.CONNECTION_SPEC_ID,
                    "version": spec.CONNECTION_SPEC_VERSION,
                },
            }
        )
    )
    return target


def file_manifest(p: Payloads, result: ActivationResult, created: dict[str, Entity]) -> Plan:
    """Set ``includeFileManifest`` on an adopted target connection when the file names it."""
    file = p.file
    if file.include_file_manifest is not None and "target connection" not in created:
        done = yield Update(
            "targetConnections",
            result.id_of("target connection"),
            changes.manifest(file.include_file_manifest),
            "file manifest",
        )
        result.rows.append(
            Row(
                "file manifest",
                file.target_connection.name,
                done.id,
                done.etag,
                "updated" if done.changed else "unchanged",
            )
        )
    return result
