"""The emulator's HTTP surface: documented paths mapped onto flowservice.py and dataprep.py.

It owns headers, JSON parsing and error rendering; the semantics live in the modules it calls.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from destgen_runtime.api.constants import (
    DATA_LAKE_SPEC_ID,
    SANDBOX_NAME,
    SANDBOX_NAME_RULE,
)
from destgen_runtime.schema import strict_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from destgen_emulator.service import dataprep, datasets, flowservice, listing, runs, sandboxes
from destgen_emulator.service.errors import ApiError, flow, gateway
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Tenant

FLOW = "/data/foundation/flowservice"
PREP = "/data/foundation/conversion"
COLLECTIONS = ("sourceConnections", "connections", "targetConnections", "flows")
log = logging.getLogger("destgen.emulator")

Handler = Callable[[Request, EmulatorState, Any], Awaitable[tuple[int, Any]] | tuple[int, Any]]


def _endpoint(
    state: EmulatorState, handler: Handler, *, gateway: bool = True
) -> Callable[[Request], Awaitable[Response]]:

    async def endpoint(request: Request) -> Response:
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        headers = {"x-request-id": request_id}
        try:
            if gateway:
                state.auth.check(
                    request.headers.get("authorization"),
                    request.headers.get("x-api-key"),
                    request.headers.get("x-gw-ims-org-id"),
                )
                _check_sandbox(request)
            body = await _json_body(request) if request.method in ("POST", "PATCH", "PUT") else None
            result = handler(request, state, body)
            status, payload = await result if hasattr(result, "__await__") else result  # type: ignore[misc]
        except ApiError as error:
            status, payload = error.status, error.body
            headers |= error.headers
            if isinstance(payload.get("report"), dict):
                payload["report"]["request-id"] = request_id
        # Method, path and status only: bodies may carry credentials.
        log.info("%s %s -> %s", request.method, request.url.path, status)
        if status == 201 and isinstance(payload, dict) and "id" in payload:
            headers["location"] = f"{request.url.path}/{payload['id']}"  # FY on every create
        if status in (202, 204) and payload is None:
            return Response(status_code=status, headers=headers)
        return JSONResponse(payload, status_code=status, headers=headers)

    return endpoint


# The largest request body read: Flow Service bodies are a few kilobytes; a client that sends more
# is refused before the rest is read, so it cannot fill the emulator's memory.
MAX_BODY_BYTES = 1024 * 1024


async def _json_body(request: Request) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # chunked, or a content-length that lied
            raise _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        return None
    if "json" not in request.headers.get("content-type", ""):
        raise ApiError(
            400,
            {
                "type": "/placeholder/type/uri",
                "status": 400,
                "title": "BadRequestError",
                "detail": "A valid content-type must be specified",
            },
        )
    try:
        # NaN or Infinity, once stored, would make every later GET and LIST of its collection fail.
        return strict_json.loads(raw)
    except RecursionError:
        raise flow(1405, 400, "The request body is nested too deeply") from None
    except strict_json.NotJsonNumber as exc:
        raise flow(1405, 400, f"The request body is not valid JSON: {exc}") from None
    except ValueError:  # malformed JSON, or an integer past Python's digit limit
        raise flow(1405, 400, "The request body is not valid JSON") from None


def _too_large() -> ApiError:
    return ApiError(
        413,
        {
            "type": "/placeholder/type/uri",
            "status": 413,
            "title": "PayloadTooLarge",
            "detail": f"The request body is larger than {MAX_BODY_BYTES} bytes",
        },
    )


def _check_sandbox(request: Request) -> None:
    """A sandbox name the Sandbox API would take, or 400: the name is a tenant key and, with
    --deliver-to, a folder; a path (``../..``) or a non-ASCII name never becomes either.
    """
    given = request.headers.get("x-sandbox-name")
    if given and SANDBOX_NAME.fullmatch(given) is None:
        raise gateway(400, "400004", f"Invalid x-sandbox-name: {SANDBOX_NAME_RULE}")


def _sandbox(request: Request) -> str:
    # docs/api-contract.md §12.7: without x-sandbox-name the request goes to prod (UPD, EDIT, DELF,
    # DELA).
    return request.headers.get("x-sandbox-name") or "prod"


def _tenant(request: Request) -> Tenant:
    """The caller's (IMS org, sandbox): every entity route sees only what this tenant created."""
    return (request.headers.get("x-gw-ims-org-id"), _sandbox(request))


def _query(request: Request) -> list[tuple[str, str]]:
    return parse_qsl(request.url.query, keep_blank_values=True)


def _meta(request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    return {
        "sandboxName": sandbox,
        "sandboxId": str(uuid.uuid5(uuid.NAMESPACE_URL, sandbox)),
        "imsOrgId": request.headers.get("x-gw-ims-org-id"),
        "createdBy": "emulator@AdobeID",
        "createdClient": request.headers.get("x-api-key"),
    }


def _routes(state: EmulatorState) -> list[Route]:
    def route(path: str, handler: Handler, methods: list[str], *, gateway: bool = True) -> Route:
        return Route(path, _endpoint(state, handler, gateway=gateway), methods=methods)

    routes = [
        route(
            f"{FLOW}/connectionSpecs",
            lambda r, s, b: _spec_list(r, "/connectionSpecs", s.catalog.connection_specs()),
            ["GET"],
        ),
        route(f"{FLOW}/connectionSpecs/{{id}}", _connection_spec, ["GET"]),
        route(f"{FLOW}/connectionSpecs/{{id}}/configs", _configs, ["GET"]),
        route(
            f"{FLOW}/flowSpecs",
            lambda r, s, b: _spec_list(r, "/flowSpecs", s.catalog.flow_specs()),
            ["GET"],
        ),
        route(f"{FLOW}/flowSpecs/{{id}}", _flow_spec, ["GET"]),
        route(
            f"{FLOW}/flows/{{id}}/action",
            lambda r, s, b: flowservice.action(
                s,
                r.path_params["id"],
                r.query_params.get("op"),
                r.headers.get("if-match"),
                _tenant(r),
            ),
            ["POST"],
        ),
        route(
            f"{FLOW}/connections/{{id}}/test",
            lambda r, s, b: flowservice.test_connection(s, r.path_params["id"], _tenant(r)),
            ["GET"],
        ),
        route(
            f"{FLOW}/runs",
            lambda r, s, b: (
                200,
                flowservice.list_all(s, "runs", _tenant(r), _query(r), "/runs"),
            ),
            ["GET"],
        ),
        route(
            f"{FLOW}/runs/{{id}}",
            lambda r, s, b: (200, flowservice.get_one(s, "runs", r.path_params["id"], _tenant(r))),
            ["GET"],
        ),
        route(f"{PREP}/schemas", _schemas, ["GET", "POST"]),
        route(
            f"{PREP}/schemas/{{id}}",
            lambda r, s, b: (200, dataprep.get(s, "schemas", r.path_params["id"], _tenant(r))),
            ["GET"],
        ),
        route(f"{PREP}/mappingSets", _mapping_sets, ["GET", "POST"]),
        route(f"{PREP}/mappingSets/{{id}}", _mapping_set, ["GET", "PUT"]),
        route("/data/core/ups/segment/definitions", _segment_definitions, ["GET", "POST"]),
        route(
            "/data/core/ups/audiences/bulk-get",
            lambda r, s, b: (200, sandboxes.bulk_get_audiences(s, _tenant(r), b)),
            ["POST"],
        ),
        route(
            "/data/core/ups/segment/definitions/{id}",
            lambda r, s, b: (
                200,
                sandboxes.segment_definition(s, _tenant(r), r.path_params["id"]),
            ),
            ["GET"],
        ),
        route(
            "/data/foundation/sandbox-management/sandboxes/{name}",
            lambda r, s, b: (200, sandboxes.sandbox(r.path_params["name"])),
            ["GET"],
        ),
        route(
            "/data/core/ups/config/entityTypes/_xdm.context.profile",
            lambda r, s, b: (200, dataprep.union_schema(_query(r))),
            ["GET"],
        ),
        Route("/ims/token/v3", _token(state), methods=["POST"]),
        # The same credentials as the API: a clock anyone on the host could move would make
        # runs, and so files, for every tenant.
        route("/emulator/advance", _advance, ["POST"]),
        route("/emulator/health", lambda r, s, b: (200, {"status": "ok"}), ["GET"], gateway=False),
    ]
    for name in COLLECTIONS:
        routes += [
            route(f"{FLOW}/{name}", _collection(name), ["GET", "POST"]),
            route(f"{FLOW}/{name}/{{id}}", _entity(name), ["GET", "PATCH", "DELETE"]),
        ]
    return routes


def _segment_definitions(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    if request.method == "POST":
        return 200, sandboxes.create_audience(state, body, _meta(request), _tenant(request))
    return 200, sandboxes.segment_definitions(state, _tenant(request), _query(request))


def _mapping_sets(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    if request.method == "POST":
        return dataprep.create_mapping_set(state, body, _meta(request))
    return 200, dataprep.list_entities(state, "mappingSets", _query(request), _tenant(request))


def _schemas(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    if request.method == "POST":
        return dataprep.create_schema(state, body, _meta(request))
    return 200, dataprep.list_entities(state, "schemas", _query(request), _tenant(request))


def _mapping_set(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    mapping_set_id = request.path_params["id"]
    if request.method == "PUT":
        return dataprep.update_mapping_set(state, mapping_set_id, body, _tenant(request))
    version = request.query_params.get("version")
    return 200, dataprep.get(state, "mappingSets", mapping_set_id, _tenant(request), version)


def _spec_list(request: Request, path: str, specs: list[dict[str, Any]]) -> tuple[int, Any]:
    """Connection or flow specs, with the same ``property`` filters and paging as entities."""
    return 200, listing.listing(
        _query(request), path, lambda filters: [x for x in specs if listing.matches(x, filters)]
    )


def _unrouted(routes: list[Route]) -> Handler:
    """Any other path or method: the documented JSON error shape, after the gateway's checks
    (a client that retries plain-text answers must get a body it can read).
    """

    def handle(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
        path = request.url.path
        allowed = sorted(
            method
            for route in routes
            if route.path_regex.match(path)
            for method in route.methods or ()
            if method != "HEAD"
        )
        if allowed:
            message = f"{request.method} is not supported on {path}; use {', '.join(allowed)}"
            raise ApiError(
                405, flow(1434, 405, message).body, headers={"allow": ", ".join(allowed)}
            )
        suffix = " (paths take no trailing slash)" if path.endswith("/") else ""
        raise flow(1101, 404, f"No resource at {path}{suffix}")

    return handle


def _collection(name: str) -> Handler:
    def handle(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
        if request.method == "POST":
            return flowservice.create(state, name, body, _meta(request))
        return 200, flowservice.list_all(state, name, _tenant(request), _query(request), f"/{name}")

    return handle


def _entity(name: str) -> Handler:
    def handle(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
        entity_id = request.path_params["id"]
        if request.method == "GET":
            return 200, flowservice.get_one(state, name, entity_id, _tenant(request))
        if request.method == "PATCH":
            if_match = request.headers.get("if-match")
            return flowservice.patch(state, name, entity_id, if_match, body, _tenant(request))
        return flowservice.delete(state, name, entity_id, _tenant(request)), None

    return handle


def _connection_spec(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    spec = state.catalog.connection_spec(request.path_params["id"])
    if spec is None:
        raise flow(
            1101,
            404,
            f"The requested connectionSpecs resource {request.path_params['id']} is not found",
        )
    return 200, {"items": [spec]}


def _configs(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    """The eligible datasets, listed only under the Data Lake source spec."""
    if request.path_params["id"] != DATA_LAKE_SPEC_ID:
        raise flow(1101, 404, f"No configs for connection spec {request.path_params['id']}")
    return 200, datasets.eligible(_query(request), _sandbox(request))


def _flow_spec(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    spec = state.catalog.flow_spec(request.path_params["id"])
    if spec is None:
        raise flow(
            1101, 404, f"The requested flowSpecs resource {request.path_params['id']} is not found"
        )
    return 200, {"items": [spec]}


def _advance(request: Request, state: EmulatorState, body: Any) -> tuple[int, Any]:
    try:
        hours = float(request.query_params.get("hours", "24"))
    except ValueError:
        raise ApiError(400, {"message": "hours must be a number"}) from None
    if not 0 < hours <= 24 * 31:
        raise ApiError(400, {"message": "hours must be above 0 and at most 744"})
    created = runs.advance(state, hours, fail=request.query_params.get("fail") == "true")
    return 200, {"runs": [r["id"] for r in created]}


def _token(state: EmulatorState) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        # The form body only: a client secret in the query string would sit in every access log
        # on the way, so the query string is not read at all (IMS takes credentials in the body).
        if "client_secret" in request.query_params:
            return JSONResponse(
                {
                    "error": "invalid_request",
                    "error_description": "send client_secret in the form body, not the URL",
                },
                status_code=400,
            )
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            body = state.auth.issue(
                form.get("client_id"), form.get("client_secret"), form.get("grant_type")
            )
            return JSONResponse(body)
        except ApiError as error:
            return JSONResponse(error.body, status_code=error.status)

    return endpoint


EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(state: EmulatorState) -> Starlette:
    """The Starlette application serving Flow Service, Data Prep and token routes over ``state``."""
    routes = _routes(state)
    fallback = Route("/{path:path}", _endpoint(state, _unrouted(routes)), methods=EVERY_METHOD)
    app = Starlette(routes=[*routes, fallback])
    # A trailing slash is answered (404, after the auth check), never redirected: a redirect
    # before the gateway's checks would tell an unauthenticated caller which paths exist.
    app.router.redirect_slashes = False
    return app
