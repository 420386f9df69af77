"""A hostile server's text reaches the user inert: terminal control sequences and bidirectional
overrides in an error body are shown as escapes, never executed by the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from destgen_destinations.runtime.api import operations as ops
from destgen_destinations.runtime.transport.client import FlowServiceClient
from destgen_destinations.runtime.transport.credentials import Identity, StaticToken
from destgen_destinations.runtime.transport.errors import ApiError
from destgen_destinations.runtime.transport.redact import printable

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
