"""Where SpecModel's checks run (spec_rules.py): a null check and an "allowed only when"
conditional on their own field, run only when its key is given; an if/then, and a conditional
decided by a later field, on the whole model; every rule on the model when the schema's shape is
not one the walk knows. Each placement gives the same verdicts.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pytest
from destgen_runtime.schema.annotations import admits_none
from destgen_runtime.schema.spec_model import SpecModel
from destgen_runtime.schema.spec_rules import with_rules
from pydantic import ConfigDict, Field, JsonValue, ValidationError
from pydantic_core import SchemaValidator, core_schema

ONLY_WITH_CSV: dict[str, JsonValue] = {
    "field": "csvOptions",
    "when": "fileType",
    "operator": "EQUALS",
    "value": "CSV",
}
REQUIRED_WITH_PGP: dict[str, JsonValue] = {
    "field": "publicKey",
    "when": "algo",
    "operator": "EQUALS",
    "value": "PGP",
    "required": True,
}


class Options(SpecModel):
    """A nested object, as csvOptions is."""

    delimiter: str = ","


class Target(SpecModel):
    """The deciding field first: the conditional sits on csvOptions."""

    model_config = ConfigDict(json_schema_extra={"x-destgen-conditionals": [ONLY_WITH_CSV]})
    file_type: Annotated[Literal["CSV", "JSON"], Field(alias="fileType")]
    csv_options: Annotated[Options | None, Field(alias="csvOptions")] = None
    note: str | None = None


class LateDecider(SpecModel):
    """The deciding field after the one it decides: the conditional runs on the model."""

    model_config = ConfigDict(json_schema_extra={"x-destgen-conditionals": [ONLY_WITH_CSV]})
    csv_options: Annotated[Options | None, Field(alias="csvOptions")] = None
    file_type: Annotated[Literal["CSV", "JSON"], Field(alias="fileType")]


class Encryption(SpecModel):
    """An if/then: publicKey is required when algo is PGP, so the check runs on the model."""

    model_config = ConfigDict(json_schema_extra={"x-destgen-conditionals": [REQUIRED_WITH_PGP]})
    algo: Literal["PGP", "NONE"]
    public_key: Annotated[str | None, Field(alias="publicKey")] = None


class BuiltAtOnce(Target):
    """A subclass built at class creation, before any init hook runs: it has the checks too."""

    model_config = ConfigDict(defer_build=False)


def _functions(schema: Any, path: str = "$") -> list[str]:
    """Where in a core schema Python functions validate (their paths)."""
    found = []
    if isinstance(schema, dict):
        if str(schema.get("type", "")).startswith("function-"):
            found.append(path)
        for key, value in schema.items():
            if key not in ("serialization", "metadata"):
                found += _functions(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _functions(value, f"{path}[{index}]")
    return found


def _errors(model: type[SpecModel], body: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize("model", [Target, BuiltAtOnce])
def test_field_checks_run_only_inside_the_fields_defaults(model: type[SpecModel]) -> None:
    model.model_validate({"fileType": "JSON"})
    where = _functions(model.__pydantic_core_schema__)
    # Nothing on the model; one check inside each optional field's default.
    assert where
    assert all(".fields." in path and ".schema.schema" in path for path in where), where


@pytest.mark.parametrize("model", [Target, BuiltAtOnce])
def test_a_field_check_gives_the_verdicts(model: type[Target]) -> None:
    assert model.model_validate({"fileType": "CSV", "csvOptions": {}}).csv_options == Options()
    assert model.model_validate({"fileType": "JSON"}).csv_options is None
    assert _errors(model, {"fileType": "JSON", "csvOptions": {}}) == [
        (
            "value_error",
            ("csvOptions",),
            "Value error, csvOptions is allowed only when fileType EQUALS 'CSV' (connection spec "
            "conditional); fileType is 'JSON'",
        )
    ]
    assert _errors(model, {"fileType": "CSV", "note": None}) == [
        ("null_not_allowed", ("note",), "null is not allowed; omit the key instead")
    ]
    # A deciding field that fails is reported on its own; the conditional does not guess.
    assert [e[:2] for e in _errors(model, {"fileType": "XML", "csvOptions": {}})] == [
        ("literal_error", ("fileType",))
    ]


def test_a_later_deciding_field_checks_on_the_model_with_the_same_verdict() -> None:
    LateDecider.model_validate({"fileType": "CSV", "csvOptions": {}})
    assert _errors(LateDecider, {"fileType": "JSON", "csvOptions": {}}) == [
        (
            "value_error",
            (),
            "Value error, csvOptions is allowed only when fileType EQUALS 'CSV' (connection spec "
            "conditional); fileType is 'JSON'",
        )
    ]
    assert _functions(LateDecider.__pydantic_core_schema__)[0] == "$"  # on the model


def test_an_if_then_checks_on_the_model_whether_or_not_the_key_is_given() -> None:
    Encryption.model_validate({"algo": "NONE"})
    Encryption.model_validate({"algo": "PGP", "publicKey": "k"})
    assert _errors(Encryption, {"algo": "PGP"}) == [
        (
            "value_error",
            (),
            "Value error, publicKey is required when algo EQUALS 'PGP' (connection spec if/then)",
        )
    ]
    assert _errors(Encryption, {"algo": "PGP", "publicKey": None})[0][:2] == (
        "null_not_allowed",
        ("publicKey",),
    )


def test_a_schema_shape_the_walk_does_not_know_gets_every_rule_on_the_model() -> None:
    fields = Target.model_fields
    odd = core_schema.any_schema()  # no model-fields anywhere below
    placed = with_rules(odd, fields, [ONLY_WITH_CSV])
    assert placed["type"] == "function-after"
    validator = SchemaValidator(placed)

    class Seen:
        """What the model check reads: a model's values and which keys were given."""

        def __init__(self, **values: Any) -> None:
            self.__dict__.update(values)
            self.__pydantic_fields_set__ = set(values)

    with pytest.raises(ValidationError, match="note: null is not allowed"):
        validator.validate_python(Seen(file_type="CSV", csv_options=Options(), note=None))
    with pytest.raises(ValidationError, match="csvOptions is allowed only when"):
        validator.validate_python(Seen(file_type="JSON", csv_options=Options(), note="x"))


@pytest.mark.parametrize(
    ("annotation", "admits"),
    [(str | None, True), (Any, True), (str, False), (Annotated[int | None, Field()], True)],
)
def test_admits_none(annotation: Any, admits: bool) -> None:
    assert admits_none(annotation) is admits


def test_the_json_schema_and_serialisation_do_not_see_the_checks() -> None:
    model = Target.model_validate({"fileType": "CSV", "csvOptions": {"delimiter": "|"}})
    assert json.loads(model.model_dump_json(by_alias=True, exclude_none=True)) == {
        "fileType": "CSV",
        "csvOptions": {"delimiter": "|"},
    }
    properties = Target.model_json_schema(by_alias=True)["properties"]
    assert set(properties) == {"fileType", "csvOptions", "note"}
