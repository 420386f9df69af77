"""Each destination's ``checks.py``: the spec params' checks written as data and run by
pydantic-core alone give the model's own verdict, import no pydantic, and are derived from the
models without leaving anything behind; the destination packages load their names on first use.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import pytest
from destgen_runtime.schema.core_checks import Check, FieldCheck, check_text, public_base64
from destgen_runtime.schema.validity import check_schema
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, model_validator
from pydantic_core import SchemaValidator, core_schema

import destgen_destinations.amazon_s3 as s3
from tests.conftest import DOCUMENTED, ROOT, SLUGS
from tests.differential_support import model_accepts
from tests.fuzz_depth import fuzz_examples
from tests.unit.test_bad_input_fuzz import _mutate
from tests.unit.test_validity import _strategy

# The six of the mission: every auth and target params model of theirs has a written check.
THE_SIX = (
    *("adls_gen2", "amazon_s3", "azure_blob"),
    *("data_landing_zone", "google_cloud_storage", "sftp"),
)


def _checks(slug: str) -> Any:
    return importlib.import_module(f"destgen_destinations.{slug}.checks")


def _pairs() -> list[tuple[str, type[BaseModel], Check]]:
    """(slug, model, its written check) for every check of every generated destination."""
    found = []
    for slug in SLUGS:
        models = importlib.import_module(f"destgen_destinations.{slug}.models")
        for name in _checks(slug).__all__:
            found.append((slug, getattr(models, name), getattr(_checks(slug), name)))
    return found


PAIRS = _pairs()


def _agree(model: type[BaseModel], check: Check, payload: Any) -> None:
    expected = model_accepts(model, payload)
    assert check.is_valid(payload) is expected, (model.__qualname__, payload)
    assert check.is_valid_json(json.dumps(payload)) is expected, (model.__qualname__, payload)


def test_each_spec_params_model_has_its_check_unless_a_python_rule_needs_the_class() -> None:
    """What ``checks.py`` leaves out is exactly what cannot be written (a model-wide rule); for
    the six, every auth and (audience) target params model is there.
    """
    for slug in SLUGS:
        models = importlib.import_module(f"destgen_destinations.{slug}.models")
        registry = importlib.import_module(f"destgen_destinations.{slug}.spec")
        written = set(_checks(slug).__all__)
        for name in models.__all__:
            model = getattr(models, name)
            if not name.endswith("Params") or model.__module__.endswith(".envelopes"):
                continue
            model.model_rebuild()
            writable = check_text(check_schema(model.__pydantic_core_schema__)) is not None
            assert (name in written) is writable, (slug, name)
        if slug in THE_SIX:
            assert "TargetParams" in written, slug
            assert len(written) > len(registry.AUTH_SPEC_NAMES), slug


def test_the_documented_params_get_the_models_verdict() -> None:
    seen = 0
    for path in sorted(DOCUMENTED.glob("0[23]_*.json")):
        body = json.loads(path.read_text())
        slug = next((s for s in sorted(THE_SIX, key=len, reverse=True) if s in path.stem), None)
        if slug is None:
            continue
        for slug_, model, check in PAIRS:
            if slug_ != slug:
                continue
            for params in (body.get("params"), body.get("auth", {}).get("params")):
                if isinstance(params, dict):
                    _agree(model, check, params)
                    seen += 1
    assert seen > 50


@settings(max_examples=fuzz_examples(150))
@given(data=st.data())
def test_a_written_check_agrees_with_its_model_on_drawn_and_mutated_payloads(
    data: st.DataObject,
) -> None:
    _slug, model, check = data.draw(st.sampled_from(PAIRS))
    payload = data.draw(_strategy(model))
    _agree(model, check, payload)
    _agree(model, check, _mutate(payload, data))


def test_the_checks_load_and_run_without_pydantic() -> None:
    """In a fresh interpreter: importing every destination's checks, and checking with them,
    imports pydantic-core and never pydantic; so does importing a destination package.
    """
    program = (
        "import sys, importlib\n"
        f"for slug in {list(SLUGS)!r}:\n"
        "    package = importlib.import_module('destgen_destinations.' + slug)\n"
        "    checks = package.checks\n"
        "    for name in checks.__all__:\n"
        "        getattr(checks, name).is_valid({})\n"
        "        getattr(checks, name).is_valid_json('{}')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    loaded = set(json.loads(ran.stdout.replace("'", '"')))
    assert "pydantic_core" in loaded
    assert not any(m == "pydantic" or m.startswith("pydantic.") for m in loaded), loaded


def test_a_destination_package_loads_each_name_on_first_use() -> None:
    program = (
        "import sys\n"
        "import destgen_destinations.amazon_s3 as s3\n"
        "before = 'pydantic' in sys.modules\n"
        "names = dir(s3)\n"
        "from destgen_destinations.amazon_s3 import *\n"
        "print(before, 'pydantic' in sys.modules, all(n in names for n in s3.__all__))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["False", "True", "True"]
    assert s3.base_connection_access_key.__module__ == "destgen_destinations.amazon_s3.builders"
    assert s3.checks.TargetParams.name == "TargetParams"
    assert repr(s3.checks.TargetParams) == "Check('TargetParams')"
    with pytest.raises(AttributeError, match="has no attribute 'base_conection'"):
        _ = s3.base_conection  # type: ignore[attr-defined]


class _Closed(BaseModel, extra="forbid", strict=True):
    pass


class _Target(_Closed):
    type: str | None = None
    default: int = 0
    note: str | None = None
    key: str | None = None


def _schema_of_every_shape() -> core_schema.CoreSchema:
    """A check schema holding each thing the text form must carry: fields called ``type`` and
    ``default``, labelled union choices (tuples), a conditional field check, the base64 check,
    a default holding a tuple-like dict, a ref used twice.
    """
    rule = {"field": "note", "when": "type", "operator": "EQUALS", "value": "CSV"}
    text = core_schema.str_schema(strict=True)
    labelled = core_schema.union_schema(
        [(text, "text"), (core_schema.int_schema(strict=True), "n")]
    )
    inner = core_schema.typed_dict_schema(
        {"x": core_schema.typed_dict_field(text)}, ref="inner", extra_behavior="forbid"
    )
    fields = {
        "type": core_schema.typed_dict_field(core_schema.nullable_schema(text), required=False),
        "default": core_schema.typed_dict_field(
            core_schema.with_default_schema(labelled, default={"tuple": [1, 2]}), required=False
        ),
        "note": core_schema.typed_dict_field(
            core_schema.with_default_schema(
                core_schema.with_info_after_validator_function(FieldCheck([("type", rule)]), text),
                default=None,
            ),
            required=False,
        ),
        "key": core_schema.typed_dict_field(
            core_schema.no_info_after_validator_function(public_base64, text), required=False
        ),
        "a": core_schema.typed_dict_field(inner, required=False),
        "b": core_schema.typed_dict_field(
            core_schema.definition_reference_schema("inner"), required=False
        ),
    }
    return core_schema.definitions_schema(
        core_schema.typed_dict_schema(fields, extra_behavior="forbid"), [inner]
    )


@settings(max_examples=fuzz_examples(100))
@given(
    payload=st.dictionaries(
        st.sampled_from(["type", "default", "note", "key", "a", "b", "c"]),
        st.one_of(
            st.none(),
            st.integers(-2, 2),
            st.sampled_from(["CSV", "JSON", "QUJD", "abc", ""]),
            st.fixed_dictionaries({"x": st.sampled_from(["1", 1])}),
        ),
    )
)
@example({"type": "JSON", "note": "abc"})  # the conditional refuses it
@example({"type": "CSV", "note": "abc", "default": 1, "key": "QUJD", "b": {"x": "1"}})
@example({"key": "abc"})  # not base64
def test_the_text_form_gives_the_schemas_own_verdict(payload: dict[str, Any]) -> None:
    schema = _schema_of_every_shape()
    text = check_text(schema)
    assert text is not None
    assert text.isascii()
    assert '"ref":"ref0"' in text
    assert '"tuple"' in text
    assert Check("Shapes", text).is_valid(payload) is SchemaValidator(schema).isinstance_python(
        payload
    )


def test_refs_are_named_by_order_so_the_text_never_holds_a_process_id() -> None:
    first = check_text(check_schema(s3.models.TargetParams.__pydantic_core_schema__))
    assert first is not None
    assert ":" not in "".join(json.loads(first).get("ref", "")), first[:200]
    assert first == s3.checks.TargetParams._text


def test_what_cannot_be_written_is_left_to_the_model() -> None:
    class Ruled(_Closed):
        a: int = 0

        @model_validator(mode="after")
        def _rule(self) -> Ruled:
            return self

    class OwnFunction(_Closed):
        a: int = 0

    schema = check_schema(Ruled.__pydantic_core_schema__)
    assert check_text(schema) is None
    own = core_schema.no_info_after_validator_function(len, core_schema.str_schema())
    assert check_text(own) is None
    assert check_text(core_schema.with_default_schema(own, default=object())) is None
    assert check_text(check_schema(OwnFunction.__pydantic_core_schema__)) is not None


def test_a_text_naming_an_unknown_function_fails_at_its_first_check() -> None:
    text = '{"type":"function-after","function":{"type":"no-info","function":{"check":"os"}},'
    text += '"schema":{"type":"str"}}'
    check = Check("Odd", text)
    with pytest.raises(ValueError, match="names no known function"):
        check.is_valid("x")


def test_deriving_the_checks_leaves_the_imported_library_as_it_was() -> None:
    """The generator builds the models it just wrote under the package's real name; the
    library this process already imported is put back, module for module.
    """
    from destgen.build_ir import build_ir
    from destgen.pipeline import render_destination_files
    from destgen.spec_folder import read_spec_folder

    spec = next(s for s in read_spec_folder(ROOT / "specs_cache").specs if s.slug == "amazon_s3")
    before = {n: m for n, m in sys.modules.items() if n.startswith("destgen_destinations")}
    files = render_destination_files(build_ir(spec))
    after = {n: m for n, m in sys.modules.items() if n.startswith("destgen_destinations")}
    assert after == before
    assert sys.modules["destgen_destinations.amazon_s3"] is s3
    on_disk = ROOT / "generated" / "destgen_destinations" / "amazon_s3" / "checks.py"
    assert files["checks.py"] == on_disk.read_text(encoding="utf-8")


def test_a_generated_model_that_would_not_build_refuses_the_spec() -> None:
    """Defence in depth: the spec checks refuse what would break a model, but a model that still
    failed to build is a GeneratorError naming the spec and the schema, never a traceback, and
    nothing of the attempt stays imported.
    """
    from destgen.build_ir import build_ir
    from destgen.checks import derive_checks
    from destgen.errors import GeneratorError
    from destgen.spec_folder import read_spec_folder

    spec = next(s for s in read_spec_folder(ROOT / "specs_cache").specs if s.slug == "sftp")
    ir = build_ir(spec)
    unit = ir.units[0]
    broken = {f"models/{unit.module}.py": compile("raise ValueError('boom')", "x", "exec")}
    before = dict(sys.modules)
    expected = rf"{unit.class_name} would not build \(ValueError: boom\)"
    with pytest.raises(GeneratorError, match=expected) as raised:
        derive_checks(ir, broken)
    assert raised.value.file == "specs_cache/sftp.json"
    assert {n for n in sys.modules if n.startswith("destgen_destinations")} == {
        n for n in before if n.startswith("destgen_destinations")
    }
