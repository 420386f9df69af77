"""What the sync and async clients share: request building, response reading and retry decisions.

Pure decisions over values; the clients only add the I/O (httpx) and the waiting (sleep).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, SecretStr

from destgen_runtime.api.constants import DEFAULT_BASE_URL
from destgen_runtime.api.operations import Entity, Operation, Page
from destgen_runtime.schema.mask import MASK
from destgen_runtime.schema.wire import to_masked, to_wire
from destgen_runtime.transport.credentials import Identity
from destgen_runtime.transport.errors import (
    ApiError,
    DestgenError,
    ServerError,
    TransportError,
    connect_failure,
    error_from_response,
)
from destgen_runtime.transport.redact import printable, scrub
from destgen_runtime.transport.retry import RetryPolicy, parse_retry_after
from destgen_runtime.transport.urls import secure_url

T = TypeVar("T")
log = logging.getLogger("destgen.client")
# Errors raised before a byte of the request left: re-sending cannot duplicate anything.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Step:
    """What to do after a failed attempt: ``raise``, ``retry`` after ``delay``, or ``lookup`` by
    name.
    """

    action: str
    delay: float = 0.0


def resolve_base_url(explicit: str | None, env: Mapping[str, str] = os.environ) -> str:
    """The argument, else ``AEP_BASE_URL``, else Adobe's API; ``http://`` only on loopback."""
    url = explicit or env.get("AEP_BASE_URL") or DEFAULT_BASE_URL
    url = secure_url(url, "base URL", "--base-url or AEP_BASE_URL")
    path = urlsplit(url).path
    if path.startswith("/data/") or path.startswith("/ims/"):
        # Every operation adds its own API's path (/data/foundation/flowservice/...): a URL that
        # already has one would send /data/foundation/flowservice/data/foundation/... and read
        # the 404 that follows as a missing entity.
        host = url[: len(url) - len(path)]
        raise DestgenError(
            f"base URL {url!r} already ends in an API path ({path}); give the host alone "
            f"({host}): destgen adds each API's path itself (--base-url or AEP_BASE_URL)"
        )
    return url


class Core:
    """The sans-IO core both clients share: request building, response reading, retry decisions."""

    def __init__(self, base_url: str, identity: Identity, retry: RetryPolicy) -> None:
        self.base_url = base_url.rstrip("/")
        self.identity = identity
        self.retry = retry
        # True once any answer came: a refused connection after that is a restart, retried.
        self.reached = False

    def headers(self, op: Operation[Any], token: str) -> dict[str, str]:
        """The one place request headers are built (Authorization only ever from ``token``)."""
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": self.identity.api_key,
            "x-gw-ims-org-id": self.identity.org_id,
            "Accept": "application/json",
            # Uncompressed answers only: the size cap then counts the body itself, and a small
            # compressed answer cannot expand into gigabytes (a decompression bomb).
            "Accept-Encoding": "identity",
        }
        if self.identity.sandbox:
            headers["x-sandbox-name"] = self.identity.sandbox
        if op.payload is not None:
            headers["Content-Type"] = "application/json"
        if op.if_match is not None:
            headers["If-Match"] = op.if_match
        return headers

    def request(
        self, client: httpx.Client | httpx.AsyncClient, op: Operation[Any], token: str
    ) -> httpx.Request:
        """The ``httpx.Request`` for one operation, with identity headers and the access token."""
        content = None if op.payload is None else json.dumps(_wire(op.payload)).encode()
        # Method, path, query and body size only: headers carry the token, bodies the secrets.
        log.debug(
            "-> %s %s%s (%d bytes)",
            op.method,
            op.path,
            "?" + "&".join(f"{k}={v}" for k, v in op.params) if op.params else "",
            len(content or b""),
        )
        return client.build_request(
            op.method,
            self.base_url + op.path,
            params=list(op.params) or None,
            headers=self.headers(op, token),
            content=content,
        )

    def read(self, op: Operation[T], response: httpx.Response) -> T:
        """The operation's result from a response, or the ``DestgenError`` it stands for."""
        self.reached = True
        request_id = response.headers.get("x-request-id")
        log.debug(
            "<- %s %s: HTTP %s, %d bytes (request id %s)",
            op.method,
            op.path,
            response.status_code,
            len(response.content),
            request_id,
        )
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text[:500]
        except RecursionError:
            # A hostile or broken server: nesting deeper than the parser allows is not an answer.
            raise ApiError(
                response.status_code, None, f"{op.label}: response nested too deeply", request_id
            ) from None
        if 300 <= response.status_code < 400:
            # Redirects are not followed (the token would go along); read as "nothing found", a
            # redirected list would make the next step create a duplicate.
            raise ApiError(
                response.status_code,
                None,
                f"{op.label}: unexpected redirect to {response.headers.get('location', '?')!r}",
                request_id,
            )
        if response.status_code >= 400:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            error = error_from_response(response.status_code, body, request_id, retry_after)
            error.at(f"{op.label} ({op.method} {op.path})")
            # A server may quote what it rejected, or the headers it got: what we sent as a secret
            # (payload secrets, the token, the API key) never reaches a message in any form.
            secrets = [*secret_values(op.payload), *_credentials_sent(response)]
            error.message = printable(scrub(error.message, secrets))
            error.args = tuple(printable(scrub(str(a), secrets)) for a in error.args)
            error.code = printable(error.code) if error.code is not None else None
            raise error
        try:
            result = op.parse(body)
        except (KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ApiError(
                response.status_code,
                None,
                f"unexpected response to {op.label}: {exc!r}",
                request_id,
            ) from None
        if isinstance(result, Page):  # what a whole listing is bounded by (within_listing_bound)
            return replace(result, size=len(response.content))
        return result

    def transport_error(self, op: Operation[Any], exc: httpx.TransportError) -> TransportError:
        """A transport failure as a ``TransportError`` naming the operation, what failed
        (connection refused, TLS, DNS), the base URL and how to point the tool elsewhere.
        Retryable unless retrying cannot help (``connect_failure``).
        """
        sent = not isinstance(exc, NOT_SENT)
        log.debug("%s %s -> %s (sent=%s)", op.method, op.path, type(exc).__name__, sent)
        what, final = connect_failure(exc, reached=self.reached)
        return TransportError(
            f"{op.label} ({op.method} {op.path}): {what} talking to "
            f"{self.base_url} (is it the right address? set --base-url or AEP_BASE_URL)",
            sent=sent,
            final=final,
        )

    def next_step(self, op: Operation[Any], error: DestgenError, attempt: int) -> Step:
        """Retry (after how long) or give up, for ``error`` on try number ``attempt``."""
        if attempt >= self.retry.max_attempts:
            return Step("raise")
        unknown = (isinstance(error, TransportError) and error.sent) or isinstance(
            error, ServerError
        )
        if op.kind == "create" and unknown:
            # No idempotency key exists: never re-post blindly, look the entity up by name first.
            return Step("lookup", self.retry.backoff(attempt)) if op.lookup else Step("raise")
        idempotent = op.kind != "create" or isinstance(error, TransportError)
        delay = self.retry.delay_for(error, attempt, idempotent=idempotent)
        return Step("raise") if delay is None else Step("retry", delay)

    def curl(self, op: Operation[Any]) -> str:
        """The request as a curl command, token, API key and every secret shown as ``***``."""
        headers = self.headers(op, MASK) | {"x-api-key": MASK}
        # Filters stay readable (property=name==X) as in Adobe's docs; everything else is escaped.
        query = "&".join(f"{k}={quote(v, safe='=,[]:/')}" for k, v in op.params)
        url = self.base_url + op.path + (f"?{query}" if query else "")
        lines = [f"curl -X {op.method} {_quote(url)}"]
        lines += [f"-H {_quote(f'{name}: {value}')}" for name, value in headers.items()]
        if op.payload is not None:
            lines.append(f"-d {_quote(json.dumps(_masked(op.payload), indent=2))}")
        return " \\\n  ".join(lines)


FINISHED = ("success", "failed")


def finished_run(page: Page) -> Entity | None:
    """The newest run on a page whose status is final (docs/api-contract.md §12.9: either case)."""
    for run in page.items:
        status = str(((run.data.get("metrics") or {}).get("statusSummary") or {}).get("status", ""))
        if status.lower() in FINISHED:
            return run
    return None


def _credentials_sent(response: httpx.Response) -> list[str]:
    try:
        headers = response.request.headers
    except RuntimeError:  # a response built without a request (tests): nothing was sent
        return []
    token = headers.get("authorization", "").removeprefix("Bearer ").strip()
    return [value for value in (token, headers.get("x-api-key", "")) if value]


def secret_values(payload: Any) -> list[str]:
    """Every SecretStr value inside a payload model (non-empty), for scrubbing."""
    found: list[str] = []
    if isinstance(payload, SecretStr):
        found.append(payload.get_secret_value())
    elif isinstance(payload, BaseModel):
        for name in type(payload).model_fields:
            found += secret_values(getattr(payload, name))
    elif isinstance(payload, (list, tuple)):
        for item in payload:
            found += secret_values(item)
    return [s for s in found if s]


def _quote(text: str) -> str:
    # Always single-quoted, as in Adobe's tutorial; shlex.quote handles embedded quotes.
    return f"'{text}'" if "'" not in text else shlex.quote(text)


def _wire(payload: Any) -> Any:
    return to_wire(payload) if isinstance(payload, BaseModel) else payload


def _masked(payload: Any) -> Any:
    return to_masked(payload) if isinstance(payload, BaseModel) else payload
