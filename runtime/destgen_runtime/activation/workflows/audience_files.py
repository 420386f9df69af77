"""Audiences to files: the six file-based destinations' (and the long tail's) audience export.

The chain (source, base and target connection, dataflow), then every dataflow setting in one
JSON Patch: audiences with their schedules and file names, the mapping set (a new one swapped in
when the mappings differ), mandatory fields, deduplication keys and marketing actions.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pydantic import BaseModel

from destgen_runtime.activation import changes
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.activation.payloads import Payloads
from destgen_runtime.activation.steps import (
    ApplyOptions,
    Plan,
    Row,
    Step,
    audience_chain,
    flow_state,
    update_flow,
)
from destgen_runtime.activation.workflows import Workflow
from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Entity, Operation
from destgen_runtime.payloads import patch_ops
from destgen_runtime.payloads.audiences import AudienceSelector
from destgen_runtime.payloads.mapping import mapping_set
from destgen_runtime.transport.client import Derive


class AudienceFiles(Workflow):
    """Audiences exported as files on each audience's own schedule."""

    name = "audiences"
    title = "audience files"
    file_workflow = "audiences"

    def supported_by(self, spec: Any) -> bool:
        """Every destination that does not stream."""
        return not spec.STREAMING

    def problems(self, file: ActivationFile) -> list[str]:
        """Dataset settings in an audience file, and an audience listed twice."""
        return audience_file_problems(file)

    def audience_model(self) -> type[BaseModel]:
        """A scheduled selector with its file name template."""
        return AudienceSelector

    def plan(self, p: Payloads, options: ApplyOptions) -> Plan:
        """The documented sequence (docs/api-contract.md §2), all dataflow changes in one PATCH
        instead of the tutorial's five calls; what the file leaves out removed with ``prune``.
        """
        chain = yield from audience_chain(p, options)
        prune, file = options.prune, p.file
        parts: list[tuple[str, Derive | None]] = [
            (
                "audiences",
                changes.audience_ops(p.audiences, prune=prune) if p.audiences or prune else None,
            )
        ]
        own_ids: dict[str, str] = {}
        if p.mapping_rows:
            if chain.known is None:
                chain.known = yield ops.get("flows", chain.flow_id)
            mapping_id = yield from _mapping(p, chain.known)
            if mapping_id is not None:
                parts.append(("mapping set", changes.profile_mapping(*mapping_id)))
                own_ids["mapping set"] = mapping_id[0]
            else:
                existing = str(changes.params_of(chain.known)["profileMapping"]["mappingId"])
                chain.result.rows.append(
                    Row("mapping set", file.dataflow.name, existing, None, "unchanged")
                )
        parts += [
            (
                "mandatory fields",
                changes.replace_param(
                    "mandatoryFields",
                    file.mandatory_fields,
                    patch_ops.set_mandatory_fields,
                    prune=prune,
                ),
            ),
            ("deduplication keys", changes.dedup(file, prune=prune)),
            ("marketing actions", changes.policy(file.marketing_actions, prune=prune)),
        ]
        yield from update_flow(p, chain, parts, own_ids)
        yield from flow_state(p, chain.result, chain.created)
        return chain.result


def audience_file_problems(file: ActivationFile) -> list[str]:
    """Dataset settings an audience export has no use for; an audience listed twice (its two
    schedules and templates would fight on every apply).
    """
    given = file.model_dump(by_alias=True, exclude_defaults=True)
    problems = [f"$.{k}: only for workflow datasets" for k in ("datasets",) if k in given]
    if file.dataflow.schedule is not None:
        problems.append(
            "$.dataflow.schedule: only for workflow datasets; each audience carries its own "
            "schedule"
        )
    seen: set[str] = set()
    for i, audience in enumerate(file.audiences):
        key = audience.get("id") if isinstance(audience, dict) else None
        if isinstance(key, str) and key in seen:
            problems.append(f"$.audiences[{i}].id: {key} is listed twice")
        elif isinstance(key, str):
            seen.add(key)
    return problems


def _mapping(p: Payloads, flow: Entity) -> Generator[Step, Any, tuple[str, int] | None]:
    mapped = changes.params_of(flow).get("profileMapping") or {}
    if mapped.get("mappingId"):
        current: Entity = yield ops.get_mapping_set(str(mapped["mappingId"]))
        if changes.same_mappings(current.data.get("mappings"), p.mapping_rows):
            return None
        # Other mappings: a new mapping set is swapped in (a set in use is never edited).
    union: dict[str, Any] = yield ops.union_schema()
    # The generated spec holds the partner schema: no GET of the connection spec for it.
    partner = p.package.spec.PARTNER_SCHEMA
    output: dict[str, Any] = dict(
        partner or {"title": "defaultschema", "type": "object", "properties": {}}
    )
    known = output.get("properties")
    output["properties"] = (dict(known) if isinstance(known, dict) else {}) | {
        r.destination: {"type": "string"} for r in p.mapping_rows
    }
    name = p.file.dataflow.name
    inputs, outputs = (
        ops.create_schema(f"{name} input", union),
        ops.create_schema(f"{name} output", output),
    )
    # One listing of the sandbox's schemas serves both look-ups.
    assert inputs.lookup is not None
    schemas = yield from ops.collect(inputs.lookup.first_page)
    source = yield from _reuse_or_create(inputs, schemas)
    target = yield from _reuse_or_create(outputs, schemas)
    payload = mapping_set(
        input_schema_id=source.id,
        output_schema_id=target.id,
        mappings=p.mapping_rows,
        name=f"{name} mapping",
    )
    made = yield from _reuse_or_create(ops.create_mapping_set(payload, f"{name} mapping"))
    return made.id, int(made.data.get("version", 0))


def _reuse_or_create(
    op: Operation[Entity], listed: list[Entity] | None = None
) -> Generator[Step, Any, Entity]:
    """A Data Prep entity an earlier, interrupted run made (same name, same content) is used
    again instead of made anew: a re-run leaves no orphan schema or mapping set behind.
    ``listed``: the entities already listed, when the caller has them.
    """
    assert op.lookup is not None
    assert op.lookup.pick is not None
    found = op.lookup.pick(listed) if listed is not None else (yield from ops.search(op.lookup))
    if found is not None:
        return found
    made: Entity = yield op
    return made


WORKFLOW = AudienceFiles()
__all__ = ["WORKFLOW", "AudienceFiles", "audience_file_problems"]
