"""A model's verdict on a wire payload, without building the model or any error: ``is_valid``.

Telling valid payloads from invalid ones is the hot path of offline validation (a CI gate over
thousands of activation payloads); building each model instance and, for a failure, each error
(masked where it could quote a secret) costs more than the check itself. ``is_valid`` answers
True or False with the model's own rules and no more: pydantic-core runs the model's core schema
with every object the answer does not need turned into a plain dict check.

The check schema is derived from the model's own core schema, once per class, so the two cannot
drift apart:

- an object (a ``model`` node) becomes a ``typed-dict`` with the same fields, aliases, defaults
  and configuration (closed, strict); what a Python function receives (a model, a list of
  them, anything holding one) is left exactly as the model builds it, so a model or field
  validator still gets what it was written for;
- a secret (``SecretRule``, marked in its schema's metadata) becomes a plain string with the
  spec's pattern in pydantic-core: no Python frame, and nothing is kept to leak;
- the wrap validator that keeps secrets out of errors (marked likewise) is dropped: no error
  leaves ``is_valid``.

For a destination's spec params the generator writes this check out as data (core_checks.py,
the destination's ``checks.py``): the same verdict, run without pydantic.

Inputs are wire payloads: JSON data (dicts, lists, strings, numbers, booleans, None), read by wire
name only. For those the verdict is the model's (``model_validate(payload, by_alias=True,
by_name=False)`` succeeds exactly when ``is_valid`` is True; tests/unit/test_validity.py holds it
to that over every example and thousands of generated payloads). A Python object the wire cannot
carry (a model instance, a ``SecretStr``) is not a payload: the answer for it is False.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from pydantic import BaseModel
from pydantic_core import SchemaValidator, core_schema

from destgen_runtime.schema.core_checks import NAMED_SCHEMAS

# Metadata keys this module reads in a model's core schema (set where the nodes are built).
SECRET_KEY = "destgen_secret_rule"  # field_rules.SecretRule: the rule, for its pattern and base64
CONCEALING_KEY = "destgen_concealing"  # secret_errors: the wrap validator masking errors
VALUE_BLIND_KEY = "destgen_value_blind"  # spec_rules: a check that reads only `is None`

# Keys of a core schema node whose values are data, never schemas: the walk leaves them alone.
_DATA_KEYS = frozenset(
    {"metadata", "serialization", "config", "function", "default", "expected", "cls", "ref"}
    | {"custom_error_context", "schema_ref", "discriminator", "validation_alias"}
)
# Function nodes whose Python function receives what their inner schema returned.
_RECEIVING = frozenset({"function-after", "function-wrap"})


def is_valid(model: type[BaseModel], payload: object) -> bool:
    """True when ``payload`` (JSON data, keys by wire name) is a valid ``model``."""
    return _checker(model).isinstance_python(payload, by_alias=True, by_name=False)


def is_valid_json(model: type[BaseModel], text: str | bytes | bytearray) -> bool:
    """True when ``text`` is JSON holding a valid ``model`` (keys by wire name)."""
    try:
        _checker(model).validate_json(text, by_alias=True, by_name=False)
    except ValueError:  # pydantic-core's ValidationError; the text is never quoted
        return False
    return True


# Models checked in one process: the six hold about 150, the long tail as many again. Bounded,
# so that models made at run time (a program creating them in a loop) are let go in time.
CHECKERS_KEPT = 1024


@lru_cache(maxsize=CHECKERS_KEPT)
def _checker(model: type[BaseModel]) -> SchemaValidator:
    """The check validator of ``model``, built on its first check (keyed by the class itself: a
    subclass has rules of its own).
    """
    return _build_checker(model)


def _build_checker(model: type[BaseModel]) -> SchemaValidator:
    if not isinstance(model.__pydantic_core_schema__, dict):
        model.model_rebuild()  # a deferred model (defer_build) is built on first use
    schema = model.__pydantic_core_schema__
    # The model's own configuration, wherever its node sits (a wrap validator may stand around
    # it): JSON text is read by it (only keys cached, spec_model.CACHED_FROM_JSON).
    own = next((n for n in _nodes(schema) if n.get("type") == "model" and n["cls"] is model), {})
    config = cast("core_schema.CoreConfig | None", own.get("config"))
    return SchemaValidator(check_schema(schema), config)


def check_schema(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    """``schema`` (a model's core schema) as the check ``is_valid`` runs: objects as dict checks,
    secrets as patterned strings, no concealing wrapper (see the module docstring).
    """
    received = _received_refs(schema)
    return cast(core_schema.CoreSchema, _rewrite(schema, received))


def _received_refs(schema: Any) -> frozenset[str]:
    """The refs of every model whose instance a Python function receives, anywhere inside the
    value it is given (a list of models, a model in a model): those stay models. The subtree a
    function receives is kept whole (``_rewrite``); this finds the definitions it refers to,
    and the ones those refer to in turn.
    """
    definitions: dict[str, Any] = {}
    received: list[Any] = []
    for node in _nodes(schema):
        if isinstance(node.get("ref"), str):
            definitions[node["ref"]] = node
        received.extend(_received_parts(node))
    found: set[str] = set()
    todo = [ref for part in received for ref in _refs_in(part)]
    while todo:
        ref = todo.pop()
        if ref not in found:
            found.add(ref)
            if ref in definitions:
                todo.extend(_refs_in(definitions[ref]))
    return frozenset(found)


def _received_parts(node: dict[str, Any]) -> list[Any]:
    """What of ``node`` a Python function receives once validated: the inner schema of an after
    or wrap validator (not one of the marked ones), every step of a chain but the last.
    """
    kind = _kind(node)
    if kind in _RECEIVING and not _marked(node, CONCEALING_KEY, VALUE_BLIND_KEY):
        return [node.get("schema")]
    if kind == "chain":
        return list(node["steps"][:-1])
    return []


def _refs_in(node: Any) -> set[str]:
    """Every ref defined or referred to inside ``node``."""
    refs = set()
    for inner in _nodes(node):
        for key in ("ref", "schema_ref"):
            if isinstance(inner.get(key), str):
                refs.add(inner[key])
    return refs


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema node in ``node`` (itself included), depth first; data is not walked."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from _nodes(item)
        return
    if not isinstance(node, dict):
        return
    yield node
    for key, value in node.items():
        if key in NAMED_SCHEMAS and isinstance(value, dict):
            yield from _nodes(list(value.values()))
        elif key not in _DATA_KEYS:
            yield from _nodes(value)


def _rewrite(node: Any, received: frozenset[str]) -> Any:
    if isinstance(node, list | tuple):  # a union's choices may be (schema, label) pairs
        return type(node)(_rewrite(item, received) for item in node)
    if not isinstance(node, dict):
        return node
    kind = _kind(node)
    if kind == "function-wrap" and _marked(node, CONCEALING_KEY):
        return _rewrite(node["schema"], received)
    if kind == "function-plain" and _marked(node, SECRET_KEY):
        return node["metadata"][SECRET_KEY].check_schema()
    if kind == "model":
        # A model kept as a model is kept whole: whatever receives it gets what it always got.
        return _typed_dict(node, received) if _as_dict(node, received) else node
    if _received_parts(node):
        # A function gets what the model would give it: the part it receives stays as it is.
        if kind == "chain":
            steps = node["steps"]
            return {**node, "steps": [*steps[:-1], _rewrite(steps[-1], received)]}
        return node
    return _rewrite_data(node, received)


def _rewrite_data(node: dict[str, Any], received: frozenset[str]) -> dict[str, Any]:
    """``node`` with every schema below it rewritten (its data left alone)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA_KEYS:
            out[key] = value
        elif key in NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: _rewrite(inner, received) for name, inner in value.items()}
        else:
            out[key] = _rewrite(value, received)
    return out


def _as_dict(node: dict[str, Any], received: frozenset[str]) -> bool:
    """A model node checked as a dict: nobody receives it, it has no custom ``__init__`` or
    ``model_post_init`` to run, and its fields are plain model fields.
    """
    return (
        node.get("ref", "") not in received
        and not node.get("custom_init")
        and not node.get("post_init")
        and (node.get("root_model") or node["schema"].get("type") == "model-fields")
    )


def _typed_dict(node: dict[str, Any], received: frozenset[str]) -> core_schema.CoreSchema:
    """The dict check of a model node: the same fields, aliases, defaults and configuration."""
    inner = _rewrite(node["schema"], received)
    if node.get("root_model"):
        return cast(core_schema.CoreSchema, inner)
    config = cast("core_schema.CoreConfig", node.get("config") or {})
    fields = {
        name: core_schema.typed_dict_field(
            field["schema"],
            required=field["schema"].get("type") != "default",
            validation_alias=field.get("validation_alias"),
        )
        for name, field in inner["fields"].items()
    }
    extra = inner.get("extra_behavior") or config.get("extra_fields_behavior")
    return core_schema.typed_dict_schema(
        fields,
        extras_schema=inner.get("extras_schema"),
        extra_behavior=extra,
        strict=inner.get("strict", config.get("strict")),
        config=config,
        ref=node.get("ref"),
    )


def _kind(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    return kind if isinstance(kind, str) else None


def _marked(node: dict[str, Any], *keys: str) -> bool:
    metadata = node.get("metadata")
    return isinstance(metadata, dict) and any(key in metadata for key in keys)
