"""The one place a payload becomes the JSON sent to Adobe, and the only place secrets are revealed.

Everything else (repr, logs, dry runs, errors) sees masked values.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from destgen_runtime.schema.field_rules import REVEAL_CONTEXT_KEY


def to_wire(model: BaseModel) -> dict[str, Any]:
    """The request body for ``model``: camelCase keys, absent fields omitted, secrets in clear."""
    return model.model_dump(
        mode="json",
        by_alias=True,
        exclude_none=True,
        context={REVEAL_CONTEXT_KEY: True},
    )


def to_masked(model: BaseModel) -> dict[str, Any]:
    """The same body with every secret masked: for dry runs, logs and error messages."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)
