"""jsonschema's Draft 7 validator with the spec patterns on the engine runtime/patterns.py picks.

Anything that validates against a spec's schema (a spec's own defaults at generation, payloads in
the emulator) uses it: never Python's backtracking engine on a pattern that could stall the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema

from destgen_destinations.runtime.patterns import UnsafePattern, compile_pattern


def _linear_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = compile_pattern(pattern).search(instance)
    except UnsafePattern as exc:
        yield jsonschema.ValidationError(f"the spec pattern is refused: {exc}")
        return
    if not matched:
        yield jsonschema.ValidationError("does not match the pattern")


SpecValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"pattern": _linear_pattern}
)
