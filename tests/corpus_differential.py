"""Run with the corpus's generated library first on PYTHONPATH: every params model of every
generated destination against jsonschema on the reference schema, valid and mutated instances.

Its own process because the generated library has the checkout's package name
(destgen_destinations); tests/unit/test_corpus.py starts it and reads its last line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from destgen_runtime.schema.dialect import delivers_files

from tests import reference_schema as reference
from tests.differential_support import check_agreement


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
                check_agreement(slug, which, schema, examples=8)
            except Exception as exc:  # every failure is reported, the run goes on
                failures.append(f"{slug} {which}: {str(exc)[:300]}")
    print(json.dumps({"checked": checked, "failures": failures}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
