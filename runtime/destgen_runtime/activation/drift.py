"""Run-time drift check: does the live connection spec still match the one this code was generated
from?

Compares the sha256 of the live spec (in the cache's byte form) with each package's SPEC_SHA256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from destgen_runtime.api import operations as ops
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    SpecFormError as SpecFormError,
)
from destgen_runtime.schema.spec_form import spec_bytes
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.errors import DestgenError


@dataclass(frozen=True)
class Drift:
    """How a served connection spec differs from the one the package was generated from."""

    slug: str
    status: str  # same | changed | unreachable
    detail: str = ""
    live: dict[str, Any] | None = field(default=None, repr=False)


def check_spec_drift(
    client: FlowServiceClient, slugs: tuple[str, ...] | None = None
) -> list[Drift]:
    """One Drift per generated destination: same, changed, or unreachable (with the reason)."""
    from destgen_destinations import registry

    reports = []
    for slug in slugs or registry.SLUGS:
        spec = registry.destination(slug).spec
        try:
            live = client.run(ops.connection_spec(spec.CONNECTION_SPEC_ID)).data
            digest = hashlib.sha256(spec_bytes(live)).hexdigest()
        except DestgenError as exc:
            reports.append(Drift(slug, "unreachable", str(exc)))
            continue
        same = digest == spec.SPEC_SHA256
        detail = (
            "" if same else f"live sha256 {digest[:12]}, generated from {spec.SPEC_SHA256[:12]}"
        )
        reports.append(Drift(slug, "same" if same else "changed", detail, live))
    return reports
