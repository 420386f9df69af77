"""The base class of every payload model: closed objects, camelCase on the wire, spec conditionals.

It owns model-wide rules only; per-field rules live in field_rules.py, secret reveal in wire.py.
"""

from __future__ import annotations

import json
import typing
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator
from pydantic import ValidationError as PydanticValidationError

from destgen_destinations.runtime.schema.conditionals import CONDITIONALS_KEY, holds
from destgen_destinations.runtime.schema.field_rules import MASK, SecretRule, concealed


def _conditionals_of(config: ConfigDict) -> tuple[dict[str, Any], ...]:
    extra = config.get("json_schema_extra")
    if not isinstance(extra, dict):
        return ()
    rules = extra.get(CONDITIONALS_KEY)
    if not isinstance(rules, list):
        return ()
    return tuple(rule for rule in rules if isinstance(rule, dict))


def secret_keys(
    model: type[BaseModel], seen: frozenset[type[BaseModel]] = frozenset()
) -> frozenset[str]:
    """The wire names of ``format: password`` fields in ``model`` and every model it holds."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        if _is_secret(info.metadata) or _is_secret(_annotated_metadata(info.annotation)):
            found.add(info.alias or name)
        for inner in _models_in(info.annotation):
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
    """True when ``value`` (an error's input) holds a secret's raw text under one of ``keys``."""
    if isinstance(value, dict):
        return any(
            (k in keys and isinstance(v, str) and not isinstance(v, SecretStr))
            or _quotes_a_secret(v, keys)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_quotes_a_secret(v, keys) for v in value)
    return False


def _is_secret(metadata: Any) -> bool:
    return any(isinstance(m, SecretRule) for m in metadata)


def _annotated_metadata(annotation: Any) -> list[Any]:
    """Metadata of every ``Annotated`` inside ``annotation`` (``X | None`` included)."""
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in typing.get_args(annotation):
        found += _annotated_metadata(arg)
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


class PlainSpecModel(BaseModel):
    """A payload object whose rules pydantic-core checks alone: closed, strict, camelCase on the
    wire.

    Generated classes with no nullable field and no conditional use this base: no Python validator
    runs for them, which keeps offline validation fast.
    """

    # rust-regex: linear time. Spec patterns never reach this engine untranslated: they live in
    # field types (schema/patterns.py picks the engine); patterns written here are plain ASCII.
    model_config = ConfigDict(
        extra="forbid",
        regex_engine="rust-regex",
        # JSON Schema types are strict: "yes" is not a boolean, "22" is not an integer.
        strict=True,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        # Inputs may hold secrets; a ValidationError must never echo them.
        hide_input_in_errors=True,
    )
    # Wire names of the secrets this model holds, itself or in any model below it.
    __destgen_secret_keys__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__destgen_secret_keys__ = secret_keys(cls)
        if cls.__destgen_secret_keys__:
            # Only classes that hold secrets pay for the extra frame: validation is a hot path.
            cls.model_validate = classmethod(_validate_concealed)  # type: ignore[method-assign,assignment]
            cls.model_validate_json = classmethod(_validate_json_concealed)  # type: ignore[method-assign,assignment]


_PYDANTIC_VALIDATE = BaseModel.model_validate.__func__  # type: ignore[attr-defined]
_PYDANTIC_VALIDATE_JSON = BaseModel.model_validate_json.__func__  # type: ignore[attr-defined]


def _validate_concealed(cls: type[PlainSpecModel], /, obj: Any, **kwargs: Any) -> Any:
    """pydantic's ``model_validate``, except that an error never quotes a secret.

    A field's own error masks its secret (field_rules.py); an error about the object around it (a
    missing sibling, an unknown auth spec name) quotes that object as its input. So on failure the
    same validation runs again on a copy with every secret masked, and its error is raised.
    Only a failing validation pays for this.
    """
    if kwargs.get("by_alias") is False and kwargs.get("by_name") is not True:
        return _PYDANTIC_VALIDATE(cls, obj, **kwargs)  # pydantic's own refusal of the options
    try:
        # The validator itself, as BaseModel.model_validate calls it: no frame more than before.
        return cls.__pydantic_validator__.validate_python(obj, **kwargs)
    except PydanticValidationError as exc:
        keys = cls.__destgen_secret_keys__
        if not any(_quotes_a_secret(e["input"], keys) for e in exc.errors(include_url=False)):
            raise  # the usual case: the error is the secret field's own, already masked
        cls.__pydantic_validator__.validate_python(conceal(obj, keys), **kwargs)
        raise  # pragma: no cover - the masked copy fails as the original did


def _validate_json_concealed(
    cls: type[PlainSpecModel], /, json_data: str | bytes | bytearray, **kwargs: Any
) -> Any:
    """As :func:`_validate_concealed`, for JSON text (the error quotes the parsed document)."""
    if kwargs.get("by_alias") is False and kwargs.get("by_name") is not True:
        return _PYDANTIC_VALIDATE_JSON(cls, json_data, **kwargs)
    try:
        return cls.__pydantic_validator__.validate_json(json_data, **kwargs)
    except PydanticValidationError as exc:
        keys = cls.__destgen_secret_keys__
        errors = exc.errors(include_url=False)
        if not any(_quotes_a_secret(e["input"], keys) for e in errors) and not any(
            e["type"] == "json_invalid" for e in errors
        ):
            raise  # the usual case: the error is the secret field's own, already masked
        try:
            parsed = json.loads(json_data)
        except ValueError:
            # Not JSON at all: the error's input is the whole text, secrets and all.
            raise PydanticValidationError.from_exception_data(
                cls.__name__, [{"type": "json_type", "loc": (), "input": MASK}]
            ) from None
        _validate_concealed(cls, parsed, **{k: v for k, v in kwargs.items() if k != "extra"})
        raise  # pragma: no cover - the masked copy fails as the original did


class SpecModel(PlainSpecModel):
    """A payload object: unknown keys rejected, nulls rejected, Python's regex engine for patterns.

    Field conditionals of the connection spec (``csvOptions`` only when ``fileType`` is CSV) arrive
    from the generator as ``json_schema_extra["x-destgen-conditionals"]`` and are enforced here, so
    the generated modules stay declarative.
    """

    __destgen_conditionals__: ClassVar[tuple[dict[str, Any], ...]] = ()
    # Wire name -> attribute name, computed once per class: validation is a hot path.
    __destgen_wire__: ClassVar[dict[str, str]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__destgen_conditionals__ = _conditionals_of(cls.model_config)
        cls.__destgen_wire__ = {f.alias or name: name for name, f in cls.model_fields.items()}

    @model_validator(mode="after")
    def _check_rules(self) -> SpecModel:
        """Explicit nulls and the spec's field conditionals, in one pass (validation is a hot
        path).
        """
        wire = type(self).__destgen_wire__
        values = self.__dict__
        for name in self.__pydantic_fields_set__:
            # No field of these specs is nullable; JSON null is an error, not "absent".
            if values[name] is None:
                key = next(k for k, n in wire.items() if n == name)
                raise ValueError(f"{key}: null is not allowed; omit the key instead")
        for rule in self.__destgen_conditionals__:
            if getattr(self, wire[rule["field"]]) is None:
                continue
            actual = getattr(self, wire[rule["when"]])
            if not holds(rule["operator"], actual, rule["value"]):
                raise ValueError(
                    f"{rule['field']} is allowed only when {rule['when']} "
                    f"{rule['operator']} {rule['value']!r} (connection spec conditional); "
                    f"{rule['when']} is {actual!r}"
                )
        return self


def compact(value: Any) -> Any:
    """``value`` with every ``None`` dict entry dropped, recursively: how builders say "absent"."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value
