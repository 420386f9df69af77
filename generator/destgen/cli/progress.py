"""What ``apply`` says while it works: a line per write as it finishes (``amazon_s3.json:
creating connections 'Acme S3'... done 1.2 s``), the write's start too at a terminal, and for
several files a progress bar at a terminal.

Lines go to stderr, where a pipe or a CI log keeps them in order; the bar only where a person
watches. ``Narrated`` stands where a client stands (``run`` and ``update``) around the apply
client, so every write the engine sends is told, and nothing else is.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.transport.client import Derive
from destgen_runtime.transport.redact import one_line as printable

# The first word of a write's label -> how a line names it while it happens.
DOING = {"create": "creating", "delete": "removing", "enable": "enabling", "disable": "disabling"}


@dataclass
class Narrator:
    """Says each line once, whole, from any worker thread; draws the bar at a terminal."""

    files: int
    stream: IO[str] = field(default_factory=lambda: sys.stderr)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _bar: Any = field(default=None, repr=False)
    _task: Any = field(default=None, repr=False)

    @property
    def at_terminal(self) -> bool:
        """Whether a person watches (stderr is a terminal)."""
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    @contextmanager
    def running(self) -> Iterator[Narrator]:
        """The bar drawn (several files, at a terminal) while the body runs; gone after it."""
        if not (self.at_terminal and self.files > 1):
            yield self
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=self.stream, highlight=False)
        with Progress(
            TextColumn("files"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as bar:
            self._bar, self._task = bar, bar.add_task("files", total=self.files)
            try:
                yield self
            finally:
                self._bar = None

    def say(self, line: str) -> None:
        """One whole line (above the bar when there is one)."""
        with self._lock:
            if self._bar is not None:
                self._bar.console.print(line, markup=False, highlight=False)
            else:
                print(line, file=self.stream, flush=True)

    def file_done(self, line: str) -> None:
        """A file's closing line; the bar moves on."""
        self.say(line)
        if self._bar is not None:
            self._bar.advance(self._task)


@dataclass
class Narrated:
    """``client`` (the apply client) with each write it sends told by ``narrator``."""

    client: Any
    narrator: Narrator
    label: str  # the file the writes belong to

    def run(self, op: Operation[Any]) -> Any:
        """Send ``op``; a write is told as it starts (at a terminal) and when it is done."""
        if op.kind == "read":
            return self.client.run(op)
        verb, _, rest = op.label.partition(" ")
        with self._told(f"{DOING.get(verb, verb)} {rest}"):
            return self.client.run(op)

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH as the client does; told only when there is something to send."""
        # (start, what) of the first derive with something to send: a 412 derives again.
        started: list[tuple[float, str]] = []

        def told(entity: Entity) -> Any:
            patch = derive(entity)
            if patch is not None and not started:
                name = entity.data.get("name")
                what = f"changing {collection} " + (repr(name) if name else entity.id)
                started.append((time.monotonic(), what))
                self._start(what)
            return patch

        result: Created = self.client.update(collection, entity_id, told, known=known)
        if started and result.changed:
            start, what = started[0]
            self._done(what, start)
        return result

    @contextmanager
    def _told(self, what: str) -> Iterator[None]:
        start = time.monotonic()
        self._start(what)
        yield
        self._done(what, start)

    def _start(self, what: str) -> None:
        if self.narrator.at_terminal:
            self.narrator.say(f"{self.label}: {printable(what)}...")

    def _done(self, what: str, start: float) -> None:
        took = time.monotonic() - start
        self.narrator.say(f"{self.label}: {printable(what)}... done {took:.1f} s")
