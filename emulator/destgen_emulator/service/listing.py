"""List endpoints: ``property`` filters, ``orderby``, ``limit`` and continuation tokens
(docs/api-contract.md §10).

Pure functions over lists of entity dicts; no HTTP and no state.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from destgen_emulator.service.errors import flow

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
    """Parse ``property=`` query expressions into ``(path, operator, values)`` triples.

    ``name=="a,b"`` (a quoted value) is one value, commas and all, as the service treats it; an
    unquoted comma list means "any of".
    """
    filters = []
    for expression in expressions:
        if "~" in expression:
            raise flow(1440, 400, "The operator '~' is not implemented")
        match = _FILTER.match(expression)
        if match is None:
            raise flow(1450, 400, f"Invalid property filter '{expression}'")
        raw = match["value"]
        quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'"
        values = [raw[1:-1]] if quoted else raw.split(",")
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


Order = list[tuple[str, bool]]  # (field, descending), then the id ascending as a tiebreak


def parse_order(orderby: str | None) -> Order:
    """``orderby=-updatedAt,name``; default: most recently updated first (DY list notes)."""
    keys = []
    for key in (k for k in (orderby or "-updatedAt").split(",") if k):
        field = key.lstrip("+-")
        if not re.fullmatch(r"[A-Za-z0-9_.]+", field):
            raise flow(1432, 400, f"Invalid orderby field '{field}'")
        keys.append((field, key.startswith("-")))
    return keys


def _sort_key(entity: dict[str, Any], field: str) -> list[Any]:
    found = values_at(entity, field)
    if not found:
        return [0, ""]
    value = found[0]
    return [1, value] if isinstance(value, (int, float)) else [2, str(value)]


def position(entity: dict[str, Any], keys: Order) -> list[Any]:
    """Where ``entity`` sorts: its key values, then its id (JSON-safe: it goes into tokens)."""
    return [_sort_key(entity, field) for field, _ in keys] + [[2, str(entity.get("id", ""))]]


def _compare_positions(left: list[Any], right: list[Any], keys: Order) -> int:
    descending = [d for _, d in keys] + [False]
    for a, b, desc in zip(left, right, descending, strict=True):
        a, b = tuple(a), tuple(b)
        if a != b:
            result = 1 if a > b else -1
            return -result if desc else result
    return 0


def order(entities: list[dict[str, Any]], orderby: str | None) -> list[dict[str, Any]]:
    """``entities`` in the ``orderby`` order, ties broken by id: a total order for paging."""
    return sort_by(entities, parse_order(orderby))


def sort_by(entities: list[dict[str, Any]], keys: Order) -> list[dict[str, Any]]:
    """``entities`` sorted by already-parsed ``keys``, then id."""

    def compare(left: Any, right: Any) -> int:
        return _compare_positions(left, right, keys)

    ranked = functools.cmp_to_key(compare)
    return sorted(entities, key=lambda entity: ranked(position(entity, keys)))


def encode_token(query: list[tuple[str, str]], after: list[Any]) -> str:
    """A continuation token: the listing's own query and the position of the last item served.

    Keyed by position, not offset, so an entity created, changed or deleted between two page
    fetches neither repeats nor hides an entity that did not change. The query rides along so
    the documented href (``/flows?continuationToken=...``) is enough to fetch the next page.
    """
    # Unpadded, like the reference's tokens: aepp splits the href on "=" and keeps one piece.
    document = {"query": [list(pair) for pair in query], "after": after}
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[list[tuple[str, str]], list[Any]]:
    """The query and position a continuation token stands for; malformed is a 400 ``ApiError``."""
    try:
        padded = token + "=" * (-len(token) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode()))
        query = [(str(k), str(v)) for k, v in document["query"]]
        after = document["after"]
    except (ValueError, KeyError, TypeError):
        raise flow(1451, 400, f"Invalid continuation token '{token}'") from None
    if not isinstance(after, list) or not all(
        isinstance(p, list) and len(p) == 2 and p[0] in (0, 1, 2) for p in after
    ):
        raise flow(1451, 400, f"Invalid continuation token '{token}'")
    return query, after


def page_size(limit: str | None) -> int:
    """``limit`` as a page size: ASCII digits from 1 to ``MAX_LIMIT``; the maximum when absent."""
    if limit is None:
        return MAX_LIMIT
    size = whole_number(limit, 1, MAX_LIMIT)
    if size is None:
        raise flow(1452, 400, f"limit must be an integer from 1 to {MAX_LIMIT}")
    return size


def whole_number(text: str | None, low: int, high: int | None = None) -> int | None:
    """``text`` as a whole number from ``low`` to ``high`` (no ceiling when None), else None;
    every query parameter that counts reads through it, each caller answering its own error.
    """
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value and (high is None or value <= high) else None


def page(
    ordered: list[dict[str, Any]],
    *,
    keys: Order,
    size: int,
    after: list[Any] | None,
    path: str,
    query: list[tuple[str, str]],
) -> dict[str, Any]:
    """One page of ``ordered`` after position ``after``, and ``_links.next.href`` in the
    documented form: relative to the service, with the continuation token only.
    """
    if after is not None and len(after) != len(keys) + 1:
        raise flow(1451, 400, "The continuation token does not belong to this listing")
    rest = (
        ordered
        if after is None
        else [e for e in ordered if _compare_positions(position(e, keys), after, keys) > 0]
    )
    items = rest[:size]
    body: dict[str, Any] = {"items": items, "_links": {}}
    if len(rest) > size:
        token = encode_token(query, position(items[-1], keys))
        body["_links"]["next"] = {"href": f"{path}?{urlencode([('continuationToken', token)])}"}
    return body


def _last(query: list[tuple[str, str]], key: str) -> str | None:
    """The last value of a repeated query parameter, as most servers read it."""
    values = [v for k, v in query if k == key]
    return values[-1] if values else None


def listing(
    query: list[tuple[str, str]],
    path: str,
    find: Callable[[list[tuple[str, str, list[str]]]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """A list response for ``query`` over what ``find`` returns for the query's filters.

    A continuation token brings back the query of the first page (filters, order, limit); a
    ``limit`` sent beside it, as clients that resend the token with their page size do, wins.
    """
    token = _last(query, "continuationToken")
    after = None
    if token:
        original, after = decode_token(token)
        limit = _last(query, "limit")
        query = original + ([("limit", limit)] if limit is not None else [])
    counting = (_last(query, "count") or "false").lower() == "true"
    if counting and _last(query, "limit") is not None:
        raise flow(1401, 400, "limit and count cannot be used together")
    filters = parse_filters(v for k, v in query if k == "property")
    keys = parse_order(_last(query, "orderby"))
    # Filter before copying: only matching entities leave the store (lists stay fast as it grows).
    ordered = sort_by(find(filters), keys)
    if counting:
        return {"count": len(ordered)}
    kept = [(k, v) for k, v in query if k not in ("continuationToken", "limit", "count")]
    size = page_size(_last(query, "limit"))
    kept.append(("limit", str(size)))
    return page(ordered, keys=keys, size=size, after=after, path=path, query=kept)
