"""The datasets a sandbox can export: a seeded catalog behind the Data Lake source spec's
``configs`` listing, with its offset paging (``start``, ``limit``, ``pageInfo.hasNext``).

HTTP-free like flowservice.py: parsed query in, body out, or ApiError.
"""

from __future__ import annotations

import functools
from typing import Any

from destgen_emulator.service.errors import flow
from destgen_emulator.service.listing import whole_number
from destgen_emulator.service.sandboxes import PRODUCTION, dataset_id

# Enough datasets for several pages at the documented default of 20; the same names in every
# sandbox, with ids of each sandbox's own (sandboxes.dataset_id).
DATASET_NAMES = [
    f"{kind} {n:02d}"
    for n in range(1, 16)
    for kind in ("Loyalty members", "Web events", "CRM profiles")
]


# Bounded: the sandbox name comes from a request header.
@functools.lru_cache(maxsize=32)
def catalog(sandbox_name: str = PRODUCTION) -> tuple[dict[str, Any], ...]:
    """The datasets of a sandbox: the same names everywhere, ids of the sandbox's own (built once
    per sandbox; read only).
    """
    return tuple(
        {
            "id": dataset_id(sandbox_name, name),
            "name": name,
            "description": f"Seeded dataset: {name}",
            "fileDescription": {
                "persisted": True,
                "containerFormat": "parquet",
                "format": "parquet",
            },
            "aspect": "production",
            "state": "DRAFT",
        }
        for name in DATASET_NAMES
    )


# The production sandbox's catalog, whose ids the examples use.
CATALOG = catalog()


def eligible(query: list[tuple[str, str]], sandbox_name: str = PRODUCTION) -> dict[str, Any]:
    """``GET /connectionSpecs/<Data Lake>/configs?outputType=activationDatasets&...``."""
    params = dict(query)
    if params.get("outputType") != "activationDatasets":
        raise flow(1452, 400, "outputType must be activationDatasets")
    start = whole_number(params.get("start", "0"), 0)
    limit = whole_number(params.get("limit", "20"), 1, 100)
    if start is None or limit is None:
        raise flow(1452, 400, "start must be a whole number, limit one from 1 to 100")
    datasets = catalog(sandbox_name)
    items = list(datasets[start : start + limit])
    end = start + len(items)
    return {
        "items": items,
        "pageInfo": {
            "start": start,
            "end": end,
            "total": len(datasets),
            "hasNext": end < len(datasets),
        },
    }
