"""Retry delays as exact tables (injected jitter), retry decisions per operation kind, error
parsing.

Pure functions: no network, no sleeping.
"""

from __future__ import annotations

from typing import Any

import pytest
from destgen_runtime.api import operations as ops
from destgen_runtime.schema.refs import source_connection
from destgen_runtime.transport.core import Core
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    PreconditionFailed,
    RateLimited,
    RequestRejected,
    ServerError,
    TransportError,
    error_from_response,
)
from destgen_runtime.transport.retry import RetryPolicy

EXACT = RetryPolicy(max_attempts=6, base=0.5, cap=4.0, retry_after_cap=10.0, jitter=lambda d: d)
CORE = Core("http://127.0.0.1:1", Identity(StaticToken("t"), "k", "o"), EXACT)


def test_retry_backoff_table_is_exponential_and_capped() -> None:
    assert [EXACT.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize(
    ("error", "idempotent", "delay"),
    [
        (RateLimited(429, None, "slow", retry_after=3), False, 3.0),
        (RateLimited(429, None, "slow", retry_after=600), True, 10.0),
        (RateLimited(429, None, "slow"), True, 1.0),
        (ServerError(503, None, "down"), True, 1.0),
        (ServerError(500, None, "boom"), True, 1.0),
        (ServerError(501, None, "nope"), True, None),
        (ServerError(503, None, "down"), False, None),
        (TransportError("reset", sent=True), True, 1.0),
        (RequestRejected(400, "FLOW-1455-400", "bad"), True, None),
        (PreconditionFailed(412, "FLOW-1404-412", "stale"), True, None),
    ],
    ids=[
        "429-retry-after",
        "429-capped",
        "429-no-header",
        "503",
        "500-read-retried",
        "501-not-retried",
        "503-create",
        "transport",
        "400",
        "412",
    ],
)
def test_retry_policy_delay_table(error: Any, idempotent: bool, delay: float | None) -> None:
    assert EXACT.delay_for(error, 2, idempotent=idempotent) == delay


def test_retry_policy_stops_at_max_attempts() -> None:
    assert EXACT.delay_for(ServerError(503, None, "down"), 6, idempotent=True) is None


def test_core_never_reposts_a_create_with_unknown_outcome() -> None:
    create = ops.create("sourceConnections", source_connection(), "name")
    assert CORE.next_step(create, ServerError(500, None, "x"), 1).action == "lookup"
    assert CORE.next_step(create, TransportError("dropped", sent=True), 1).action == "lookup"
    assert CORE.next_step(create, TransportError("refused", sent=False), 1).action == "retry"
    assert CORE.next_step(create, RateLimited(429, None, "x", retry_after=2), 1).delay == 2.0
    read = ops.get("flows", "f")
    assert CORE.next_step(read, ServerError(502, None, "x"), 1).action == "retry"


@pytest.mark.parametrize(
    ("status", "body", "kind", "code", "text"),
    [
        (
            401,
            {"error_code": "401013", "message": "Oauth token is not valid"},
            AuthError,
            "401013",
            "Oauth token is not valid",
        ),
        (
            403,
            {"error_code": 403000, "message": "Api Key is required"},
            AuthError,
            "403000",
            "Api Key is required",
        ),
        (
            400,
            {
                "type": "https://ns.adobe.com/aep/errors/FLOW-1403-400",
                "title": "Bad Request",
                "status": 400,
                "report": {"detailed-message": "m"},
                "errorMessage": "If-Match missing",
            },
            RequestRejected,
            "FLOW-1403-400",
            "If-Match missing",
        ),
        (
            404,
            {"errorMessage": "flows not found with id = [x]", "errorDetails": "d"},
            NotFoundError,
            None,
            "flows not found",
        ),
        (
            412,
            {"errorMessage": "Supplied version=[a] does not match"},
            PreconditionFailed,
            None,
            "does not match",
        ),
        (
            400,
            {
                "type": "/placeholder/type/uri",
                "status": 400,
                "title": "BadRequestError",
                "detail": "A valid content-type must be specified",
            },
            RequestRejected,
            None,
            "content-type",
        ),
        (502, "<html>bad gateway</html>", ServerError, None, "bad gateway"),
    ],
    ids=[
        "gateway-401",
        "gateway-403-int-code",
        "flow-problem",
        "not-found",
        "etag",
        "content-type",
        "non-json",
    ],
)
def test_error_shapes_map_to_one_tree(
    status: int, body: Any, kind: type[ApiError], code: str | None, text: str
) -> None:
    error = error_from_response(status, body, "req-1", None)
    assert type(error) is kind
    assert error.status == status
    assert error.code == code
    assert text in error.message
    assert "req-1" in str(error)


def test_curl_masks_token_api_key_and_secrets() -> None:
    import destgen_destinations.amazon_s3 as s3

    canary = "CANARYsecretVALUE0123456789abcdefghijKL".ljust(40, "x")
    op = ops.create(
        "connections",
        s3.base_connection_access_key(
            name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key=canary
        ),
        "n",
    )
    shown = Core(
        "https://platform.adobe.io",
        Identity(StaticToken("TOKEN-CANARY"), "KEY-CANARY", "ORG"),
        EXACT,
    ).curl(op)
    assert shown.startswith(
        "curl -X POST 'https://platform.adobe.io/data/foundation/flowservice/connections'"
    )
    assert "Authorization: Bearer ***" in shown
    assert "x-api-key: ***" in shown
    assert '"s3SecretKey": "***"' in shown
    for secret in (canary, "TOKEN-CANARY", "KEY-CANARY"):
        assert secret not in shown


def test_server_error_quoting_a_sent_secret_is_scrubbed() -> None:
    import httpx
    from destgen_runtime.transport.client import FlowServiceClient

    import destgen_destinations.amazon_s3 as s3

    canary = "CANARYsecretVALUE0123456789abcdefghijKL".ljust(40, "x")

    def echo(request: httpx.Request) -> httpx.Response:
        # A careless server that quotes the request back in its error message.
        return httpx.Response(400, json={"errorMessage": f"rejected {request.content.decode()}"})

    payload = s3.base_connection_access_key(
        name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key=canary
    )
    client = FlowServiceClient(
        base_url="http://127.0.0.1:1",
        identity=Identity(StaticToken("t"), "k", "o"),
        retry=EXACT,
        http=httpx.Client(transport=httpx.MockTransport(echo)),
    )
    with pytest.raises(RequestRejected) as caught:
        client.run(ops.create("connections", payload, "n"))
    assert canary not in str(caught.value)
    assert canary not in caught.value.message
    assert "***" in str(caught.value)


@pytest.mark.parametrize("shape", ["json-escaped", "url-encoded", "truncated", "headers"])
def test_server_error_echoing_secrets_in_any_form_is_scrubbed(shape: str) -> None:
    import json as json_module
    import urllib.parse

    import httpx
    from destgen_runtime.transport.client import FlowServiceClient
    from destgen_runtime.transport.errors import DestgenError

    import destgen_destinations.amazon_s3 as s3

    canary = 'CANARY/secret+"value"0123456789abcdefghij'.ljust(40, "x")[:40]
    token, api_key = "TOKENCANARY-abcdefghijklmnop", "APIKEYCANARY-0123456789"

    def echo(request: httpx.Request) -> httpx.Response:
        quoted = {
            "json-escaped": json_module.dumps(canary)[1:-1],
            "url-encoded": urllib.parse.quote(canary, safe=""),
            "truncated": canary[5:20],
            "headers": f"{request.headers['authorization']} key={request.headers['x-api-key']}",
        }[shape]
        return httpx.Response(401, json={"error_code": "401013", "message": f"bad: {quoted}"})

    payload = s3.base_connection_access_key(
        name="n", s3_access_key="AKIAIOSFODNN7EXAMPLE", s3_secret_key=canary.replace('"', "A")
    )
    client = FlowServiceClient(
        base_url="http://127.0.0.1:1",
        identity=Identity(StaticToken(token), api_key, "o"),
        retry=EXACT,
        http=httpx.Client(transport=httpx.MockTransport(echo)),
    )
    with pytest.raises(DestgenError) as caught:
        client.run(ops.create("connections", payload, "n"))
    shown = f"{caught.value} {caught.value.args}"
    sent = canary.replace('"', "A")
    for secret in (sent, token, api_key):
        for start in range(len(secret) - 8):
            assert secret[start : start + 8] not in shown, shape


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (302, b"", "unexpected redirect"),
        (307, b"", "unexpected redirect"),
        (200, b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["302", "307", "deep-json"],
)
def test_hostile_list_answers_are_errors_never_empty_results(
    status: int, body: bytes, expected: str
) -> None:
    import httpx
    from destgen_runtime.transport.client import FlowServiceClient
    from destgen_runtime.transport.errors import ApiError

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"location": "http://127.0.0.1:9/x"})

    client = FlowServiceClient(
        base_url="http://127.0.0.1:1",
        identity=Identity(StaticToken("t"), "k", "o"),
        retry=EXACT,
        http=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    with pytest.raises(ApiError, match=expected):
        client.run(ops.find_by_name("connections", "Acme"))
