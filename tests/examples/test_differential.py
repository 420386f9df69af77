"""Differential: the generated models and jsonschema agree on valid and invalid params payloads.

The reference schemas (tests/reference_schema.py) are derived from the raw spec, independently of
build_ir.py, following the documented decisions.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from destgen_runtime.schema.dialect import delivers_files

from tests import reference_schema as reference
from tests.conftest import DATASET_SLUGS, ROOT, SLUGS
from tests.differential_support import check_agreement


def reference_schemas(slug: str) -> list[tuple[str, dict[str, Any]]]:
    raw = json.loads((ROOT / "specs_cache" / f"{slug}.json").read_text())
    return reference.corpus_reference_schemas(
        raw, delivers_files=delivers_files(raw), dataset=slug in DATASET_SLUGS
    )


CASES = [(slug, which, schema) for slug in SLUGS for which, schema in reference_schemas(slug)]
IDS = [f"{slug}-{which}" for slug, which, _ in CASES]


@pytest.mark.fuzz
@pytest.mark.parametrize(("slug", "which", "schema"), CASES, ids=IDS)
def test_differential_models_agree_with_jsonschema(
    slug: str, which: str, schema: dict[str, Any]
) -> None:
    check_agreement(slug, which, schema, examples=10)
