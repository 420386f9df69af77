"""Which existing entity an activation may adopt: the exact name, the same spec, never a guess.

Flow Service's ``property=name==X`` filter treats a comma as "any of" and may return near names,
so every candidate is compared here; two exact matches are an error, not a coin toss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from destgen_runtime.api.operations import Entity
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    AmbiguousName as AmbiguousName,
)
from destgen_runtime.schema.wire import to_masked

# What makes two entities of one name the same thing: the spec they implement and what they hang on.
IDENTITY_PATHS = (("connectionSpec", "id"), ("flowSpec", "id"), ("baseConnectionId",))


def wanted_form(payload: BaseModel | Any) -> Mapping[str, Any]:
    """The create body's wire form with secrets masked: only names and ids are compared."""
    if isinstance(payload, BaseModel):
        return to_masked(payload)
    return payload if isinstance(payload, Mapping) else {}


def adoptable(items: Sequence[Entity], wanted: Mapping[str, Any], what: str) -> Entity | None:
    """The one listed entity with ``wanted``'s exact name and identity, or None to create it."""
    name = wanted.get("name")
    same = [e for e in items if e.data.get("name") == name and _same_identity(e.data, wanted)]
    if len(same) > 1:
        ids = ", ".join(e.id for e in same)
        raise AmbiguousName(
            f"{len(same)} {what} are named {name!r} ({ids}); rename or delete all but one"
        )
    return same[0] if same else None


def _same_identity(found: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    for path in IDENTITY_PATHS:
        expected = _at(wanted, path)
        if expected is not None and _at(found, path) != expected:
            return False
    return True


def _at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node
