"""The synchronous client's request deadline inside the socket reads: headers and body alike.

httpx's sync timeouts bound each read, so a server that trickles its response headers a byte at a
time never trips them. This transport's network streams cap every read and write at what is left of
the current request's deadline, which the client sets around each request in a context variable.
The async client needs none of this: ``asyncio.timeout`` bounds its whole request.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

# (expires, clock) of the request in flight on this thread; None outside a request.
_DEADLINE: ContextVar[tuple[float, Callable[[], float]] | None] = ContextVar(
    "destgen_request_deadline", default=None
)
# httpx's own defaults (httpx.Limits()), which a pool made here must keep.
_LIMITS = httpx.Limits()


@contextlib.contextmanager
def request_deadline(expires: float, clock: Callable[[], float]) -> Iterator[None]:
    """Every socket read and write inside the block ends by ``expires`` (on ``clock``)."""
    token = _DEADLINE.set((expires, clock))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    expires, clock = deadline
    left = expires - clock()
    if left <= 0:
        raise error("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        capped = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, capped))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        capped = _capped(timeout, httpcore.ConnectTimeout)
        stream = self.inner.connect_tcp(host, port, capped, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        capped = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.connect_unix_socket(path, capped, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client of the process: loading the CA bundle takes
    about 50 ms, and httpx would otherwise load it up to three times per client. An SSLContext
    may be shared between connections and threads.
    """
    return httpx.create_ssl_context()


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (TLS verified, httpx's limits), on deadline-capped sockets."""

    def __init__(self) -> None:
        super().__init__(verify=shared_ssl_context())
        # httpx builds its pool without a way to pass a network backend; this is the same pool
        # (httpx's arguments for a direct connection) with one. tests/e2e/test_deadlines.py fails
        # if an httpx release stops using it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=shared_ssl_context(),
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


def deadline_client(timeout: httpx.Timeout) -> httpx.Client:
    """An ``httpx.Client`` whose direct connections keep the request deadline; a proxy from the
    environment (HTTPS_PROXY, ...) still applies, on httpx's own transport.
    """
    return httpx.Client(
        timeout=timeout, verify=shared_ssl_context(), mounts={"all://": DeadlineTransport()}
    )
