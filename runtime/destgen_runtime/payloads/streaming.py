"""What a streaming destination's payloads have that a file export's have not: profile selectors,
the attributes and identities it receives, each a ``JSON_PATH`` selector of the dataflow's
``profileSelectors`` (docs/api-contract.md §5.1, the legacy transformation params streaming
dataflows still carry); and the target connection's ``data`` format (the streaming tutorial's
``{"format": "json"}``).

It builds selectors from an attribute (or identity) and its name at the destination; it does
not know about dataflows or files.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from destgen_runtime.schema.refs import NonEmpty
from destgen_runtime.schema.spec_model import SpecModel


class SelectorMapping(SpecModel):
    """Where a selected attribute goes: its XDM source, its name at the destination, and whether
    it is an identity (the destination's key for the profile).
    """

    source_type: Annotated[Literal["text/x.schema-path"], Field(alias="sourceType")] = (
        "text/x.schema-path"
    )
    source: NonEmpty
    destination: NonEmpty
    identity: bool = False
    primary_identity: Annotated[bool, Field(alias="primaryIdentity")] = False
    function_version: Annotated[int, Field(alias="functionVersion", ge=0)] = 0


class ProfileSelectorValue(SpecModel):
    """A selector's value: the XDM path exported, when it exists, and its mapping."""

    path: Annotated[NonEmpty, Field(description="XDM path, e.g. person.name.firstName")]
    operator: Literal["EXISTS"] = "EXISTS"
    mapping: SelectorMapping | None = None


class ProfileSelector(SpecModel):
    """``{"type": "JSON_PATH", "value": {...}}``: one exported attribute or identity."""

    type: Literal["JSON_PATH"] = "JSON_PATH"
    value: ProfileSelectorValue


class ProfileSelectors(SpecModel):
    """``profileSelectors``: every attribute and identity a streaming dataflow exports."""

    selectors: list[ProfileSelector] = Field(default_factory=list)


def profile_selector(source: str, destination: str, *, identity: bool = False) -> ProfileSelector:
    """The selector exporting ``source`` as ``destination``; an identity is named by its
    namespace (``Email``) and read from the profile's identity map.
    """
    path = f"identityMap.{source}" if identity and "." not in source else source
    return ProfileSelector(
        value=ProfileSelectorValue(
            path=path,
            mapping=SelectorMapping(source=path, destination=destination, identity=identity),
        )
    )


class StreamData(SpecModel):
    """A streaming target connection's ``data``: the format profiles are sent in."""

    format: Literal["json"] = "json"
