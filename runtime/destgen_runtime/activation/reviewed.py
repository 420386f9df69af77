"""Applying exactly what was reviewed: a client that refuses to change an entity which moved since
the plan was made, or one the plan never saw.

A plan records the etag of every entity it would patch or found already right (planner.py). Given
those, ``Reviewed`` stands where a client stands: creates pass, and every PATCH first checks the
entity still carries the planned etag. A 412 re-reads the entity, the check sees the new etag, and
the run stops there instead of re-deriving a change nobody reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from destgen_runtime.api.operations import Created, Entity, Operation, collection_of
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    PlanMoved as PlanMoved,
)
from destgen_runtime.transport.client import Derive, FlowServiceClient


@dataclass
class Reviewed:
    """``client`` held to a plan's ``etags`` (``collection/id`` -> etag the plan read)."""

    client: FlowServiceClient | Any
    etags: Mapping[str, str | None]
    # Entities this run created: the plan showed them as creates, so changing them is reviewed.
    created: set[str] = field(default_factory=set)
    # The etag this run's own PATCH left on an entity: a second change of it in the same run
    # (credentials after a description, say) must find that one, not the plan's.
    own: dict[str, str | None] = field(default_factory=dict)
    # The kind of every write sent (create, update, action, delete): what apply reports, counted
    # as its plan counted them.
    writes: list[str] = field(default_factory=list)
    # The secret variables the file's payloads hold placeholders for: a plan that needed no
    # credentials (the base connection existed) is applied without them, and whatever would
    # send credentials now (the connection gone since) is refused instead.
    unset: tuple[str, ...] = ()

    def run(self, op: Operation[Any]) -> Any:
        """Send ``op``; remember what a create made."""
        if self.unset and op.kind == "create" and collection_of(op) == "connections":
            raise self._needs_secrets(op.label)
        result = self.client.run(op)
        if op.kind != "read":
            self.writes.append(op.kind)
        if op.kind == "create" and isinstance(result, Created | Entity):
            self.created.add(f"{collection_of(op)}/{result.id}")
        return result

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH as the client does, only while the entity is as the plan saw it."""
        key = f"{collection}/{entity_id}"
        if key not in self.etags and key not in self.created:
            raise PlanMoved(
                f"{collection} {entity_id} exists now but did not when the plan was made; "
                "plan again"
            )

        def as_planned(entity: Entity) -> Any:
            expected = self.own.get(key, self.etags.get(key))
            # A copy read before this run's own PATCH still has the plan's etag: its If-Match
            # fails with 412 and the fresh read (this run's etag) is checked next.
            if key in self.etags and entity.etag not in (self.etags[key], expected):
                raise PlanMoved(
                    f"{collection} {entity_id} changed since the plan was made (etag "
                    f"{expected} -> {entity.etag}); apply stopped before it: plan again"
                )
            patch = derive(entity)
            if self.unset and collection == "connections" and _sends_credentials(patch):
                raise self._needs_secrets(f"replace the credentials of connections {entity_id}")
            return patch

        result: Created = self.client.update(collection, entity_id, as_planned, known=known)
        if result.changed:
            self.own[key] = result.etag
            self.writes.append("update")
        return result

    def _needs_secrets(self, what: str) -> PlanMoved:
        names = ", ".join(self.unset)
        return PlanMoved(
            f"apply would now {what}, which needs {names} (not set; the plan did not need it): "
            "set it and plan again"
        )


def _sends_credentials(patch: Any) -> bool:
    """Whether a JSON Patch (a model or plain ops) writes under ``/auth``."""
    ops = patch.model_dump(by_alias=True) if hasattr(patch, "model_dump") else patch
    return any(str((op or {}).get("path", "")).startswith("/auth") for op in ops or [])
