"""An activation file's schema errors phrased as what to do: the path, what is wrong, the fix.

pydantic says "Extra inputs are not permitted" and "Input should be a valid string"; a person
needs "unknown key 'dataflw'; did you mean 'dataflow'?". Phrasing only: the rules are file.py's.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

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
    return f"{path}: {error['msg']}"


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
    """The keys (wire names) the object at ``loc`` inside ``model`` accepts; [] when unknown."""
    node: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or node is None:
            continue  # a list index keeps the item model
        node = _field_model(node, part)
    if node is None:
        return []
    return [field.alias or name for name, field in node.model_fields.items()]


def _field_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return _first_model(field.annotation)
    return None


def _first_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X | None``, ``list[X]``, ``Annotated[X, ...]``; None for scalars."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _first_model(arg)
            if found is not None:
                return found
    return None


def _value_at(data: Any, loc: Sequence[int | str]) -> Any:
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            node = node[part] if 0 <= part < len(node) else None
        elif isinstance(node, dict):
            # A key the document lacks is a tag pydantic inserted between an object and its field.
            node = node.get(part, node)
    return node
