"""JSON Patch (RFC 6902) add, replace and remove, with ``-`` append; ops in either case
(docs/api-contract.md §12.6).

Ops apply one after another on a copy (docs/api-contract.md §13.3): the whole patch succeeds or
nothing changes.
"""

from __future__ import annotations

from typing import Any

from destgen_emulator.service.errors import flow
from destgen_emulator.service.store import json_copy

PATCH_ERROR = "An error has occurred while validating patch instructions"

SUPPORTED = ("add", "replace", "remove")


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise flow(1455, 400, f"Invalid patch path '{pointer}': a JSON Pointer starts with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, insert: bool, pointer: str) -> int:
    if insert and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise flow(1455, 400, f"Invalid array index '{token}' in '{pointer}'")
    index = int(token)
    if index > len(container) or (not insert and index == len(container)):
        raise flow(1455, 400, f"Array index {index} out of range in '{pointer}'")
    return index


def check_shape(ops: Any) -> list[dict[str, Any]]:
    """``ops`` as a JSON Patch document: a non-empty array of objects with string ``op`` and
    ``path``; 400 naming the first that is not (before anything reads a path).
    """
    if not isinstance(ops, list) or not ops:
        raise flow(1405, 400, "The request body must be a non-empty JSON Patch array")
    for number, op in enumerate(ops):
        if (
            not isinstance(op, dict)
            or not isinstance(op.get("op"), str)
            or not isinstance(op.get("path"), str)
        ):
            raise flow(1455, 400, f"Patch operation {number} needs string 'op' and 'path'")
    return ops


def apply_patch(document: dict[str, Any], ops: Any) -> dict[str, Any]:
    """Apply RFC 6902 operations to a copy of ``document``; any failing operation voids them all."""
    result = json_copy(document)
    for number, op in enumerate(check_shape(ops)):
        name = op["op"].lower()
        if name not in SUPPORTED:
            raise flow(1434, 400, f"Unsupported operation '{op['op']}' received")
        if name != "remove" and "value" not in op:
            raise flow(
                1455,
                400,
                f"{PATCH_ERROR}: Missing field value in operation {number}",
            )
        result = _apply_one(result, name, op["path"], json_copy(op.get("value")))
    return result


def _apply_one(document: Any, name: str, pointer: str, value: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        if name == "remove":
            raise flow(1455, 400, "Cannot remove the whole document")
        return value
    parent = document
    for token in tokens[:-1]:
        if isinstance(parent, list):
            parent = parent[_index(parent, token, insert=False, pointer=pointer)]
        elif isinstance(parent, dict) and token in parent:
            parent = parent[token]
        else:
            raise flow(
                1455,
                400,
                f"{PATCH_ERROR}: Missing field '{token}' in '{pointer}'",
            )
    last = tokens[-1]
    if isinstance(parent, list):
        index = _index(parent, last, insert=name == "add", pointer=pointer)
        if name == "add":
            parent.insert(index, value)
        elif name == "replace":
            parent[index] = value
        else:
            del parent[index]
    elif isinstance(parent, dict):
        if name != "add" and last not in parent:
            raise flow(
                1455,
                400,
                f"{PATCH_ERROR}: Missing field '{last}' in '{pointer}'",
            )
        if name == "remove":
            del parent[last]
        else:
            parent[last] = value
    else:
        raise flow(1455, 400, f"Cannot apply '{name}' at '{pointer}'")
    return document
