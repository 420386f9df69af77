"""Fault injection as ASGI middleware: 429 with Retry-After, 5xx, latency, dropped connections and
"commit then fail", chosen per method and path, reproducibly from a seed.

It never looks at bodies; the app behind it does not know faults exist.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import re
import threading
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KINDS = (
    "429",
    "500",
    "502",
    "503",
    "504",
    "latency",
    "drop",
    "commit_then_500",
    "commit_then_drop",
    "garbage",
)


@dataclass
class FaultRule:
    """``fault`` on requests matching method and path, with ``probability``, at most ``times``."""

    fault: str
    path: str = ".*"
    method: str = "*"
    probability: float = 1.0
    times: int | None = None
    retry_after: int = 1
    latency_ms: int = 0
    seen: int = field(default=0, repr=False)
    fired: int = field(default=0, repr=False)
    identities: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.fault not in KINDS:
            raise ValueError(f"unknown fault {self.fault!r}; one of {', '.join(KINDS)}")
        try:
            self._pattern = re.compile(self.path)
        except re.error as exc:
            message = f"fault rule path {self.path!r} is not a regular expression: {exc}"
            raise ValueError(message) from None
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"fault rule probability {self.probability!r} is not within 0..1")


def load_rules(path: Path) -> list[FaultRule]:
    """Rules from a JSON file (a list, or {"faults": [...]}) or a TOML file ([[faults]] tables)."""
    text = path.read_text()
    data: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    entries = data.get("faults", []) if isinstance(data, dict) else data
    return [FaultRule(**entry) for entry in entries]


# Entity ids the emulator hands out: UUIDs (Flow Service) and 32 hex digits (Data Prep).
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")


class FaultInjector:
    """The middleware; rules can be replaced at run time (tests) under a lock."""

    def __init__(
        self,
        app: ASGIApp,
        rules: list[FaultRule] | None = None,
        seed: int = 0,
        name_of: Callable[[str], str | None] = lambda _id: None,
    ) -> None:
        self.app = app
        self.seed = seed
        self.rules = list(rules or [])
        _quiet_injected_drops()
        # Entity ids are random per run; the names they stand for are not. Ids in a request are
        # replaced by their entity's name before the request's identity is hashed.
        self.name_of = name_of
        self._lock = threading.Lock()

    def identity(self, method: str, path: str, query: str, body: bytes) -> str:
        """What makes a request "the same request" across runs: ids read as their names."""
        stable = _ID.sub(lambda m: f"<{self.name_of(m.group()) or 'unknown'}>", f"{path}?{query}")
        text = _ID.sub(
            lambda m: f"<{self.name_of(m.group()) or 'unknown'}>", body.decode("utf-8", "replace")
        )
        return f"{method} {stable} {hashlib.sha256(text.encode()).hexdigest()}"

    def _choose(self, method: str, path: str, identity: str) -> FaultRule | None:
        with self._lock:
            for index, rule in enumerate(self.rules):
                if rule.method not in ("*", method) or not rule._pattern.search(path):
                    continue
                rule.seen += 1
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                # One draw per (seed, rule, request identity, repeat of that identity): a request
                # meets the same fault whatever else runs concurrently, so seeded runs repeat.
                repeat = rule.identities.get(identity, 0) + 1
                rule.identities[identity] = repeat
                draw = random.Random(f"{self.seed}:{index}:{identity}:{repeat}").random()
                if draw < rule.probability:
                    rule.fired += 1
                    return rule
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or inject the fault the schedule picks for it."""
        if scope["type"] != "http" or not self.rules:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        receive = _replay(body)
        method, path = scope.get("method", ""), scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        rule = self._choose(method, path, self.identity(method, path, query, body))
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.fault == "latency":
            await asyncio.sleep(rule.latency_ms / 1000)
            await self.app(scope, receive, send)
        elif rule.fault.isdigit():
            await _respond(send, int(rule.fault), rule)
        elif rule.fault == "drop":
            await _drop(send)
        elif rule.fault == "garbage":
            await _garbage(send)
        else:

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)  # the entity is committed...
            if rule.fault == "commit_then_500":
                await _respond(send, 500, rule)  # ...and the client hears an error
            else:
                await _drop(send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body to the app once, then waits for disconnect."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _respond(send: Send, status: int, rule: FaultRule) -> None:
    body = json.dumps(
        {"error_code": f"{status}050", "message": f"Injected fault {status}"}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # Like every gateway answer: an id support can trace the request by.
        (b"x-request-id", str(uuid.uuid4()).encode()),
    ]
    if status == 429:
        headers.append((b"retry-after", str(rule.retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _garbage(send: Send) -> None:
    # A 200 whose body is not JSON: what a misrouted proxy or a captive portal answers.
    body = b"<html><body>Service temporarily rerouted</body></html>"
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class DroppedConnection(Exception):
    """Raised after a truncated response so the server closes the socket mid-response."""


class _InjectedDropFilter(logging.Filter):
    """Keeps uvicorn from printing a traceback for every injected drop: the fault was asked for
    (each rule counts what it fired), and a run with a quarter of requests dropped would otherwise
    bury its own output under them. Any other exception is still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


def _quiet_injected_drops() -> None:
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _InjectedDropFilter) for f in server_log.filters):
        server_log.addFilter(_InjectedDropFilter())


async def _drop(send: Send) -> None:
    # Promise a body and never send it: the client sees the connection close mid-response.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    raise DroppedConnection("injected dropped connection")
