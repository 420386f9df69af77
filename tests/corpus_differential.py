"""Run with the corpus's generated library first on PYTHONPATH: every params model of every
generated destination against jsonschema on the reference schema, valid and mutated instances.

Its own process because the generated library has the checkout's package name
(destgen_destinations); tests/unit/test_corpus.py starts it and reads its last line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from destgen_destinations.runtime.schema.dialect import delivers_files
from tests import reference_schema as reference
from tests.differential_support import _model_accepts, generation_schema, model_for, mutate


def check(slug: str, which: str, schema: dict[str, Any]) -> None:
    """One model against its reference: valid instances accepted, mutations judged alike."""
    model = model_for(slug, which)
    validator = jsonschema.Draft7Validator(schema)

    @settings(
        max_examples=8,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(instance=from_schema(generation_schema(schema)), data=st.data())
    def agree(instance: dict[str, Any], data: st.DataObject) -> None:
        assert validator.is_valid(instance), instance
        assert _model_accepts(model, instance), f"{slug} {which} refuses {instance}"
        mutated = mutate(instance, data, schema)
        assert _model_accepts(model, mutated) == validator.is_valid(
            mutated
        ), f"{slug} {which} disagrees on {mutated}"

    agree()


def main(corpus: Path) -> int:
    """Check every generated destination; print one JSON line: cases checked, failures."""
    from destgen_destinations import registry

    checked, failures = 0, []
    for slug in registry.SLUGS:
        package = registry.destination(slug)
        raw = json.loads((corpus / package.spec.SPEC_FILE).read_text())
        schemas = reference.corpus_reference_schemas(
            raw,
            delivers_files=delivers_files(raw),
            dataset=package.spec.DATASET_FLOW_SPEC_ID is not None,
        )
        for which, schema in schemas:
            checked += 1
            try:
                check(slug, which, schema)
            except Exception as exc:  # every failure is reported, the run goes on
                failures.append(f"{slug} {which}: {str(exc)[:300]}")
    print(json.dumps({"checked": checked, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
