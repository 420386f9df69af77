"""Plans without changes: an activation driven against the live service with its reads sent and
its writes only recorded, so ``destgen plan`` shows what ``destgen apply`` would do.

The planner stands where a client stands (``run`` and ``update``), so a plan is the very sequence
apply runs, not a second description of it. A plan is data: typed field changes (action, path,
old, new) and the etag of every entity it would patch, so ``apply`` can carry out exactly what was
reviewed (reviewed.py). Secrets are masked in every value and never compared.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.payloads.patch_ops import PROFILE_SELECTORS, SELECTORS
from destgen_runtime.schema.wire import to_masked
from destgen_runtime.transport.client import Derive, FlowServiceClient

PLANNED = "planned-"  # the id prefix of an entity that exists only in the plan
# How a plan shows a value only the service will give (an id, say): as infrastructure tools do.
KNOWN_AFTER_APPLY = "(known after apply)"
# The entities of a chain other dataflows may use, and the flow key that names them.
SHAREABLE = {
    "connections": "targetConnectionIds",  # through the target connections built on it
    "targetConnections": "targetConnectionIds",
    "sourceConnections": "sourceConnectionIds",
}
# Where a created connection points: the params a reviewer must see before it exists.
WHERE_KEYS = (
    "bucketName",
    "container",
    "folder",
    "path",
    "remotePath",
    "host",
    "domain",
    "accountName",
    "url",
)
SHOWN = 70  # characters of a value shown before it is cut


Action = Literal["create", "change", "remove", "action"]
SIGNS: dict[str, str] = {"create": "+", "change": "~", "remove": "-", "action": "!"}


@dataclass(frozen=True)
class FieldChange:
    """One change a write makes: ``path`` is a field (``params.compression``) or, for creates,
    removals and actions, the entity. ``old``/``new`` are masked where secret; ``note`` replaces
    ``old -> new`` where values say nothing (credentials, a whole audience selector).
    """

    action: Action
    path: str
    old: Any = None
    new: Any = None
    note: str = ""

    def line(self) -> str:
        """The change as one line: ``+ create``, ``~ path: old -> new``, ``- path``, ``! path``."""
        sign = SIGNS[self.action]
        if self.action == "change":
            return f"{sign} {self.path}: {self.note or f'{_show(self.old)} -> {_show(self.new)}'}"
        if self.action == "remove" and (self.old is not None or self.note):
            return f"{sign} {self.path}: {self.note or _show(self.old)}"
        return f"{sign} {self.path}"

    def as_json(self) -> dict[str, Any]:
        """The change as plain JSON (what ``plan --json`` and a saved plan hold); a value only
        apply will know (a planned id) is null, with ``new_known_after_apply``.
        """
        found: dict[str, Any] = {"action": self.action, "path": self.path}
        if self.action == "change":
            unknown = planned(self.new)
            found |= {"old": self.old, "new": None if unknown else self.new}
            found |= {"new_known_after_apply": True} if unknown else {}
        return found | ({"note": self.note} if self.note else {})


@dataclass(frozen=True)
class Change:
    """One write the plan holds: the step's label and the field changes it makes, and what it
    writes: the action (create, update, delete, action), the collection, the entity's name and
    id (None for what the plan would create).
    """

    label: str
    fields: list[FieldChange]
    action: str = ""
    collection: str = ""
    name: str | None = None
    entity_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The change for ``plan --json``: its target, its label, its lines and its fields."""
        return {
            "action": self.action,
            "collection": self.collection,
            "name": self.name,
            "id": self.entity_id,
            "step": self.label,
            "lines": self.lines,
            "fields": [f.as_json() for f in self.fields],
        }

    @property
    def lines(self) -> list[str]:
        """The field changes as text, one line each."""
        return [f.line() for f in self.fields]


@dataclass
class Planner:
    """Sends reads through ``client``, records writes; their answers are an empty service's.

    ``etags``: ``collection/id`` -> the etag of every live entity the plan would patch or found
    already right: what ``apply`` of this plan requires to be unchanged.
    """

    client: FlowServiceClient | Any  # or anything with its run and follow (replay.Recorded)
    changes: list[Change] = field(default_factory=list)
    etags: dict[str, str | None] = field(default_factory=dict)
    # The file's own dataflow: every other dataflow that uses an entity makes it shared.
    own_flow: str | None = None
    # collection/id of each live entity a change would touch that another dataflow also uses, or
    # that the file would rename (a connection reached through a dataflow adopted by name).
    shared: dict[str, str] = field(default_factory=dict)
    # (collection, name) of every entity the plan would create: what files run together must
    # not both create.
    creates: set[tuple[str, str]] = field(default_factory=set)
    _ids: Any = field(default_factory=lambda: itertools.count(1), repr=False)
    _flows: list[Entity] | None = field(default=None, repr=False)

    def run(self, op: Operation[Any]) -> Any:
        """A read is sent (unless it reads what only the plan made); a write is recorded."""
        if op.kind == "read" and PLANNED not in op.path:
            return self.client.run(op)
        answer = op.empty(next(self._ids))
        if isinstance(answer, dict) and "id" in answer:
            answer = answer | {"id": f"{PLANNED}{answer['id']}", "etag": None}
        if op.kind != "read":
            collection, entity_id = _addressed(op.path)
            self.changes.append(
                Change(
                    op.label,
                    describe_write(op),
                    op.kind,
                    collection,
                    getattr(op.payload, "name", None),
                    None if planned(entity_id) else entity_id,
                )
            )
        name = getattr(op.payload, "name", None)
        if op.kind == "create" and isinstance(name, str):
            self.creates.add((ops.collection_of(op), name))
        return op.parse(answer)

    def users(self, collection: str, entity: Entity) -> list[str]:
        """The names of the other dataflows that use ``entity`` (a connection of a chain)."""
        if collection not in SHAREABLE:
            return []
        if self._flows is None:
            self._flows = self.client.follow(ops.collect(ops.list_("flows")))
        targets = {entity.id}
        if collection == "connections":
            listed = ops.list_("targetConnections", f"baseConnectionId=={entity.id}")
            targets = {t.id for t in self.client.follow(ops.collect(listed))}
        key = SHAREABLE[collection]
        return sorted(
            str(f.data.get("name"))
            for f in self._flows
            if f.data.get("name") != self.own_flow and targets & set(f.data.get(key) or [])
        )

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """The ops ``derive`` finds on the live entity, recorded as field changes."""
        entity = known if known is not None else self.run(ops.get(collection, entity_id))
        if not entity_id.startswith(PLANNED):
            self.etags[f"{collection}/{entity_id}"] = entity.etag
        patch = derive(entity)
        if patch is None:
            return Created(entity.id, entity.etag, changed=False)
        shown_id = KNOWN_AFTER_APPLY if planned(entity_id) else f"({entity_id})"
        label = f"update {collection} {entity.data.get('name')!r} {shown_id}"
        fields = describe(entity, patch)
        others = self.users(collection, entity)
        if others:
            # Changing it changes their exports too: named here, refused by apply unless asked.
            label += f", shared with {len(others)} other dataflow(s): {', '.join(others)}"
            self.shared[f"{collection}/{entity_id}"] = label
        elif collection in SHAREABLE and any(f.path == "/name" for f in fields):
            # Found through the dataflow under another name: the file's dataflow name may be
            # another team's, and this would take over their chain. Refused unless asked too.
            label += ", found through the dataflow under another name (another team's?)"
            self.shared[f"{collection}/{entity_id}"] = label
        name = entity.data.get("name")
        self.changes.append(
            Change(
                label,
                fields,
                "update",
                collection,
                str(name) if name else None,
                None if planned(entity_id) else entity_id,
            )
        )
        return Created(entity.id, entity.etag, changed=True)


def _addressed(path: str) -> tuple[str, str | None]:
    """The collection and entity id a request path names (``/data/foundation/flowservice/flows/
    ID/action`` -> ``flows``, ``ID``); the id is None for a create.
    """
    parts = path.strip("/").split("/")[3:]  # past /data/foundation/<service>
    return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else None)


def describe_write(op: Operation[Any]) -> list[FieldChange]:
    """A create, delete or action; a create shows where it points (bucket, host, path), never
    the rest of its payload, which may hold secrets.
    """
    if op.kind == "create":
        where = _where(op.payload)
        return [FieldChange("create", op.label + (f" ({where})" if where else ""))]
    if op.kind == "delete":
        return [FieldChange("remove", op.label)]
    # An action on an entity only the plan made names it by what apply will know.
    label = " ".join(KNOWN_AFTER_APPLY if planned(word) else word for word in op.label.split(" "))
    return [FieldChange("action", label)]


def describe(entity: Entity, patch: Any) -> list[FieldChange]:
    """Each op of ``patch`` as the fields it changes on ``entity``."""
    lines: list[FieldChange] = []
    wire: list[dict[str, Any]] = patch.model_dump(mode="json", by_alias=True, exclude_none=True)
    for op in wire:
        path, kind = str(op.get("path", "")), str(op.get("op", "")).lower()
        old = _at(entity.data, path)
        new = op.get("value") if kind != "remove" else None
        if path.startswith(SELECTORS):
            lines.append(_audience_line(kind, old, new))
        elif path.startswith(PROFILE_SELECTORS):
            lines.append(_attribute_line(kind, old, new))
        elif path == "/auth/params":
            # Params that are no secret are shown; a masked value on either side is a secret.
            lines += [
                FieldChange("change", p, o, n)
                for p, o, n in _leaves(path, old, new or {})
                if n is not None and not _masked(o) and not _masked(n)
            ]
            note = "replaced (secrets cannot be read back or compared)"
            lines.append(FieldChange("change", "credentials", note=note))
        elif path == "/params" and isinstance(old, dict) and isinstance(new, dict):
            # A target connection's params replace merges: only the listed params change.
            shown = {k: old.get(k) for k in new}
            lines += [FieldChange("change", p, o, n) for p, o, n in _leaves(path, shown, new)]
        elif kind == "remove":
            lines.append(FieldChange("remove", path, old, note="" if old is not None else "(none)"))
        else:
            lines += [FieldChange("change", p, o, n) for p, o, n in _leaves(path, old, new)]
    return lines


def _where(payload: Any) -> str:
    """``bucketName: acme, path: audiences`` of a created connection: what a reviewer checks."""
    if not isinstance(payload, BaseModel):
        return ""
    wire = to_masked(payload)
    found = {**(wire.get("params") or {}), **((wire.get("auth") or {}).get("params") or {})}
    shown = [
        f"{key}: {found[key]}"
        for key in WHERE_KEYS
        if isinstance(found.get(key), str | int) and not _masked(found[key])
    ]
    return ", ".join(shown)


def _attribute_line(kind: str, old: Any, new: Any) -> FieldChange:
    """A streamed attribute added or removed: ``+ attribute person.name.firstName as
    first_name`` (an identity says so).
    """
    value = ((new if kind == "add" else old) or {}).get("value") or {}
    mapping = value.get("mapping") or {}
    kind_word = "identity" if mapping.get("identity") else "attribute"
    label = f"{kind_word} {value.get('path')} as {mapping.get('destination', value.get('path'))}"
    return FieldChange("create" if kind == "add" else "remove", label)


def _audience_line(kind: str, old: Any, new: Any) -> FieldChange:
    if kind == "add":
        value = new.get("value", {})
        return FieldChange(
            "create", f"audience {value.get('id')} ({value.get('name') or 'unnamed'})"
        )
    if kind == "remove":
        return FieldChange("remove", f"audience {(old or {}).get('value', {}).get('id')}")
    value = new.get("value", {})
    before = old.get("value") if old else None
    fields = [
        f"{p.removeprefix('value.')}: {_show(o)} -> {_show(n)}"
        for p, o, n in _leaves("", before, value)
        if p.split(".")[0] in ("filenameTemplate", "exportMode", "schedule")
    ]
    note = "; ".join(fields or ["whole selector replaced"])
    return FieldChange("change", f"audience {value.get('id')}", before, value, note)


def _leaves(path: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """The changed leaves between ``old`` and ``new``, with dotted paths under ``path``."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            if key in new or old.get(key) is not None:
                where = f"{path}.{key}" if path else key
                found += _leaves(where, old.get(key), new.get(key))
        return found
    return [] if old == new else [(path, old, new)]


def _at(data: Any, pointer: str) -> Any:
    """The value at a JSON Pointer, or None when it does not exist (``-`` names nothing yet)."""
    node = data
    for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _masked(value: Any) -> bool:
    return isinstance(value, str) and value != "" and set(value) == {"*"}


def planned(value: Any) -> bool:
    """Whether ``value`` is an id only the plan made up: the service gives the real one."""
    return isinstance(value, str) and value.startswith(PLANNED)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if planned(value):
        return KNOWN_AFTER_APPLY
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."
