"""The base class of every payload model: closed objects, camelCase on the wire, spec conditionals.

It owns model-wide rules only; per-field rules live in field_rules.py, secret reveal in wire.py,
errors that never quote a secret in secret_errors.py.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

from destgen_runtime.schema.conditionals import CONDITIONALS_KEY
from destgen_runtime.schema.secret_errors import (
    concealing_validator,
    secret_keys,
    validate_json_concealed,
)
from destgen_runtime.schema.spec_rules import with_rules
from destgen_runtime.schema.validity import CONCEALING_KEY

# JSON text: only keys go to pydantic-core's process-wide string cache. Values (secrets among
# them) are never kept there, and payload values rarely repeat: caching them cost validation
# from JSON 2 to 3 per cent. The outermost model's setting is the one that counts.
CACHED_FROM_JSON: Literal["keys"] = "keys"


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
        cache_strings=CACHED_FROM_JSON,
        # The validator and serializer are built on a model's first use, not at import: a
        # program that imports every destination and uses one pays for one.
        defer_build=True,
    )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """The model's schema; for a model holding secrets, wrapped so that no validation error
        quotes one, whichever way pydantic is asked (secret_errors.concealing_validator).
        """
        schema = cls._with_rules(handler(source))
        keys = secret_keys(cls)
        if not keys:
            return schema  # only classes that hold secrets pay for the frame: a hot path
        return core_schema.no_info_wrap_validator_function(
            concealing_validator(keys), schema, metadata={CONCEALING_KEY: True}
        )

    @classmethod
    def _with_rules(cls, schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
        """The model's schema with its own rules in place: none here (SpecModel has some)."""
        return schema

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if secret_keys(cls):
            # Text that is not JSON fails before any validator: its error would quote it whole.
            cls.model_validate_json = classmethod(validate_json_concealed)  # type: ignore[method-assign,assignment]


class SpecModel(PlainSpecModel):
    """A payload object: unknown keys rejected, nulls rejected, the spec's field conditionals.

    Field conditionals of the connection spec (``csvOptions`` only when ``fileType`` is CSV; with
    ``required``, a field the spec's if/then requires, ``publicKey`` when PGP is chosen) arrive
    from the generator as ``json_schema_extra["x-destgen-conditionals"]`` and are enforced here, so
    the generated modules stay declarative. spec_rules.py decides where each check runs: on its
    field when it can (a payload without that key runs no Python), else on the model.
    """

    @classmethod
    def _with_rules(cls, schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
        """Null checks and conditionals, from the model's fields and configuration (read here,
        at build time: a subclass built at once, before any init hook, gets them too).
        """
        return with_rules(schema, cls.model_fields, _conditionals_of(cls.model_config))


def compact(value: Any) -> Any:
    """``value`` with every ``None`` dict entry dropped, recursively: how builders say "absent"."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value
