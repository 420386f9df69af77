"""What an activation changes on an existing dataflow or target connection, as re-derivable JSON
Patches.

Each function returns a Derive: given the fresh entity, the ops still needed, or None when none are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from destgen_destinations.runtime import patch_ops
from destgen_destinations.runtime.activation_spec import ActivationFile
from destgen_destinations.runtime.audiences import AudienceSelector
from destgen_destinations.runtime.client import Derive
from destgen_destinations.runtime.operations import Entity


def params_of(entity: Entity) -> dict[str, Any]:
    """The GeneralTransform params of a dataflow entity ({} when it has none)."""
    transformations = entity.data.get("transformations") or [{}]
    params: dict[str, Any] = transformations[0].get("params") or {}
    return params


def audience_ops(audiences: list[AudienceSelector]) -> Derive:
    """A derive step that adds the audiences the dataflow lacks."""
    wanted = [a.model_dump(by_alias=True, exclude_none=True) for a in audiences]

    def derive(entity: Entity) -> Any:
        selectors = (params_of(entity).get("segmentSelectors") or {}).get("selectors", [])
        present = [s.get("value", {}).get("id") for s in selectors]
        changes = [
            patch_ops.add_audience(model)
            for selector, model in zip(wanted, audiences, strict=True)
            if selector["value"]["id"] not in present
        ]
        return patch_ops.patch(*changes) if changes else None

    return derive


def combined(parts: list[tuple[str, Derive]], changed: set[str]) -> Derive:
    """One derive for several: each part sees the same fresh entity; their ops form one patch."""

    def derive(entity: Entity) -> Any:
        changed.clear()
        collected: list[Any] = []
        for label, part in parts:
            patch = part(entity)
            if patch is not None:
                changed.add(label)
                collected += patch.root
        return patch_ops.patch(*collected) if collected else None

    return derive


def profile_mapping(mapping_id: str, version: int) -> Derive:
    """A derive step that attaches the mapping set unless one is attached already."""
    return lambda entity: (
        None
        if params_of(entity).get("profileMapping", {}).get("mappingId")
        else patch_ops.patch(patch_ops.set_profile_mapping(mapping_id, version))
    )


def replace_param(key: str, wanted: list[str], build: Callable[[list[str]], Any]) -> Derive | None:
    """A derive step that sets param ``key`` to ``wanted`` unless it already holds it."""
    if not wanted:
        return None
    return lambda entity: (
        None if params_of(entity).get(key) == wanted else patch_ops.patch(build(wanted))
    )


def dedup(file: ActivationFile) -> Derive | None:
    """A derive step for the file's deduplication keys, or None when it sets none."""
    keys = file.deduplication_keys
    if keys is None:
        return None
    op = patch_ops.set_deduplication_keys(
        identity_namespace=keys.identity_namespace, attribute_paths=keys.attribute_paths
    )
    wanted = op.model_dump(by_alias=True)["value"]
    return lambda entity: (
        None if params_of(entity).get("primaryFields") == wanted else patch_ops.patch(op)
    )


def policy(refs: list[str]) -> Derive | None:
    """A derive step for the marketing actions ``refs``, or None when there are none."""
    if not refs:
        return None
    return lambda entity: (
        None
        if (entity.data.get("policy") or {}).get("enforcementRefs") == refs
        else patch_ops.patch(patch_ops.set_marketing_actions(refs))
    )


def manifest(enabled: bool) -> Derive:
    """A derive step that sets ``includeFileManifest`` to ``enabled``."""
    return lambda entity: (
        None
        if (entity.data.get("params") or {}).get("includeFileManifest") == enabled
        else patch_ops.patch(patch_ops.set_file_manifest(enabled))
    )
