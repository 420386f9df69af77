"""``is_valid`` (and each destination's written ``checks``) give the model's own verdict on wire
payloads, without building the model: over
every model of every generated destination, on the documented requests, the examples' payloads,
payloads drawn from each model's JSON Schema and mutations of them; and it runs no Python for a
plain payload whose rules pydantic-core can check alone.
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from typing import Annotated, Any, Self

import pytest
from destgen_runtime.schema.core_checks import Check
from destgen_runtime.schema.spec_model import SpecModel
from destgen_runtime.schema.validity import check_schema, is_valid, is_valid_json
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import AfterValidator, BaseModel, Field, model_validator

import destgen_destinations.amazon_s3 as s3
from destgen.cli.validate import KINDS
from tests.conftest import DOCUMENTED, SLUGS
from tests.differential_support import model_accepts
from tests.fuzz_depth import fuzz_examples
from tests.unit.test_bad_input_fuzz import JSON, _mutate


def _models() -> list[type[BaseModel]]:
    """Every model of every generated destination, and every model ``destgen validate`` checks
    a payload kind with (the runtime's request bodies, each destination's patch bodies).
    """
    found = []
    for slug in SLUGS:
        module = importlib.import_module(f"destgen_destinations.{slug}.models")
        found += [getattr(module, name) for name in module.__all__]
    for target, per_destination in KINDS.values():
        if ":" not in target:
            continue  # a class of each destination's models: listed above
        module_name, name = target.split(":")
        made = getattr(importlib.import_module(module_name), name)
        if not per_destination:
            found.append(made)
            continue
        for slug in SLUGS:
            try:
                found.append(made(importlib.import_module(f"destgen_destinations.{slug}.models")))
            except ValueError:  # nothing of that kind to patch (no credentials, for one)
                continue
    unique = {id(m): m for m in found if isinstance(m, type) and issubclass(m, BaseModel)}
    return list(unique.values())


MODELS = _models()


def written_check(model: type[BaseModel]) -> Check | None:
    """The check a destination's ``checks.py`` holds for ``model`` (one of its spec params), if
    it holds one.
    """
    parts = model.__module__.split(".")
    if parts[0] != "destgen_destinations" or len(parts) < 3 or parts[2] != "models":
        return None
    checks = importlib.import_module(f"destgen_destinations.{parts[1]}.checks")
    found = getattr(checks, model.__name__, None) if model.__name__ in checks.__all__ else None
    return found if isinstance(found, Check) else None


def _agree(model: type[BaseModel], payload: Any) -> None:
    """``is_valid``, ``is_valid_json`` and the written check (where there is one) all give the
    model's verdict.
    """
    expected = model_accepts(model, payload)
    text = json.dumps(payload)
    assert is_valid(model, payload) is expected, (model.__qualname__, payload)
    assert is_valid_json(model, text) is expected, (model.__qualname__, payload)
    written = written_check(model)
    if written is not None:
        assert written.is_valid(payload) is expected, (model.__qualname__, payload)
        assert written.is_valid_json(text) is expected, (model.__qualname__, payload)


@cache
def _strategy(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Payloads drawn from the model's own JSON Schema (by wire name), or any JSON where
    hypothesis-jsonschema cannot read a pattern.
    """
    try:
        return from_schema(model.model_json_schema(by_alias=True))
    except Exception:  # an ECMA pattern Python's re cannot compile, for one
        return JSON


@settings(max_examples=fuzz_examples(200))
@given(data=st.data())
def test_is_valid_agrees_with_the_model_on_drawn_and_mutated_payloads(data: st.DataObject) -> None:
    model = data.draw(st.sampled_from(MODELS))
    payload = data.draw(_strategy(model))
    _agree(model, payload)
    _agree(model, _mutate(payload, data))


# The documented request bodies of the six, by file name prefix: the envelope each is sent as.
DOCUMENTED_ENVELOPES = {
    "02_base_connection__": "BaseConnection",
    "03_target_connection__": "TargetConnection",
    "04_create_dataflow__": "Dataflow",
}


def _documented_envelopes() -> list[tuple[str, type[BaseModel], Any]]:
    cases = []
    for path in sorted(DOCUMENTED.glob("0[234]_*.json")):
        prefix = next((p for p in DOCUMENTED_ENVELOPES if path.name.startswith(p)), None)
        if prefix is None:
            continue
        rest = path.stem.removeprefix(prefix)
        slug = next(s for s in sorted(SLUGS, key=len, reverse=True) if rest.startswith(s))
        models = importlib.import_module(f"destgen_destinations.{slug}.models")
        model = getattr(models, DOCUMENTED_ENVELOPES[prefix])
        cases.append((path.name, model, json.loads(path.read_text())))
    return cases


DOCUMENTED_CASES = _documented_envelopes()


def test_every_documented_request_gets_the_models_verdict() -> None:
    """Base connections (secrets, encryption), target connections (CSV options) and dataflows of
    the six: is_valid says what the model says, and most of them are valid (a few documented
    bodies break a rule destgen holds to, docs/decisions.md).
    """
    assert len(DOCUMENTED_CASES) >= 24, [name for name, _, _ in DOCUMENTED_CASES]
    valid = 0
    for name, model, payload in DOCUMENTED_CASES:
        expected = model_accepts(model, payload)
        assert is_valid(model, payload) is expected, name
        assert is_valid_json(model, json.dumps(payload)) is expected, name
        valid += expected
    assert valid >= 18, valid


@settings(max_examples=fuzz_examples(300))
@given(data=st.data())
def test_is_valid_agrees_with_the_model_on_mutated_documented_requests(
    data: st.DataObject,
) -> None:
    _, model, payload = data.draw(st.sampled_from(DOCUMENTED_CASES))
    _agree(model, _mutate(payload, data))
    _agree(model, _mutate(_mutate(payload, data), data))


VALID_TARGET = {"bucketName": "my-bucket", "path": "exports/", "fileType": "CSV"} | {
    "compression": "GZIP",
    "csvOptions": {"delimiter": ","},
}
VALID_AUTH = {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE", "s3SecretKey": "A" * 40}


@pytest.mark.parametrize(
    ("model", "payload", "valid"),
    [
        (s3.models.TargetParams, VALID_TARGET, True),
        # The conditional: csvOptions only with CSV (a check on its field, given a dict here).
        (s3.models.TargetParams, VALID_TARGET | {"fileType": "JSON"}, False),
        (s3.models.TargetParams, VALID_TARGET | {"csvOptions": None}, False),
        (s3.models.TargetParams, VALID_TARGET | {"file_type": "CSV"}, False),  # Python name
        (s3.models.TargetParams, VALID_TARGET | {"extra": 1}, False),
        (s3.models.AccessKeyParams, VALID_AUTH, True),
        (s3.models.AccessKeyParams, VALID_AUTH | {"s3SecretKey": "short"}, False),
        (s3.models.AccessKeyParams, VALID_AUTH | {"s3SecretKey": 40}, False),
        (s3.models.AccessKeyParams, {"s3AccessKey": "AKIAIOSFODNN7EXAMPLE"}, False),
    ],
)
def test_is_valid_on_the_rules_it_rewrites(
    model: type[BaseModel], payload: dict[str, Any], valid: bool
) -> None:
    assert model_accepts(model, payload) is valid
    assert is_valid(model, payload) is valid
    assert is_valid_json(model, json.dumps(payload)) is valid


def test_a_rule_over_a_list_of_models_still_holds() -> None:
    """Deduplication keys are a list of models a validator reads: identities and attributes may
    not be mixed (a Hypothesis run of 3,000 examples found is_valid missing this once).
    """
    from destgen_runtime.payloads.patch_ops import Patch

    keys = [
        {"attributePath": "person.name", "fieldType": "ATTRIBUTE"},
        {"identityNamespace": "Email", "fieldType": "IDENTITY"},
    ]
    patch = [{"op": "add", "path": "/transformations/0/params/primaryFields", "value": keys}]
    assert model_accepts(Patch, patch) is False
    assert is_valid(Patch, patch) is False
    patch[0]["value"] = keys[:1]
    assert model_accepts(Patch, patch) is True
    assert is_valid(Patch, patch) is True


def test_text_that_is_not_json_is_simply_invalid() -> None:
    assert is_valid_json(s3.models.AccessKeyParams, '{"s3SecretKey": "x",') is False


def test_a_plain_payload_is_checked_by_pydantic_core_alone() -> None:
    """The secret model's check holds no Python function: no concealing wrapper, no secret
    validator, no model to build.
    """
    schema = check_schema(s3.models.AccessKeyParams.__pydantic_core_schema__)
    assert _node_types(schema) == {"typed-dict", "typed-dict-field", "str"}, schema


def _node_types(node: Any) -> set[str]:
    """Every core schema node type below ``node`` (its metadata left out)."""
    if isinstance(node, list | tuple):
        return set().union(*map(_node_types, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["type"]} if isinstance(node.get("type"), str) else set()
    for key, value in node.items():
        if key != "metadata":
            found |= _node_types(value)
    return found


class _Inner(SpecModel):
    name: str


class _UserModel(SpecModel):
    """A model whose validator reads its instance, and a field validator reading a nested
    model's attribute: both must still get instances.
    """

    inner: Annotated[_Inner, AfterValidator(lambda value: _upper_only(value))]
    # _Inner used twice: pydantic defines it once and refers to it from both fields, so the
    # model the validator receives is reached by reference.
    other: _Inner | None = None
    # A validator given a list of models (destgen's deduplication keys are one).
    names: Annotated[
        list[_Inner], AfterValidator(lambda items: [_upper_only(i) for i in items])
    ] = Field(default_factory=list)
    size: int = 0

    @model_validator(mode="after")
    def _small(self) -> _UserModel:
        if self.size > 10:
            raise ValueError("too big")
        return self


def _upper_only(value: _Inner) -> _Inner:
    if value.name != value.name.upper():
        raise ValueError("upper case only")
    return value


@pytest.mark.parametrize(
    ("payload", "valid"),
    [
        ({"inner": {"name": "AB"}, "size": 3}, True),
        ({"inner": {"name": "ab"}, "size": 3}, False),
        ({"inner": {"name": "AB"}, "size": 30}, False),
        ({"inner": {"name": "AB"}, "other": {"name": "ab"}}, True),
        ({"inner": {"name": "AB"}, "other": {"name": 1}}, False),
        ({"inner": {"name": "AB"}, "names": [{"name": "CD"}]}, True),
        ({"inner": {"name": "AB"}, "names": [{"name": "CD"}, {"name": "cd"}]}, False),
    ],
)
def test_what_a_python_validator_receives_stays_a_model(
    payload: dict[str, Any], valid: bool
) -> None:
    assert model_accepts(_UserModel, payload) is valid
    assert is_valid(_UserModel, payload) is valid


def test_objects_the_wire_cannot_carry_are_not_payloads() -> None:
    """A model instance is valid to pydantic (revalidation) but is not a wire payload."""
    instance = s3.models.AccessKeyParams.model_validate(VALID_AUTH)
    assert is_valid(s3.models.AccessKeyParams, instance) is False


def test_each_class_has_its_own_check_and_models_made_at_run_time_are_let_go() -> None:
    """A subclass with a rule of its own is checked by its own rules, not its parent's; and the
    checks kept are bounded: a model made at run time is let go once enough others were checked.
    """
    import gc
    import weakref

    from destgen_runtime.schema.validity import CHECKERS_KEPT
    from pydantic import create_model

    class Parent(SpecModel):
        size: int

    class Child(Parent):
        @model_validator(mode="after")
        def _small(self) -> Self:
            if self.size > 1:
                raise ValueError("too big")
            return self

    assert is_valid(Parent, {"size": 5}) is True
    assert is_valid(Child, {"size": 5}) is False
    made = weakref.ref(Child)
    del Child
    for n in range(CHECKERS_KEPT):
        assert is_valid(create_model(f"Made{n}", __base__=SpecModel, size=(int, ...)), {"size": n})
    gc.collect()
    assert made() is None


def test_the_check_reads_json_text_with_the_models_own_configuration() -> None:
    """The check validator takes the model's configuration even where a wrap validator stands
    around its node (a model holding secrets): JSON text is read as the model reads it, keys
    alone cached (the configuration's title shows whose it is).
    """
    from destgen_runtime.schema.validity import _checker

    for model in (s3.models.AccessKeyParams, s3.models.TargetParams, s3.models.BaseConnection):
        assert _checker(model).title == model.__name__
