"""JSON as RFC 8259 defines it: Python's json also reads NaN, Infinity and -Infinity, which no
JSON document holds. Stored or generated, such a value breaks every later read or becomes code.

A document a person writes (an activation file, a payload file) is read with ``unique_keys``: a
key twice in one object is refused, since the reader would keep the second silently while a
reviewer may have read the first (RFC 8259 leaves duplicate names to the reader).
"""

from __future__ import annotations

import json
from typing import Any

from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    DuplicateKey as DuplicateKey,
)
from destgen_runtime.schema.errors import (
    NotJsonNumber as NotJsonNumber,
)


def _refuse(name: str) -> Any:
    raise NotJsonNumber(f"{name} is not a JSON number")


def loads(raw: str | bytes, *, unique_keys: bool = False) -> Any:
    """``json.loads`` that raises ``NotJsonNumber`` (a ValueError) on NaN and Infinity, and with
    ``unique_keys`` ``DuplicateKey`` (a ValueError) on a key twice in one object.
    """
    if unique_keys:
        return json.loads(raw, parse_constant=_refuse, object_pairs_hook=_unique)
    return json.loads(raw, parse_constant=_refuse)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(
                f"the key {key!r} appears twice in one object (the second would silently win)"
            )
        found[key] = value
    return found
