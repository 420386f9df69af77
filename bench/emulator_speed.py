"""Emulator throughput beside a bare Starlette/uvicorn echo endpoint, side by side in one run.

Both servers run in their own process on 127.0.0.1; the load comes from threads here, each with its
own keep-alive connection, bounded in count and time. Run: .venv/bin/python -m bench.emulator_speed
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.common import SMOKE, Row, higher_is_better, info, print_table, sized

ROOT = Path(__file__).resolve().parent.parent

FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer bench",
    "x-api-key": "bench",
    "x-gw-ims-org-id": "BENCH@AdobeOrg",
}
REQUESTS_PER_MEASURE = sized(1200, 60)
SECONDS_PER_MEASURE = 8.0 if not SMOKE else 1.0

ECHO_SERVER = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def echo(request):
    return JSONResponse({"items": [{"id": request.path_params["id"]}]})
app = Starlette(routes=[Route("/echo/{id}", echo)])
config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
server = uvicorn.Server(config)
import asyncio
async def main():
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    print(f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", flush=True)
    await task
asyncio.run(main())
"""


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start a server process from ``command``; return it and the URL it printed."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    return process, url


def rate(clients: int, call: Callable[[httpx.Client, int], None], base_url: str) -> float:
    """Requests per second with ``clients`` concurrent connections (bounded count and time)."""
    counter = iter(range(REQUESTS_PER_MEASURE))
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS_PER_MEASURE
    done = [0]

    def worker(_: int) -> None:
        with httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                call(client, n)
                with lock:
                    done[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return done[0] / (time.perf_counter() - started)


# Every way a user starts the emulator, each in its own process: each must answer as fast.
IN_PROCESS = """
import sys, threading
from destgen_emulator import EmulatorServer
server = EmulatorServer(port=0)
server.start()
print("listening on", server.base_url, flush=True)
threading.Event().wait()
"""
# (`destgen-emulator`, the emulator wheel's script, is destgen_emulator.__main__:main: the very
# function `python -m destgen_emulator` runs.)
START_MODES = {
    "python -m destgen_emulator": [sys.executable, "-m", "destgen_emulator", "--port", "0"],
    "EmulatorServer()": [sys.executable, "-c", IN_PROCESS],
}


def start_modes(echo_url: str) -> list[Row]:
    """One keep-alive client's GETs through each other way of starting the emulator, beside the
    bare Starlette echo, so no start path can lose TCP_NODELAY (or anything else) unseen.
    """
    rows = []
    for mode, command in START_MODES.items():
        process, url = start(command)
        try:
            with httpx.Client(base_url=url + FLOW, headers=HEADERS) as client:
                made = client.post("/sourceConnections", json=SOURCE_BODY).json()["id"]

            def get(client: httpx.Client, n: int, made: str = made) -> None:
                client.get(f"{FLOW}/sourceConnections/{made}").raise_for_status()

            def echo_get(client: httpx.Client, n: int, made: str = made) -> None:
                client.get(f"/echo/{made}").raise_for_status()

            ours, theirs = rate(1, get, url), rate(1, echo_get, echo_url)
        finally:
            process.terminate()
            process.wait(timeout=10)
        rows.append(
            higher_is_better(
                f"emulator GET via {mode} vs bare Starlette echo, 1 client",
                ours,
                theirs,
                "req/s",
                WITHIN,
            )
        )
    return rows


# The documented create-source-connection body (the Profile store source).
SOURCE_BODY = {
    "name": "Connect to Profile store",
    "description": "Optional",
    "connectionSpec": {"id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1", "version": "1.0"},
}
WITHIN = 0.67  # the goal: within 1.5x of the bare endpoint (1 / 1.5)


def measure() -> list[Row]:
    """Requests per second: the emulator beside a bare Starlette echo app, 1 and 16 clients."""
    emulator, emulator_url = start([sys.executable, "-m", "destgen", "emulator", "--port", "0"])
    echo, echo_url = start([sys.executable, "-c", ECHO_SERVER])
    rows = []
    try:
        body = SOURCE_BODY
        with httpx.Client(base_url=emulator_url + FLOW, headers=HEADERS) as client:
            source = client.post("/sourceConnections", json=body).json()["id"]
        rename = [{"op": "replace", "path": "/name", "value": "renamed"}]

        def get(client: httpx.Client, n: int) -> None:
            client.get(f"{FLOW}/sourceConnections/{source}").raise_for_status()

        def echo_get(client: httpx.Client, n: int) -> None:
            client.get(f"/echo/{source}").raise_for_status()

        def create_patch(client: httpx.Client, n: int) -> None:
            made = client.post(f"{FLOW}/sourceConnections", json=body).json()
            client.patch(
                f"{FLOW}/sourceConnections/{made['id']}",
                json=rename,
                headers={"If-Match": made["etag"]},
            ).raise_for_status()

        for clients in (1, 16):
            ours, theirs = rate(clients, get, emulator_url), rate(clients, echo_get, echo_url)
            rows.append(
                higher_is_better(
                    f"emulator GET vs bare Starlette echo, {clients} client(s)",
                    ours,
                    theirs,
                    "req/s",
                    WITHIN,
                )
            )
        rows += start_modes(echo_url)
        for clients in (1, 16):
            rows.append(
                info(
                    f"emulator create+PATCH, {clients} client(s)",
                    rate(clients, create_patch, emulator_url),
                    "pairs/s",
                )
            )
    finally:
        for process in (emulator, echo):
            process.terminate()
            process.wait(timeout=10)
    return rows


if __name__ == "__main__":
    print_table(measure())
