"""In-memory entities with etags: thread-safe create, read, compare-and-swap update, delete,
save/load.

It knows collections and etags, not what a payload means (validation.py) or how it is patched.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from destgen_runtime.schema import strict_json

from destgen_emulator.service.errors import ApiError, etag_mismatch, not_found

COLLECTIONS = (
    "sourceConnections",
    "connections",
    "targetConnections",
    "flows",
    "runs",
    "schemas",
    "mappingSets",
    # Audiences a client created (the seeded ones live in sandboxes.py, the same in every org).
    "segmentDefinitions",
)


# Who owns an entity: (IMS org, sandbox). Every read and write of a request names its tenant; an
# entity of another tenant is "not found", as a sandbox of another org is for the real service.
Tenant = tuple[str | None, str]


def tenant_of(entity: dict[str, Any]) -> Tenant:
    """The (org, sandbox) an entity was created in."""
    return (entity.get("imsOrgId"), entity.get("sandboxName") or "prod")


# The most entities one collection holds, all tenants together: a client looping on creates (or
# one fault rule away from it) meets a clear refusal instead of filling the host's memory.
MAX_ENTITIES = 50_000

# What an entity holds that needs no copy: JSON's scalars.
_ATOMS = (str, int, float, bool, type(None))
_Data = TypeVar("_Data")


def json_copy(value: _Data) -> _Data:
    """A deep copy of JSON data (a request body as parsed, plus the store's own strings and
    numbers), made by walking its dicts and lists: about twice as fast as ``copy.deepcopy``,
    whose memo guards against cycles and shared references that JSON data cannot have. Anything
    else is left to ``copy.deepcopy``. Every read and write of the store copies an entity.
    """
    copied: Any
    if isinstance(value, dict):
        copied = {key: json_copy(item) for key, item in value.items()}
    elif isinstance(value, list):
        copied = [json_copy(item) for item in value]
    elif isinstance(value, _ATOMS):
        return value
    else:
        copied = copy.deepcopy(value)
    return cast(_Data, copied)


# Flow Service entities carry version == etag; Data Prep's version is its own integer counter.
FLOW_SERVICE = frozenset({"sourceConnections", "connections", "targetConnections", "flows", "runs"})


class Store:
    """Every collection behind one lock: a PATCH reads, checks If-Match and writes atomically."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.RLock()
        self._data: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in COLLECTIONS}
        self._counter = 0
        self.clock = clock
        self.offset_seconds = 0.0

    def now_ms(self) -> int:
        """The store clock (plus any offset a test set) in epoch milliseconds."""
        return int((self.clock() + self.offset_seconds) * 1000)

    def _next_etag(self) -> str:
        self._counter += 1
        # The documented shape: "XXXXXXXX-0000-0200-0000-XXXXXXXX0000", quotes included.
        return f'"{self._counter:08x}-0000-0200-0000-{uuid.uuid4().hex[:8]}0000"'

    def create(
        self,
        collection: str,
        body: dict[str, Any],
        meta: dict[str, Any],
        entity_id: str | None = None,
    ) -> dict[str, Any]:
        """Store a new entity with a fresh id (or ``entity_id``, chosen by the caller, never by a
        request body) and etag; return the stored record.
        """
        with self._lock:
            if len(self._data[collection]) >= MAX_ENTITIES:
                raise ApiError(
                    400,
                    {
                        "code": "EMULATOR-LIMIT",
                        "message": f"the emulator holds at most {MAX_ENTITIES} {collection}; "
                        "delete some or restart it",
                    },
                )
            entity = json_copy(body)
            now = self.now_ms()
            entity.update(meta)
            if entity_id is None:
                hex_ids = collection in ("schemas", "mappingSets")
                entity_id = uuid.uuid4().hex if hex_ids else str(uuid.uuid4())
            entity["id"] = entity_id
            etag = self._next_etag()
            # Entity GETs carry the same value in version and etag (DY; UPD).
            entity.update(createdAt=now, updatedAt=now, etag=etag)
            if collection in FLOW_SERVICE:
                entity["version"] = etag
            entity.setdefault("updatedBy", entity.get("createdBy"))
            entity.setdefault("updatedClient", entity.get("createdClient"))
            self._data[collection][entity["id"]] = entity
            return json_copy(entity)

    def get(self, collection: str, entity_id: str, tenant: Tenant | None = None) -> dict[str, Any]:
        """A copy of one entity of ``tenant`` (any tenant when None), or a 404 ``ApiError``."""
        with self._lock:
            return json_copy(self._owned(collection, entity_id, tenant))

    def _owned(self, collection: str, entity_id: str, tenant: Tenant | None) -> dict[str, Any]:
        entity = self._data[collection].get(entity_id)
        if entity is None or (tenant is not None and tenant_of(entity) != tenant):
            raise not_found(collection, entity_id)
        return entity

    def name_of(self, entity_id: str) -> str | None:
        """The name of the entity with ``entity_id`` in any collection (runs: their flow's id)."""
        with self._lock:
            for collection in COLLECTIONS:
                entity = self._data[collection].get(entity_id)
                if entity is not None:
                    return str(entity.get("name") or entity.get("flowId") or collection)
        return None

    def all(self, collection: str) -> list[dict[str, Any]]:
        """Copies of every entity in ``collection``, in creation order."""
        with self._lock:
            return [json_copy(e) for e in self._data[collection].values()]

    def update(
        self,
        collection: str,
        entity_id: str,
        if_match: str | None,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        tenant: Tenant | None = None,
    ) -> dict[str, Any]:
        """Apply ``change`` to a copy if ``if_match`` equals the current etag exactly (None: no
        check); only an entity of ``tenant`` (any when None) is seen.
        """
        with self._lock:
            current = self._owned(collection, entity_id, tenant)
            if if_match is not None and if_match != current["etag"]:
                raise etag_mismatch(if_match, current["etag"])
            updated = change(json_copy(current))
            etag = self._next_etag()
            updated.update(id=entity_id, updatedAt=self.now_ms(), etag=etag)
            if collection in FLOW_SERVICE:
                updated["version"] = etag
            self._data[collection][entity_id] = updated
            return json_copy(updated)

    def delete(
        self,
        collection: str,
        entity_id: str,
        guard: Callable[[], None] = lambda: None,
        tenant: Tenant | None = None,
    ) -> None:
        """Remove one entity of ``tenant``; a 404 ``ApiError`` when it is not there."""
        with self._lock:
            self._owned(collection, entity_id, tenant)
            guard()
            del self._data[collection][entity_id]

    def find(
        self,
        collection: str,
        predicate: Callable[[dict[str, Any]], bool],
        tenant: Tenant | None = None,
    ) -> list[dict[str, Any]]:
        """The entities of ``collection`` (of ``tenant``, when given) for which ``predicate``
        holds.
        """
        with self._lock:
            return [
                json_copy(e)
                for e in self._data[collection].values()
                if (tenant is None or tenant_of(e) == tenant) and predicate(e)
            ]

    def field_values(self, collection: str, field: str, tenant: Tenant | None = None) -> list[Any]:
        """The value of ``field`` in each entity of ``collection`` (of ``tenant``, when given).
        Nothing is copied, so only for fields that hold an immutable value (an id, a name): the
        checks that run on every write (is this audience in the sandbox, is this name taken) would
        otherwise copy every entity of the kind each time, and slow down as the sandbox fills.
        """
        with self._lock:
            return [
                e.get(field)
                for e in self._data[collection].values()
                if tenant is None or tenant_of(e) == tenant
            ]

    def save(self, path: Path) -> None:
        """Write every collection to ``path`` as JSON, atomically."""
        with self._lock:
            text = json.dumps(
                {"counter": self._counter, "offset": self.offset_seconds, "data": self._data}
            )
        # A fresh, exclusively created temp file: a symlink planted at a predictable temp name
        # cannot redirect the write. The state file stays private to its owner (0600).
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @staticmethod
    def check_writable(path: Path) -> None:
        """ValueError naming ``path`` unless a state file can be saved there: checked when the
        emulator starts, so a session is never lost at exit to a folder that does not exist.
        """
        if path.is_dir():
            raise ValueError(f"{path}: is a folder, not a state file")
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=path.parent)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ValueError(f"{path}: the state file cannot be saved there: {reason}") from None
        os.close(fd)
        Path(temp).unlink()

    def load(self, path: Path) -> None:
        """Read what ``save`` wrote; a missing file leaves the store empty, anything else that is
        not a state file is a ``ValueError`` naming the file (the store is left as it was).
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the state file: {exc}") from None
        try:
            saved = strict_json.loads(text)
            counter = int(saved["counter"])
            offset = float(saved.get("offset", 0.0))
            data = {c: _entities(saved["data"].get(c, {})) for c in COLLECTIONS}
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise ValueError(f"{path}: not an emulator state file ({exc!r})") from None
        with self._lock:
            self._counter = counter
            self.offset_seconds = offset
            self._data = data


def _entities(saved: object) -> dict[str, dict[str, Any]]:
    """One saved collection, checked: entity objects by their string ids."""
    if not isinstance(saved, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) and v.get("id") == k for k, v in saved.items()
    ):
        raise TypeError("a collection must map each id to its entity")
    return dict(saved)
