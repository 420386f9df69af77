"""JSON Patch (RFC 6902) operations for dataflows and target connections, as builders and a
validator.

Each documented path has one typed op model; anything else is rejected with the path named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    field_validator,
)

from destgen_runtime.payloads.audiences import AnyAudienceSelector
from destgen_runtime.payloads.dataflow import (
    PrimaryField,
    ProfileMapping,
    check_primary_fields,
)
from destgen_runtime.payloads.datasets import DatasetSchedule
from destgen_runtime.payloads.streaming import ProfileSelector
from destgen_runtime.schema.refs import MarketingActionRef, NonEmpty
from destgen_runtime.schema.spec_model import CACHED_FROM_JSON, SpecModel

SELECTORS = "/transformations/0/params/segmentSelectors/selectors"
PROFILE_SELECTORS = "/transformations/0/params/profileSelectors/selectors"
PARAMS = "/transformations/0/params"


def _lower(op: Any) -> Any:
    return op.lower() if isinstance(op, str) else op


# docs/api-contract.md §12.6: DY and UPD write ops in lower case, FY and the tutorial's mapping
# PATCH in upper case, aepp in title case ("Add"). Any case is accepted, as the emulator does;
# a validated op is lower case, which is what builders emit.
AddOp = Annotated[Literal["add"], BeforeValidator(_lower)]
ReplaceOp = Annotated[Literal["replace"], BeforeValidator(_lower)]
AddOrReplace = Annotated[Literal["add", "replace"], BeforeValidator(_lower)]
RemoveOp = Annotated[Literal["remove"], BeforeValidator(_lower)]
ADD_OR_REPLACE = ("add", "replace")


class AddAudience(SpecModel):
    """``add`` one audience at the end of the dataflow's segment selectors (with a schedule for a
    file-based destination, alone for a streaming one: the emulator and the service check which).
    """

    op: AddOp
    path: Literal["/transformations/0/params/segmentSelectors/selectors/-"]
    value: AnyAudienceSelector


class ReplaceAudience(SpecModel):
    """``replace`` the audience at one index."""

    op: ReplaceOp
    path: Annotated[str, Field(pattern=rf"^{SELECTORS}/[0-9]+$")]
    value: AnyAudienceSelector


class AddProfileSelector(SpecModel):
    """``add`` one exported attribute or identity to a streaming dataflow."""

    op: AddOp
    path: Literal["/transformations/0/params/profileSelectors/selectors/-"]
    value: ProfileSelector


class RemoveProfileSelector(SpecModel):
    """``remove`` the exported attribute at one index."""

    op: RemoveOp
    path: Annotated[str, Field(pattern=rf"^{PROFILE_SELECTORS}/[0-9]+$")]


class RemoveAudience(SpecModel):
    """``remove`` the audience at one index."""

    op: RemoveOp
    path: Annotated[str, Field(pattern=rf"^{SELECTORS}/[0-9]+$")]
    # DY marks value required even for remove; the docs send {"type":"PLATFORM_SEGMENT","value":{}}.
    value: dict[str, Any] | None = None


class SetProfileMapping(SpecModel):
    """``replace`` the dataflow's profile mapping (mapping set id and version)."""

    op: AddOrReplace
    path: Literal["/transformations/0/params/profileMapping"]
    value: ProfileMapping


class SetMandatoryFields(SpecModel):
    """``replace`` the mandatory attributes of a dataflow."""

    op: AddOrReplace
    path: Literal["/transformations/0/params/mandatoryFields"]
    value: list[NonEmpty]


class SetPrimaryFields(SpecModel):
    """``replace`` the deduplication keys (primary fields) of a dataflow."""

    op: AddOrReplace
    path: Literal["/transformations/0/params/primaryFields"]
    value: Annotated[list[PrimaryField], Field(min_length=1)]

    @field_validator("value")
    @classmethod
    def _keys(cls, value: list[Any]) -> list[Any]:
        return check_primary_fields(value)


class Policy(SpecModel):
    """The dataflow ``policy``: the marketing actions it enforces."""

    enforcement_refs: list[MarketingActionRef] = Field(
        alias="enforcementRefs", default_factory=list
    )


class SetPolicy(SpecModel):
    """``replace`` the dataflow's policy."""

    op: AddOrReplace
    path: Literal["/policy"]
    value: Policy


class AddMarketingAction(SpecModel):
    """``add`` one marketing action to the dataflow's policy."""

    op: AddOp
    path: Annotated[str, Field(pattern=r"^/policy/enforcementRefs/(-|[0-9]+)$")]
    value: MarketingActionRef


class SetFileManifest(SpecModel):
    """``replace`` the target connection's ``includeFileManifest``."""

    op: AddOrReplace
    path: Literal["/params/includeFileManifest"]
    value: bool


class Rename(SpecModel):
    """``replace`` an entity's name."""

    op: ReplaceOp
    path: Literal["/name", "/description"]
    value: str


class ReplaceSourceConnections(SpecModel):
    """``replace`` a dataflow's source connection (the documented way to change what a dataset
    export reads, since a source connection's datasets cannot change).
    """

    op: ReplaceOp
    path: Literal["/sourceConnectionIds"]
    value: Annotated[list[NonEmpty], Field(min_length=1, max_length=1)]


class ReplaceSchedule(SpecModel):
    """``replace`` a dataset dataflow's whole ``scheduleParams`` (the documented edit)."""

    op: ReplaceOp
    path: Literal["/scheduleParams"]
    value: DatasetSchedule


class RemoveParam(SpecModel):
    """``remove`` a dataflow's mandatory fields or deduplication keys (``apply --prune``)."""

    op: RemoveOp
    path: Literal[
        "/transformations/0/params/mandatoryFields", "/transformations/0/params/primaryFields"
    ]


class ReplaceTargetParams(SpecModel):
    """``replace /params`` of a target connection: the params it lists (the others are kept)."""

    op: ReplaceOp
    path: Literal["/params"]
    value: Annotated[dict[str, Any], Field(min_length=1)]


@dataclass(frozen=True)
class Route:
    """One documented JSON Patch route: its tag, the op model that validates it, the paths (a
    regular expression) and the ops it takes.
    """

    tag: str
    model: type[SpecModel]
    path: str
    ops: tuple[str, ...]

    def takes(self, op: str, path: str) -> bool:
        """Whether ``op`` on ``path`` is this route (``op`` in lower case)."""
        return op in self.ops and re.fullmatch(self.path, path) is not None


# Every route, one row each: a new route is its op model and its row here.
ROUTES: tuple[Route, ...] = (
    Route("audience-add", AddAudience, rf"{SELECTORS}/-", ("add",)),
    Route("audience-replace", ReplaceAudience, rf"{SELECTORS}/[0-9]+", ("replace",)),
    Route("audience-remove", RemoveAudience, rf"{SELECTORS}/[0-9]+", ("remove",)),
    Route("profile-add", AddProfileSelector, rf"{PROFILE_SELECTORS}/-", ("add",)),
    Route("profile-remove", RemoveProfileSelector, rf"{PROFILE_SELECTORS}/[0-9]+", ("remove",)),
    Route("profile-mapping", SetProfileMapping, rf"{PARAMS}/profileMapping", ADD_OR_REPLACE),
    Route("mandatory-fields", SetMandatoryFields, rf"{PARAMS}/mandatoryFields", ADD_OR_REPLACE),
    Route("primary-fields", SetPrimaryFields, rf"{PARAMS}/primaryFields", ADD_OR_REPLACE),
    Route("policy", SetPolicy, r"/policy", ADD_OR_REPLACE),
    Route("policy-ref", AddMarketingAction, r"/policy/enforcementRefs/(-|[0-9]+)", ("add",)),
    Route("file-manifest", SetFileManifest, r"/params/includeFileManifest", ADD_OR_REPLACE),
    Route("rename", Rename, r"/(name|description)", ("replace",)),
    Route("source-connections", ReplaceSourceConnections, r"/sourceConnectionIds", ("replace",)),
    Route("schedule", ReplaceSchedule, r"/scheduleParams", ("replace",)),
    Route("param-remove", RemoveParam, rf"{PARAMS}/(mandatoryFields|primaryFields)", ("remove",)),
    Route("target-params", ReplaceTargetParams, r"/params", ("replace",)),
)
_TAG_BY_CLASS: dict[type[SpecModel], str] = {route.model: route.tag for route in ROUTES}


def _route(raw: Any) -> str | None:
    if isinstance(raw, SpecModel):
        # Serialisation hands over the model itself: its class names its tag.
        return _TAG_BY_CLASS.get(type(raw))
    if not isinstance(raw, dict):
        return None
    op, path = str(raw.get("op", "")).lower(), str(raw.get("path", ""))
    return next((route.tag for route in ROUTES if route.takes(op, path)), None)


_UNSUPPORTED = (
    "unsupported JSON Patch operation: op must be add, replace or remove on a documented path "
    "(audiences, profileSelectors, profileMapping, mandatoryFields, primaryFields, policy, "
    "includeFileManifest, name, description, sourceConnectionIds, scheduleParams)"
)

if TYPE_CHECKING:
    PatchOp = SpecModel  # one of the routes' models; which one, the discriminator decides
else:
    # The tagged union of every route's model, chosen by _route (never by trying each).
    PatchOp = Annotated[
        Union[tuple(Annotated[route.model, Tag(route.tag)] for route in ROUTES)],  # noqa: UP007
        Discriminator(
            _route, custom_error_type="unsupported_patch", custom_error_message=_UNSUPPORTED
        ),
    ]


RootT = TypeVar("RootT")


class PatchArray(RootModel[RootT], Generic[RootT]):
    """A JSON Patch array: as the payload models, it keeps the values of JSON text (credentials,
    in a base connection patch) out of pydantic-core's string cache.
    """

    # Built on first use, as the payload models are.
    model_config = ConfigDict(cache_strings=CACHED_FROM_JSON, defer_build=True)


class Patch(PatchArray[list[PatchOp]]):
    """A JSON Patch array for ``PATCH /flows/{id}`` or ``PATCH /targetConnections/{id}``."""

    root: Annotated[list[PatchOp], Field(min_length=1)]


def add_profile_selector(selector: ProfileSelector) -> AddProfileSelector:
    """The operation adding an exported attribute or identity to a streaming dataflow."""
    return AddProfileSelector(
        op="add", path="/transformations/0/params/profileSelectors/selectors/-", value=selector
    )


def remove_profile_selector(index: int) -> RemoveProfileSelector:
    """The operation removing the exported attribute at ``index``."""
    return RemoveProfileSelector(op="remove", path=f"{PROFILE_SELECTORS}/{_index(index)}")


def add_audience(selector: AnyAudienceSelector) -> AddAudience:
    """The operation adding ``selector`` to a dataflow."""
    return AddAudience(
        op="add", path="/transformations/0/params/segmentSelectors/selectors/-", value=selector
    )


def replace_audience(index: int, selector: AnyAudienceSelector) -> ReplaceAudience:
    """The operation replacing the audience at ``index`` with ``selector``."""
    return ReplaceAudience(op="replace", path=f"{SELECTORS}/{_index(index)}", value=selector)


def remove_audience(index: int) -> RemoveAudience:
    """The operation removing the audience at ``index``."""
    return RemoveAudience(
        op="remove",
        path=f"{SELECTORS}/{_index(index)}",
        value={"type": "PLATFORM_SEGMENT", "value": {}},
    )


def set_profile_mapping(mapping_id: str, mapping_version: int) -> SetProfileMapping:
    """The operation pointing a dataflow at one mapping set version."""
    return SetProfileMapping.model_validate(
        {
            "op": "add",
            "path": f"{PARAMS}/profileMapping",
            "value": {"mappingId": mapping_id, "mappingVersion": mapping_version},
        }
    )


def set_mandatory_fields(fields: list[str]) -> SetMandatoryFields:
    """The operation setting a dataflow's mandatory attributes to ``fields``."""
    return SetMandatoryFields.model_validate(
        {"op": "add", "path": f"{PARAMS}/mandatoryFields", "value": fields}
    )


def set_deduplication_keys(
    *, identity_namespace: str | None = None, attribute_paths: list[str] | None = None
) -> SetPrimaryFields:
    """Dedup keys: one identity namespace, or one or two attribute paths (never both kinds)."""
    keys: list[dict[str, str]] = []
    if identity_namespace is not None:
        keys.append({"fieldType": "IDENTITY", "identityNamespace": identity_namespace})
    keys += [{"fieldType": "ATTRIBUTE", "attributePath": p} for p in attribute_paths or []]
    return SetPrimaryFields.model_validate(
        {"op": "add", "path": f"{PARAMS}/primaryFields", "value": keys}
    )


def set_marketing_actions(action_refs: list[str]) -> list[SetPolicy | AddMarketingAction]:
    """The tutorial's two-step form: add an empty policy, then append each reference."""
    ops: list[SetPolicy | AddMarketingAction] = [
        SetPolicy.model_validate({"op": "add", "path": "/policy", "value": {"enforcementRefs": []}})
    ]
    ops += [
        AddMarketingAction(op="add", path="/policy/enforcementRefs/-", value=ref)
        for ref in action_refs
    ]
    return ops


def set_file_manifest(enabled: bool = True) -> SetFileManifest:
    """The operation switching a target connection's file manifest on or off."""
    return SetFileManifest(op="add", path="/params/includeFileManifest", value=enabled)


def replace_source_connection(source_connection_id: str) -> ReplaceSourceConnections:
    """The operation pointing a dataset dataflow at another Data Lake source connection."""
    return ReplaceSourceConnections(
        op="replace", path="/sourceConnectionIds", value=[source_connection_id]
    )


def replace_schedule(schedule: DatasetSchedule) -> ReplaceSchedule:
    """The operation replacing a dataset dataflow's schedule."""
    return ReplaceSchedule(op="replace", path="/scheduleParams", value=schedule)


def remove_param(key: Literal["mandatoryFields", "primaryFields"]) -> RemoveParam:
    """The operation removing a dataflow's mandatory fields or deduplication keys."""
    return RemoveParam.model_validate({"op": "remove", "path": f"{PARAMS}/{key}"})


def replace_target_params(params: dict[str, Any]) -> ReplaceTargetParams:
    """The operation replacing the target params ``params`` lists (the others are kept)."""
    return ReplaceTargetParams(op="replace", path="/params", value=params)


def patch(*ops: Any) -> Patch:
    """One JSON Patch array from op models (or lists of them), validated as a whole."""
    flat: list[Any] = []
    for op in ops:
        flat.extend(op if isinstance(op, list) else [op])
    return Patch.model_validate([o.model_dump(by_alias=True, exclude_none=True) for o in flat])


def _index(index: int) -> int:
    if index < 0:
        raise ValueError(f"audience index must be 0 or more, got {index}")
    return index
