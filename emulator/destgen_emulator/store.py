"""In-memory entities with etags: thread-safe create, read, compare-and-swap update, delete,
save/load.

It knows collections and etags, not what a payload means (validation.py) or how it is patched.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from destgen_emulator.errors import ApiError, etag_mismatch, not_found

COLLECTIONS = (
    "sourceConnections",
    "connections",
    "targetConnections",
    "flows",
    "runs",
    "schemas",
    "mappingSets",
)


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

    def create(self, collection: str, body: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        """Store a new entity with a fresh id and etag; return the stored record."""
        with self._lock:
            entity = copy.deepcopy(body)
            now = self.now_ms()
            entity.update(meta)
            entity.setdefault(
                "id",
                (
                    str(uuid.uuid4())
                    if collection not in ("schemas", "mappingSets")
                    else uuid.uuid4().hex
                ),
            )
            etag = self._next_etag()
            # Entity GETs carry the same value in version and etag (DY; UPD).
            entity.update(createdAt=now, updatedAt=now, etag=etag)
            if collection in FLOW_SERVICE:
                entity["version"] = etag
            entity.setdefault("updatedBy", entity.get("createdBy"))
            entity.setdefault("updatedClient", entity.get("createdClient"))
            self._data[collection][entity["id"]] = entity
            return copy.deepcopy(entity)

    def get(self, collection: str, entity_id: str) -> dict[str, Any]:
        """A copy of one entity, or a 404 ``ApiError``."""
        with self._lock:
            entity = self._data[collection].get(entity_id)
            if entity is None:
                raise not_found(collection, entity_id)
            return copy.deepcopy(entity)

    def all(self, collection: str) -> list[dict[str, Any]]:
        """Copies of every entity in ``collection``, in creation order."""
        with self._lock:
            return [copy.deepcopy(e) for e in self._data[collection].values()]

    def update(
        self,
        collection: str,
        entity_id: str,
        if_match: str | None,
        change: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> dict[str, Any]:
        """Apply ``change`` to a copy if ``if_match`` equals the current etag exactly (None: no
        check).
        """
        with self._lock:
            current = self._data[collection].get(entity_id)
            if current is None:
                raise not_found(collection, entity_id)
            if if_match is not None and if_match != current["etag"]:
                raise etag_mismatch(if_match, current["etag"])
            updated = change(copy.deepcopy(current))
            etag = self._next_etag()
            updated.update(id=entity_id, updatedAt=self.now_ms(), etag=etag)
            if collection in FLOW_SERVICE:
                updated["version"] = etag
            self._data[collection][entity_id] = updated
            return copy.deepcopy(updated)

    def delete(
        self, collection: str, entity_id: str, guard: Callable[[], None] = lambda: None
    ) -> None:
        """Remove one entity; a 404 ``ApiError`` when it is not there."""
        with self._lock:
            if entity_id not in self._data[collection]:
                raise not_found(collection, entity_id)
            guard()
            del self._data[collection][entity_id]

    def find(
        self, collection: str, predicate: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        """The entities of ``collection`` for which ``predicate`` holds."""
        with self._lock:
            return [copy.deepcopy(e) for e in self._data[collection].values() if predicate(e)]

    def save(self, path: Path) -> None:
        """Write every collection to ``path`` as JSON, atomically."""
        with self._lock:
            text = json.dumps(
                {"counter": self._counter, "offset": self.offset_seconds, "data": self._data}
            )
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(text)
        os.replace(temp, path)

    def load(self, path: Path) -> None:
        """Read what ``save`` wrote; a missing file leaves the store empty, a bad one is a 500."""
        try:
            saved = json.loads(path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise ApiError(500, {"message": f"cannot load state {path}: {exc}"}) from None
        with self._lock:
            self._counter = int(saved["counter"])
            self.offset_seconds = float(saved.get("offset", 0.0))
            self._data = {c: dict(saved["data"].get(c, {})) for c in COLLECTIONS}
