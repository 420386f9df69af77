"""``destgen plan --out PLAN`` and ``destgen apply PLAN``: a reviewed plan saved as data, applied
only while nothing it read has moved.

A saved plan holds, per activation file, the file's sha256, the planned field changes and the
etag of every entity the plan would patch; never a secret (the planner masks them). Reading one
back treats it as untrusted input: a closed schema, a size cap, nothing run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from destgen_runtime.activation.planner import Change, FieldChange
from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic import ValidationError as PydanticValidationError

from destgen.cli.target import Target
from destgen.writer import atomic_write_text

FORMAT_KEY = "destgenPlan"
# 2: the plan names where it was made (org, sandbox, base URL); a version 1 plan named nowhere.
FORMAT_VERSION = 2
MAX_PLAN_BYTES = 64 * 1024 * 1024


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SavedField(_Closed):
    """One planned field change, as ``FieldChange.as_json`` writes it."""

    action: Literal["create", "change", "remove", "action"]
    path: str
    old: JsonValue = None
    new: JsonValue = None
    note: str = ""


class SavedStep(_Closed):
    """One write of the plan: its label and field changes."""

    step: str
    fields: list[SavedField]


class SavedFile(_Closed):
    """One activation file's plan."""

    # A path the plan's own files had: no NUL, within what a file system accepts.
    path: Annotated[str, Field(min_length=1, max_length=4096, pattern=r"^[^\x00]+$")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    etags: dict[str, str | None]
    changes: list[SavedStep]
    # Changes to entities other dataflows use: applied only with --change-shared.
    shared: list[str] = []
    # The (collection, name) pairs the plan would create: files that create the same entity run
    # one after the other, as in a live apply; the rest run side by side.
    creates: list[tuple[str, str]] = []


class SavedTarget(_Closed):
    """Where the plan was made: the only place ``apply PLAN`` acts."""

    org: str
    sandbox: str | None
    base_url: Annotated[str, Field(alias="baseUrl")]

    def line(self) -> str:
        """As ``Target.line`` says it."""
        return Target(self.org, self.sandbox, self.base_url).line()


class SavedPlan(_Closed):
    """A whole ``plan --out`` document."""

    destgen_plan: Annotated[Literal[2], Field(alias=FORMAT_KEY)]
    target: SavedTarget
    prune: bool
    files: list[SavedFile]

    def changes_of(self, saved: SavedFile) -> list[Change]:
        """The file's planned writes as the planner's own values (for the plan table)."""
        return [
            Change(s.step, [FieldChange(**f.model_dump()) for f in s.fields]) for s in saved.changes
        ]


class PlanFileError(Exception):
    """A saved plan that cannot be used: unreadable, not a plan, or from another format."""


def plan_document(
    files: list[tuple[Path, list[Change], dict[str, str | None], list[str], set[tuple[str, str]]]],
    digests: dict[Path, str],
    *,
    target: Target,
    prune: bool,
) -> dict[str, Any]:
    """The JSON document ``plan --out`` writes; ``digests``: each file's sha256, of the bytes
    the plan was made from (a saved plan applies to these bytes only); ``target``: where the
    plan read (a saved plan applies there only).
    """
    return {
        FORMAT_KEY: FORMAT_VERSION,
        "target": {"org": target.org or "", "sandbox": target.sandbox, "baseUrl": target.base_url},
        "prune": prune,
        "files": [
            {
                "path": str(path),
                "sha256": digests[path],
                "etags": dict(sorted(etags.items())),
                "changes": [
                    {"step": c.label, "fields": [f.as_json() for f in c.fields]} for c in changes
                ],
                "shared": shared,
                "creates": sorted(creates),
            }
            for path, changes, etags, shared, creates in files
        ],
    }


def write_plan(target: Path, document: dict[str, Any]) -> None:
    """Write through a temp file and a rename: a reader never sees half a plan."""
    atomic_write_text(target, json.dumps(document, indent=2) + "\n")


def is_saved_plan(path: Path) -> bool:
    """True when ``path`` is a JSON document that says it is a saved plan (cheap: one read)."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return f'"{FORMAT_KEY}"'.encode() in head


def read_plan(path: Path) -> SavedPlan:
    """The saved plan at ``path``; PlanFileError naming the file and the problem otherwise."""
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise PlanFileError(f"{path}: larger than {MAX_PLAN_BYTES} bytes; not a saved plan")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise PlanFileError(f"{path}: cannot read the saved plan: {reason}") from None
    if isinstance(data, dict) and data.get(FORMAT_KEY) != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: a plan of format {data.get(FORMAT_KEY)!r}, this destgen applies format "
            f"{FORMAT_VERSION} only (it names the org, sandbox and base URL); run destgen plan "
            "--out again"
        )
    try:
        return SavedPlan.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors(include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(
            f"{path}: not a plan this destgen wrote ({where}: {first['msg']}); "
            "run destgen plan --out again"
        ) from None
