"""The ``conditional`` keyword, every operator: the library's one evaluator and the emulator's
independent implementation agree on the same table, and the generator, ``destgen diff`` and the
emulator keep the same target fields for the audience workflow whichever operator a spec uses.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from destgen_runtime.schema.conditionals import AUDIENCE_WORKFLOW, holds, in_workflow

from destgen.build_ir import build_ir
from destgen.spec_diff import facts
from destgen.specs import load_specs
from destgen_emulator.service.catalog import Destination
from destgen_emulator.service.validation import (
    audience_target_schema,
    rule_schema,
    workflow_rule_holds,
)
from tests.conftest import ROOT

# (operator, actual value of the field or None when absent, rule value, expected outcome)
TABLE = [
    ("EQUALS", "CSV", "CSV", True),
    ("EQUALS", "JSON", "CSV", False),
    ("EQUALS", None, "CSV", False),
    ("NOT_EQUALS", "JSON", "CSV", True),
    ("NOT_EQUALS", "CSV", "CSV", False),
    ("NOT_EQUALS", None, "CSV", True),
    ("CONTAINS", "AUDIENCES", "AUD", True),
    ("CONTAINS", "AUDIENCES", "DATASETS", False),
    ("CONTAINS", ["A", "B"], "B", True),
    ("CONTAINS", ["A", "B"], "C", False),
    ("CONTAINS", None, "A", False),
    ("NOT_CONTAINS", "AUDIENCES", "DATASETS", True),
    ("NOT_CONTAINS", "AUDIENCES", "AUD", False),
    ("NOT_CONTAINS", ["A"], "A", False),
    ("NOT_CONTAINS", None, "A", True),
]
IDS = [f"{op}-{actual}-{value}" for op, actual, value, _ in TABLE]


@pytest.mark.parametrize(("operator", "actual", "value", "expected"), TABLE, ids=IDS)
def test_conditionals_library_evaluator(
    operator: str, actual: Any, value: Any, expected: bool
) -> None:
    assert holds(operator, actual, value) is expected


@pytest.mark.parametrize(("operator", "actual", "value", "expected"), TABLE, ids=IDS)
def test_conditionals_emulator_schema_agrees(
    operator: str, actual: Any, value: Any, expected: bool
) -> None:
    instance = {} if actual is None else {"when": actual}
    schema = rule_schema({"field": "when", "operator": operator, "value": value})
    assert jsonschema.Draft7Validator(schema).is_valid(instance) is expected


@pytest.mark.parametrize("operator", ["EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"])
@pytest.mark.parametrize("value", ["AUDIENCES", "DATASETS", "AUD"])
def test_conditionals_workflow_the_same_everywhere(operator: str, value: str) -> None:
    rule = {"field": "flowSpec.attributes._workflow", "operator": operator, "value": value}
    assert in_workflow(rule, AUDIENCE_WORKFLOW) is workflow_rule_holds(
        operator, AUDIENCE_WORKFLOW, value
    )


def test_conditionals_unknown_operator_is_refused_by_both() -> None:
    with pytest.raises(ValueError, match="unknown conditional operator"):
        holds("MATCHES", "a", "a")
    with pytest.raises(ValueError, match="unknown conditional operator"):
        rule_schema({"field": "f", "operator": "MATCHES", "value": "a"})


@pytest.mark.parametrize("operator", ["EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"])
def test_conditionals_generator_diff_and_emulator_keep_the_same_fields(
    operator: str, tmp_path: Any
) -> None:
    (spec,) = load_specs(ROOT / "specs_cache", frozenset({"amazon_s3"}))
    data = copy.deepcopy(dict(spec.data))
    rule = data["targetSpec"]["spec"]["properties"]["datasetFileType"]["conditional"]
    rule.update(operator=operator, value="DATASETS")
    edited = type(spec)(spec.slug, spec.file, spec.sha256, data, spec.audience_flow_spec_id)

    ir = build_ir(edited)
    generator_keeps = {p.wire_name for p in ir.target.params}
    diff_keeps = {k.split(".", 1)[1] for k in facts(data) if k.startswith("target.")}
    emulator = Destination("amazon_s3", json.loads(json.dumps(data)), ())
    emulator_keeps = set(audience_target_schema(emulator)["properties"])
    kept = "datasetFileType" in generator_keeps
    assert kept is holds(operator, AUDIENCE_WORKFLOW, "DATASETS")
    assert ("datasetFileType" in diff_keeps) is kept
    assert ("datasetFileType" in emulator_keeps) is kept
