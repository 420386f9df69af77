"""Reads a plan made, answered again when apply follows it at once: ``apply --yes`` sends no
request whose answer it already has.

``Recorded`` stands where a client stands while planning and keeps the answer of every read it
sends; ``Replayed`` stands where a client stands while applying and answers each of those reads
once from what was kept, sending everything else. Only a plan applied straight away is replayed
(no prompt, no saved plan: time has not passed), and only for a file that shares no created
entity with another (their plans could not see what the other file creates). PATCHes stay
pinned to the etags the plan read (reviewed.py), so an entity that moved still stops the run.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from destgen_runtime.api.operations import Created, Entity, Operation
from destgen_runtime.transport.client import Derive

ReadKey = tuple[str, str, str]


def read_key(op: Operation[Any]) -> ReadKey:
    """What makes two reads the same: method, path, query and body."""
    payload = op.payload if not hasattr(op.payload, "model_dump") else op.payload.model_dump()
    return op.method, op.path + "?" + json.dumps(op.params), json.dumps(payload, sort_keys=True)


@dataclass
class Recorded:
    """``client`` with the answer of every read kept in ``answers``."""

    client: Any
    answers: dict[ReadKey, Any] = field(default_factory=dict)

    def run(self, op: Operation[Any]) -> Any:
        """Send ``op``; keep a read's answer."""
        answer = self.client.run(op)
        if op.kind == "read":
            self.answers[read_key(op)] = answer
        return answer

    def follow(self, steps: Generator[Operation[Any], Any, Any]) -> Any:
        """Drive a flow of reads (a listing, page by page) through ``run``."""
        reply = None
        try:
            while True:
                reply = self.run(steps.send(reply))
        except StopIteration as done:
            return done.value


@dataclass
class Replayed:
    """``client`` answering each read in ``answers`` once from there, sending the rest."""

    client: Any
    answers: dict[ReadKey, Any]
    replayed: int = 0  # reads answered without a request

    def run(self, op: Operation[Any]) -> Any:
        """A kept read's answer (once), else the client's."""
        if op.kind == "read":
            key = read_key(op)
            if key in self.answers:
                self.replayed += 1
                return self.answers.pop(key)
        return self.client.run(op)

    def update(
        self, collection: str, entity_id: str, derive: Derive, *, known: Entity | None = None
    ) -> Created:
        """PATCH as the client does (its reads are its own: fresh)."""
        result: Created = self.client.update(collection, entity_id, derive, known=known)
        return result
