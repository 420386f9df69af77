"""The four documented error-body shapes (docs/api-contract.md §7), as exceptions the app turns into
responses.

It builds bodies only; deciding when a request fails is the caller's job.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response: HTTP status plus the JSON body the docs show for it."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def gateway(status: int, code: str, message: str) -> ApiError:
    """Adobe I/O gateway errors: missing or wrong token, API key or org header."""
    return ApiError(status, {"error_code": code, "message": message})


TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Resource not found",
    412: "Precondition Failed",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def flow(code: int, status: int, message: str, request_id: str = "", **report: Any) -> ApiError:
    """A Flow Service problem body: ``type .../FLOW-<code>-<status>``, title, status, report."""
    return ApiError(
        status,
        {
            "type": f"https://ns.adobe.com/aep/errors/FLOW-{code}-{status}",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "report": {"detailed-message": message, "request-id": request_id, **report},
            "errorMessage": message,
            "errorDetails": message,
        },
    )


def not_found(collection: str, entity_id: str) -> ApiError:
    """The documented 404 for an unknown entity id."""
    message = f"{collection} not found with id = [{entity_id}]"
    return ApiError(404, {"errorMessage": message, "errorDetails": message})


def etag_mismatch(supplied: str, current: str) -> ApiError:
    """The documented 412 for an ``If-Match`` etag that is not the entity's current one."""
    message = (
        f"Supplied version=[{supplied}] does not match the current version on entity=[{current}]"
    )
    return ApiError(412, {"errorMessage": message, "errorDetails": message})


def validation(message: str, problems: list[str]) -> ApiError:
    """A schema or rule violation (FLOW-1455-400 for patches, 1413 for specs...): lists each
    problem.
    """
    error = flow(1455, 400, message)
    error.body["report"]["problems"] = problems
    return error
