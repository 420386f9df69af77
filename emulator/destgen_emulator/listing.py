"""List endpoints: ``property`` filters, ``orderby``, ``limit`` and continuation tokens
(docs/api-contract.md §10).

Pure functions over lists of entity dicts; no HTTP and no state.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

from destgen_emulator.errors import flow

MAX_LIMIT = 100
_FILTER = re.compile(r"^(?P<path>[A-Za-z0-9_.\[\]@]+?)\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>.*)$")


def values_at(entity: Any, path: str) -> list[Any]:
    """Every value at a dotted path; ``name[]`` walks into each item of an array."""
    nodes = [entity]
    for part in path.split("."):
        array = part.endswith("[]")
        key = part[:-2] if array else part
        found = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                found.extend(value if array and isinstance(value, list) else [value])
        nodes = found
    return nodes


def _compare(op: str, actual: Any, expected: str) -> bool:
    if op in ("==", "!="):
        equal = (
            str(actual).lower() == expected.lower()
            if isinstance(actual, bool)
            else str(actual) == expected
        )
        return equal if op == "==" else not equal
    left: float | str
    right: float | str
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):  # not both numbers: compared as text
        left, right = str(actual), expected
    outcome = {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}  # type: ignore[operator]
    return outcome[op]


def parse_filters(expressions: Iterable[str]) -> list[tuple[str, str, list[str]]]:
    """Parse ``property=`` query expressions into ``(path, operator, values)`` triples."""
    filters = []
    for expression in expressions:
        if "~" in expression:
            raise flow(1440, 400, "The operator '~' is not implemented")
        match = _FILTER.match(expression)
        if match is None:
            raise flow(1450, 400, f"Invalid property filter '{expression}'")
        values = match["value"].split(",")
        if match["op"] == "<=" and len(values) > 1:
            raise flow(1443, 400, "'<=' does not accept multiple values")
        filters.append((match["path"], match["op"], values))
    return filters


def matches(entity: dict[str, Any], filters: list[tuple[str, str, list[str]]]) -> bool:
    """AND of the filters; a comma list means any of; an array path matches if any item does."""
    for path, op, expected in filters:
        found = values_at(entity, path)
        if op == "!=":
            if any(_compare("==", v, e) for v in found for e in expected):
                return False
        elif not any(_compare(op, v, e) for v in found for e in expected):
            return False
    return True


def order(entities: list[dict[str, Any]], orderby: str | None) -> list[dict[str, Any]]:
    """``orderby=-updatedAt,name``; default: most recently updated first (DY list notes)."""
    keys = [k for k in (orderby or "-updatedAt").split(",") if k]
    for key in reversed(keys):
        descending = key.startswith("-")
        field = key.lstrip("+-")
        if not re.fullmatch(r"[A-Za-z0-9_.]+", field):
            raise flow(1432, 400, f"Invalid orderby field '{field}'")
        entities = sorted(entities, key=lambda e: _sort_key(e, field), reverse=descending)
    return entities


def _sort_key(entity: dict[str, Any], field: str) -> tuple[int, Any]:
    found = values_at(entity, field)
    if not found:
        return (0, "")
    value = found[0]
    return (1, value) if isinstance(value, (int, float)) else (2, str(value))


def encode_token(offset: int) -> str:
    """The continuation token for a page starting at ``offset``."""
    # Padded base64 on purpose: a token holding "=" must survive the client's round trip.
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_token(token: str) -> int:
    """The offset a continuation token stands for; a malformed token is a 400 ``ApiError``."""
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise flow(1451, 400, f"Invalid continuation token '{token}'") from None
    if not isinstance(offset, int) or offset < 0:
        raise flow(1451, 400, f"Invalid continuation token '{token}'")
    return offset


def page(
    entities: list[dict[str, Any]],
    *,
    limit: str | None,
    token: str | None,
    path: str,
    query: list[tuple[str, str]],
) -> dict[str, Any]:
    """One page and ``_links.next.href`` (the original query with a new continuationToken)."""
    size = MAX_LIMIT
    if limit is not None:
        # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
        if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:
            raise flow(1452, 400, f"limit must be an integer from 1 to {MAX_LIMIT}")
        size = int(limit)
    start = decode_token(token) if token else 0
    items = entities[start : start + size]
    body: dict[str, Any] = {"items": items, "_links": {}}
    if start + size < len(entities):
        from urllib.parse import urlencode

        kept = [(k, v) for k, v in query if k != "continuationToken"]
        kept.append(("continuationToken", encode_token(start + size)))
        body["_links"]["next"] = {"href": f"{path}?{urlencode(kept)}"}
    return body
