"""JSON as RFC 8259 defines it: Python's json also reads NaN, Infinity and -Infinity, which no
JSON document holds. Stored or generated, such a value breaks every later read or becomes code.
"""

from __future__ import annotations

import json
from typing import Any

from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    NotJsonNumber as NotJsonNumber,
)


def _refuse(name: str) -> Any:
    raise NotJsonNumber(f"{name} is not a JSON number")


def loads(raw: str | bytes) -> Any:
    """``json.loads`` that raises ``NotJsonNumber`` (a ValueError) on NaN and Infinity."""
    return json.loads(raw, parse_constant=_refuse)
