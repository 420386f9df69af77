"""Every exception the runtime raises, in one tree rooted in the lowest room, so that any room can
raise any of them (as httpx keeps its whole tree in one module)::

    DestgenError                  base of everything below; never a pydantic ValidationError
    ├── TransportError            the request did not complete (refused, dropped, timed out)
    ├── DeadlineExceeded          the run's deadline passed: nothing more is sent
    ├── ResponseTooLarge          an answer (or a listing's pages) past its size cap
    ├── ApiError                  an error response: status, Adobe code, request id, message
    │   ├── AuthError             401/403 from the gateway
    │   ├── NotFoundError         404
    │   ├── PreconditionFailed    412: a stale If-Match etag
    │   ├── RateLimited           429, with the server's retry-after
    │   ├── ServerError           5xx
    │   └── RequestRejected       400/422: the request breaks a rule
    ├── AmbiguousName             more than one entity matches a name exactly
    ├── NoFlowSpec                the service names no audience flow spec for a destination
    ├── PlanMoved                 the service changed since the plan was made
    ├── SpecFormError             a connection spec names its encryption array both ways
    ├── NotADestinationFlow       a dataflow of no destination this library knows
    ├── ActivationError           problems in an activation file, one line each
    ├── UnsafePattern             a spec pattern no engine here can match safely (a ValueError)
    ├── NotJsonNumber             NaN or Infinity in a document (a ValueError)
    └── DuplicateKey              a key twice in one object of a document (a ValueError)

Each error carries what it needs to be one line to a user; never a header, a request body or a
secret. The functions that decide which error a response is live with the transport
(transport/errors.py); the classes live here.
"""

from __future__ import annotations


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


class DeadlineExceeded(DestgenError):
    """The run deadline passed: nothing more is sent (not retried)."""


class ResponseTooLarge(DestgenError):
    """A server sent more than its cap (one answer, or a listing over all its pages): not read
    further, not retried.
    """

    def __init__(self, limit: int, what: str = "the response") -> None:
        super().__init__(f"{what} was larger than {limit} bytes; not read further")


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


class RequestRejected(ApiError):
    """400/422: the request breaks a rule; retrying will not help. (Not pydantic's
    ``ValidationError``, which a payload that fails its model raises before any request.)
    """


class AmbiguousName(DestgenError):
    """More than one existing entity matches exactly: adopting either could change the wrong one."""


class NoFlowSpec(DestgenError):
    """The service names no audience flow spec for a destination whose spec came without one."""


class PlanMoved(DestgenError):
    """The service changed since the plan was made: apply stops before changing anything else."""


class SpecFormError(DestgenError):
    """A connection spec that names its encryption array both ways: which one counts is unknown."""


class NotADestinationFlow(DestgenError):
    """The dataflow's flow spec is none of the destinations' this library was generated for."""


class ActivationError(DestgenError):
    """A problem in an activation file, already phrased as ``<JSON path>: <reason>`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class UnsafePattern(DestgenError, ValueError):
    """A pattern no engine here can match safely; the message says why. A ValueError too, so
    that pydantic reports it as a field's error.
    """


class NotJsonNumber(DestgenError, ValueError):
    """NaN, Infinity or -Infinity in a document (a ValueError, as json's own errors are)."""


class DuplicateKey(DestgenError, ValueError):
    """A key twice in one object of a document a person wrote: the reader would keep the second
    silently, and a reviewer may have read the first (a ValueError, as json's own errors are).
    """
