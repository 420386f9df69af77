"""What an activation changes on an existing dataflow or target connection, as re-derivable JSON
Patches.

Each function returns a Derive: given the fresh entity, the ops still needed, or None when none are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import RootModel, ValidationError

from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.api.operations import Entity
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.audiences import AnyAudienceSelector
from destgen_runtime.payloads.connection_patches import base_patch
from destgen_runtime.payloads.streaming import ProfileSelector
from destgen_runtime.transport.client import Derive


def params_of(entity: Entity) -> dict[str, Any]:
    """The GeneralTransform params of a dataflow entity ({} when it has none)."""
    transformations = entity.data.get("transformations") or [{}]
    params: dict[str, Any] = transformations[0].get("params") or {}
    return params


# What an activation file says about an audience, and so what a plan compares: the audience's
# own name and the service's timestamps are not settings.
AUDIENCE_SETTINGS = ("filenameTemplate", "exportMode", "schedule")


def audience_settings(selector: Any) -> dict[str, Any]:
    """The compared settings of a selector (wire form), ``None`` values dropped."""
    value = selector.get("value") if isinstance(selector, dict) else None
    value = value if isinstance(value, dict) else {}
    found = {key: value.get(key) for key in AUDIENCE_SETTINGS}
    if isinstance(found["schedule"], dict):
        found["schedule"] = {k: v for k, v in found["schedule"].items() if v is not None}
    return found


def audience_ops(audiences: list[AnyAudienceSelector], *, prune: bool = False) -> Derive:
    """A derive step that adds the audiences the dataflow lacks and replaces (whole selector, as
    the docs require) those whose settings differ; with ``prune``, removes the ones not wanted.
    """
    wanted = [(a.model_dump(by_alias=True, exclude_none=True), a) for a in audiences]
    wanted_ids = {wire["value"]["id"] for wire, _model in wanted}

    def derive(entity: Entity) -> Any:
        selectors = (params_of(entity).get("segmentSelectors") or {}).get("selectors", [])
        present = {s.get("value", {}).get("id"): (i, s) for i, s in enumerate(selectors)}
        replaced, added = [], []
        for wire, model in wanted:
            found = present.get(wire["value"]["id"])
            if found is None:
                added.append(patch_ops.add_audience(model))
            elif audience_settings(found[1]) != audience_settings(wire):
                replaced.append(patch_ops.replace_audience(found[0], model))
        gone = sorted(
            (i for key, (i, _s) in present.items() if key not in wanted_ids), reverse=True
        )
        # Removals from the end first, so every index still names the audience it did.
        removed = [patch_ops.remove_audience(i) for i in gone] if prune else []
        changes = replaced + removed + added
        return patch_ops.patch(*changes) if changes else None

    return derive


def profile_selector_ops(wanted: list[ProfileSelector], *, prune: bool = False) -> Derive:
    """A streaming dataflow's exported attributes: those it lacks are added, one whose mapping
    differs is replaced (removed, then added), and with ``prune`` the ones not wanted go.
    Selectors are matched by path; the file's order is the order added.
    """
    wires = [(s.model_dump(by_alias=True, exclude_none=True), s) for s in wanted]
    paths = {wire["value"]["path"] for wire, _model in wires}

    def derive(entity: Entity) -> Any:
        present = (params_of(entity).get("profileSelectors") or {}).get("selectors") or []
        by_path = {
            (s.get("value") or {}).get("path"): (i, s)
            for i, s in enumerate(present)
            if isinstance(s, dict)
        }
        removed: list[int] = []
        added = []
        for wire, model in wires:
            found = by_path.get(wire["value"]["path"])
            if found is None or found[1] != wire:
                added.append(patch_ops.add_profile_selector(model))
                if found is not None:
                    removed.append(found[0])  # a changed mapping: the old selector goes
        if prune:
            removed += [i for path, (i, _s) in by_path.items() if path not in paths]
        # Removals from the end first, so every index still names the selector it did.
        gone = [patch_ops.remove_profile_selector(i) for i in sorted(set(removed), reverse=True)]
        return patch_ops.patch(*gone, *added) if gone or added else None

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
    """A derive step that points the dataflow at this mapping set version unless it does."""
    wanted = {"mappingId": mapping_id, "mappingVersion": version}

    def derive(entity: Entity) -> Any:
        mapped = params_of(entity).get("profileMapping") or {}
        if {k: mapped.get(k) for k in wanted} == wanted:
            return None
        return patch_ops.patch(patch_ops.set_profile_mapping(mapping_id, version))

    return derive


def same_mappings(live: Any, wanted: list[Any]) -> bool:
    """Whether a stored mapping set maps what the file's rows map (order and names aside)."""

    def key(row: Any) -> tuple[str, str, str]:
        row = row if isinstance(row, dict) else row.model_dump(by_alias=True)
        return (
            str(row.get("sourceType", "ATTRIBUTE")),
            str(row.get("source")),
            str(row.get("destination")),
        )

    return sorted(map(key, live or [])) == sorted(map(key, wanted))


def replace_param(
    key: Literal["mandatoryFields", "primaryFields"],
    wanted: list[str],
    build: Callable[[list[str]], Any],
    *,
    prune: bool = False,
) -> Derive | None:
    """A derive step that sets param ``key`` to ``wanted`` unless it already holds it; an empty
    ``wanted`` clears a set value only with ``prune``.
    """
    if not wanted and not prune:
        return None

    def derive(entity: Entity) -> Any:
        if (params_of(entity).get(key) or []) == wanted:
            return None
        if not wanted:
            return patch_ops.patch(patch_ops.remove_param(key))
        return patch_ops.patch(build(wanted))

    return derive


def dedup(file: ActivationFile, *, prune: bool = False) -> Derive | None:
    """A derive step for the file's deduplication keys; None when it sets none, unless ``prune``
    is to remove live ones.
    """
    keys = file.deduplication_keys
    if keys is None:
        if not prune:
            return None
        return lambda entity: (
            patch_ops.patch(patch_ops.remove_param("primaryFields"))
            if params_of(entity).get("primaryFields")
            else None
        )
    op = patch_ops.set_deduplication_keys(
        identity_namespace=keys.identity_namespace, attribute_paths=keys.attribute_paths
    )
    wanted = op.model_dump(by_alias=True)["value"]
    return lambda entity: (
        None if params_of(entity).get("primaryFields") == wanted else patch_ops.patch(op)
    )


def policy(refs: list[str], *, prune: bool = False) -> Derive | None:
    """A derive step for the marketing actions ``refs``; none set means leave them, unless
    ``prune``.
    """
    if not refs and not prune:
        return None
    return lambda entity: (
        None
        if ((entity.data.get("policy") or {}).get("enforcementRefs") or []) == refs
        else patch_ops.patch(patch_ops.set_marketing_actions(refs))
    )


def target_params(wanted: dict[str, Any]) -> Derive:
    """A derive step that replaces the target params whose values differ from ``wanted``; a
    ``replace /params`` keeps the params it does not list (decisions.md), so only those are sent.
    """

    def derive(entity: Entity) -> Any:
        live = entity.data.get("params") or {}
        changed = {k: v for k, v in wanted.items() if live.get(k) != v}
        return patch_ops.patch(patch_ops.replace_target_params(changed)) if changed else None

    return derive


def manifest(enabled: bool) -> Derive:
    """A derive step that sets ``includeFileManifest`` to ``enabled``."""
    return lambda entity: (
        None
        if (entity.data.get("params") or {}).get("includeFileManifest") == enabled
        else patch_ops.patch(patch_ops.set_file_manifest(enabled))
    )


def credentials(
    models: Any, params: dict[str, Any], secrets: frozenset[str], *, rotate: bool
) -> Derive:
    """A derive step that replaces a base connection's credentials with ``params``: with
    ``rotate`` always (stored secrets are masked and cannot be compared), otherwise only when a
    param that is no secret differs (new credentials are sent whole, secrets included).
    """
    try:
        patch: Any = base_patch(models).model_validate(
            [{"op": "replace", "path": "/auth/params", "value": params}]
        )
    except ValidationError:
        # A plan's placeholders for unset secrets: shown (masked), never sent.
        patch = _Shown([{"op": "replace", "path": "/auth/params", "value": {}}])

    def derive(entity: Entity) -> Any:
        live = (entity.data.get("auth") or {}).get("params") or {}
        plain = {k: v for k, v in params.items() if k not in secrets}
        if rotate or any(live.get(k) != v for k, v in plain.items()):
            return patch
        return None

    return derive


class _Shown(RootModel[list[dict[str, Any]]]):
    """A patch that is only shown (a plan with placeholders), never sent."""


def name_and_description(name: str, description: str | None) -> Derive:
    """A derive step that renames the entity, or changes its description, when they differ
    (a description the file leaves out is left as it is).
    """

    def derive(entity: Entity) -> Any:
        found = []
        if entity.data.get("name") != name:
            found.append(patch_ops.Rename(op="replace", path="/name", value=name))
        if description is not None and entity.data.get("description") != description:
            found.append(patch_ops.Rename(op="replace", path="/description", value=description))
        return patch_ops.patch(*found) if found else None

    return derive
