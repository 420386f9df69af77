"""A hostile server's text reaches the user inert: terminal control sequences and bidirectional
overrides in an error body are shown as escapes, never executed by the terminal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping

import httpx
import pytest
from destgen_runtime.api import operations as ops
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import Identity, StaticToken
from destgen_runtime.transport.errors import ApiError
from destgen_runtime.transport.redact import printable

IDENTITY = Identity(StaticToken("token-value-1234"), "api-key-5678", "ORG@AdobeOrg", "prod")


def _client(body: Mapping[str, object]) -> FlowServiceClient:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json=body)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return FlowServiceClient(base_url="https://platform.example", identity=IDENTITY, http=http)


def test_control_sequences_in_an_error_body_are_escaped() -> None:
    hostile = {
        "error_code": "4\x1b[2J00",
        "message": "bad \x1b[31mred\x1b[0m \x07 \u202edesrever\u202c ok\nnext line",
    }
    with _client(hostile) as client, pytest.raises(ApiError) as caught:
        client.run(ops.get("flows", "f1"))
    text = str(caught.value)
    for raw in ("\x1b", "\x07", "\u202e", "\u202c"):
        assert raw not in text
        assert raw not in caught.value.message
    assert "\\x1b[31mred" in caught.value.message
    assert "\\u202e" in caught.value.message
    assert caught.value.code is None or "\x1b" not in caught.value.code


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text\nwith\ttabs", "plain text\nwith\ttabs"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x9b31m", "\\x9b31m"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
    ],
)
def test_printable_escapes_only_controls(text: str, shown: str) -> None:
    assert printable(text) == shown


def _endless(_request: httpx.Request) -> httpx.Response:
    def body() -> Iterator[bytes]:
        yield b'{"items": ['
        for _ in range(10_000):  # far past the cap set below
            yield b'{"id": "x"},' * 10

    return httpx.Response(200, content=body())


def test_a_response_past_the_cap_is_refused_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from destgen_runtime.transport import deadlines

    monkeypatch.setattr(deadlines, "MAX_RESPONSE_BYTES", 1000)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _endless(request)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        FlowServiceClient(base_url="https://platform.example", identity=IDENTITY, http=http) as c,
        pytest.raises(deadlines.ResponseTooLarge, match="larger than 1000 bytes"),
    ):
        c.run(ops.get("flows", "f1"))
    assert seen[0].headers["accept-encoding"] == "identity"  # no decompression bomb either


def test_the_async_client_caps_responses_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from destgen_runtime.transport import deadlines
    from destgen_runtime.transport.client import AsyncFlowServiceClient

    monkeypatch.setattr(deadlines, "MAX_RESPONSE_BYTES", 1000)

    async def answer(request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(10_000):
                yield b"x" * 100

        return httpx.Response(200, content=body())

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        async with AsyncFlowServiceClient(
            base_url="https://platform.example", identity=IDENTITY, http=http
        ) as client:
            await client.run(ops.get("flows", "f1"))

    with pytest.raises(deadlines.ResponseTooLarge):
        asyncio.run(run())


def test_an_error_body_is_read_only_as_far_as_its_message_needs() -> None:
    from destgen_runtime.api.constants import MAX_ERROR_BODY_BYTES

    sent = [0]

    def huge_error(_request: httpx.Request) -> httpx.Response:
        def body() -> Iterator[bytes]:
            yield b'{"message": "' + b"m" * 100
            for _ in range(60 * 1024):  # 60 MB, were it all read
                sent[0] += 1024
                yield b"x" * 1024

        return httpx.Response(400, content=body())

    http = httpx.Client(transport=httpx.MockTransport(huge_error))
    with (
        FlowServiceClient(base_url="https://platform.example", identity=IDENTITY, http=http) as c,
        pytest.raises(ApiError) as caught,
    ):
        c.run(ops.get("flows", "f1"))
    assert caught.value.status == 400
    assert sent[0] <= MAX_ERROR_BODY_BYTES + 1024, "the rest of the body was never asked for"
    assert len(str(caught.value)) < 2000


def test_the_async_client_reads_an_error_body_only_so_far() -> None:
    import asyncio

    from destgen_runtime.api.constants import MAX_ERROR_BODY_BYTES
    from destgen_runtime.transport.client import AsyncFlowServiceClient

    sent = [0]

    async def huge_error(_request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(60 * 1024):
                sent[0] += 1024
                yield b"x" * 1024

        return httpx.Response(403, content=body())

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(huge_error))
        async with AsyncFlowServiceClient(
            base_url="https://platform.example", identity=IDENTITY, http=http
        ) as client:
            await client.run(ops.get("flows", "f1"))

    with pytest.raises(ApiError):
        asyncio.run(run())
    assert sent[0] <= MAX_ERROR_BODY_BYTES + 1024


def _pages(request: httpx.Request) -> httpx.Response:
    """Page after page of big items, each page within the single-answer cap, without end."""
    page = int(request.url.params.get("continuationToken") or 0)
    items = [{"id": f"f{page}-{i}", "name": "n" * 1000} for i in range(100)]
    nxt = f"/data/foundation/flowservice/flows?continuationToken={page + 1}"
    return httpx.Response(200, json={"items": items, "_links": {"next": {"href": nxt}}})


def test_a_listing_is_bounded_over_all_its_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    from destgen_runtime.transport import deadlines

    monkeypatch.setattr(deadlines, "MAX_LISTING_BYTES", 500_000)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _pages(request)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    listed: list[object] = []
    with (
        FlowServiceClient(base_url="https://platform.example", identity=IDENTITY, http=http) as c,
        pytest.raises(deadlines.ResponseTooLarge, match=r"the listing .* larger than 500000 bytes"),
    ):
        listed.extend(c.iterate(ops.list_("flows")))
    assert 3 <= len(seen) <= 6, "stopped at the bound, long before MAX_PAGES"


def test_the_async_listing_has_the_same_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from destgen_runtime.transport import deadlines
    from destgen_runtime.transport.client import AsyncFlowServiceClient

    monkeypatch.setattr(deadlines, "MAX_LISTING_BYTES", 500_000)

    async def answer(request: httpx.Request) -> httpx.Response:
        return _pages(request)

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        async with AsyncFlowServiceClient(
            base_url="https://platform.example", identity=IDENTITY, http=http
        ) as client:
            async for _ in client.iterate(ops.list_("flows")):
                pass

    with pytest.raises(deadlines.ResponseTooLarge, match="the listing"):
        asyncio.run(run())
