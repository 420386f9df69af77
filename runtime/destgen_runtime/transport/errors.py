"""Which error a response or a transport failure is: every documented error body (gateway,
Flow Service, not-found/etag, content) mapped to the tree of schema/errors.py, whose classes are
re-exported here.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

from destgen_runtime.schema.errors import (
    ApiError,
    AuthError,
    DestgenError,
    NotFoundError,
    PreconditionFailed,
    RateLimited,
    RequestRejected,
    ServerError,
    TransportError,
)

__all__ = [
    "ApiError",
    "AuthError",
    "DestgenError",
    "NotFoundError",
    "PreconditionFailed",
    "RateLimited",
    "RequestRejected",
    "ServerError",
    "TransportError",
    "connect_failure",
    "error_from_response",
]


def error_from_response(
    status: int, body: Any, request_id: str | None, retry_after: float | None
) -> ApiError:
    """Map any of the four documented body shapes to the right exception."""
    code, message = _code_and_message(body)
    if status == 429:
        return RateLimited(status, code, message, request_id, retry_after)
    kind: type[ApiError] = (
        AuthError
        if status in (401, 403)
        else (
            NotFoundError
            if status == 404
            else (
                PreconditionFailed
                if status == 412
                else (
                    ServerError
                    if status >= 500
                    else RequestRejected if status in (400, 422) else ApiError
                )
            )
        )
    )
    return kind(status, code, message, request_id)


def _code_and_message(body: Any) -> tuple[str | None, str]:
    if not isinstance(body, dict):
        return None, str(body)[:500] if body else "no response body"
    if "error_code" in body:  # gateway: {"error_code", "message"}; the code is a string or an int
        return str(body["error_code"]), str(body.get("message", ""))
    if isinstance(body.get("type"), str) and "/errors/" in body["type"]:  # FLOW-nnnn-status problem
        code = body["type"].rsplit("/", 1)[-1]
        report = body.get("report") if isinstance(body.get("report"), dict) else {}
        message = str(body.get("errorMessage") or body.get("title") or "")
        problems = report.get("problems") if isinstance(report, dict) else None
        if isinstance(problems, list) and problems:
            message += ": " + "; ".join(str(p) for p in problems[:10])
        return code, message
    if "errorMessage" in body:  # {"errorMessage", "errorDetails"}: 404 and 412
        return None, str(body["errorMessage"])
    if "detail" in body or "title" in body:  # content-type problem
        return None, str(body.get("detail") or body.get("title"))
    return None, str(body.get("message") or body)[:500]


def connect_failure(exc: BaseException, *, reached: bool) -> tuple[str, bool]:
    """What a transport failure was, in words (``connection refused``, ``TLS handshake failed:
    ...``, ``no such host``), and whether it is final: DNS and TLS failures always are, a
    refused connection is until the server has answered once (then it is a restart, retried).
    """
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed ({cause.reason or cause})", True
        if isinstance(cause, socket.gaierror):
            return f"no such host ({cause.strerror or cause})", True
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (nothing listens there)", not reached
        cause = cause.__cause__ or cause.__context__
    return type(exc).__name__, False
