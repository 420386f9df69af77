"""An activation file's schema errors phrased as what to do: the path, what is wrong, the fix.

pydantic says "Extra inputs are not permitted" and "Input should be a valid string"; a person
needs "unknown key 'dataflw'; did you mean 'dataflow'?". Phrasing only: the rules are file.py's.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from destgen_runtime.schema.annotations import literal_values, models_in
from destgen_runtime.schema.json_path import json_path

INLINE_EXAMPLE = '"{key}": "<the value itself>"'


def phrased(model: type[BaseModel], data: Any, exc: PydanticValidationError) -> list[str]:
    """Every error of ``exc`` (raised validating ``data`` as ``model``) as ``path: advice``."""
    return [_phrase(model, data, error) for error in exc.errors(include_input=False)]


def _phrase(model: type[BaseModel], data: Any, error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    path = json_path(data, loc)
    if error["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        return f"{path}: {unknown_key(model, loc)}"
    value = _value_at(data, loc)
    if isinstance(value, dict) and set(value) == {"env"} and error["type"].endswith("_type"):
        return f"{path}: {env_on_plain_field(str(loc[-1]) if loc else 'key')}"
    return f"{path}: {message(error)}"


# What pydantic puts before the text of a ValueError or an assert a validator raised: the text
# is already the whole message.
_RAISED_PREFIXES = ("Value error, ", "Assertion failed, ")


def message(error: Any) -> str:
    """The text of one pydantic error, without the prefix pydantic puts before a validator's own
    words (``Value error, ...``).
    """
    text = str(error["msg"])
    for prefix in _RAISED_PREFIXES:
        text = text.removeprefix(prefix)
    return text


def env_on_plain_field(key: str) -> str:
    """What to do about ``{"env": ...}`` on a field that is no secret."""
    example = INLINE_EXAMPLE.format(key=key)
    return (
        '{"env": ...} references are for secret fields only, and this one is not secret; '
        f"write the value inline: {example}"
    )


def unknown_key(model: type[BaseModel], loc: Sequence[int | str]) -> str:
    """``unknown key 'x'`` and the nearest key ``model`` accepts there, or the keys it accepts."""
    said = f"unknown key {loc[-1]!r}"
    keys = known_keys(model, loc[:-1])
    if not keys:
        return said
    near = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.6)
    if near:
        return f"{said}; did you mean {near[0]!r}?"
    return f"{said}; the keys here are {', '.join(repr(k) for k in keys)}"


def known_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys (wire names) the object at ``loc`` inside ``model`` accepts; [] when unknown.

    A union of objects (the auth of a base connection) is followed through the tag pydantic puts
    in the path (``'Access Key'``): the member whose literal field holds that tag.
    """
    nodes: list[type[BaseModel]] = [model]
    for part in loc:
        if isinstance(part, int):
            continue  # a list index keeps the item model
        inside = [m for node in nodes for m in _field_models(node, part)]
        if not inside and any(_holds_field(node, part) for node in nodes):
            return []  # a scalar field: no keys below it
        nodes = inside or [node for node in nodes if _tagged(node, part)]
        if not nodes:
            return []
    if len(nodes) != 1:
        return []
    return [field.alias or name for name, field in nodes[0].model_fields.items()]


def _holds_field(model: type[BaseModel], key: str) -> bool:
    return any(key in (name, field.alias) for name, field in model.model_fields.items())


def _field_models(model: type[BaseModel], key: str) -> list[type[BaseModel]]:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return models_in(field.annotation)
    return []


def _tagged(model: type[BaseModel], tag: str) -> bool:
    """Whether ``model`` is the union member pydantic names ``tag``: a literal field holds it."""
    return any(tag in literal_values(field.annotation) for field in model.model_fields.values())


def _value_at(data: Any, loc: Sequence[int | str]) -> Any:
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            node = node[part] if 0 <= part < len(node) else None
        elif isinstance(node, dict):
            # A key the document lacks is a tag pydantic inserted between an object and its field.
            node = node.get(part, node)
    return node
