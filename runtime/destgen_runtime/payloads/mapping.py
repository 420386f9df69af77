"""Data Prep mapping sets: mappings from Profile attributes to the exported columns.

Owns the mapping rules (no dots in destinations); it knows nothing about dataflows.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from destgen_runtime.schema.refs import NonEmpty
from destgen_runtime.schema.spec_model import SpecModel, compact

_MAPPING_DESTINATION = re.compile(r"[^.]+")


class SchemaRef(SpecModel):
    """A schema reference in a mapping set (its id and content type)."""

    id: NonEmpty


class XdmSchemaRef(SpecModel):
    """An XDM schema by id and content type (``outputSchema.schemaRef``)."""

    id: NonEmpty
    content_type: Annotated[
        str, Field(alias="contentType", pattern=r"^application/vnd\.adobe\.xed")
    ] = "application/vnd.adobe.xed-full+json;version=1"


class OutputSchemaRef(SpecModel):
    """The output schema: a conversion schema's ``id`` or an XDM schema's ``schemaRef``."""

    id: NonEmpty | None = None
    schema_ref: Annotated[XdmSchemaRef | None, Field(alias="schemaRef")] = None

    @model_validator(mode="after")
    def _one_reference(self) -> OutputSchemaRef:
        if (self.id is None) == (self.schema_ref is None):
            raise ValueError("outputSchema needs exactly one of id and schemaRef")
        return self


class Mapping(SpecModel):
    """One mapping: a source field and the destination column it fills."""

    source_type: Annotated[
        Literal["ATTRIBUTE", "EXPRESSION", "STATIC"], Field(alias="sourceType")
    ] = "ATTRIBUTE"
    source: NonEmpty
    destination: NonEmpty
    name: str | None = None
    description: str | None = None

    @field_validator("destination")
    @classmethod
    def _no_dots(cls, value: str) -> str:
        if not _MAPPING_DESTINATION.fullmatch(value):
            raise ValueError(
                f"mapping destination {value!r} contains '.'; use '_' (e.g. personalEmail_address)"
            )
        return value


class MappingSet(SpecModel):
    """``POST /data/foundation/conversion/mappingSets`` body."""

    # Optional in Data Prep's MappingSet schema; the builder always sends it.
    input_schema: Annotated[SchemaRef | None, Field(alias="inputSchema")] = None
    output_schema: Annotated[OutputSchemaRef, Field(alias="outputSchema")]
    mappings: Annotated[list[Mapping], Field(min_length=1)]
    xdm_version: Annotated[str, Field(alias="xdmVersion")] = "1.0"
    # Data Prep's MappingSet schema (OpenAPI) has these too; aepp sends a name.
    name: str | None = None
    allow_null_values: Annotated[bool | None, Field(alias="allowNullValues")] = None


def mapping(source: str, destination: str, *, source_type: str = "ATTRIBUTE") -> Mapping:
    """One mapping row; ``destination`` may not contain dots (use ``_``)."""
    return Mapping.model_validate(
        {"sourceType": source_type, "source": source, "destination": destination}
    )


def mapping_set(
    *,
    input_schema_id: str,
    output_schema_id: str,
    mappings: list[Mapping],
    xdm_version: str = "1.0",
    name: str | None = None,
) -> MappingSet:
    """The mapping set joining the Profile input schema to the destination's output schema;
    ``name`` lets a later run find it (Data Prep lists mapping sets by name).
    """
    return MappingSet.model_validate(
        compact(
            {
                "inputSchema": {"id": input_schema_id},
                "outputSchema": {"id": output_schema_id},
                "mappings": [m.model_dump(by_alias=True, exclude_none=True) for m in mappings],
                "xdmVersion": xdm_version,
                "name": name,
            }
        )
    )
