"""Adobe's ``conditional`` keyword (``{field, operator, value}``): the one evaluator of its rule.

The generator resolves the workflow conditional with it, ``destgen diff`` classifies with it and
the models enforce field conditionals with it. Pure functions; no pydantic, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What ``flowSpec.attributes._workflow`` decides: audience export or dataset export.
WORKFLOW_FIELD = "flowSpec.attributes._workflow"
AUDIENCE_WORKFLOW = "AUDIENCES"
DATASET_WORKFLOW = "DATASETS"
# Where build_ir puts a schema's field conditionals for SpecModel to enforce.
CONDITIONALS_KEY = "x-destgen-conditionals"
OPERATORS = frozenset({"EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"})


def holds(operator: str, actual: Any, expected: Any) -> bool:
    """Whether ``actual`` satisfies ``operator expected``; an absent value (None) contains nothing
    and equals nothing.
    """
    if operator == "EQUALS":
        return actual is not None and bool(actual == expected)
    if operator == "NOT_EQUALS":
        return actual is None or bool(actual != expected)
    if operator == "CONTAINS":
        return _contains(actual, expected)
    if operator == "NOT_CONTAINS":
        return not _contains(actual, expected)
    raise ValueError(f"unknown conditional operator {operator!r}")


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return str(expected) in actual
    if isinstance(actual, list | tuple):
        return expected in actual
    return False


def in_workflow(conditional: Mapping[str, Any] | None, workflow: str) -> bool:
    """Whether a property with this ``conditional`` belongs to ``workflow``'s schema.

    Only a conditional on the workflow field can exclude a property; field conditionals are
    checked on the payload instead.
    """
    if not conditional or conditional.get("field") != WORKFLOW_FIELD:
        return True
    return holds(str(conditional.get("operator")), workflow, conditional.get("value"))
