"""Run-time drift check: does the live connection spec still match the one this code was generated
from?

Compares the sha256 of the live spec (in the cache's byte form) with each package's SPEC_SHA256.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

from destgen_destinations.runtime import operations as ops
from destgen_destinations.runtime.client import FlowServiceClient
from destgen_destinations.runtime.errors import DestgenError


@dataclass(frozen=True)
class Drift:
    slug: str
    status: str  # same | changed | unreachable
    detail: str = ""
    live: dict[str, Any] | None = field(default=None, repr=False)


def spec_bytes(spec: dict[str, Any]) -> bytes:
    """The byte form specs_cache/ and ``destgen fetch`` use; SPEC_SHA256 hashes exactly this."""
    data = {("encryptionSpecs" if k == "encryption" else k): v for k, v in spec.items()}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def check_spec_drift(
    client: FlowServiceClient, slugs: tuple[str, ...] | None = None
) -> list[Drift]:
    """One Drift per generated destination: same, changed, or unreachable (with the reason)."""
    from destgen_destinations import DESTINATIONS

    reports = []
    for slug in slugs or DESTINATIONS:
        spec = importlib.import_module(f"destgen_destinations.{slug}.spec")
        try:
            live = client.run(ops.connection_spec(spec.CONNECTION_SPEC_ID)).data
        except DestgenError as exc:
            reports.append(Drift(slug, "unreachable", str(exc)))
            continue
        digest = hashlib.sha256(spec_bytes(live)).hexdigest()
        same = digest == spec.SPEC_SHA256
        detail = (
            "" if same else f"live sha256 {digest[:12]}, generated from {spec.SPEC_SHA256[:12]}"
        )
        reports.append(Drift(slug, "same" if same else "changed", detail, live))
    return reports
