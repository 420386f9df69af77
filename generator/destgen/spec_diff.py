"""What changed between two versions of a connection spec, classed breaking, additive or cosmetic.

Works on "facts": one flat record per auth variant, encryption spec and parameter, audience
workflow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from destgen_runtime.schema.conditionals import (
    AUDIENCE_WORKFLOW,
    WORKFLOW_FIELD,
    in_workflow,
)
from destgen_runtime.schema.spec_form import canonical_spec
from destgen_runtime.transport.redact import printable

Facts = dict[str, dict[str, Any]]
CLASSES = ("breaking", "additive", "cosmetic")
COSMETIC = frozenset({"description", "title", "ui"})


@dataclass(frozen=True)
class Change:
    """One classified change of a destination's spec: its key, class and what changed."""

    destination: str
    key: str
    what: str
    cls: str
    old: Any = None
    new: Any = None

    def line(self) -> str:
        """The change as one line of the text table."""
        return f"{self.key}: {self.what}"


def facts(spec: Mapping[str, Any]) -> Facts:
    """One record per variant and parameter; target params as the audience workflow sees them."""
    found: Facts = {"spec": {"name": spec.get("name"), "version": spec.get("version")}}
    for entry in spec.get("authSpec") or []:
        found[f"auth[{entry['name']}]"] = {"variant": True}
        _params(found, f"auth[{entry['name']}]", entry.get("spec") or {})
    spec = canonical_spec(spec)  # both encryption keys: SpecFormError, as for the loader
    for entry in spec.get("encryptionSpecs") or []:
        found[f"encryption[{entry['name']}]"] = {"variant": True}
        _params(found, f"encryption[{entry['name']}]", entry.get("spec") or {})
    _params(found, "target", (spec.get("targetSpec") or {}).get("spec") or {})
    return found


def _params(found: Facts, prefix: str, schema: Mapping[str, Any]) -> None:
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        rule = prop.get("conditional") or {}
        if not in_workflow(rule, AUDIENCE_WORKFLOW):
            continue  # not part of audience export (datasetFileType)
        values = prop.get("enum") or [o.get("const") for o in prop.get("oneOf") or []]
        found[f"{prefix}.{name}"] = {
            "type": prop.get("type"),
            "required": name in required,
            "enum": sorted(map(str, values)) or None,
            "pattern": prop.get("pattern"),
            "default": prop.get("default"),
            "secret": prop.get("format") == "password",
            "format": prop.get("format"),
            "contentEncoding": prop.get("contentEncoding"),
            "conditional": (
                None
                if rule.get("field") == WORKFLOW_FIELD
                else (json.dumps(rule, sort_keys=True) if rule else None)
            ),
            "description": prop.get("description"),
            "title": prop.get("title"),
            "ui": (
                json.dumps(prop.get("uiAttributes"), sort_keys=True)
                if "uiAttributes" in prop
                else None
            ),
        }
        if prop.get("type") == "object":
            _params(found, f"{prefix}.{name}", prop)


def diff(destination: str, old: Facts, new: Facts) -> list[Change]:
    """The classified changes of one destination between two sets of facts."""
    changes: list[Change] = []
    for key in sorted(old.keys() - new.keys()):
        what = "variant removed" if old[key].get("variant") else "parameter removed"
        changes.append(Change(destination, key, what, "breaking"))
    for key in sorted(new.keys() - old.keys()):
        if new[key].get("variant"):
            changes.append(Change(destination, key, "variant added", "additive"))
        else:
            required = bool(new[key].get("required"))
            changes.append(
                Change(
                    destination,
                    key,
                    f"{'required' if required else 'optional'} parameter added",
                    "breaking" if required else "additive",
                )
            )
    for key in sorted(old.keys() & new.keys()):
        if key == "spec":
            changes += [
                Change(
                    destination, f"spec.{a}", f"{a} changed", "cosmetic", old[key][a], new[key][a]
                )
                for a in ("name", "version")
                if old[key].get(a) != new[key].get(a)
            ]
            continue
        for attribute in sorted(set(old[key]) | set(new[key])):
            before, after = old[key].get(attribute), new[key].get(attribute)
            if before != after:
                what, cls = _classify(attribute, before, after)
                changes.append(Change(destination, key, what, cls, before, after))
    return changes


def _classify(attribute: str, before: Any, after: Any) -> tuple[str, str]:
    if attribute in COSMETIC:
        return f"{attribute} changed", "cosmetic"
    if attribute == "required":
        return ("now required", "breaking") if after else ("no longer required", "additive")
    if attribute == "enum":
        if after is None:
            return "enum dropped: any value allowed", "additive"
        if before is None:
            return "enum added", "breaking"
        removed = sorted(set(before) - set(after))
        added = sorted(set(after) - set(before))
        if removed:
            return f"values removed: {', '.join(removed)}", "breaking"
        return f"values added: {', '.join(added)}", "additive"
    if attribute in ("pattern", "contentEncoding"):
        return (
            (f"{attribute} removed", "additive")
            if after is None
            else (f"{attribute} {'changed' if before else 'added'}", "breaking")
        )
    if attribute == "default":
        return f"default {before!r} -> {after!r}", "additive"
    return f"{attribute} {before!r} -> {after!r}", "breaking"


def summary(changes: list[Change]) -> dict[str, int]:
    """How many changes of each class."""
    return {cls: sum(1 for c in changes if c.cls == cls) for cls in CLASSES}


def as_json(changes: list[Change]) -> str:
    """The changes as a JSON array."""
    return json.dumps([asdict(c) for c in changes], indent=2, default=str)


def table(changes: list[Change]) -> str:
    """The changes as an aligned text table."""
    if not changes:
        return "no changes"
    # Keys and values come from specs: one line each, control characters shown as escapes.
    rows = [("destination", "class", "where", "change")] + [
        (c.destination, c.cls, _line(c.key), _line(c.what)) for c in changes
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(
        f"{r[0]:{widths[0]}}  {r[1]:{widths[1]}}  {r[2]:{widths[2]}}  {r[3]}" for r in rows
    )


def _line(text: str) -> str:
    return " ".join(printable(text).split())
