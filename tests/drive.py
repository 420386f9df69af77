"""``drive``: the runtime's sans-IO core (a plan is a generator of Operations and Updates) run
against an in-memory service, with no HTTP and no server: what each step would send, answered
from a dict store, so tests see the exact sequence of calls and whether a re-run writes nothing.

The store is the emulator's rules at their smallest: entities by collection and id, lists
filtered by ``property=name==X``, a create answered with a new id and etag, a PATCH applied with
the emulator's own JSON Patch (RFC 6902) and a new etag; every other read (the union schema, a
connection spec, an audience) gets the answer an empty service gives (``Operation.empty``).
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from destgen_runtime.activation.steps import Update
from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.schema.wire import to_wire
from pydantic import BaseModel

from destgen_emulator.service.patching import apply_patch


@dataclass
class Service:
    """Entities by collection and id, and every call a drive sent, in order."""

    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1), repr=False)

    def writes(self) -> list[str]:
        """The calls that change something (everything but GET)."""
        return [c for c in self.calls if not c.startswith("GET ")]

    def answer(self, op: Operation[Any]) -> Any:
        """``op`` as the service would answer it (parsed as the client parses it)."""
        collection, entity_id = _addressed(op.path)
        self.calls.append(f"{op.method} {collection}" + (f"/{entity_id}" if entity_id else ""))
        if op.kind == "create":
            made = str(next(self._ids))
            body = to_wire(op.payload) if isinstance(op.payload, BaseModel) else dict(op.payload)
            self.entities.setdefault(collection, {})[made] = body | {"id": made, "etag": "1"}
            return op.parse({"id": made, "etag": "1", "version": 0})
        stored = self.entities.get(collection, {})
        if op.kind == "read" and entity_id in stored:
            return op.parse(stored[entity_id])
        names = [
            v.removeprefix("name==")
            for k, v in op.params
            if k == "property" and v.startswith("name==")
        ]
        if op.kind == "read" and names:
            return op.parse({"items": [e for e in stored.values() if e.get("name") in names]})
        return op.parse(op.empty(next(self._ids)))

    def update(self, step: Update) -> Created:
        """PATCH ``step``'s entity with what its derive finds (nothing sent when it finds none)."""
        entity = self.entities[step.collection][step.entity_id]
        patch = step.derive(Entity(step.entity_id, entity["etag"], entity))
        if patch is None:
            return Created(step.entity_id, entity["etag"], changed=False)
        self.calls.append(f"PATCH {step.collection}/{step.entity_id}")
        ops = patch.model_dump(mode="json", by_alias=True, exclude_none=True)
        etag = str(int(entity["etag"]) + 1)
        self.entities[step.collection][step.entity_id] = apply_patch(entity, ops) | {"etag": etag}
        return Created(step.entity_id, etag, changed=True)


def drive(steps: Generator[Any, Any, Any], service: Service) -> Any:
    """Run ``steps`` (a plan) to its end against ``service``; its return value."""
    reply = None
    try:
        while True:
            step = steps.send(reply)
            reply = service.update(step) if isinstance(step, Update) else service.answer(step)
    except StopIteration as done:
        return done.value


def _addressed(path: str) -> tuple[str, str | None]:
    """``/data/foundation/flowservice/flows/ID/action`` -> (``flows``, ``ID``)."""
    parts = path.strip("/").split("/")[3:]
    return (parts[0] if parts else path), (parts[1] if len(parts) > 1 else None)


__all__ = ["Service", "drive"]
