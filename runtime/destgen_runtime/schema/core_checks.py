"""Spec params checked by pydantic-core alone: ``Check``, what a generated ``checks.py`` holds.

``is_valid`` (validity.py) derives a model's check from its core schema on first use, which
needs the model, so pydantic. A destination's spec params (its auth, target and encryption
params) have checks that need no Python class at all; the generator derives each one once, from
the model itself, and writes it into the destination's ``checks.py`` as JSON text. Loading and
running it imports pydantic-core and this module, not pydantic: a CI gate over thousands of
payloads starts faster and stays smaller (docs/benchmarks.md, peak memory).

The text is the check schema of validity.py with its few Python functions written as names
(``{"check": "field", ...}``); nothing else in it is code. This module is the one place that
writes that form (``check_text``, at generation time) and reads it (``Check``), so the two cannot
disagree. The functions themselves live here too, and the models run the same ones.

Nothing here imports pydantic: tests/unit/test_core_checks.py holds that in a fresh interpreter.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator

from destgen_runtime.schema.conditionals import holds

Rule = Mapping[str, Any]

# Canonical padded base64 (RFC 4648 §4), no whitespace: what contentEncoding base64 names.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# OpenPGP packet tags of secret key material (RFC 4880 §5.5.1.3 and §5.5.1.4).
_SECRET_KEY_TAGS = (5, 7)


def is_base64(text: str) -> bool:
    """Non-empty canonical padded base64."""
    return bool(text) and _BASE64.fullmatch(text) is not None


def base64_error() -> PydanticCustomError:
    """The error of text that is not base64, as a model and a check both give it."""
    return PydanticCustomError("base64", "value is not valid base64 (contentEncoding: base64)")


def checked_base64(text: str) -> str:
    """``text`` when it is base64 (a secret's ``contentEncoding``), else the base64 error."""
    if not is_base64(text):
        raise base64_error()
    return text


def private_key_problem(text: str) -> str | None:
    """Why base64 ``text`` must not stand where a public key goes: it holds an OpenPGP private
    key (armored, or a binary secret-key packet). None otherwise. The key is never quoted.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if b"PRIVATE KEY BLOCK-----" in raw[:200]:
        return "an OpenPGP private key: give its public key (a private key is never sent)"
    if raw and raw[0] & 0x80:
        tag = raw[0] & 0x3F if raw[0] & 0x40 else (raw[0] >> 2) & 0x0F
        if tag in _SECRET_KEY_TAGS:
            return "an OpenPGP private key: give its public key (a private key is never sent)"
    return None


def public_base64(text: str) -> str:
    """Plain (non-secret) base64 text is stored and shown as it is: never a private key."""
    checked_base64(text)
    problem = private_key_problem(text)
    if problem is not None:
        raise PydanticCustomError("private_key", problem)
    return text


def not_allowed(rule: Rule, actual: Any) -> str:
    """Why a given field breaks its spec conditional."""
    return (
        f"{rule['field']} is allowed only when {rule['when']} {rule['operator']} "
        f"{rule['value']!r} (connection spec conditional); {rule['when']} is {actual!r}"
    )


class FieldCheck:
    """The check of one given field: never null, and allowed only when each rule holds.

    ``deciding`` pairs each rule with the Python name of the field it reads: the field's
    validator sees the fields validated before it (``info.data``) by those names. A class, not
    a closure, so that the generator can write it out (``check_text``).
    """

    __slots__ = ("deciding",)

    def __init__(self, deciding: Sequence[tuple[str, Rule]]) -> None:
        self.deciding = tuple((when, dict(rule)) for when, rule in deciding)

    def __call__(self, value: Any, info: Any) -> Any:
        """``value`` when it may be given (``info``: pydantic-core's, the fields before it)."""
        if value is None:
            # No field of these specs is nullable; JSON null is an error, not "absent".
            raise PydanticCustomError(
                "null_not_allowed", "null is not allowed; omit the key instead"
            )
        for when, rule in self.deciding:
            # A deciding field that failed its own validation is reported on its own.
            if when in info.data and not holds(rule["operator"], info.data[when], rule["value"]):
                raise ValueError(not_allowed(rule, info.data[when]))
        return value


# The functions the text form names, both ways.
_NAMED_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "base64": checked_base64,
    "public_base64": public_base64,
}
_FUNCTION_NAMES = {function: name for name, function in _NAMED_FUNCTIONS.items()}
_FUNCTION_NODES = frozenset({"function-after", "function-before", "function-plain"})
# Keys dropped on the way out: a node's metadata (JSON Schema hooks, destgen's markers) and its
# serializer are not part of a check. A ref is renamed: its text carries the process's id().
_DROPPED = frozenset({"metadata", "serialization"})
# Keys whose values are data, written and read as they are (a default may hold any JSON).
_DATA = frozenset({"default", "expected", "custom_error_context", "config"})
# Keys of a core schema node whose values map names (a field's, a union tag) to schemas: a
# field may be called "default" or "type" and still be a schema (validity.py walks them so too).
NAMED_SCHEMAS = frozenset({"fields", "choices"})


def check_text(schema: Mapping[str, Any]) -> str | None:
    """``schema`` (a check schema, validity.check_schema) as the text ``Check`` reads: compact
    ASCII JSON with no ``'``, keys in the schema's own order, refs named by their order of
    appearance. None when it holds anything but data and the functions this module names (a
    model class, a model-wide rule): that model is checked through its class instead.
    """
    refs: dict[str, str] = {}
    try:
        text = json.dumps(_written(schema, refs), separators=(",", ":"))
    except (TypeError, ValueError):  # a value JSON has no form for, or one raised below
        return None
    # Only " quotes the text: a Python literal of it then needs no escaped quote (and black,
    # which would rewrite one, leaves the generated module alone).
    return text.replace("'", "\\u0027")


def _written(node: Any, refs: dict[str, str]) -> Any:
    if isinstance(node, tuple):
        # A union choice labelled (schema, label): JSON has no tuple, so it is marked.
        return {"tuple": [_written(item, refs) for item in node]}
    if isinstance(node, list):
        return [_written(item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key in ("ref", "schema_ref") and isinstance(value, str):
            out[key] = refs.setdefault(value, f"ref{len(refs)}")
        elif key == "cls":
            raise ValueError("a model class")
        elif key in NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: _written(inner, refs) for name, inner in value.items()}
        elif key == "function" and node.get("type") in _FUNCTION_NODES:
            out[key] = {**value, "function": _function_name(value["function"])}
        elif key in _DATA:
            out[key] = _data(value)
        else:
            out[key] = _written(value, refs)
    return out


def _data(value: Any) -> Any:
    """A value the schema holds as data (a default, a literal's values), as JSON has it."""
    return json.loads(json.dumps(value))


def _function_name(function: Any) -> Any:
    if isinstance(function, FieldCheck):
        return {"check": "field", "deciding": [list(pair) for pair in function.deciding]}
    name = _FUNCTION_NAMES.get(function)
    if name is None:
        raise ValueError(f"the function {getattr(function, '__qualname__', function)!r}")
    return {"check": name}


def _read(node: Any) -> Any:
    if isinstance(node, list):
        return [_read(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.keys() == {"tuple"}:
        return tuple(_read(item) for item in node["tuple"])
    out = {}
    for key, value in node.items():
        if key == "function" and node.get("type") in _FUNCTION_NODES:
            out[key] = {**value, "function": _function(value["function"])}
        elif key in NAMED_SCHEMAS and isinstance(value, dict):
            out[key] = {name: _read(inner) for name, inner in value.items()}
        elif key in _DATA:
            out[key] = value
        else:
            out[key] = _read(value)
    return out


def _function(named: Mapping[str, Any]) -> Callable[..., Any]:
    if named.get("check") == "field":
        return FieldCheck([(when, rule) for when, rule in named["deciding"]])
    function = _NAMED_FUNCTIONS.get(named.get("check", ""))
    if function is None:
        raise ValueError(f"a check names no known function: {named!r}")
    return function


class Check:
    """One spec params model's verdict on wire payloads, in pydantic-core alone.

    ``Check(name, text)``: ``text`` is ``check_text`` of the model's check schema; it is read,
    and its validator built, on the first check. The verdict is the model's (``is_valid`` and
    ``model_validate(..., by_alias=True, by_name=False)``; tests hold the three equal).
    """

    __slots__ = ("_text", "_validator", "name")

    def __init__(self, name: str, *text: str) -> None:
        self.name = name
        self._text = "".join(text)  # written in chunks: one long line is no one's to read
        self._validator: SchemaValidator | None = None

    def __repr__(self) -> str:
        return f"Check({self.name!r})"

    def is_valid(self, payload: object) -> bool:
        """True when ``payload`` (JSON data, keys by wire name) is valid."""
        return self._built().isinstance_python(payload, by_alias=True, by_name=False)

    def is_valid_json(self, text: str | bytes | bytearray) -> bool:
        """True when ``text`` is JSON holding a valid payload (keys by wire name)."""
        try:
            self._built().validate_json(text, by_alias=True, by_name=False)
        except ValueError:  # pydantic-core's ValidationError; the text is never quoted
            return False
        return True

    def _built(self) -> SchemaValidator:
        if self._validator is None:
            schema = _read(json.loads(self._text))
            self._validator = SchemaValidator(schema, schema.get("config"))
        return self._validator
