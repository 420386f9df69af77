"""The base class of every payload model: closed objects, camelCase on the wire, spec conditionals.

It owns model-wide rules only; per-field rules live in field_rules.py, secret reveal in wire.py,
errors that never quote a secret in secret_errors.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

from destgen_runtime.schema.conditionals import CONDITIONALS_KEY, holds
from destgen_runtime.schema.secret_errors import (
    concealing_validator,
    secret_keys,
    validate_json_concealed,
)


def _conditionals_of(config: ConfigDict) -> tuple[dict[str, Any], ...]:
    extra = config.get("json_schema_extra")
    if not isinstance(extra, dict):
        return ()
    rules = extra.get(CONDITIONALS_KEY)
    if not isinstance(rules, list):
        return ()
    return tuple(rule for rule in rules if isinstance(rule, dict))


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
        # The validator and serializer are built on a model's first use, not at import: a
        # program that imports every destination and uses one pays for one.
        defer_build=True,
    )
    # Wire names of the secrets this model holds, itself or in any model below it.
    __destgen_secret_keys__: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """The model's schema; for a model holding secrets, wrapped so that no validation error
        quotes one, whichever way pydantic is asked (secret_errors.concealing_validator).
        """
        schema = handler(source)
        keys = secret_keys(cls)
        if not keys:
            return schema  # only classes that hold secrets pay for the frame: a hot path
        return core_schema.no_info_wrap_validator_function(concealing_validator(keys), schema)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__destgen_secret_keys__ = secret_keys(cls)
        if cls.__destgen_secret_keys__:
            # Text that is not JSON fails before any validator: its error would quote it whole.
            cls.model_validate_json = classmethod(validate_json_concealed)  # type: ignore[method-assign,assignment]


class SpecModel(PlainSpecModel):
    """A payload object: unknown keys rejected, nulls rejected, Python's regex engine for patterns.

    Field conditionals of the connection spec (``csvOptions`` only when ``fileType`` is CSV; with
    ``required``, a field the spec's if/then requires, ``publicKey`` when PGP is chosen) arrive
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
            given = getattr(self, wire[rule["field"]]) is not None
            if rule.get("required"):
                # An if/then of the spec: the field must be given while the rule holds.
                actual = getattr(self, wire[rule["when"]])
                if not given and holds(rule["operator"], actual, rule["value"]):
                    raise ValueError(
                        f"{rule['field']} is required when {rule['when']} {rule['operator']} "
                        f"{rule['value']!r} (connection spec if/then)"
                    )
                continue
            if not given:
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
