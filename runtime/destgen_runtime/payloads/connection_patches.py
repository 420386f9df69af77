"""JSON Patch bodies for ``PATCH /targetConnections/{id}`` and ``PATCH /connections/{id}`` (the
edit-destination page), checked offline against one destination's own params models; and how a
base connection carries its encryption (``encryption_params``), read by export and the emulator.

``replace /params`` on a target connection lists only the params it changes (Adobe's example sends
bucket and path alone): the service keeps the others (decisions.md), so each given param is checked
on its own and a rule that spans params is checked by the service on the merged result. New
credentials (``/auth/params``) must be one auth spec's params in full: they replace the old ones.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from types import ModuleType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, RootModel, Tag, create_model

from destgen_runtime.payloads.patch_ops import (
    AddOrReplace,
    PatchArray,
    RemoveOp,
    Rename,
    SetFileManifest,
)
from destgen_runtime.schema.spec_model import SpecModel


def encryption_params(base: Mapping[str, Any]) -> dict[str, Any] | None:
    """A base connection's encryption params (``publicKey``, ``encryptionAlgo``) whichever way it
    carries them: ``encryptionSpecs`` or the newer ``encryption``, an object or a one-item list
    (as GET answers show). None when it has no encryption.
    """
    encryption = base.get("encryptionSpecs", base.get("encryption"))
    if isinstance(encryption, list):
        encryption = encryption[0] if encryption else None
    if not isinstance(encryption, dict):
        return None
    params = encryption.get("params")
    return params if isinstance(params, dict) else {}


_UNSUPPORTED = (
    "unsupported JSON Patch operation for a {what}: op must be add or replace (remove for "
    "credentials) on {paths}"
)


class _Partial(SpecModel):
    """Base of a params model whose every field may be left out; unknown keys and explicit
    nulls stay errors, as in every payload.
    """


def _partial(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every field optional and no default filled in: the params a patch lists.

    A field's own rules (its pattern, a secret's masking) move onto its type, beside the None
    that stands for "left out": a rule never sees that None.
    """
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        optional.metadata = []
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated.__class_getitem__((annotation, *info.metadata))  # type: ignore[attr-defined]
        fields[name] = (annotation | None, optional)
    return create_model(f"{model.__name__}Patch", __base__=_Partial, **fields)


class _ReplaceParams(SpecModel):
    """``replace /params``; each destination adds its own ``value``."""

    op: AddOrReplace
    path: Literal["/params"]


class _SetCredentials(SpecModel):
    """``add``/``replace /auth/params``; each destination adds its own ``value``."""

    op: AddOrReplace
    path: Literal["/auth/params"]


def _by_path(tags: dict[str, str]) -> Any:
    def route(raw: Any) -> str | None:
        if isinstance(raw, BaseModel):
            return tags.get(type(raw).__name__)
        return tags.get(str(raw.get("path", ""))) if isinstance(raw, dict) else None

    return route


@functools.cache
def target_patch(models: ModuleType) -> type[RootModel[Any]]:
    """The patch model for one destination's target connections."""
    replace_params = create_model(
        "ReplaceTargetParams", __base__=_ReplaceParams, value=(_partial(models.TargetParams), ...)
    )
    tags = {
        "/params": "params",
        "/params/includeFileManifest": "manifest",
        "/name": "rename",
        "/description": "rename",
        "ReplaceTargetParams": "params",
        "SetFileManifest": "manifest",
        "Rename": "rename",
    }
    op = Annotated[
        Annotated[replace_params, Tag("params")]
        | Annotated[SetFileManifest, Tag("manifest")]
        | Annotated[Rename, Tag("rename")],
        Discriminator(
            _by_path(tags),
            custom_error_type="unsupported_patch",
            custom_error_message=_UNSUPPORTED.format(
                what="target connection", paths="/params, /params/includeFileManifest, /name"
            ),
        ),
    ]
    return PatchArray[Annotated[list[op], Field(min_length=1)]]


class RemoveCredentials(SpecModel):
    """``remove`` the base connection's credentials."""

    op: RemoveOp
    path: Literal["/auth/params"]


@functools.cache
def base_patch(models: ModuleType) -> type[RootModel[Any]]:
    """The patch model for one destination's base connections: new credentials of any of its
    auth specs (which one the stored connection uses is not in the patch), or a new name.
    """
    # Each auth envelope (``...Auth``: specName + params) names its own params class.
    params = [
        getattr(models, name).model_fields["params"].annotation
        for name in sorted(models.__all__)
        if name.endswith("Auth")
    ]
    if not params:
        raise ValueError("this destination's base connections have no credentials to patch")
    credentials: Any = params[0]
    for extra in params[1:]:
        credentials = credentials | extra
    set_credentials = create_model(
        "SetCredentials", __base__=_SetCredentials, value=(credentials, ...)
    )

    def route(raw: Any) -> str | None:
        if isinstance(raw, BaseModel):
            return {"SetCredentials": "set", "RemoveCredentials": "remove", "Rename": "rename"}.get(
                type(raw).__name__
            )
        if not isinstance(raw, dict):
            return None
        path, verb = str(raw.get("path", "")), str(raw.get("op", "")).lower()
        if path == "/auth/params":
            return "remove" if verb == "remove" else "set"
        return "rename" if path in ("/name", "/description") else None

    op = Annotated[
        Annotated[set_credentials, Tag("set")]
        | Annotated[RemoveCredentials, Tag("remove")]
        | Annotated[Rename, Tag("rename")],
        Discriminator(
            route,
            custom_error_type="unsupported_patch",
            custom_error_message=_UNSUPPORTED.format(
                what="base connection", paths="/auth/params, /name, /description"
            ),
        ),
    ]
    return PatchArray[Annotated[list[op], Field(min_length=1)]]
