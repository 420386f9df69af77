"""Sandboxes as the emulator knows them: their type (production or development), the audiences
each one has (the segmentation API's definitions: seeded ones, plus those a client created) and
the ids of its datasets.

Names are shared across sandboxes, ids are not: promoting between sandboxes must resolve by name,
as it must in Experience Platform. The ``prod`` sandbox keeps the ids the examples use.

HTTP-free like flowservice.py: parsed query in, body out, or ApiError.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from destgen_emulator.service import listing
from destgen_emulator.service.errors import ApiError, validation
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Tenant

# The Segmentation API's own bound on a definition's name.
MAX_NAME_LENGTH = 256

PRODUCTION = "prod"
# Audiences every sandbox has, by name; the ids of prod are the examples' own.
AUDIENCES = {
    "Winter campaign": "2d79d0d8-724f-49fc-a09d-d1dec338c93c",
    "Autumn campaign": "4c41c318-9e8c-4a4f-b880-877cdd629fc7",
    "Loyal customers": None,
    "Lapsed buyers": None,
    "Newsletter subscribers": None,
}
# Audiences only development sandboxes have: promoting a flow that uses them must fail.
DEV_ONLY_AUDIENCES = ("Beta testers", "Internal staff")


def sandbox_type(name: str) -> str:
    """``production`` for ``prod`` and names starting ``prod-``, else ``development``."""
    return "production" if name == PRODUCTION or name.startswith("prod-") else "development"


def sandbox(name: str) -> dict[str, Any]:
    """``GET /data/foundation/sandbox-management/sandboxes/{name}``."""
    kind = sandbox_type(name)
    return {"name": name, "title": name, "type": kind, "region": "VA7", "state": "active"}


def audience_id(sandbox_name: str, name: str) -> str:
    """An audience's id in a sandbox: prod's are fixed, others derive from sandbox and name."""
    fixed = AUDIENCES.get(name) if sandbox_name == PRODUCTION else None
    return fixed or str(uuid.uuid5(uuid.NAMESPACE_URL, f"audience/{sandbox_name}/{name}"))


def dataset_id(sandbox_name: str, name: str) -> str:
    """A dataset's id (24 hex digits, as Catalog's) in a sandbox; prod keeps the seeded ones."""
    seed = name if sandbox_name == PRODUCTION else f"{sandbox_name}:{name}"
    return hashlib.sha256(seed.encode()).hexdigest()[:24]


def audiences(
    state: EmulatorState,
    tenant: Tenant,
    keep: Callable[[dict[str, Any]], bool] = lambda _audience: True,
) -> list[dict[str, Any]]:
    """The tenant's audiences that ``keep`` holds for, as segment definitions: the sandbox's
    seeded ones, then those the tenant created (only the kept ones are copied out of the store).
    """
    seeded = [a for a in seeded_audiences(tenant[1]) if keep(a)]
    return seeded + state.store.find("segmentDefinitions", keep, tenant)


def _every(state: EmulatorState, tenant: Tenant, field: str) -> set[str]:
    """``field`` of each of the tenant's audiences, seeded or created, the created ones read
    without copying them.
    """
    created = state.store.field_values("segmentDefinitions", field, tenant)
    return {str(a[field]) for a in seeded_audiences(tenant[1])} | {str(v) for v in created}


def audience_ids(state: EmulatorState, tenant: Tenant) -> set[str]:
    """The ids a dataflow of ``tenant`` may select (checked on every dataflow write)."""
    return _every(state, tenant, "id")


def audience_names(state: EmulatorState, tenant: Tenant) -> set[str]:
    """The names taken in the tenant's sandbox (checked on every audience created)."""
    return _every(state, tenant, "name")


def create_audience(
    state: EmulatorState, body: Any, meta: dict[str, Any], tenant: Tenant
) -> dict[str, Any]:
    """``POST /data/core/ups/segment/definitions``: a named audience of the caller's sandbox.
    Names are unique in a sandbox, as promotion finds audiences by name.
    """
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise validation(
            "A segment definition needs a name",
            [f"$.name: a non-empty string of at most {MAX_NAME_LENGTH} characters"],
        )
    if name in audience_names(state, tenant):
        raise validation(
            "A segment definition with this name exists",
            [f"$.name: sandbox {tenant[1]} already has an audience named {name!r}"],
        )
    description = body.get("description")
    return state.store.create(
        "segmentDefinitions",
        {
            "name": name,
            "description": description if isinstance(description, str) else "",
            "sandbox": {"sandboxName": tenant[1], "type": sandbox_type(tenant[1])},
            "evaluationInfo": {"batch": {"enabled": True}},
        },
        meta,
    )


def seeded_audiences(sandbox_name: str) -> list[dict[str, Any]]:
    """The audiences every org finds in ``sandbox_name``."""
    names = list(AUDIENCES)
    if sandbox_type(sandbox_name) != "production":
        names += DEV_ONLY_AUDIENCES
    return [
        {
            "id": audience_id(sandbox_name, name),
            "name": name,
            "description": f"Seeded audience: {name}",
            "sandbox": {"sandboxName": sandbox_name, "type": sandbox_type(sandbox_name)},
            "evaluationInfo": {"batch": {"enabled": True}},
        }
        for name in names
    ]


def segment_definitions(
    state: EmulatorState, tenant: Tenant, query: list[tuple[str, str]]
) -> dict[str, Any]:
    """``GET /data/core/ups/segment/definitions``, with ``property=name==X`` filters, paged by
    ``start`` and ``limit`` (1-100, default 100) as the Segmentation API pages.
    """
    filters = listing.parse_filters(v for k, v in query if k == "property")
    found = audiences(state, tenant, lambda a: listing.matches(a, filters))
    values = dict(query)
    start = listing.whole_number(values.get("start", "0"), 0)
    limit = listing.whole_number(values.get("limit", "100"), 1, 100)
    if start is None or limit is None:
        raise validation(
            "start and limit must be whole numbers",
            ["start: 0 or more; limit: 1 to 100"],
        )
    page = found[start : start + limit]
    return {
        "segments": page,
        "page": {"totalCount": len(found), "pageSize": len(page), "pageOffset": start},
    }


# The most ids one bulk-get names (the Audiences API pages larger sets; a client asks again).
MAX_BULK_IDS = 100


def bulk_get_audiences(state: EmulatorState, tenant: Tenant, body: Any) -> dict[str, Any]:
    """``POST /data/core/ups/audiences/bulk-get`` ``{"ids": [{"id": ...}]}``: the audiences of
    the caller's sandbox among the ids, as ``{"results": {id: audience}}``; an unknown id is
    simply absent from the results.
    """
    listed = body.get("ids") if isinstance(body, dict) else None
    if (
        not isinstance(listed, list)
        or not 0 < len(listed) <= MAX_BULK_IDS
        or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in listed)
    ):
        raise validation(
            "A bulk-get names the audiences it wants",
            [f'$.ids: a list of 1 to {MAX_BULK_IDS} {{"id": "..."}} objects'],
        )
    wanted = {i["id"] for i in listed}
    found = {str(a["id"]): a for a in audiences(state, tenant, lambda a: a["id"] in wanted)}
    return {"results": found}


def segment_definition(state: EmulatorState, tenant: Tenant, definition_id: str) -> dict[str, Any]:
    """``GET /data/core/ups/segment/definitions/{id}``."""
    for audience in audiences(state, tenant, lambda a: a["id"] == definition_id):
        return audience
    raise ApiError(404, {"message": f"Segment definition {definition_id} not found"})
