"""Where SpecModel's rules run: explicit nulls and the spec's field conditionals, each placed where
a payload that does not touch it runs no Python at all.

A null check and an "allowed only when" conditional sit on their own field, inside its default:
pydantic-core runs them only when the key is given. An if/then ("required when") must run whether
the key is given or not, so it runs on the whole model, as does a conditional whose deciding field
is declared after it (a field's check sees only the fields validated before it). Offline
validation is the hot path these choices serve (docs/benchmarks.md).

The core schema is walked through its public shape (``pydantic_core.core_schema``); a shape this
module does not recognise gets every rule on the model instead, the same rules, only slower.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from destgen_runtime.schema.annotations import admits_none
from destgen_runtime.schema.conditionals import holds
from destgen_runtime.schema.core_checks import FieldCheck, Rule, not_allowed
from destgen_runtime.schema.validity import VALUE_BLIND_KEY

# The node types between a model's schema and its fields: validators around it, the model itself.
_WRAPPERS = frozenset(
    {"function-after", "function-before", "function-wrap", "definitions", "model"}
)


def with_rules(
    schema: core_schema.CoreSchema, fields: Mapping[str, FieldInfo], rules: Sequence[Rule]
) -> core_schema.CoreSchema:
    """``schema`` (a model's) with its null checks and the spec's ``rules`` in place."""
    wire = {info.alias or name: name for name, info in fields.items()}
    nullable = {name for name, info in fields.items() if admits_none(info.annotation)}
    on_field: dict[str, list[Rule]] = {}
    on_model: list[Rule] = []
    order = {name: index for index, name in enumerate(fields)}
    for rule in rules:
        field, when = wire.get(rule["field"]), wire.get(rule["when"])
        if not rule.get("required") and field and when and order[when] < order[field]:
            on_field.setdefault(field, []).append(rule)
        else:
            on_model.append(rule)
    checked = {name: on_field.get(name, []) for name in nullable | set(on_field)}
    placed = _on_fields(schema, checked, wire)
    if placed is None:  # a shape not walked: every rule on the model
        return core_schema.no_info_after_validator_function(
            model_check(frozenset(nullable), list(rules), wire), schema
        )
    if on_model:
        return core_schema.no_info_after_validator_function(
            model_check(frozenset(), on_model, wire), placed
        )
    return placed


def _on_fields(
    schema: Any, checked: Mapping[str, list[Rule]], wire: Mapping[str, str]
) -> core_schema.CoreSchema | None:
    """A copy of ``schema`` whose fields in ``checked`` validate through their check; None when
    the way down to the fields is not one this module knows.
    """
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind == "model-fields":
        fields = dict(schema["fields"])
        for name, rules in checked.items():
            if name not in fields:
                return None
            fields[name] = _checked_field(
                fields[name], FieldCheck([(wire[rule["when"]], rule) for rule in rules])
            )
        return typing.cast(core_schema.CoreSchema, {**schema, "fields": fields})
    if kind in _WRAPPERS and "schema" in schema:
        inner = _on_fields(schema["schema"], checked, wire)
        return (
            None
            if inner is None
            else typing.cast(core_schema.CoreSchema, {**schema, "schema": inner})
        )
    return None


def _checked_field(field: Any, check: Callable[[Any, Any], Any]) -> Any:
    """``field`` (a model-field) validating through ``check``, inside its default if it has one:
    an absent key then never reaches the check.
    """
    own = field["schema"]
    # The check reads its value only to refuse None: validity.is_valid may hand it a dict where
    # the model would hand it a model instance.
    blind = {VALUE_BLIND_KEY: True}
    if own.get("type") == "default":
        inner = core_schema.with_info_after_validator_function(check, own["schema"], metadata=blind)
        return {**field, "schema": {**own, "schema": inner}}
    return {
        **field,
        "schema": core_schema.with_info_after_validator_function(check, own, metadata=blind),
    }


def model_check(
    nullable: frozenset[str], rules: Sequence[Rule], wire: Mapping[str, str]
) -> Callable[[Any], Any]:
    """The check of a whole model: its if/then rules, and whatever could not sit on a field."""
    key_of = {name: key for key, name in wire.items()}

    def check(model: Any) -> Any:
        values = model.__dict__
        for name in model.__pydantic_fields_set__ & nullable:
            if values[name] is None:
                raise ValueError(f"{key_of[name]}: null is not allowed; omit the key instead")
        for rule in rules:
            given = values[wire[rule["field"]]] is not None
            actual = values[wire[rule["when"]]]
            if rule.get("required"):
                # An if/then of the spec: the field must be given while the rule holds.
                if not given and holds(rule["operator"], actual, rule["value"]):
                    raise ValueError(
                        f"{rule['field']} is required when {rule['when']} {rule['operator']} "
                        f"{rule['value']!r} (connection spec if/then)"
                    )
            elif given and not holds(rule["operator"], actual, rule["value"]):
                raise ValueError(not_allowed(rule, actual))
        return model

    return check
