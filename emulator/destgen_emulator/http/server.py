"""Runs the emulator on loopback: in a background thread for tests and demos, or in the foreground.

``EmulatorServer(...).start()`` returns the base URL; ``stop()`` shuts it down and saves state.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from destgen_emulator.http.app import create_app
from destgen_emulator.http.faults import FaultInjector, FaultRule
from destgen_emulator.service.auth import AuthPolicy
from destgen_emulator.service.catalog import DEFAULT_SPECS, Catalog
from destgen_emulator.service.runs import advance
from destgen_emulator.service.state import EmulatorState
from destgen_emulator.service.store import Store


def check_loopback(host: str) -> None:
    """Refuse anything but a loopback address: the emulator is never reachable from elsewhere."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ValueError(
            f"the emulator listens on loopback only (127.0.0.0/8, ::1, localhost), not {host!r}"
        )


class _Server(uvicorn.Server):
    """uvicorn without its signal capture: the owner (thread or foreground) decides shutdown."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        """uvicorn's loop (a tick every 0.1 s), woken at once by :meth:`wake`: a test suite stops
        hundreds of emulators, and each used to wait for the next tick.
        """
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def wake(self) -> None:
        """Make the loop look at ``should_exit`` now (from any thread)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)


class EmulatorServer:
    """The emulator on a loopback port in a background thread; a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        specs: Path = DEFAULT_SPECS,
        faults: list[FaultRule] | None = None,
        seed: int = 0,
        state_file: Path | None = None,
        auth: AuthPolicy | None = None,
        deliver_to: Path | None = None,
        deliver_rows: int = 100,
        s3: bool = False,
        sftp: bool = False,
    ) -> None:
        check_loopback(host)
        if (s3 or sftp) and deliver_to is None:
            raise ValueError("--s3 and --sftp need --deliver-to: they serve delivered files")
        self.state = EmulatorState(
            catalog=Catalog(specs),
            store=Store(),
            auth=auth or AuthPolicy(),
            state_file=state_file,
            deliver_to=deliver_to,
            deliver_rows=deliver_rows,
            seed=seed,
            s3=_s3_mirror(host) if s3 else None,
            sftp=_sftp_server(host) if sftp else None,
        )
        if state_file is not None:
            self.state.store.check_writable(state_file)
            self.state.store.load(state_file)
        self.faults = FaultInjector(
            create_app(self.state), faults, seed, name_of=self.state.store.name_of
        )
        config = uvicorn.Config(
            self.faults, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = _Server(config)
        self._thread: threading.Thread | None = None
        self.host = host
        self.port = port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> str:
        """Serve in a daemon thread; returns the base URL once the socket listens."""
        self._start_storage()
        self._thread = threading.Thread(
            target=self._server.run, name="destgen-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        self.port = self._bound_port()
        return self.base_url

    def _bound_port(self) -> int:
        for server in self._server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self.port

    def serve_forever(self, on_ready: Any = None) -> None:
        """Foreground mode (``destgen emulator``): returns on Ctrl-C / SIGTERM, then saves state.

        A port that cannot be bound (in use, not allowed) raises OSError naming the address before
        anything is served: uvicorn would log it and exit the process with code 3.
        """
        sock = listening_socket(self.host, self.port)
        self._start_storage()

        async def main() -> None:
            # Our own handlers: uvicorn's re-raise the signal after shutdown, which would kill the
            # process before the state file is saved.
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: setattr(self._server, "should_exit", True))
            task = asyncio.create_task(self._server.serve(sockets=[sock]))
            while not self._server.started and not task.done():
                await asyncio.sleep(0.01)
            self.port = self._bound_port()
            if on_ready is not None:
                on_ready(self.base_url)
            await task

        try:
            asyncio.run(main())
        finally:
            sock.close()
            self._stop_storage()
            self.save()

    def stop(self) -> None:
        """Stop serving and join the thread; save the state file when one was given."""
        self._server.should_exit = True
        self._server.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._stop_storage()
        self.save()

    @property
    def s3_endpoint(self) -> str | None:
        """The S3 server's URL (``--s3``), for a consumer's ``endpoint_url``."""
        return self.state.s3.endpoint if self.state.s3 is not None else None

    @property
    def sftp_address(self) -> tuple[str, int] | None:
        """The SFTP server's host and port (``--sftp``)."""
        return self.state.sftp.address if self.state.sftp is not None else None

    def _start_storage(self) -> None:
        if self.state.s3 is not None:
            self.state.s3.start()
        if self.state.sftp is not None:
            self.state.sftp.start()

    def _stop_storage(self) -> None:
        if self.state.s3 is not None:
            self.state.s3.stop()
        if self.state.sftp is not None:
            self.state.sftp.stop()

    def save(self) -> None:
        """Write the store (secrets already masked) to the state file, when there is one."""
        if self.state.state_file is not None:
            self.state.store.save(self.state.state_file)

    def advance(self, hours: float, *, fail: bool = False) -> list[dict[str, Any]]:
        """Let ``hours`` pass: enabled audience flows, and dataset flows within their schedule,
        produce runs.
        """
        return advance(self.state, hours, fail=fail)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port), or OSError saying which address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY on accepted connections only when
    # the socket says it is TCP; without it Nagle and delayed ACK add ~40 ms to every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise OSError(exc.errno, f"cannot listen on {host} port {port}: {reason}") from None
    return sock


def _s3_mirror(host: str) -> Any:
    """The S3 server (``--s3``), or ValueError saying what to install."""
    try:
        import boto3  # noqa: F401  # what S3Mirror puts objects with
        import moto.server  # noqa: F401
    except ImportError:
        raise ValueError("--s3 needs moto and boto3: pip install 'destgen[storage]'") from None
    from destgen_emulator.storage.storage import S3Mirror

    return S3Mirror(host)


def _sftp_server(host: str) -> Any:
    """The SFTP server (``--sftp``), or ValueError saying what to install."""
    try:
        from destgen_emulator.storage.sftp_server import SftpServer
    except ImportError:
        raise ValueError("--sftp needs paramiko: pip install 'destgen[storage]'") from None
    return SftpServer(host)
