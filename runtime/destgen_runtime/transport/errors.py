"""One exception tree for every documented error body (gateway, Flow Service, not-found/etag,
content).

Each error carries status, Adobe code, request id and message; never a header or a request body.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any


class DestgenError(Exception):
    """Base of every error the runtime raises."""


class TransportError(DestgenError):
    """The request did not complete (connection refused, dropped, timed out)."""

    def __init__(self, message: str, *, sent: bool, final: bool = False) -> None:
        super().__init__(message)
        # sent=True: the server may have acted on it; a create must be reconciled, not re-posted.
        self.sent = sent
        # final=True: retrying cannot help (no such host, a TLS handshake refused, nothing
        # listening at an address never reached): said at once instead of after a minute.
        self.final = final


class ApiError(DestgenError):
    """An error response; ``code`` is Adobe's (``FLOW-1404-412``, ``401013``...) if given."""

    def __init__(
        self, status: int, code: str | None, message: str, request_id: str | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.where = ""
        super().__init__(self._line())

    def at(self, where: str) -> ApiError:
        """Name the step that failed (``create flows 'x' (POST /data/...)``) in the message."""
        self.where = where
        self.args = (self._line(),)
        return self

    def _line(self) -> str:
        # One line: the step and its request, the status, Adobe's code, the text, the request id.
        parts = [f"{self.where}:"] if self.where else []
        parts += [f"HTTP {self.status}"] + ([self.code] if self.code else []) + [self.message]
        if self.request_id:
            parts.append(f"(request id {self.request_id})")
        return " ".join(parts)


class AuthError(ApiError):
    """401/403 from the gateway: token, API key or org header."""


class NotFoundError(ApiError):
    """404: the entity does not exist (or is hidden by access labels)."""


class PreconditionFailed(ApiError):
    """412: the If-Match etag is stale; re-read and re-derive the patch."""


class RateLimited(ApiError):
    """429: slow down; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, request_id)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service failed; reads and If-Match patches may be retried."""


class ValidationError(ApiError):
    """400/422: the request breaks a rule; retrying will not help."""


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
                    else ValidationError if status in (400, 422) else ApiError
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
