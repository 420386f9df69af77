"""The IR decides the shape of each destination's package; the templates only render it.

Each decision is checked on the IR and then on the generated module it shapes, so a template that
decides something on its own (a class list, an optional field) shows up as a mismatch here.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from destgen.build_ir import build_ir
from destgen.errors import GeneratorError
from destgen.ir import DestinationIR
from destgen.specs import LoadedSpec, load_specs
from tests.conftest import ROOT, SLUGS


def _irs() -> dict[str, DestinationIR]:
    return {spec.slug: build_ir(spec) for spec in load_specs(ROOT / "specs_cache")}


IRS = _irs()


def test_envelope_decisions_per_destination() -> None:
    s3, dlz, blob = IRS["amazon_s3"], IRS["data_landing_zone"], IRS["azure_blob"]
    assert (s3.auth_shape, blob.auth_shape, dlz.auth_shape) == ("union", "single", "none")
    assert s3.base_connection_spec_required
    assert not dlz.base_connection_spec_required
    assert "Encryption" in s3.envelope_classes
    assert "Encryption" not in dlz.envelope_classes
    assert dlz.builders == (
        "base_connection",
        "target_connection",
        "dataflow",
        "dataset_target_connection",
        "dataset_dataflow",
    )
    assert s3.builders == (
        "base_connection_access_key",
        "base_connection_assumed_role",
        "encryption",
        "target_connection",
        "dataflow",
        "dataset_target_connection",
        "dataset_dataflow",
    )
    assert s3.dataset_target is not None
    assert "DatasetTargetConnection" in s3.envelope_classes


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_envelopes_define_exactly_the_ir_set(slug: str) -> None:
    ir = IRS[slug]
    module = importlib.import_module(f"destgen_destinations.{slug}.models.envelopes")
    defined = {
        name
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__
    }
    assert defined == set(ir.envelope_classes)
    models = importlib.import_module(f"destgen_destinations.{slug}.models")
    assert tuple(models.__all__) == ir.model_names


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_package_exports_what_the_ir_lists(slug: str) -> None:
    ir = IRS[slug]
    package = importlib.import_module(f"destgen_destinations.{slug}")
    assert tuple(package.__all__) == ir.package_exports
    builders = importlib.import_module(f"destgen_destinations.{slug}.builders")
    public = [
        name
        for name, value in vars(builders).items()
        if inspect.isfunction(value) and value.__module__ == builders.__name__
    ]
    assert [n for n in public if not n.startswith("_")] == list(ir.builders)
    envelopes = importlib.import_module(f"destgen_destinations.{slug}.models.envelopes")
    field = envelopes.BaseConnection.model_fields["connection_spec"]
    assert field.is_required() is ir.base_connection_spec_required


def _spec(slug: str, change: Callable[[dict[str, Any]], None]) -> LoadedSpec:
    (spec,) = load_specs(ROOT / "specs_cache", frozenset({slug}))
    data = copy.deepcopy(dict(spec.data))
    change(data)
    return replace(spec, data=data)


def _second_auth(data: dict[str, Any]) -> None:
    twin = copy.deepcopy(data["authSpec"][0])
    twin["name"] = data["authSpec"][0]["name"] + "!"  # a different name, the same builder name
    data["authSpec"].append(twin)


def _second_encryption(data: dict[str, Any]) -> None:
    data["encryptionSpecs"].append(copy.deepcopy(data["encryptionSpecs"][0]))


def _target_named(name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["targetSpec"]["spec"]["properties"][name] = {"type": "string"}

    return change


def _nested_object(
    outer: str, inner: str, inner_schema: dict[str, Any], where: str = "targetSpec"
) -> Any:
    def change(data: dict[str, Any]) -> None:
        schema = data[where][0]["spec"] if where == "authSpec" else data[where]["spec"]
        schema["properties"][outer] = {
            "type": "object",
            "properties": {inner: inner_schema},
        }

    return change


def _type_name_taken_twice(data: dict[str, Any]) -> None:
    # auth "path" and target "path" differ, so the target's becomes TargetPath, which a target
    # field of that very name already holds with yet another rule.
    data["authSpec"][0]["spec"]["properties"]["path"] = {"type": "string", "pattern": "^a$"}
    props = data["targetSpec"]["spec"]["properties"]
    props["targetPath"] = {"type": "string", "pattern": "^b$"}
    props["path"] = {"type": "string", "pattern": "^c$"}


def _unknown_conditional(data: dict[str, Any]) -> None:
    props = data["targetSpec"]["spec"]["properties"]
    props["remotePath"]["conditional"] = {"field": "nope", "operator": "EQUALS", "value": "x"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_second_auth, "/authSpec: two auth specs map to the same builder name"),
        (_second_encryption, "/encryptionSpecs/1: only one encryption spec is supported"),
        (_unknown_conditional, "/targetSpec/spec/properties/remotePath/conditional/field"),
        (_target_named("name"), "/targetSpec/spec/properties/name: 'name' becomes the Python"),
        (_target_named("baseConnectionId"), "which the builder already uses"),
        (_target_named("description"), "which the builder already uses"),
        (
            _nested_object("csvOptions", "x", {"type": "string"}, where="authSpec"),
            "/targetSpec/spec/properties/csvOptions: 'csvOptions' becomes the class name "
            "'CsvOptions', which the object at /authSpec/0/spec/properties/csvOptions",
        ),
        (
            _nested_object("box", "secretStr", {"type": "string", "format": "password"}),
            "/targetSpec/spec/properties/box/properties/secretStr: 'SecretStr' becomes the class "
            "name 'SecretStr', which an imported name already uses",
        ),
        (_type_name_taken_twice, "the field type name 'TargetPath' is taken twice"),
    ],
    ids=[
        "builder-collision",
        "two-encryption-specs",
        "conditional-on-unknown-field",
        "param-name",
        "param-base-connection-id",
        "param-description",
        "two-objects-one-class",
        "field-type-shadows-import",
        "field-type-name-twice",
    ],
)
def test_ir_refuses_what_it_cannot_translate(
    change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(GeneratorError) as caught:
        build_ir(_spec("sftp", change))
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(ROOT / "specs_cache" / "sftp.json") + "#")


def test_same_field_name_different_rules_get_distinct_types() -> None:
    def two_keys(data: dict[str, Any]) -> None:
        # The same wire name in two auth variants with different patterns: two named types.
        for entry, pattern in zip(data["authSpec"], ("^a+$", "^b+$"), strict=True):
            entry["spec"]["properties"]["shared"] = {
                "type": "string",
                "format": "password",
                "pattern": pattern,
            }

    ir = build_ir(_spec("sftp", two_keys))
    shared = sorted(t.name for t in ir.field_types if t.name.endswith("Shared"))
    assert len(shared) == 2
    assert shared[0] != shared[1]


def test_a_nested_pattern_gets_the_same_field_type_as_a_top_level_one() -> None:
    ir = build_ir(
        _spec("sftp", _nested_object("box", "code", {"type": "string", "pattern": "^\\d+$"}))
    )
    (code,) = [t for t in ir.field_types if t.name == "Code"]
    assert code.pattern == "^\\d+$"
    assert code.pointer == "/targetSpec/spec/properties/box/properties/code"
    assert "field_types.Code" in ir.target.schema_json


def test_generated_code_that_would_not_compile_is_refused() -> None:
    from destgen.pipeline import _must_compile

    with pytest.raises(GeneratorError, match=r"the generated x.py would not compile \(invalid"):
        _must_compile(IRS["sftp"], "x.py", "from a import (None,)\n")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_templates_kinds_are_the_runtimes(slug: str) -> None:
    # The builders template renders one workflows/ template per kind the IR names; the runtime
    # registry decides which kinds a destination supports. The two give one answer.
    from destgen_runtime.activation import workflows

    from destgen_destinations import registry

    spec = registry.destination(slug).spec
    assert IRS[slug].workflows == tuple(kind.name for kind in workflows.supported(spec))
