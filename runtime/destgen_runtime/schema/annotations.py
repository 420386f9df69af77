"""What a model field's type annotation holds: the models inside it, whether it takes None, its
literal values and its ``Annotated`` metadata. One reading of annotations for every room that
needs one (SpecModel's checks, secret masking, an activation file's advice).
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models inside ``X | None``, ``list[X]``, ``Annotated[X, ...]``, ``A | B``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in models_in(arg)]


def admits_none(annotation: Any) -> bool:
    """Whether a field's type accepts None (``X | None``, ``Optional[X]``, ``Any``)."""
    if annotation is Any or annotation is None or annotation is type(None):
        return True
    return any(admits_none(arg) for arg in typing.get_args(annotation))


def literal_values(annotation: Any) -> tuple[Any, ...]:
    """The values of ``Literal[...]`` (inside ``Annotated`` too); () for any other type."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return literal_values(typing.get_args(annotation)[0])
    return ()


def annotated_metadata(annotation: Any) -> list[Any]:
    """Metadata of every ``Annotated`` inside ``annotation`` (``X | None`` included)."""
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in typing.get_args(annotation):
        found += annotated_metadata(arg)
    return found
