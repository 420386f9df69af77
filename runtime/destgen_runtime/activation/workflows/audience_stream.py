"""Audiences to a stream: a streaming destination (Event Hubs, Braze, ...) gets each profile as
it qualifies, with the attributes and identities the file maps.

The same chain as audiences to files; the dataflow then carries the audiences (no schedule, no
file name: the spec decides), the exported attributes as profile selectors and the marketing
actions. No mapping set, keys or mandatory fields: a stream has no file to shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from destgen_runtime.activation import changes
from destgen_runtime.activation.file import ActivationFile
from destgen_runtime.activation.payloads import Payloads
from destgen_runtime.activation.steps import (
    ApplyOptions,
    Plan,
    audience_chain,
    flow_state,
    update_flow,
)
from destgen_runtime.activation.workflows import Workflow
from destgen_runtime.activation.workflows.audience_files import audience_file_problems
from destgen_runtime.payloads.audiences import StreamingAudienceSelector
from destgen_runtime.transport.client import Derive

# What a file-based export has that a stream has not: refused by name, never silently dropped.
FILE_ONLY = {
    "mandatoryFields": "a stream sends every profile as it qualifies",
    "deduplicationKeys": "a stream has no file to deduplicate",
    "includeFileManifest": "a stream writes no files",
}


class AudienceStream(Workflow):
    """Audiences streamed profile by profile to a streaming destination."""

    name = "stream"
    title = "streamed audiences"
    file_workflow = "audiences"
    writes_files = False
    maps_as = "profile selectors"

    def supported_by(self, spec: Any) -> bool:
        """The destinations whose spec streams."""
        return bool(spec.STREAMING)

    def problems(self, file: ActivationFile) -> list[str]:
        """File-export settings, and mapping rows that are neither an attribute nor an
        identity; plus what any audience export refuses.
        """
        given = file.model_dump(by_alias=True, exclude_defaults=True)
        problems = [
            f"$.{key}: not for a streaming destination ({why})"
            for key, why in FILE_ONLY.items()
            if key in given
        ]
        problems += [
            f"$.mappings[{i}].sourceType: a streaming destination takes ATTRIBUTE or IDENTITY "
            "rows"
            for i, m in enumerate(file.mappings)
            if m.source_type not in ("ATTRIBUTE", "IDENTITY")
        ]
        return audience_file_problems(file) + problems

    def audience_model(self) -> type[BaseModel]:
        """A selector with no schedule or file name."""
        return StreamingAudienceSelector

    def plan(self, p: Payloads, options: ApplyOptions) -> Plan:
        """The chain, then audiences, attributes and marketing actions in one PATCH."""
        chain = yield from audience_chain(p, options)
        prune = options.prune
        selectors = changes.profile_selector_ops(p.profile_selectors, prune=prune)
        parts: list[tuple[str, Derive | None]] = [
            (
                "audiences",
                changes.audience_ops(p.audiences, prune=prune) if p.audiences or prune else None,
            ),
            ("profile attributes", selectors if p.profile_selectors or prune else None),
            ("marketing actions", changes.policy(p.file.marketing_actions, prune=prune)),
        ]
        yield from update_flow(p, chain, parts, {})
        yield from flow_state(p, chain.result, chain.created)
        return chain.result


WORKFLOW = AudienceStream()
__all__ = ["FILE_ONLY", "WORKFLOW", "AudienceStream"]
