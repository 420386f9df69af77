"""The dataflow body and its GeneralTransform params, shared by every destination.

Destination packages subclass Dataflow to pin their audience flow spec id.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from destgen_runtime.payloads.audiences import AnyAudienceSelector
from destgen_runtime.payloads.streaming import ProfileSelectors
from destgen_runtime.schema.refs import NonEmpty, SpecRef
from destgen_runtime.schema.spec_model import SpecModel


class ProfileMapping(SpecModel):
    """``transformations[].params.profileMapping``: the mapping set the dataflow exports with."""

    mapping_id: Annotated[NonEmpty, Field(alias="mappingId")]
    mapping_version: Annotated[int, Field(alias="mappingVersion", ge=0)]


class IdentityKey(SpecModel):
    """A deduplication key that is an identity namespace."""

    field_type: Annotated[Literal["IDENTITY"], Field(alias="fieldType")] = "IDENTITY"
    identity_namespace: Annotated[NonEmpty, Field(alias="identityNamespace")]


class AttributeKey(SpecModel):
    """A deduplication key that is an XDM attribute path."""

    field_type: Annotated[Literal["ATTRIBUTE"], Field(alias="fieldType")] = "ATTRIBUTE"
    attribute_path: Annotated[NonEmpty, Field(alias="attributePath")]


PrimaryField = Annotated[IdentityKey | AttributeKey, Field(discriminator="field_type")]


def check_primary_fields(
    keys: list[IdentityKey | AttributeKey],
) -> list[IdentityKey | AttributeKey]:
    """Dedup keys: one identity namespace, or one or two XDM attributes, never mixed (UI-fr)."""
    identities = [k for k in keys if isinstance(k, IdentityKey)]
    attributes = [k for k in keys if isinstance(k, AttributeKey)]
    if identities and attributes:
        raise ValueError("deduplication keys mix identity namespaces and attributes; pick one kind")
    if len(identities) > 1:
        raise ValueError("at most one identity namespace can be a deduplication key")
    if len(attributes) > 2:
        raise ValueError("at most two XDM attributes can be deduplication keys")
    return keys


class SegmentSelectors(SpecModel):
    """``segmentSelectors``: the audiences a dataflow exports (file-based or streaming)."""

    selectors: list[AnyAudienceSelector] = Field(default_factory=list)


class TransformParams(SpecModel):
    """The ``GeneralTransform`` params: audiences, mapping and mandatory/primary fields."""

    mandatory_fields: list[NonEmpty] = Field(alias="mandatoryFields", default_factory=list)
    primary_fields: list[PrimaryField] = Field(alias="primaryFields", default_factory=list)
    # The create skeleton sends {} here until the mapping set is patched in.
    profile_mapping: ProfileMapping | dict[str, None] = Field(
        alias="profileMapping", default_factory=dict
    )
    segment_selectors: SegmentSelectors = Field(
        alias="segmentSelectors", default_factory=lambda: SegmentSelectors()
    )
    # Streaming destinations (and Adobe's legacy create examples, "leave both empty"): the
    # attributes and identities exported, beside segmentSelectors.
    profile_selectors: ProfileSelectors | None = Field(alias="profileSelectors", default=None)

    @field_validator("primary_fields")
    @classmethod
    def _keys(cls, value: list[IdentityKey | AttributeKey]) -> list[IdentityKey | AttributeKey]:
        return check_primary_fields(value)

    @field_validator("profile_mapping", mode="before")
    @classmethod
    def _empty_or_mapping(cls, value: object) -> object:
        if isinstance(value, dict) and value and not {"mappingId", "mapping_id"} & value.keys():
            raise ValueError("profileMapping is {} or {mappingId, mappingVersion}")
        return value


class GeneralTransform(SpecModel):
    """The ``GeneralTransform`` transformation every audience dataflow carries."""

    # docs/api-contract.md §12.3: every example and GET says GeneralTransform; only DY's request
    # enum has a space.
    name: Literal["GeneralTransform"] = "GeneralTransform"
    params: TransformParams = Field(default_factory=lambda: TransformParams())


class Dataflow(SpecModel):
    """``POST /flows`` body. Destination packages narrow ``flow_spec`` to their own ids."""

    name: NonEmpty
    description: str | None = None
    flow_spec: Annotated[SpecRef, Field(alias="flowSpec")]
    source_connection_ids: Annotated[
        list[NonEmpty], Field(alias="sourceConnectionIds", min_length=1, max_length=1)
    ]
    target_connection_ids: Annotated[
        list[NonEmpty], Field(alias="targetConnectionIds", min_length=1, max_length=1)
    ]
    # docs/api-contract.md §12.2: most tutorial tabs send [], but later PATCHes of
    # /transformations/0/params/...
    # only work against the skeleton, so builders always send it; [] still validates.
    transformations: Annotated[list[GeneralTransform], Field(max_length=1)]
