"""Every Flow Service and Data Prep call of the workflow as a typed, I/O-free Operation value.

Clients send operations; activation plans yield them; dry runs print them. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

from pydantic import BaseModel

from destgen_runtime.api import constants as c

T = TypeVar("T")
Kind = Literal["read", "create", "patch", "delete", "action"]


@dataclass(frozen=True)
class Created:
    """The answer to a create: the new entity's id and etag."""

    id: str
    etag: str | None
    changed: bool = True  # False when an update found nothing left to do


@dataclass(frozen=True)
class Entity:
    """One entity as served, with its etag."""

    id: str
    etag: str | None
    data: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Page:
    """One page of a listing and the token of the next page, if any."""

    items: list[Entity]
    next: Operation[Page] | None
    # Bytes of the answer it was read from (set by the transport): bounds a whole listing.
    size: int = 0


def _as_created(entity: Entity) -> Any:
    return Created(entity.id, entity.etag)


@dataclass(frozen=True)
class Lookup:
    """How to find what a create made: the first page of a listing (later pages through
    ``Page.next``) and which listed entity is the one.

    ``pick`` None: Flow Service's adoption rules (transport/adoption.py: exact name, same spec).
    Data Prep entities pass their own: the exact name and the same content, since a schema or
    mapping set carries no spec to compare.
    """

    first_page: Operation[Page]
    label: str
    pick: Callable[[list[Entity]], Entity | None] | None = None
    # What the create's caller receives for the entity found (a create's own result type).
    adopt: Callable[[Entity], Any] = _as_created


def search(lookup: Lookup) -> Generator[Operation[Page], Page, Entity | None]:
    """The entity ``lookup.pick`` chooses among every listed page."""
    assert lookup.pick is not None
    listed: list[Entity] = yield from collect(lookup.first_page)
    return lookup.pick(listed)


def collect(first_page: Operation[Page]) -> Generator[Operation[Page], Page, list[Entity]]:
    """Every item of a listing, following pages (at most ``MAX_PAGES``).

    It yields list operations and receives their pages, so a client's retry flow and an
    activation plan can both drive it.
    """
    items: list[Entity] = []
    op: Operation[Page] | None = first_page
    for _ in range(c.MAX_PAGES):
        if op is None:
            break
        page: Page = yield op
        items += page.items
        op = page.next
    return items


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One HTTP call: what to send and how to read the answer. ``payload`` may hold secrets."""

    method: str
    path: str
    kind: Kind
    parse: Callable[[Any], T] = field(repr=False)
    label: str = ""
    payload: BaseModel | Any = field(default=None, repr=False)
    params: tuple[tuple[str, str], ...] = ()
    if_match: str | None = None
    # For creates: how to find the entity when the outcome is unknown (never re-posted blindly).
    lookup: Lookup | None = None
    # What an empty service would answer (dry runs); gets a sequence number for fake ids.
    empty: Callable[[int], Any] = field(
        default=lambda n: {"id": f"dry-run-{n}", "etag": '"dry-run"', "version": 0}, repr=False
    )


def _created(body: Any) -> Created:
    return Created(str(body["id"]), body.get("etag"))


def _entity(body: Any) -> Entity:
    item = body["items"][0] if isinstance(body, dict) and "items" in body else body
    return Entity(str(item.get("id", "")), item.get("etag"), item)


def _page_parser(path: str) -> Callable[[Any], Page]:
    def parse(body: Any) -> Page:
        items = [Entity(str(i.get("id", "")), i.get("etag"), i) for i in body.get("items", [])]
        href = ((body.get("_links") or {}).get("next") or {}).get("href")
        return Page(items, _next_page(path, href) if href else None)

    return parse


def _next_page(path: str, href: str) -> Operation[Page]:
    # The href is relative to the service root or absolute; its query is taken as-is (a token may
    # hold "=").
    parts = urlsplit(href)
    next_path = parts.path if parts.path.startswith(c.FLOW_SERVICE) else c.FLOW_SERVICE + parts.path
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return Operation(
        "GET", next_path, "read", _page_parser(next_path), f"GET {path} (next page)", params=params
    )


def collection_of(op: Operation[Any]) -> str:
    """The collection a create or listing operation addresses (``flows``, ``connections`` ...)."""
    return op.path.rstrip("/").rsplit("/", 1)[-1]


def create(collection: str, payload: BaseModel, name: str) -> Operation[Created]:
    """``POST /{collection}`` with a validated payload; ``name`` is for error messages."""
    path = f"{c.FLOW_SERVICE}/{collection}"
    return Operation(
        "POST",
        path,
        "create",
        _created,
        f"create {collection} {name!r}",
        payload,
        lookup=Lookup(find_by_name(collection, name), collection),
    )


def get(collection: str, entity_id: str) -> Operation[Entity]:
    """``GET /{collection}/{id}``."""
    return Operation(
        "GET",
        f"{c.FLOW_SERVICE}/{collection}/{entity_id}",
        "read",
        _entity,
        f"get {collection} {entity_id}",
    )


def list_(
    collection: str, *filters: str, limit: int = 100, orderby: str | None = None
) -> Operation[Page]:
    """``GET /{collection}`` with filters, one page at a time."""
    path = f"{c.FLOW_SERVICE}/{collection}"
    params = (
        [("property", f) for f in filters]
        + [("limit", str(limit))]
        + ([("orderby", orderby)] if orderby else [])
    )
    return Operation(
        "GET", path, "read", _page_parser(path), f"list {collection}", params=tuple(params)
    )


# What a dry run shows for a flow spec only the service can name: never sent, printed as such.
UNKNOWN_FLOW_SPEC = "{AUDIENCE_FLOW_SPEC_ID}"


def flow_specs_for(connection_spec_id: str) -> Operation[Page]:
    """``GET /flowSpecs`` of the flow specs whose targets include ``connection_spec_id`` (how a
    destination whose spec came without its flow spec finds it). A dry run, which asks no
    service, sees one placeholder audience flow spec.
    """
    op = list_("flowSpecs", f"targetConnectionSpecIds[]=={connection_spec_id}")
    placeholder = {"items": [{"id": UNKNOWN_FLOW_SPEC, "attributes": {"_workflow": "AUDIENCES"}}]}
    return replace(op, empty=lambda _n: placeholder)


def by_workflow(flow_specs: list[Entity]) -> tuple[list[str], list[str]]:
    """The ids of listed flow specs, audience ones and dataset ones, each sorted: a flow spec's
    ``attributes._workflow`` says which (none: audiences, as the older specs say nothing).
    """
    datasets = {
        f.id for f in flow_specs if (f.data.get("attributes") or {}).get("_workflow") == "DATASETS"
    }
    audiences = {f.id for f in flow_specs} - datasets
    return sorted(audiences), sorted(datasets)


def find_by_name(collection: str, name: str) -> Operation[Page]:
    """The first page of ``collection`` entities named exactly ``name``."""
    return list_(collection, f"name=={name}")


def delete(collection: str, entity_id: str, name: str | None = None) -> Operation[None]:
    """``DELETE /{collection}/{id}``; ``name`` (when known) makes plans and errors say which."""
    label = f"{name!r} ({entity_id})" if name is not None else entity_id
    return Operation(
        "DELETE",
        f"{c.FLOW_SERVICE}/{collection}/{entity_id}",
        "delete",
        lambda _b: None,
        f"delete {collection} {label}",
    )


def patch(
    collection: str, entity_id: str, etag: str, ops: BaseModel | list[Any]
) -> Operation[Created]:
    """``PATCH /{collection}/{id}`` with JSON Patch operations under ``If-Match``."""
    path = f"{c.FLOW_SERVICE}/{collection}/{entity_id}"
    return Operation(
        "PATCH", path, "patch", _created, f"patch {collection} {entity_id}", ops, if_match=etag
    )


def flow_action(
    flow_id: str, op: Literal["enable", "disable"], etag: str | None = None
) -> Operation[Created]:
    """``POST /flows/{id}?op=...``: enable or disable a dataflow."""
    path = f"{c.FLOW_SERVICE}/flows/{flow_id}/action"
    return Operation(
        "POST",
        path,
        "action",
        _created,
        f"{op} flow {flow_id}",
        params=(("op", op),),
        if_match=etag,
    )


def connection_spec(spec_id: str) -> Operation[Entity]:
    """``GET /connectionSpecs/{id}``."""
    return Operation(
        "GET",
        f"{c.FLOW_SERVICE}/connectionSpecs/{spec_id}",
        "read",
        _entity,
        f"get connection spec {spec_id}",
    )


def flow_spec(spec_id: str) -> Operation[Entity]:
    """``GET /flowSpecs/{id}``."""
    return Operation(
        "GET", f"{c.FLOW_SERVICE}/flowSpecs/{spec_id}", "read", _entity, f"get flow spec {spec_id}"
    )


def runs(flow_id: str) -> Operation[Page]:
    """``GET /runs`` of one dataflow."""
    return list_("runs", f"flowId=={flow_id}")


def run(run_id: str) -> Operation[Entity]:
    """``GET /runs/{id}``."""
    return get("runs", run_id)


def create_schema(name: str, json_schema: dict[str, Any]) -> Operation[Entity]:
    """``POST`` a Data Prep schema named ``name``; an unknown outcome is looked up by name and
    content (Data Prep has no idempotency key either).
    """
    return Operation(
        "POST",
        f"{c.DATA_PREP}/schemas",
        "create",
        _entity,
        f"create schema {name!r}",
        {"name": name, "jsonSchema": json_schema},
        lookup=find_schema(name, json_schema),
    )


def find_schema(name: str, json_schema: dict[str, Any]) -> Lookup:
    """The Data Prep schema named ``name`` with exactly ``json_schema``, listed page by page."""

    def pick(items: list[Entity]) -> Entity | None:
        return next(
            (
                e
                for e in items
                if e.data.get("name") == name and e.data.get("jsonSchema") == json_schema
            ),
            None,
        )

    return Lookup(_data_page("schemas", 0), "schemas", pick, adopt=lambda e: e)


def create_mapping_set(payload: BaseModel, name: str) -> Operation[Entity]:
    """``POST /mappingSets`` with a validated mapping set named ``name``."""
    return Operation(
        "POST",
        f"{c.DATA_PREP}/mappingSets",
        "create",
        _entity,
        f"create mapping set {name!r}",
        payload,
        lookup=find_mapping_set(name, payload),
    )


def find_mapping_set(name: str, payload: BaseModel) -> Lookup:
    """The mapping set named ``name`` joining the same schemas with the same mappings."""
    wanted = payload.model_dump(mode="json", by_alias=True, exclude_none=True)

    def pick(items: list[Entity]) -> Entity | None:
        return next((e for e in items if _same_mapping_set(e.data, name, wanted)), None)

    return Lookup(_data_page("mappingSets", 0, name=name), "mappingSets", pick, adopt=lambda e: e)


def _same_mapping_set(found: dict[str, Any], name: str, wanted: dict[str, Any]) -> bool:
    def rows(body: dict[str, Any]) -> list[tuple[Any, Any]]:
        # Compared on source and destination only: the service adds its own keys to stored rows.
        return [(m.get("source"), m.get("destination")) for m in body.get("mappings") or []]

    return (
        found.get("name") == name
        and found.get("inputSchema") == wanted.get("inputSchema")
        and found.get("outputSchema") == wanted.get("outputSchema")
        and rows(found) == rows(wanted)
    )


def _data_page(collection: str, start: int, **filters: str) -> Operation[Page]:
    """One page of a Data Prep listing (``{"data", "_page"}``): a full page means there may be
    another.
    """
    return _offset_page(
        f"{c.DATA_PREP}/{collection}",
        f"list {collection}",
        tuple(filters.items()),
        start,
        c.DATA_PREP_PAGE,
        "data",
        lambda _body, items: len(items) >= c.DATA_PREP_PAGE,
    )


def eligible_datasets(start: int = 0, limit: int = 20) -> Operation[Page]:
    """One page of the datasets the sandbox can export (the Data Lake source spec's configs);
    the page's ``next`` follows ``pageInfo.hasNext``.
    """
    return _offset_page(
        f"{c.FLOW_SERVICE}/connectionSpecs/{c.DATA_LAKE_SPEC_ID}/configs",
        "list eligible datasets",
        (
            ("outputType", "activationDatasets"),
            ("outputField", "datasets"),
            ("properties", "name,state"),
        ),
        start,
        limit,
        "items",
        lambda body, _items: bool((body.get("pageInfo") or {}).get("hasNext")),
    )


def audiences(name: str | None = None, start: int = 0, limit: int = 100) -> Operation[Page]:
    """One page of the sandbox's audiences (segment definitions), optionally those named
    ``name``; a full page means there may be another.
    """
    fixed = (("property", f"name=={name}"),) if name is not None else ()
    return _offset_page(
        c.SEGMENT_DEFINITIONS,
        "list audiences",
        fixed,
        start,
        limit,
        "segments",
        lambda _body, items: len(items) >= limit,
    )


def _offset_page(
    path: str,
    label: str,
    fixed: tuple[tuple[str, str], ...],
    start: int,
    limit: int,
    items_key: str,
    more: Callable[[Any, list[Entity]], bool],
) -> Operation[Page]:
    """A listing paged by ``start``/``limit`` offsets (Data Prep, dataset configs), not by
    continuation tokens: ``next`` asks for the items after these while ``more`` says so.
    """

    def parse(body: Any) -> Page:
        items = [Entity(str(i.get("id", "")), None, i) for i in body.get(items_key) or []]
        following = (
            _offset_page(path, label, fixed, start + len(items), limit, items_key, more)
            if items and more(body, items)
            else None
        )
        return Page(items, following)

    params = (*fixed, ("start", str(start)), ("limit", str(limit)))
    return Operation("GET", path, "read", parse, label, params=params)


def get_mapping_set(mapping_id: str) -> Operation[Entity]:
    """``GET /mappingSets/{id}``."""
    return Operation(
        "GET",
        f"{c.DATA_PREP}/mappingSets/{mapping_id}",
        "read",
        _entity,
        f"get mapping set {mapping_id}",
    )


def union_schema() -> Operation[dict[str, Any]]:
    """``GET`` the profile union schema."""
    params = (
        ("property", "fullSchema==true"),
        ("property", "includeRelationshipDescriptors==true"),
    )
    return Operation(
        "GET",
        c.UNION_SCHEMA,
        "read",
        lambda body: dict(body),
        "get profile union schema",
        params=params,
    )


def audiences_named(name: str) -> Operation[list[Entity]]:
    """The sandbox's audiences (segment definitions) named ``name``, from the segmentation API."""
    return Operation(
        "GET",
        c.SEGMENT_DEFINITIONS,
        "read",
        lambda body: [Entity(str(s.get("id", "")), None, s) for s in body.get("segments") or []],
        f"find audiences named {name!r}",
        params=(("property", f"name=={name}"),),
        empty=lambda _n: {"segments": []},
    )


def audience(audience_id: str) -> Operation[Entity]:
    """One audience (segment definition) of the sandbox, by id."""
    return Operation(
        "GET",
        f"{c.SEGMENT_DEFINITIONS}/{audience_id}",
        "read",
        lambda body: Entity(str(body.get("id", "")), None, body),
        f"get audience {audience_id}",
    )


def audiences_bulk_get(audience_ids: list[str]) -> Operation[dict[str, Entity]]:
    """``POST /audiences/bulk-get``: the sandbox's audiences among ``audience_ids`` (at most
    ``BULK_GET_MAX``), by id; an id the sandbox lacks is absent. A read: retried like a GET.
    """

    def parse(body: Any) -> dict[str, Entity]:
        results = body.get("results") if isinstance(body, dict) else None
        return {
            str(key): Entity(str(key), None, value)
            for key, value in (results or {}).items()
            if isinstance(value, dict)
        }

    return Operation(
        "POST",
        c.AUDIENCES_BULK_GET,
        "read",
        parse,
        f"get {len(audience_ids)} audience(s)",
        payload={"ids": [{"id": i} for i in audience_ids]},
        # A dry run, which asks no service, finds every audience.
        empty=lambda _n: {"results": {i: {"id": i} for i in audience_ids}},
    )


def sandbox(name: str) -> Operation[dict[str, Any]]:
    """One sandbox (its ``type``: production or development), from the sandbox API."""
    # A name is one path segment, whatever it holds ("../x", "a/b", "?"): encoded, never split.
    path = f"{c.SANDBOXES}/{quote(name, safe='')}"
    return Operation("GET", path, "read", lambda body: dict(body), f"get sandbox {name!r}")
