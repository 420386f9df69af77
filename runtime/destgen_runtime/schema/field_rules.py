"""Per-field rules the JSON Schema states but pydantic cannot express on its own types.

Secrets and plain strings keep their spec ``pattern`` (run on the engine patterns.py picks);
``contentEncoding: base64`` is checked. Revealing is wire.py's
job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, SecretStr
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema
from pydantic_core import ValidationError as PydanticValidationError

from destgen_runtime.schema.core_checks import (
    base64_error,
    checked_base64,
    is_base64,
    public_base64,
)
from destgen_runtime.schema.mask import MASK
from destgen_runtime.schema.patterns import compile_pattern, ecma_to_engine
from destgen_runtime.schema.validity import SECRET_KEY

REVEAL_CONTEXT_KEY = "destgen_reveal_secrets"


def _in_core(pattern: str, schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    """``schema`` followed by the spec ``pattern`` checked inside pydantic-core, on the engine
    patterns.py picks for it (Rust's, or Python's ``re`` for look-around after the backtracking
    check): no Python frame per value, offline validation being a hot path. The engine reads the
    pattern in ECMA terms; a failure names the spec's own text, as the Python check did.
    """
    compiled = compile_pattern(pattern)  # refused patterns fail here, at the model's first use
    python = compiled.engine == "python"
    engine_text = ecma_to_engine(pattern, python=python)
    check = core_schema.str_schema(
        pattern=engine_text, regex_engine="python-re" if python else "rust-regex"
    )
    if engine_text == pattern and schema.get("type") == "str":
        return cast(core_schema.CoreSchema, {**schema, **check})
    return core_schema.chain_schema(
        [
            schema,
            core_schema.custom_error_schema(
                check,
                custom_error_type="string_pattern_mismatch",
                custom_error_context={"pattern": pattern},
            ),
        ]
    )


def _mismatch(pattern: str) -> PydanticCustomError:
    """pydantic's own error for a string that does not match ``pattern`` (the spec's text)."""
    return PydanticCustomError(
        "string_pattern_mismatch", "String should match pattern '{pattern}'", {"pattern": pattern}
    )


class _Concealed(SecretStr):
    """A secret on its way through validation: even pickled (inside an error) it is masked."""

    def __reduce__(self) -> tuple[type[SecretStr], tuple[str]]:
        return (SecretStr, (MASK,))


def concealed(value: str) -> SecretStr:
    """``value`` wrapped as a secret in transit: masked in errors, reprs and pickles."""
    return value if isinstance(value, SecretStr) else _Concealed(value)


def is_concealed(value: object) -> bool:
    """``value`` is a secret in transit (an error's input masked by a secret's own rule)."""
    return type(value) is _Concealed


_MASKED_INPUT = _Concealed(MASK)


def _masked_failure(error: PydanticCustomError) -> PydanticValidationError:
    """A secret's failure as a ValidationError whose input is the mask, never the value.

    Built once per rule and kind of failure, then raised again each time (``raise
    failure.with_traceback(None)``, so its traceback does not grow): building one cost a failing
    payload as much as the rest of its validation. pydantic-core only reads its errors, which
    never change.
    """
    return PydanticValidationError.from_exception_data(
        "SecretStr", [{"type": error, "loc": (), "input": _MASKED_INPUT}]
    )


# A number or an object where a secret goes may be the secret itself: masked like the rest.
_NOT_TEXT = _masked_failure(PydanticCustomError("string_type", "Input should be a valid string"))
_NOT_BASE64 = _masked_failure(base64_error())


@dataclass(frozen=True)
class SecretRule:
    """Annotated metadata for a ``format: password`` field: SecretStr plus the spec's own rules.

    The pattern is checked on the raw string before it is wrapped (pydantic drops ``pattern`` on
    SecretStr). Serialisation masks unless the wire function asks for the real value.
    """

    pattern: str | None = None
    base64: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        matches = None if self.pattern is None else compile_pattern(self.pattern).search
        mismatch = None if self.pattern is None else _masked_failure(_mismatch(self.pattern))
        base64 = self.base64

        def check(value: Any) -> SecretStr:
            # One function for Python and JSON input alike (pydantic's own SecretStr schema
            # takes only a JSON string in JSON mode), and one Python frame per secret: a hot path.
            if isinstance(value, str):
                raw = value
            elif isinstance(value, SecretStr):
                raw = value.get_secret_value()
            else:
                raise _NOT_TEXT.with_traceback(None)
            if matches is not None and not matches(raw):
                raise cast(PydanticValidationError, mismatch).with_traceback(None)
            if base64 and not is_base64(raw):
                raise _NOT_BASE64.with_traceback(None)
            # A valid value leaves as an ordinary SecretStr, which pickles with its secret.
            return value if type(value) is SecretStr else SecretStr(raw)

        def serialize(value: SecretStr, info: core_schema.SerializationInfo) -> str:
            context = info.context
            if isinstance(context, dict) and context.get(REVEAL_CONTEXT_KEY) is True:
                # A model built without validation (model_construct) may hold a plain str.
                return value.get_secret_value() if isinstance(value, SecretStr) else str(value)
            return MASK

        return core_schema.no_info_plain_validator_function(
            check,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                serialize, info_arg=True, when_used="always"
            ),
            metadata={SECRET_KEY: self},
        )

    def check_schema(self) -> core_schema.CoreSchema:
        """The secret's rules as validity.is_valid checks them: a string matching the spec's
        pattern (inside pydantic-core), base64 when the spec says so. No error leaves that
        check, so nothing needs masking and no SecretStr is built.
        """
        text = core_schema.str_schema(strict=True)
        checked = text if self.pattern is None else _in_core(self.pattern, text)
        if self.base64:
            return core_schema.no_info_after_validator_function(checked_base64, checked)
        return checked

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """A secret's JSON Schema, as pydantic's SecretStr gives it: a write-only password."""
        found = handler(schema)
        found.update(type="string", format="password", writeOnly=True)
        if self.pattern is not None:
            found["pattern"] = self.pattern
        return found


@dataclass(frozen=True)
class TextRule:
    """Annotated metadata for a plain string with a spec ``pattern`` and/or base64 content."""

    pattern: str | None = None
    base64: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        if self.pattern is not None:
            schema = _in_core(self.pattern, schema)
        if self.base64:
            # After the pattern, as the spec reads: base64 text that is not a private key.
            schema = core_schema.no_info_after_validator_function(public_base64, schema)
        return schema

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The spec's own pattern, whichever engine checks it (a chain would show none)."""
        found = handler(schema)
        if self.pattern is not None:
            found["pattern"] = self.pattern
        return found
