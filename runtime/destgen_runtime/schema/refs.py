"""References shared by every destination: to specs, to the Profile-store source connection, and
to marketing actions (checked alike in an activation file and in the PATCH it becomes).

Destination packages narrow the ids to their own Literal values by subclassing these.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from destgen_runtime.schema.spec_model import SpecModel, compact

PROFILE_STORE_SPEC_ID = "8a9c3494-9708-43d7-ae3f-cda01e5030e1"

NonEmpty = Annotated[str, Field(min_length=1)]

MARKETING_ACTION_REF = re.compile(r"^/dulepolicy/marketingActions/(core|custom)/[^/]+/constraints$")


def _marketing_action(ref: str) -> str:
    if not MARKETING_ACTION_REF.fullmatch(ref):
        raise PydanticCustomError(
            "marketing_action",
            "{ref} is not a marketing action reference "
            "(/dulepolicy/marketingActions/custom/<id>/constraints)",
            {"ref": repr(ref)},
        )
    return ref


# One marketing action's constraints path: checked alike in an activation file and in the
# dataflow PATCH it becomes, so a file that validates never fails half-way through a run.
MarketingActionRef = Annotated[
    str,
    AfterValidator(_marketing_action),
    WithJsonSchema({"type": "string", "pattern": MARKETING_ACTION_REF.pattern}),
]


class SpecRef(SpecModel):
    """``{"id", "version"}``: a connection spec or flow spec reference."""

    id: NonEmpty
    # A missing version is a documented 422 ("connectionSpec.version 'version' is required").
    version: NonEmpty


class ProfileStoreSpecRef(SpecRef):
    """The profile store's source connection spec (the only source audience exports read)."""

    id: Literal["8a9c3494-9708-43d7-ae3f-cda01e5030e1"]
    version: Literal["1.0"]


class SourceConnection(SpecModel):
    """``POST /sourceConnections`` body for audience export: always the Profile store."""

    name: NonEmpty
    description: str | None = None
    connection_spec: Annotated[ProfileStoreSpecRef, Field(alias="connectionSpec")]


def source_connection(
    *, name: str = "Connect to Profile store", description: str | None = None
) -> SourceConnection:
    """The Profile-store source connection every audience dataflow reads from."""
    return SourceConnection.model_validate(
        compact(
            {
                "name": name,
                "description": description,
                "connectionSpec": {"id": PROFILE_STORE_SPEC_ID, "version": "1.0"},
            }
        )
    )
