"""Validation errors that never quote a secret: which keys of a model hold secrets, and the wrap
validator (and ``model_validate_json``) of the classes that hold any, which re-raises a failure
from a masked copy.

A field's own error already masks its secret (field_rules.py); this covers the errors about the
object around it. Nothing here runs for a valid payload beyond pydantic-core's validator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from destgen_runtime.schema.annotations import annotated_metadata, models_in
from destgen_runtime.schema.field_rules import SecretRule, concealed, is_concealed
from destgen_runtime.schema.mask import MASK


def secret_keys(
    model: type[BaseModel], seen: frozenset[type[BaseModel]] = frozenset()
) -> frozenset[str]:
    """The keys of ``format: password`` fields in ``model`` and every model it holds: each wire
    name and each Python name, since the models take either (``validate_by_name``).
    """
    found: set[str] = set()
    for name, info in model.model_fields.items():
        if _is_secret(info.metadata) or _is_secret(annotated_metadata(info.annotation)):
            found |= {name, info.alias or name}
        for inner in models_in(info.annotation):
            if inner not in seen and inner is not model:
                found |= secret_keys(inner, seen | {model})
    return frozenset(found)


def conceal(data: Any, keys: frozenset[str]) -> Any:
    """``data`` with the string value of every key in ``keys`` wrapped (masked in any error)."""
    if isinstance(data, dict):
        return {
            k: concealed(v) if k in keys and isinstance(v, str) else conceal(v, keys)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [conceal(v, keys) for v in data]
    return data


def _quotes_a_secret(value: Any, keys: frozenset[str]) -> bool:
    """True when ``value`` (an error's input) holds a secret's raw text under one of ``keys``:
    exactly when masking would change it (a wrapped value never equals the raw string). Only an
    object or array can: a secret field's own error already holds its value masked.
    """
    return isinstance(value, dict | list) and bool(conceal(value, keys) != value)


def _is_secret(metadata: Any) -> bool:
    return any(isinstance(m, SecretRule) for m in metadata)


_PYDANTIC_VALIDATE_JSON = BaseModel.model_validate_json.__func__  # type: ignore[attr-defined]


def concealing_validator(keys: frozenset[str]) -> Callable[[Any, Any], Any]:
    """A wrap validator for a model holding the secrets ``keys``: on failure the same validation
    runs again on a copy with every secret masked, and that error is raised.

    A field's own error masks its secret (field_rules.py); an error about the object around it
    (a missing sibling, an unknown auth spec name, a conditional) quotes that object as its
    input. Wrapped into the model's own core schema, this holds on every path pydantic offers:
    ``Model(**data)``, ``model_validate``, ``TypeAdapter(Model)`` and a user's model that holds
    one as a field. Only a failing validation pays for the second run.
    """

    def validate(value: Any, handler: Any) -> Any:
        try:
            return handler(value)
        except PydanticValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            if all(is_concealed(error["input"]) for error in errors):
                raise  # the usual case: each error is a secret field's own, already masked
            unknown = [e["loc"] for e in errors if _unknown_text(e)]
            if not unknown and not any(_quotes_a_secret(e["input"], keys) for e in errors):
                raise  # an error about a plain field: its input holds no secret
            masked = conceal(value, keys)
            for loc in unknown:
                masked = _conceal_at(masked, loc)
            handler(masked)
            raise  # pragma: no cover - the masked copy fails as the original did

    return validate


def _unknown_text(error: Any) -> bool:
    """An unknown key holding text, in a model that holds secrets: a misspelt secret key
    (``s3secretKey``) would otherwise have its value quoted as the error's input.
    """
    return bool(error["type"] == "extra_forbidden" and isinstance(error["input"], str))


def _conceal_at(data: Any, loc: tuple[int | str, ...]) -> Any:
    """A copy of ``data`` with the text at ``loc`` (a path of keys and indexes) wrapped."""
    if not loc:
        return concealed(data) if isinstance(data, str) else data
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        return {**data, head: _conceal_at(data[head], rest)}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        return [*data[:head], _conceal_at(data[head], rest), *data[head + 1 :]]
    return data


def validate_json_concealed(
    cls: type[BaseModel],
    /,
    json_data: str | bytes | bytearray,
    *,
    strict: bool | None = None,
    extra: Any = None,
    context: Any = None,
    by_alias: bool | None = None,
    by_name: bool | None = None,
) -> Any:
    """pydantic's ``model_validate_json``, except that an error never quotes a secret: text that
    is not JSON fails before any validator runs, and its error would quote the text whole.

    Its parameters are pydantic's, spelled out: passing ``**kwargs`` through cost a valid payload
    a tenth of its time.
    """
    if by_alias is False and by_name is not True:
        # pydantic's own refusal of that combination.
        return _PYDANTIC_VALIDATE_JSON(cls, json_data, by_alias=by_alias, by_name=by_name)
    try:
        return cls.__pydantic_validator__.validate_json(
            json_data,
            strict=strict,
            extra=extra,
            context=context,
            by_alias=by_alias,
            by_name=by_name,
        )
    except PydanticValidationError as exc:
        # Every error from the model down went through its concealing wrapper; only text that is
        # not JSON fails before it, as the one error json_invalid.
        if exc.error_count() != 1 or (
            exc.errors(include_url=False, include_context=False, include_input=False)[0]["type"]
            != "json_invalid"
        ):
            raise  # the usual case: the wrapper has masked what needed masking
        try:
            parsed = json.loads(json_data)
        except ValueError:
            # Not JSON at all: the error's input is the whole text, secrets and all.
            raise PydanticValidationError.from_exception_data(
                cls.__name__, [{"type": "json_type", "loc": (), "input": MASK}]
            ) from None
        # Python mode reads these models as JSON mode does (strings, numbers, booleans, lists
        # and objects only; no date or bytes fields), so the parsed copy fails alike.
        cls.__pydantic_validator__.validate_python(
            parsed, strict=strict, context=context, by_alias=by_alias, by_name=by_name
        )
        raise  # pragma: no cover - the masked copy fails as the original did
